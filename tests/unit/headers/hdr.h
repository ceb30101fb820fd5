/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hdr.h - naming for the header test units: each unit is compiled once per
 * language standard (HDR_STD: c99, c11, cxx), with -pedantic-errors, and
 * defines one function named after its file and that standard, which
 * test_headers.c calls.
 */
#ifndef HDR_H
#define HDR_H

#define HDR_CAT2(a, b)	a##_##b
#define HDR_CAT(a, b)	HDR_CAT2(a, b)
#define HDR_FN(name)	HDR_CAT(name, HDR_STD)

#ifdef __cplusplus
#define HDR_EXTERN	extern "C"
#else
#define HDR_EXTERN
#endif

#endif
