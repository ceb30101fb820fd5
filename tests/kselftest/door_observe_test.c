// SPDX-License-Identifier: GPL-2.0
/*
 * door_observe_test - what door.ko shows to observability tools:
 * /proc/PID/fdinfo of a door descriptor, and the door:* tracepoints.
 */
#include "door_test.h"

#include <sys/mount.h>

#define TRACING "/sys/kernel/tracing"

static int ev_in = -1, ev_go = -1;

static void hold_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	if (arg_size && argp[0] == 'h') {
		ev_post(ev_in);
		ev_wait(ev_go);
	}
	door_return(NULL, 0, NULL, 0);
}

struct caller {
	int d, ret;
};

static void *hold_caller(void *p)
{
	struct caller *c = p;
	door_arg_t a = { "h", 1, NULL, 0, NULL, 0 };

	hang_guard(30);
	c->ret = door_call(c->d, &a);
	hang_guard(0);
	return NULL;
}

/* fdinfo names the door and its server, and counts calls as they happen. */
TEST(fdinfo_shows_door_and_live_call)
{
	struct caller c;
	pthread_t th;
	door_arg_t a = { "x", 1, NULL, 0, NULL, 0 };
	int d;

	ev_in = ev_new();
	ev_go = ev_new();
	ASSERT_LE(0, ev_in);
	ASSERT_LE(0, ev_go);
	d = door_create(hold_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	EXPECT_EQ((long long)door_id(d), fdinfo_get(d, "door_id"));
	EXPECT_EQ(getpid(), fdinfo_get(d, "door_target"));
	/* DOOR_IS_UNREF is a level: reading fdinfo itself holds the file. */
	EXPECT_EQ((long long)(door_attrs(d) & ~DOOR_IS_UNREF),
		  fdinfo_get(d, "door_attributes") & ~DOOR_IS_UNREF);
	EXPECT_EQ(0, fdinfo_get(d, "door_calls_served"));

	ASSERT_EQ(0, door_call(d, &a));
	EXPECT_EQ(1, fdinfo_get(d, "door_calls_served"));
	EXPECT_EQ(0, fdinfo_get(d, "door_calls_active"));

	c = (struct caller){ .d = d };
	ASSERT_EQ(0, pthread_create(&th, NULL, hold_caller, &c));
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000));
	EXPECT_EQ(1, fdinfo_get(d, "door_calls_active"));
	EXPECT_EQ(2, fdinfo_get(d, "door_calls_served"));
	ASSERT_EQ(0, ev_post(ev_go));
	ASSERT_EQ(0, pthread_join(th, NULL));
	EXPECT_EQ(0, c.ret);
	EXPECT_EQ(0, fdinfo_get(d, "door_calls_active"));
}

static int tracing_ready(void)
{
	if (access(TRACING "/events/door/enable", W_OK) == 0)
		return 0;
	mount("tracefs", TRACING, "tracefs", 0, NULL);
	return access(TRACING "/events/door/enable", W_OK);
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* Count the trace buffer's @event lines about door @id. */
static int trace_count(const char *event, unsigned long long id)
{
	char line[512];
	const char *p;
	int n = 0;
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, event);
		if (p && (p = strstr(p, "door=")) && strtoull(p + 5, NULL, 10) == id)
			n++;
	}
	fclose(f);
	return n;
}

/* door_call, door_return, door_unref and door_revoke each fire. */
TEST(tracepoints_fire)
{
	door_arg_t a = { "x", 1, NULL, 0, NULL, 0 };
	unsigned long long id;
	int d, d2;

	if (tracing_ready() != 0)
		SKIP(return, "tracefs with door events not available");
	ASSERT_EQ(0, write_str(TRACING "/trace", ""));
	/*
	 * Do not let tracing hook sched_switch to record command names:
	 * live-patching that static key in __schedule while the other vCPU
	 * runs it trips QEMU TCG (an int3 oops seen on the debug kernel).
	 * Only door.ko's own, idle, tracepoint sites are patched then.
	 */
	write_str(TRACING "/options/record-cmd", "0");
	write_str(TRACING "/options/record-tgid", "0");
	ASSERT_EQ(0, write_str(TRACING "/events/door/enable", "1"));

	d = door_create(hold_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	id = door_id(d);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, door_call(d, &a));
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, close(d2));	/* unreferenced: door_unref */
	ASSERT_EQ(0, door_revoke(d));
	ASSERT_EQ(0, write_str(TRACING "/events/door/enable", "0"));

	EXPECT_EQ(3, trace_count("door_call:", id));
	EXPECT_EQ(3, trace_count("door_return:", id));
	EXPECT_EQ(1, trace_count("door_unref:", id));
	EXPECT_EQ(1, trace_count("door_revoke:", id));
}

TEST_HARNESS_MAIN
