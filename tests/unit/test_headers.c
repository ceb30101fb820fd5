/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_headers.c - the headers a port includes.  The real test is that the
 * units in headers/ compile, each with -std=c99, -std=c11 and as C++11,
 * all with -pedantic-errors -Wall -Wextra -Werror (see the Makefile):
 * <door.h> alone gives ucred_t and the <ucred.h> functions; a program's
 * own uint_t (a typedef before or after the headers, or a macro) does not
 * clash; <stropts.h> from include/door declares fattach, fdetach and
 * isastream.  Here their functions are called, so that they are linked
 * and agree on what they saw.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <door.h>

#define HDR_DECL(name)				\
	long name##_c99(void);			\
	long name##_c11(void);			\
	long name##_cxx(void)

HDR_DECL(hdr_door_only);
HDR_DECL(hdr_uint_before);
HDR_DECL(hdr_uint_after);
HDR_DECL(hdr_uint_macro);
HDR_DECL(hdr_stropts);

#define ALL_EQUAL(name, want) do {				\
	assert_int_equal(name##_c99(), (want));			\
	assert_int_equal(name##_c11(), (want));			\
	assert_int_equal(name##_cxx(), (want));			\
} while (0)

static void door_h_gives_ucred_h(void **state)
{
	(void)state;
	ALL_EQUAL(hdr_door_only, (long)(DOOR_CREATE_MASK | DOOR_ATTR_MASK) + 1);
}

static void own_uint_t_does_not_clash(void **state)
{
	(void)state;
	ALL_EQUAL(hdr_uint_before, (long)sizeof(unsigned int));
	ALL_EQUAL(hdr_uint_after, 4);
	ALL_EQUAL(hdr_uint_macro, (long)sizeof(unsigned int));
}

static void stropts_h_declares_fattach(void **state)
{
	(void)state;
	ALL_EQUAL(hdr_stropts, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(door_h_gives_ucred_h),
		cmocka_unit_test(own_uint_t_does_not_clash),
		cmocka_unit_test(stropts_h_declares_fattach),
	};

	return cmocka_run_group_tests_name("headers", tests, NULL, NULL);
}
