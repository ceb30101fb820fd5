/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_depletion.c - door_depletion_fd against an emulated kernel: what it
 * asks of the control file, the flags it takes, the errors it makes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_kernel.h"

#define DEPL_FD		77

static struct door_ioc_depletion seen;
static int seen_fd, nseen, answer_errno;

static int setup(void **state)
{
	(void)state;
	fk_reset();
	memset(&seen, 0, sizeof(seen));
	seen_fd = -1;
	nseen = 0;
	answer_errno = 0;
	return 0;
}

static int kernel(int fd, unsigned long req, void *arg)
{
	if (req != DOOR_IOC_DEPLETION_FD) {
		errno = ENOTTY;
		return -1;
	}
	nseen++;
	seen_fd = fd;
	memcpy(&seen, arg, sizeof(seen));
	if (answer_errno) {
		errno = answer_errno;
		return -1;
	}
	return DEPL_FD;
}

/* On the control file: -1 for the process pool, a door as given. */
static void marshals_door_and_flags(void **state)
{
	(void)state;
	fk.handler = kernel;
	assert_int_equal(door_depletion_fd(-1, 0), DEPL_FD);
	assert_int_equal(nseen, 1);
	assert_int_equal(seen_fd, fk.ctl_fd);
	assert_int_equal(seen.door, -1);
	assert_int_equal(seen.flags, 0);

	assert_int_equal(door_depletion_fd(5, O_NONBLOCK | O_CLOEXEC), DEPL_FD);
	assert_int_equal(seen.door, 5);
	assert_int_equal(seen.flags, DOOR_DEPLETION_NONBLOCK);

	/* Always close-on-exec: O_CLOEXEC alone asks for nothing more. */
	assert_int_equal(door_depletion_fd(DOOR_INVAL, O_CLOEXEC), DEPL_FD);
	assert_int_equal(seen.flags, 0);
}

/* Bad flags and descriptors fail before the kernel is asked. */
static void rejects_without_ioctl(void **state)
{
	(void)state;
	fk.handler = kernel;
	assert_int_equal(door_depletion_fd(-1, O_RDWR), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(door_depletion_fd(-1, O_APPEND), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(door_depletion_fd(-2, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(door_depletion_fd(-100, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(nseen, 0);
}

/* The kernel's errors pass through; a module without it is ENOTSUP. */
static void errors(void **state)
{
	static const int pass[] = { EBADF, EBUSY, EINVAL, EPERM, EMFILE,
				    ENOMEM };
	size_t i;

	(void)state;
	fk.handler = kernel;
	for (i = 0; i < sizeof(pass) / sizeof(pass[0]); i++) {
		answer_errno = pass[i];
		assert_int_equal(door_depletion_fd(-1, 0), -1);
		assert_int_equal(errno, pass[i]);
	}
	answer_errno = ENOTTY;
	assert_int_equal(door_depletion_fd(-1, 0), -1);
	assert_int_equal(errno, ENOTSUP);
}

/* Without /dev/door, the open's error. */
static void no_device(void **state)
{
	(void)state;
	fk.handler = kernel;
	fk.open_errno = ENOENT;
	assert_int_equal(door_depletion_fd(-1, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(nseen, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(marshals_door_and_flags, setup),
		cmocka_unit_test_setup(rejects_without_ioctl, setup),
		cmocka_unit_test_setup(errors, setup),
		cmocka_unit_test_setup(no_device, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
