/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_peerucred.c - getpeerucred() on real sockets (no kernel module is
 * involved: SO_PEERCRED and SO_PEERGROUPS), and isastream().
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <alloca.h>
#include <stropts.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fake_kernel.h"

static int sv[2] = { -1, -1 };

static int setup(void **state)
{
	(void)state;
	fk_reset();
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
}

static int teardown(void **state)
{
	(void)state;
	__real_close(sv[0]);
	__real_close(sv[1]);
	return 0;
}

static void check_is_me(const ucred_t *uc)
{
	gid_t mine[256];
	const gid_t *g;
	int n, i;

	assert_int_equal(ucred_geteuid(uc), geteuid());
	assert_int_equal(ucred_getegid(uc), getegid());
	assert_int_equal(ucred_getpid(uc), getpid());
	assert_int_equal(ucred_getzoneid(uc), 0);
	n = getgroups(256, mine);
	assert_true(n >= 0);
	assert_int_equal(ucred_getgroups(uc, &g), n);
	for (i = 0; i < n; i++)
		assert_int_equal(g[i], mine[i]);
}

/* The peer of a socketpair is this process; a ucred_t is allocated. */
static void peer_of_socketpair(void **state)
{
	ucred_t *uc = NULL;

	(void)state;
	assert_int_equal(getpeerucred(sv[0], &uc), 0);
	assert_non_null(uc);
	check_is_me(uc);
	/* Linux records no real or saved ids of a peer. */
	errno = 0;
	assert_int_equal(ucred_getruid(uc), (uid_t)-1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(ucred_getsgid(uc), (gid_t)-1);
	assert_int_equal(errno, EINVAL);
	ucred_free(uc);
}

/* Into the caller's memory of ucred_size() bytes, filled in place. */
static void peer_into_caller_buffer(void **state)
{
	ucred_t *uc = alloca(ucred_size()), *given = uc;

	(void)state;
	memset(uc, 0xa5, ucred_size());
	assert_int_equal(getpeerucred(sv[1], &uc), 0);
	assert_ptr_equal(uc, given);
	check_is_me(uc);
}

/* illumos' errors; the caller's ucred_t is left where it was. */
static void peer_errors(void **state)
{
	ucred_t *uc = NULL, *given = alloca(ucred_size()), *p;
	int fds[2], s;

	(void)state;
	errno = 0;
	assert_int_equal(getpeerucred(sv[0], NULL), -1);
	assert_int_equal(errno, EFAULT);

	/* Not a descriptor. */
	assert_int_equal(getpeerucred(-1, &uc), -1);
	assert_int_equal(errno, EBADF);
	assert_null(uc);

	/* A descriptor without peer credentials: a pipe, a UDP socket. */
	assert_int_equal(pipe(fds), 0);
	p = given;
	assert_int_equal(getpeerucred(fds[0], &p), -1);
	assert_int_equal(errno, ENOTSUP);
	assert_ptr_equal(p, given);
	__real_close(fds[0]);
	__real_close(fds[1]);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	assert_int_equal(getpeerucred(s, &uc), -1);
	assert_int_equal(errno, ENOTSUP);
	__real_close(s);

	/* A Unix socket that is not connected. */
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(getpeerucred(s, &uc), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_null(uc);
	__real_close(s);
}

/* No STREAMS on Linux: 0 for any open descriptor, EBADF otherwise. */
static void isastream_answers(void **state)
{
	int fds[2];

	(void)state;
	assert_int_equal(isastream(sv[0]), 0);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(isastream(fds[0]), 0);
	__real_close(fds[0]);
	__real_close(fds[1]);
	errno = 0;
	assert_int_equal(isastream(fds[0]), -1);
	assert_int_equal(errno, EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(peer_of_socketpair),
		T(peer_into_caller_buffer),
		T(peer_errors),
		T(isastream_answers),
#undef T
	};

	return cmocka_run_group_tests_name("peerucred", tests, NULL, NULL);
}
