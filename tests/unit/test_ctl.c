/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_ctl.c - the per-process control file: opened lazily and once, and
 * replaced in the child of fork().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_kernel.h"

static int ncreator;

static void creator(door_info_t *dip)
{
	(void)dip;
	ncreator++;
}

static void noop_proc(void *cookie, char *argp, size_t size, door_desc_t *dp,
		      uint_t n)
{
	(void)cookie, (void)argp, (void)size, (void)dp, (void)n;
}

static int create_fd_on;	/* fd DOOR_IOC_CREATE was issued on */

static int kernel(int fd, unsigned long req, void *arg)
{
	(void)arg;
	if (req == DOOR_IOC_CREATE) {
		create_fd_on = fd;
		return fk_door_fd();
	}
	errno = ENOTTY;
	return -1;
}

static int setup(void **state)
{
	(void)state;
	fk_reset();
	fk.handler = kernel;
	ncreator = 0;
	create_fd_on = -1;
	return 0;
}

/* Nothing is opened until it is needed, then exactly once. */
static void opened_lazily_once(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(libdoor_ctl_peek(), -1);
	assert_int_equal(fk.open_count, 0);
	fd = libdoor_ctl();
	assert_true(fd >= 0);
	assert_int_equal(fd, fk.ctl_fd);
	assert_int_equal(fk.open_count, 1);
	assert_int_equal(fk.open_flags & O_ACCMODE, O_RDWR);
	assert_true(fk.open_flags & O_CLOEXEC);
	assert_int_equal(libdoor_ctl(), fd);
	assert_int_equal(libdoor_ctl_peek(), fd);
	assert_true(door_create(noop_proc, NULL, 0) >= 0);
	assert_int_equal(create_fd_on, fd);
	assert_int_equal(fk.open_count, 1);
}

/* A failed open is reported and retried next time. */
static void open_failure(void **state)
{
	(void)state;
	fk.open_errno = EACCES;
	errno = 0;
	assert_int_equal(libdoor_ctl(), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(libdoor_ctl_peek(), -1);
	fk.open_errno = 0;
	assert_true(libdoor_ctl() >= 0);
	assert_int_equal(fk.open_count, 2);
}

/* Many threads asking at once still open one control file. */
#define NTHREADS 16

static pthread_barrier_t barrier;
static int got[NTHREADS];

static void *racer(void *arg)
{
	int i = (int)(intptr_t)arg;

	pthread_barrier_wait(&barrier);
	got[i] = libdoor_ctl();
	return NULL;
}

static void concurrent_first_use(void **state)
{
	pthread_t t[NTHREADS];
	int i;

	(void)state;
	/*
	 * The fake open waits (up to 100 ms) for a second open to arrive
	 * while it is in progress; with the library's lock none can.
	 */
	fk.open_linger_ms = 100;
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, racer,
						(void *)(intptr_t)i), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
	assert_int_equal(fk.open_count, 1);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(got[i], fk.ctl_fd);
}

/*
 * After fork() the child drops the inherited control file (closing its
 * descriptor), opens its own on demand, and its first door calls the
 * creation function again.  The parent keeps its control file.
 */
enum {
	CHILD_OK = 0, CHILD_STILL_OPEN, CHILD_FD_NOT_CLOSED, CHILD_NOT_CLOSED_LOG,
	CHILD_NO_REOPEN, CHILD_WRONG_FD, CHILD_NO_CREATOR, CHILD_CREATE_FAILED,
};

static int child_checks(int parent_fd)
{
	int open_before = fk.open_count, d;

	if (libdoor_ctl_peek() != -1)
		return CHILD_STILL_OPEN;
	if (fcntl(parent_fd, F_GETFD) != -1 || errno != EBADF)
		return CHILD_FD_NOT_CLOSED;
	if (!fk_was_closed(parent_fd))
		return CHILD_NOT_CLOSED_LOG;
	d = door_create(noop_proc, NULL, 0);
	if (d < 0)
		return CHILD_CREATE_FAILED;
	if (fk.open_count != open_before + 1)
		return CHILD_NO_REOPEN;
	if (create_fd_on != fk.ctl_fd || libdoor_ctl_peek() != fk.ctl_fd)
		return CHILD_WRONG_FD;
	if (ncreator != 2)
		return CHILD_NO_CREATOR;
	return CHILD_OK;
}

static void fork_child_reopens(void **state)
{
	int parent_fd, status;
	pid_t pid;

	(void)state;
	door_server_create(creator);
	assert_true(door_create(noop_proc, NULL, 0) >= 0);
	assert_int_equal(ncreator, 1);
	parent_fd = libdoor_ctl_peek();
	assert_true(parent_fd >= 0);
	fk.nclosed = 0;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_checks(parent_fd));

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), CHILD_OK);

	/* The parent is unaffected. */
	assert_int_equal(libdoor_ctl_peek(), parent_fd);
	assert_true(fcntl(parent_fd, F_GETFD) >= 0);
	assert_false(fk_was_closed(parent_fd));
	assert_true(door_create(noop_proc, NULL, 0) >= 0);
	assert_int_equal(ncreator, 1);
	assert_int_equal(fk.open_count, 1);
}

/* The fork generation moves in the child only. */
static void fork_generation(void **state)
{
	unsigned long gen = libdoor_fork_generation();
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(libdoor_fork_generation() == gen + 1 ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(libdoor_fork_generation(), gen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(opened_lazily_once, setup),
		cmocka_unit_test_setup(open_failure, setup),
		cmocka_unit_test_setup(concurrent_first_use, setup),
		cmocka_unit_test_setup(fork_child_reopens, setup),
		cmocka_unit_test_setup(fork_generation, setup),
	};

	return cmocka_run_group_tests_name("ctl", tests, NULL, NULL);
}
