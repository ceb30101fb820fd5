/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_client.c - door_call, door_call_timed, door_info, door_revoke,
 * door_getparam and door_setparam against an emulated kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_kernel.h"

#define DOOR_FD		42

/* What the emulated kernel saw and will answer. */
static struct door_ioc_call seen_call;
static int call_fd;
static struct door_ioc_call answer_call;
static int answer_errno;
static struct door_ioc_call_timed seen_timed;

static struct door_ioc_info answer_info;
static unsigned long seen_req;
static int seen_fd;
static struct door_ioc_param seen_param;
static __u64 answer_value;

static int setup(void **state)
{
	(void)state;
	fk_reset();
	memset(&seen_call, 0, sizeof(seen_call));
	memset(&answer_call, 0, sizeof(answer_call));
	memset(&seen_param, 0, sizeof(seen_param));
	call_fd = -1;
	answer_errno = 0;
	seen_req = 0;
	seen_fd = -1;
	return 0;
}

static int kernel(int fd, unsigned long req, void *arg)
{
	seen_req = req;
	seen_fd = fd;
	if (answer_errno) {
		errno = answer_errno;
		return -1;
	}
	switch (req) {
	case DOOR_IOC_CALL:
		call_fd = fd;
		memcpy(&seen_call, arg, sizeof(seen_call));
		memcpy(arg, &answer_call, sizeof(answer_call));
		return 0;
	case DOOR_IOC_CALL_TIMED:
		call_fd = fd;
		memcpy(&seen_timed, arg, sizeof(seen_timed));
		memcpy(arg, &answer_call, sizeof(answer_call));
		return 0;
	case DOOR_IOC_INFO:
	case DOOR_IOC_QUERY:
		memcpy(arg, &answer_info, sizeof(answer_info));
		return 0;
	case DOOR_IOC_REVOKE:
		return 0;
	case DOOR_IOC_GETPARAM:
		memcpy(&seen_param, arg, sizeof(seen_param));
		((struct door_ioc_param *)arg)->value = answer_value;
		return 0;
	case DOOR_IOC_SETPARAM:
		memcpy(&seen_param, arg, sizeof(seen_param));
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

/* Arguments go to the kernel as given; results come back into params. */
static void call_marshals_arguments_and_results(void **state)
{
	char args[] = "question", rbuf[64], result_area[128];
	door_desc_t in_desc[2], out_desc[3];
	door_arg_t p = {
		.data_ptr = args, .data_size = sizeof(args),
		.desc_ptr = in_desc, .desc_num = 2,
		.rbuf = rbuf, .rsize = sizeof(rbuf),
	};

	(void)state;
	fk.handler = kernel;
	answer_call.data_ptr = (uintptr_t)(result_area + 8);
	answer_call.data_size = 77;
	answer_call.desc_ptr = (uintptr_t)out_desc;
	answer_call.desc_num = 3;
	answer_call.rbuf = (uintptr_t)result_area;
	answer_call.rsize = sizeof(result_area);
	answer_call.flags = DOOR_CALL_MAPPED;

	assert_int_equal(door_call(DOOR_FD, &p), 0);

	assert_int_equal(call_fd, DOOR_FD);
	assert_int_equal(seen_req, DOOR_IOC_CALL);
	assert_int_equal(seen_call.data_ptr, (uintptr_t)args);
	assert_int_equal(seen_call.data_size, sizeof(args));
	assert_int_equal(seen_call.desc_ptr, (uintptr_t)in_desc);
	assert_int_equal(seen_call.desc_num, 2);
	assert_int_equal(seen_call.rbuf, (uintptr_t)rbuf);
	assert_int_equal(seen_call.rsize, sizeof(rbuf));
	assert_int_equal(seen_call.flags, 0);

	assert_ptr_equal(p.data_ptr, result_area + 8);
	assert_int_equal(p.data_size, 77);
	assert_ptr_equal(p.desc_ptr, out_desc);
	assert_int_equal(p.desc_num, 3);
	assert_ptr_equal(p.rbuf, result_area);
	assert_int_equal(p.rsize, sizeof(result_area));
	/* door_call needs no control file. */
	assert_int_equal(fk.open_count, 0);
}

/* params == NULL: no arguments, and results are refused. */
static void call_null_params(void **state)
{
	(void)state;
	fk.handler = kernel;
	answer_call.data_size = 5;	/* ignored: nowhere to put it */

	assert_int_equal(door_call(DOOR_FD, NULL), 0);
	assert_int_equal(seen_call.data_ptr, 0);
	assert_int_equal(seen_call.data_size, 0);
	assert_int_equal(seen_call.desc_ptr, 0);
	assert_int_equal(seen_call.desc_num, 0);
	assert_int_equal(seen_call.rbuf, 0);
	assert_int_equal(seen_call.rsize, 0);
	assert_int_equal(seen_call.flags, DOOR_CALL_NO_RESULTS);
}

/* Errors come back as -1/errno, params untouched, never restarted. */
static void call_error_not_restarted(void **state)
{
	static const int errs[] = { EINTR, EBADF, E2BIG, ENOBUFS, EAGAIN };
	char args[4] = "abc";
	door_arg_t p;
	size_t i;

	(void)state;
	fk.handler = kernel;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.data_ptr = args;
		p.data_size = sizeof(args);
		fk.nioctl = 0;
		answer_errno = errs[i];
		errno = 0;
		assert_int_equal(door_call(DOOR_FD, &p), -1);
		assert_int_equal(errno, errs[i]);
		assert_int_equal(fk_count(DOOR_IOC_CALL), 1);
		assert_ptr_equal(p.data_ptr, args);
		assert_int_equal(p.data_size, sizeof(args));
		assert_null(p.rbuf);
	}
}

/* door_info converts door_ioc_info field by field; di_resv is zeroed. */
static void info_converts(void **state)
{
	door_info_t di;

	(void)state;
	fk.handler = kernel;
	answer_info.target = 1234;
	answer_info.attributes = DOOR_UNREF | DOOR_REFUSE_DESC | DOOR_IS_UNREF;
	answer_info.proc = 0x1122334455667788ull;
	answer_info.cookie = 0x99aabbccddeeff00ull;
	answer_info.id = 0xfeedull;
	memset(&di, 0x5a, sizeof(di));

	assert_int_equal(door_info(DOOR_FD, &di), 0);
	assert_int_equal(seen_req, DOOR_IOC_INFO);
	assert_int_equal(seen_fd, DOOR_FD);
	assert_int_equal(di.di_target, 1234);
	assert_true(di.di_proc == 0x1122334455667788ull);
	assert_true(di.di_data == 0x99aabbccddeeff00ull);
	assert_int_equal(di.di_attributes,
			 DOOR_UNREF | DOOR_REFUSE_DESC | DOOR_IS_UNREF);
	assert_true(di.di_uniquifier == 0xfeedull);
	assert_int_equal(di.di_resv[0] | di.di_resv[1] | di.di_resv[2] |
			 di.di_resv[3], 0);
	/* A server that has exited is reported with target -1. */
	answer_info.target = -1;
	assert_int_equal(door_info(DOOR_FD, &di), 0);
	assert_int_equal(di.di_target, -1);
	assert_int_equal(fk.open_count, 0);
}

/* DOOR_QUERY goes to the control file with DOOR_IOC_QUERY. */
static void info_query_uses_control_file(void **state)
{
	door_info_t di;

	(void)state;
	fk.handler = kernel;
	assert_true(libdoor_ctl() >= 0);	/* as a server would have */
	answer_info.id = 77;
	answer_info.attributes = DOOR_PRIVATE | DOOR_LOCAL;
	assert_int_equal(door_info(DOOR_QUERY, &di), 0);
	assert_int_equal(seen_req, DOOR_IOC_QUERY);
	assert_int_equal(seen_fd, fk.ctl_fd);
	assert_true(di.di_uniquifier == 77);

	/* Not serving anything: the kernel says EBADF, so do we. */
	answer_errno = EBADF;
	assert_int_equal(door_info(DOOR_QUERY, &di), -1);
	assert_int_equal(errno, EBADF);
}

/* No control file: no thread can be serving; EBADF, nothing opened. */
static void info_query_without_control_file(void **state)
{
	door_info_t di;

	(void)state;
	fk.handler = kernel;
	errno = 0;
	assert_int_equal(door_info(DOOR_QUERY, &di), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(fk.open_count, 0);
	assert_int_equal(fk.nioctl, 0);
}

static void info_error(void **state)
{
	door_info_t di;

	(void)state;
	fk.handler = kernel;
	answer_errno = EBADF;
	assert_int_equal(door_info(DOOR_FD, &di), -1);
	assert_int_equal(errno, EBADF);
}

/* door_revoke: DOOR_IOC_REVOKE on the door, then the descriptor closes. */
static void revoke_closes(void **state)
{
	int d = fk_door_fd();

	(void)state;
	assert_true(d >= 0);
	fk.handler = kernel;
	assert_int_equal(door_revoke(d), 0);
	assert_int_equal(seen_req, DOOR_IOC_REVOKE);
	assert_int_equal(seen_fd, d);
	assert_true(fk_was_closed(d));
	assert_int_equal(fcntl(d, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

/* EPERM (not the creator): the descriptor stays open. */
static void revoke_error_keeps_fd(void **state)
{
	int d = fk_door_fd();

	(void)state;
	fk.handler = kernel;
	answer_errno = EPERM;
	assert_int_equal(door_revoke(d), -1);
	assert_int_equal(errno, EPERM);
	assert_false(fk_was_closed(d));
	assert_true(fcntl(d, F_GETFD) >= 0);
	__real_close(d);
}

static void getparam_marshals(void **state)
{
	size_t v = 0;

	(void)state;
	fk.handler = kernel;
	answer_value = 4096;
	assert_int_equal(door_getparam(DOOR_FD, DOOR_PARAM_DATA_MAX, &v), 0);
	assert_int_equal(seen_req, DOOR_IOC_GETPARAM);
	assert_int_equal(seen_fd, DOOR_FD);
	assert_int_equal(seen_param.type, DOOR_PARAM_DATA_MAX);
	assert_int_equal(v, 4096);

	answer_value = SIZE_MAX;
	assert_int_equal(door_getparam(DOOR_FD, DOOR_PARAM_DESC_MAX, &v), 0);
	assert_int_equal(seen_param.type, DOOR_PARAM_DESC_MAX);
	assert_true(v == SIZE_MAX);

	answer_errno = EBADF;
	v = 7;
	assert_int_equal(door_getparam(DOOR_FD, DOOR_PARAM_DATA_MIN, &v), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(v, 7);
}

/*
 * door_getparam's errors in illumos' order: EBADF for a descriptor that is
 * not a door (whatever the parameter), then the kernel's EINVAL for an
 * unknown parameter, then EFAULT for a NULL out pointer.
 */
static void getparam_errno_order(void **state)
{
	int fd = fk_door_fd();
	size_t v = 7;

	(void)state;
	fk.handler = kernel;
	/* Not a door (ENOTTY from its driver): EBADF, even for parameter 0. */
	answer_errno = ENOTTY;
	errno = 0;
	assert_int_equal(door_getparam(fd, 0, &v), -1);
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_int_equal(door_getparam(fd, DOOR_PARAM_DATA_MAX, NULL), -1);
	assert_int_equal(errno, EBADF);
	/* A door: its EINVAL for an unknown parameter, asked of the kernel. */
	fk.door_fd = fd;
	answer_errno = EINVAL;
	fk.nioctl = 0;
	errno = 0;
	assert_int_equal(door_getparam(fd, 4, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fk_count(DOOR_IOC_GETPARAM), 1);
	/* A door and a valid parameter: EFAULT for NULL, nothing written. */
	answer_errno = 0;
	errno = 0;
	assert_int_equal(door_getparam(fd, DOOR_PARAM_DATA_MAX, NULL), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(v, 7);
	fk.door_fd = -1;
	__real_close(fd);
}

static void setparam_marshals(void **state)
{
	(void)state;
	fk.handler = kernel;
	assert_int_equal(door_setparam(DOOR_FD, DOOR_PARAM_DATA_MIN, 12), 0);
	assert_int_equal(seen_req, DOOR_IOC_SETPARAM);
	assert_int_equal(seen_fd, DOOR_FD);
	assert_int_equal(seen_param.type, DOOR_PARAM_DATA_MIN);
	assert_int_equal(seen_param.value, 12);

	/* The kernel's verdicts (EPERM, ERANGE, ENOTSUP...) pass through. */
	fk.nioctl = 0;
	answer_errno = ERANGE;
	assert_int_equal(door_setparam(DOOR_FD, DOOR_PARAM_DESC_MAX,
				       (size_t)INT32_MAX + 1), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(fk_count(DOOR_IOC_SETPARAM), 1);
}

/*
 * door_setparam's errors in illumos' order: EBADF for a descriptor that is
 * not a door before anything about the parameter; the parameter and the
 * permission are the kernel's to judge (EBADF for a revoked door before
 * EPERM, then EINVAL).
 */
static void setparam_errno_order(void **state)
{
	int fd = fk_door_fd();

	(void)state;
	fk.handler = kernel;
	answer_errno = ENOTTY;
	errno = 0;
	assert_int_equal(door_setparam(fd, 99, 1), -1);
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_int_equal(door_setparam(fd, -1, 1), -1);
	assert_int_equal(errno, EBADF);
	/* A door: unknown parameters go to the kernel, which says EINVAL. */
	fk.door_fd = fd;
	answer_errno = EINVAL;
	fk.nioctl = 0;
	errno = 0;
	assert_int_equal(door_setparam(fd, 99, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fk_count(DOOR_IOC_SETPARAM), 1);
	fk.door_fd = -1;
	__real_close(fd);
}

/* door_info: EBADF (not a door, or DOOR_QUERY unbound) before EFAULT. */
static void info_ebadf_before_efault(void **state)
{
	int fd = fk_door_fd();

	(void)state;
	fk.handler = kernel;
	answer_errno = ENOTTY;
	errno = 0;
	assert_int_equal(door_info(fd, NULL), -1);
	assert_int_equal(errno, EBADF);
	errno = 0;
	assert_int_equal(door_info(DOOR_QUERY, NULL), -1);	/* no control file */
	assert_int_equal(errno, EBADF);
	/* A door, NULL out: EFAULT. */
	answer_errno = 0;
	errno = 0;
	assert_int_equal(door_info(fd, NULL), -1);
	assert_int_equal(errno, EFAULT);
	__real_close(fd);
}

/*
 * Results without data leave data_ptr alone, without descriptors leave
 * desc_ptr alone (illumos' door_call sets each only when there is
 * something to point at).
 */
static void call_keeps_pointers_without_results(void **state)
{
	char args[] = "question", rbuf[64];
	door_desc_t in_desc[1], out_desc[1];
	door_arg_t p = {
		.data_ptr = args, .data_size = sizeof(args),
		.desc_ptr = in_desc, .desc_num = 1,
		.rbuf = rbuf, .rsize = sizeof(rbuf),
	};

	(void)state;
	fk.handler = kernel;
	/* Nothing returned: the kernel leaves both pointers as given. */
	answer_call.data_ptr = (uintptr_t)args;
	answer_call.desc_ptr = (uintptr_t)in_desc;
	answer_call.rbuf = (uintptr_t)rbuf;
	answer_call.rsize = sizeof(rbuf);
	assert_int_equal(door_call(DOOR_FD, &p), 0);
	assert_ptr_equal(p.data_ptr, args);
	assert_int_equal(p.data_size, 0);
	assert_ptr_equal(p.desc_ptr, in_desc);
	assert_int_equal(p.desc_num, 0);

	/* Whatever a kernel writes in a pointer with nothing behind it. */
	p.data_ptr = args;
	p.data_size = sizeof(args);
	p.desc_ptr = in_desc;
	p.desc_num = 1;
	answer_call.data_ptr = 0;
	answer_call.desc_ptr = 0;
	assert_int_equal(door_call(DOOR_FD, &p), 0);
	assert_ptr_equal(p.data_ptr, args);
	assert_ptr_equal(p.desc_ptr, in_desc);

	/* Descriptors but no data: desc_ptr moves, data_ptr stays. */
	p.data_ptr = args;
	p.desc_ptr = in_desc;
	out_desc[0].d_attributes = DOOR_DESCRIPTOR;
	out_desc[0].d_data.d_desc.d_descriptor = 5;
	out_desc[0].d_data.d_desc.d_id = 0;
	answer_call.desc_ptr = (uintptr_t)out_desc;
	answer_call.desc_num = 1;
	assert_int_equal(door_call(DOOR_FD, &p), 0);
	assert_ptr_equal(p.data_ptr, args);
	assert_ptr_equal(p.desc_ptr, out_desc);
	assert_int_equal(p.desc_num, 1);
	assert_int_equal(out_desc[0].d_attributes, DOOR_DESCRIPTOR);
}

/*
 * Not a door: other files answer door ioctls with ENOTTY (or EINVAL);
 * Solaris says EBADF.  EINVAL from a real door stays EINVAL.
 */
static void not_a_door_is_ebadf(void **state)
{
	door_info_t di;
	door_arg_t p;
	size_t v;
	int fd = fk_door_fd();

	(void)state;
	fk.handler = kernel;
	memset(&p, 0, sizeof(p));
	answer_errno = ENOTTY;
	assert_int_equal(door_call(fd, &p), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(door_call(fd, NULL), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(door_info(fd, &di), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(door_revoke(fd), -1);
	assert_int_equal(errno, EBADF);
	assert_false(fk_was_closed(fd));
	assert_int_equal(door_getparam(fd, DOOR_PARAM_DATA_MAX, &v), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(door_setparam(fd, DOOR_PARAM_DATA_MAX, 1), -1);
	assert_int_equal(errno, EBADF);

	/* EINVAL from a file that is not on doorfs (here /dev/null). */
	answer_errno = EINVAL;
	assert_int_equal(door_setparam(fd, DOOR_PARAM_DATA_MIN, 9), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(door_call(fd, &p), -1);
	assert_int_equal(errno, EBADF);
	/* ... and from a door: the door's own EINVAL. */
	fk.door_fd = fd;
	assert_int_equal(door_setparam(fd, DOOR_PARAM_DATA_MIN, 9), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(door_call(fd, &p), -1);
	assert_int_equal(errno, EINVAL);
	/* Other errors pass through untouched. */
	answer_errno = EPERM;
	fk.door_fd = -1;
	assert_int_equal(door_setparam(fd, DOOR_PARAM_DATA_MIN, 9), -1);
	assert_int_equal(errno, EPERM);
	__real_close(fd);
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/*
 * door_call_timed: the call as door_call marshals it, and an absolute
 * CLOCK_MONOTONIC deadline, now + timeout; results as door_call.
 */
static void timed_call_marshals_deadline(void **state)
{
	char args[] = "q", rbuf[16], result_area[32];
	door_arg_t p = {
		.data_ptr = args, .data_size = sizeof(args),
		.rbuf = rbuf, .rsize = sizeof(rbuf),
	};
	struct timespec to = { 2, 500000000 };
	uint64_t before, after;

	(void)state;
	fk.handler = kernel;
	answer_call.data_ptr = (uintptr_t)result_area;
	answer_call.data_size = 9;
	answer_call.rbuf = (uintptr_t)result_area;
	answer_call.rsize = sizeof(result_area);
	before = mono_ns();
	assert_int_equal(door_call_timed(DOOR_FD, &p, &to), 0);
	after = mono_ns();
	assert_int_equal(seen_req, DOOR_IOC_CALL_TIMED);
	assert_int_equal(call_fd, DOOR_FD);
	assert_int_equal(seen_timed.call.data_ptr, (uintptr_t)args);
	assert_int_equal(seen_timed.call.data_size, sizeof(args));
	assert_int_equal(seen_timed.call.rbuf, (uintptr_t)rbuf);
	assert_int_equal(seen_timed.call.rsize, sizeof(rbuf));
	assert_int_equal(seen_timed.call.flags, 0);
	assert_int_equal(seen_timed.flags, 0);
	assert_int_equal(seen_timed.pad, 0);
	assert_true(seen_timed.deadline_ns >= before + 2500000000u);
	assert_true(seen_timed.deadline_ns <= after + 2500000000u);
	assert_ptr_equal(p.data_ptr, result_area);
	assert_int_equal(p.data_size, 9);
	assert_ptr_equal(p.rbuf, result_area);
	assert_int_equal(p.rsize, sizeof(result_area));
	assert_int_equal(fk.open_count, 0);
}

/* NULL: door_call; bad timeouts: EINVAL, no ioctl; huge: never. */
static void timed_call_timeouts(void **state)
{
	static const struct timespec bad[] = {
		{ -1, 0 }, { 0, -1 }, { 0, 1000000000 }, { 5, 2000000000 },
	};
	struct timespec huge = { (time_t)INT64_MAX, 999999999 };
	door_arg_t p;
	size_t i;

	(void)state;
	fk.handler = kernel;
	memset(&p, 0, sizeof(p));
	assert_int_equal(door_call_timed(DOOR_FD, &p, NULL), 0);
	assert_int_equal(seen_req, DOOR_IOC_CALL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fk.nioctl = 0;
		errno = 0;
		assert_int_equal(door_call_timed(DOOR_FD, &p, &bad[i]), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(fk.nioctl, 0);
	}
	assert_int_equal(door_call_timed(DOOR_FD, &p, &huge), 0);
	assert_int_equal(seen_req, DOOR_IOC_CALL_TIMED);
	assert_true(seen_timed.deadline_ns == UINT64_MAX);
}

/*
 * Errors: ETIMEDOUT and the rest pass through, params untouched; ENOTTY
 * from a door (an older door.ko) is ENOTSUP, from another file EBADF.
 */
static void timed_call_errors(void **state)
{
	struct timespec to = { 1, 0 };
	char args[2] = "a";
	door_arg_t p;
	int fd = fk_door_fd();

	(void)state;
	fk.handler = kernel;
	memset(&p, 0, sizeof(p));
	p.data_ptr = args;
	p.data_size = sizeof(args);
	answer_errno = ETIMEDOUT;
	assert_int_equal(door_call_timed(DOOR_FD, &p, &to), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_ptr_equal(p.data_ptr, args);
	assert_int_equal(p.data_size, sizeof(args));
	assert_int_equal(fk_count(DOOR_IOC_CALL_TIMED), 1);
	answer_errno = ENOTTY;
	assert_int_equal(door_call_timed(fd, &p, &to), -1);
	assert_int_equal(errno, EBADF);
	fk.door_fd = fd;
	assert_int_equal(door_call_timed(fd, &p, &to), -1);
	assert_int_equal(errno, ENOTSUP);
	answer_errno = EINVAL;
	assert_int_equal(door_call_timed(fd, &p, &to), -1);
	assert_int_equal(errno, EINVAL);
	fk.door_fd = -1;
	__real_close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(call_marshals_arguments_and_results, setup),
		cmocka_unit_test_setup(call_null_params, setup),
		cmocka_unit_test_setup(call_error_not_restarted, setup),
		cmocka_unit_test_setup(info_converts, setup),
		cmocka_unit_test_setup(info_query_uses_control_file, setup),
		cmocka_unit_test_setup(info_query_without_control_file, setup),
		cmocka_unit_test_setup(info_error, setup),
		cmocka_unit_test_setup(revoke_closes, setup),
		cmocka_unit_test_setup(revoke_error_keeps_fd, setup),
		cmocka_unit_test_setup(getparam_marshals, setup),
		cmocka_unit_test_setup(getparam_errno_order, setup),
		cmocka_unit_test_setup(setparam_marshals, setup),
		cmocka_unit_test_setup(setparam_errno_order, setup),
		cmocka_unit_test_setup(info_ebadf_before_efault, setup),
		cmocka_unit_test_setup(call_keeps_pointers_without_results, setup),
		cmocka_unit_test_setup(not_a_door_is_ebadf, setup),
		cmocka_unit_test_setup(timed_call_marshals_deadline, setup),
		cmocka_unit_test_setup(timed_call_timeouts, setup),
		cmocka_unit_test_setup(timed_call_errors, setup),
	};

	return cmocka_run_group_tests_name("client", tests, NULL, NULL);
}
