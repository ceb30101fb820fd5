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
#include <signal.h>
#include <stdlib.h>
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
static int set_cancel_n;	/* DOOR_IOC_SET_CANCEL requests */
static int set_cancel_sig;
static int set_cancel_fd;

static int kernel(int fd, unsigned long req, void *arg)
{
	if (req == DOOR_IOC_CREATE) {
		create_fd_on = fd;
		return fk_door_fd();
	}
	if (req == DOOR_IOC_SET_CANCEL) {
		set_cancel_n++;
		set_cancel_sig = *(__s32 *)arg;
		set_cancel_fd = fd;
		return 0;
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
	set_cancel_n = 0;
	set_cancel_sig = 0;
	set_cancel_fd = -1;
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

/* Each control file opened gets the cancellation signal registered. */
static void open_registers_cancel_signal(void **state)
{
	struct sigaction sa;
	int fd;

	(void)state;
	fd = libdoor_ctl();
	assert_true(fd >= 0);
	assert_int_equal(set_cancel_n, 1);
	assert_int_equal(set_cancel_fd, fd);
	assert_int_equal(set_cancel_sig, SIGRTMAX);
	assert_int_equal(libdoor_cancel_signal(), SIGRTMAX);
	assert_int_equal(sigaction(SIGRTMAX, NULL, &sa), 0);
	assert_true(sa.sa_flags & SA_SIGINFO);
	assert_true(sa.sa_flags & SA_RESTART);
	assert_non_null(sa.sa_sigaction);
	libdoor_ctl();
	assert_int_equal(set_cancel_n, 1);
	/* A new control file (as in a forked child) registers it again. */
	libdoor_atfork_prepare();
	libdoor_atfork_child();
	assert_true(libdoor_ctl() >= 0);
	assert_int_equal(set_cancel_n, 2);
}

/*
 * The choice of signal is made once per process, so these run in a fresh
 * process: this program re-executed with the scenario's name.
 */
static void program_handler(int sig)
{
	(void)sig;
}

static int scenario(const char *name)
{
	struct sigaction sa;

	fk.handler = kernel;
	if (!strcmp(name, "nounwind"))
		fk.dlopen_fail = 1;	/* as if libgcc_s.so.1 were missing */
	if (!strcmp(name, "handled"))
		signal(SIGRTMAX, program_handler);
	else if (!strcmp(name, "ignored"))
		signal(SIGRTMAX, SIG_IGN);
	if (libdoor_ctl() < 0)
		return 10;
	if (!strcmp(name, "handled") || !strcmp(name, "ignored") ||
	    !strcmp(name, "env0") || !strcmp(name, "nounwind")) {
		/* The program's signal is left alone; no cancellation. */
		if (set_cancel_n != 0 || libdoor_cancel_signal() != 0)
			return 11;
		if (sigaction(SIGRTMAX, NULL, &sa) < 0)
			return 12;
		if (!strcmp(name, "handled") &&
		    sa.sa_handler != program_handler)
			return 13;
		if ((!strcmp(name, "env0") || !strcmp(name, "nounwind")) &&
		    sa.sa_handler != SIG_DFL)
			return 14;
		return 0;
	}
	if (!strcmp(name, "env40")) {
		if (set_cancel_n != 1 || set_cancel_sig != 40 ||
		    libdoor_cancel_signal() != 40)
			return 15;
		if (sigaction(40, NULL, &sa) < 0 ||
		    !(sa.sa_flags & SA_SIGINFO))
			return 16;
		return 0;
	}
	return 20;
}

static int run_scenario(const char *name, const char *env)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (env)
			setenv("LIBDOOR_CANCEL_SIGNAL", env, 1);
		else
			unsetenv("LIBDOOR_CANCEL_SIGNAL");
		execl("/proc/self/exe", "test_ctl", name, (char *)NULL);
		_exit(99);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void cancel_signal_choice(void **state)
{
	(void)state;
	assert_int_equal(run_scenario("handled", NULL), 0);
	assert_int_equal(run_scenario("ignored", NULL), 0);
	assert_int_equal(run_scenario("env0", "0"), 0);
	assert_int_equal(run_scenario("env40", "40"), 0);
	/* No unwinder, no cancellation (pthread_cancel would abort). */
	assert_int_equal(run_scenario("nounwind", NULL), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(opened_lazily_once, setup),
		cmocka_unit_test_setup(open_failure, setup),
		cmocka_unit_test_setup(concurrent_first_use, setup),
		cmocka_unit_test_setup(fork_child_reopens, setup),
		cmocka_unit_test_setup(fork_generation, setup),
		cmocka_unit_test_setup(open_registers_cancel_signal, setup),
		cmocka_unit_test_setup(cancel_signal_choice, setup),
	};

	if (argc == 2)		/* re-executed by cancel_signal_choice */
		return scenario(argv[1]);
	return cmocka_run_group_tests_name("ctl", tests, NULL, NULL);
}
