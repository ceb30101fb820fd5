// SPDX-License-Identifier: GPL-2.0
/*
 * door_sched_test - priority inheritance: a server thread runs at its
 * caller's nice value, or RT policy and priority, while it serves the call,
 * and at its own again afterwards; a nested call passes it on.  Inheritance
 * only raises (issue 11): the callers here rank above the server threads
 * (nice 0, SCHED_OTHER); callers below them, deadline threads and the
 * other rules are in door_pi_test.
 */
#include "door_test.h"

#include <sched.h>
#include <sys/syscall.h>

struct seen {
	int policy, rt_prio, nice;
};

static struct seen sched_now(void)
{
	struct sched_param sp = { 0 };
	struct seen s;

	/*
	 * A raised thread carries SCHED_RESET_ON_FORK, which
	 * sched_getscheduler() ORs in (checked in door_pi_test).
	 */
	s.policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;
	sched_getparam(0, &sp);
	s.rt_prio = sp.sched_priority;
	errno = 0;
	s.nice = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	return s;
}

static int inner = -1;

static void report_proc(void *cookie, char *argp, size_t n, door_desc_t *dp,
			uint_t nd)
{
	struct seen s[2];

	s[0] = sched_now();
	s[1] = s[0];
	/* "n": also report what a door called from here sees. */
	if (n && argp[0] == 'n' && inner >= 0) {
		door_arg_t a = { NULL, 0, NULL, 0, (char *)&s[1], sizeof(s[1]) };

		if (door_call(inner, &a) != 0)
			s[1].policy = -2;
	}
	door_return((char *)s, sizeof(s), NULL, 0);
}

static void inner_proc(void *cookie, char *argp, size_t n, door_desc_t *dp,
		       uint_t nd)
{
	struct seen s = sched_now();

	door_return((char *)&s, sizeof(s), NULL, 0);
}

/* In a child with the given scheduling: call @d, check what it saw. */
static int call_and_check(int d, int policy, int prio, int nice, int nested)
{
	struct sched_param sp = { .sched_priority = prio };
	struct seen s[2];
	door_arg_t a = { nested ? "n" : "x", 1, NULL, 0, (char *)s, sizeof(s) };

	if (policy == SCHED_OTHER) {
		if (setpriority(PRIO_PROCESS, 0, nice) != 0)
			return 10;
	} else if (sched_setscheduler(0, policy, &sp) != 0) {
		return 11;
	}
	if (door_call(d, &a) != 0 || a.data_size != sizeof(s))
		return 12;
	for (int i = 0; i < (nested ? 2 : 1); i++) {
		if (s[i].policy != policy)
			return 20 + i;
		if (policy == SCHED_OTHER ? s[i].nice != nice : s[i].rt_prio != prio)
			return 30 + i;
	}
	return 0;
}

static int run_child(int d, int policy, int prio, int nice, int nested)
{
	pid_t pid = fork_child();

	if (pid == 0)
		_exit(call_and_check(d, policy, prio, nice, nested));
	return child_exit_code(wait_child(pid, 30));
}

/* What the server thread runs at between calls: its own priority. */
static struct seen own_after(int d)
{
	struct seen s[2];
	door_arg_t a = { "x", 1, NULL, 0, (char *)s, sizeof(s) };

	memset(s, 0xff, sizeof(s));
	door_call(d, &a);
	return s[0];
}

TEST(server_runs_at_callers_nice_then_its_own)
{
	int d = door_create(report_proc, NULL, 0);
	struct seen s;

	ASSERT_LE(0, d);
	EXPECT_EQ(0, run_child(d, SCHED_OTHER, 0, -7, 0));
	EXPECT_EQ(0, run_child(d, SCHED_OTHER, 0, -13, 0));
	/* The test process calls at nice 0: the server is back at 0. */
	s = own_after(d);
	EXPECT_EQ(SCHED_OTHER, s.policy);
	EXPECT_EQ(0, s.nice);
}

TEST(server_runs_at_callers_rt_policy_then_its_own)
{
	int d = door_create(report_proc, NULL, 0);
	struct seen s;

	ASSERT_LE(0, d);
	EXPECT_EQ(0, run_child(d, SCHED_FIFO, 10, 0, 0));
	EXPECT_EQ(0, run_child(d, SCHED_RR, 20, 0, 0));
	s = own_after(d);
	EXPECT_EQ(SCHED_OTHER, s.policy);
	EXPECT_EQ(0, s.rt_prio);
	EXPECT_EQ(0, s.nice);
}

TEST(nested_call_passes_priority_on)
{
	int d = door_create(report_proc, NULL, 0);

	inner = door_create(inner_proc, NULL, 0);
	ASSERT_LE(0, d);
	ASSERT_LE(0, inner);
	EXPECT_EQ(0, run_child(d, SCHED_OTHER, 0, -5, 1));
	EXPECT_EQ(0, run_child(d, SCHED_FIFO, 15, 0, 1));
}

TEST_HARNESS_MAIN
