// SPDX-License-Identifier: GPL-2.0
/*
 * dbusbench - a D-Bus method call round trip, the baseline a Linux user
 * would reach for instead of a door (issue 12, item 7).  Run in the VM by
 * tools/doorbench/dbus-guest.sh against a private dbus-daemon.
 *
 *   dbusbench server ADDRESS
 *   dbusbench client ADDRESS [--clock icount|wall] [--samples N]
 *
 * The server owns the name org.doorbench.Echo on the bus at ADDRESS and
 * answers every method call with an empty method return from its dispatch
 * loop.  The client calls org.doorbench.Echo.Ping (no arguments) with
 * dbus_connection_send_with_reply_and_block(), SAMPLES timed calls after a
 * warm-up, each timed on its own with CLOCK_MONOTONIC minus the clock
 * read's own cost, and prints a doorbench line:
 *
 *   @@DB lat mech=dbus payload=0 cpus=1 comp=0 clients=1 samples=S min=..
 *            median=.. p90=.. p99=.. mean=.. max=.. unit=insn|ns
 *
 * A call goes client -> dbus-daemon -> server -> dbus-daemon -> client:
 * four messages and three processes, all pinned to vCPU 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dbus/dbus.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define NAME	"org.doorbench.Echo"
#define PATH	"/org/doorbench/Echo"
#define IFACE	"org.doorbench.Echo"

static void die(const char *what, DBusError *e)
{
	fprintf(stderr, "dbusbench: %s: %s\n", what,
		e && dbus_error_is_set(e) ? e->message : "failed");
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void pin0(void)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(0, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static DBusConnection *connect_bus(const char *addr)
{
	DBusError e;
	DBusConnection *c;

	dbus_error_init(&e);
	c = dbus_connection_open_private(addr, &e);
	if (!c)
		die("dbus_connection_open_private", &e);
	if (!dbus_bus_register(c, &e))
		die("dbus_bus_register", &e);
	return c;
}

static DBusHandlerResult handle(DBusConnection *c, DBusMessage *m, void *data)
{
	DBusMessage *r;

	(void)data;
	if (dbus_message_get_type(m) != DBUS_MESSAGE_TYPE_METHOD_CALL)
		return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
	r = dbus_message_new_method_return(m);
	if (!r || !dbus_connection_send(c, r, NULL))
		die("reply", NULL);
	dbus_message_unref(r);
	return DBUS_HANDLER_RESULT_HANDLED;
}

static int server(const char *addr)
{
	static const DBusObjectPathVTable vt = { .message_function = handle };
	DBusConnection *c;
	DBusError e;
	int ret;

	prctl(PR_SET_NAME, "db-server", 0, 0, 0);
	pin0();
	c = connect_bus(addr);
	dbus_error_init(&e);
	if (!dbus_connection_register_object_path(c, PATH, &vt, NULL))
		die("register_object_path", NULL);
	ret = dbus_bus_request_name(c, NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &e);
	if (ret != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER)
		die("dbus_bus_request_name", &e);
	while (dbus_connection_read_write_dispatch(c, -1))
		;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int client(const char *addr, const char *unit, int samples)
{
	DBusConnection *c;
	DBusMessage *m, *r;
	DBusError e;
	uint64_t *s, t0, t1, best = UINT64_MAX, sum = 0;
	int i, warm = samples / 10 > 5 ? samples / 10 : 5, tries;

	prctl(PR_SET_NAME, "db-client", 0, 0, 0);
	pin0();
	s = calloc((size_t)samples, sizeof(*s));
	if (!s)
		die("out of memory", NULL);
	for (i = 0; i < 2000; i++) {
		t0 = now_ns();
		t1 = now_ns();
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	c = connect_bus(addr);
	dbus_error_init(&e);
	/* Wait for the server's name (it starts alongside). */
	for (tries = 0; !dbus_bus_name_has_owner(c, NAME, &e); tries++) {
		if (dbus_error_is_set(&e) || tries > 1000)
			die("waiting for " NAME, &e);
		usleep(10000);
	}
	m = dbus_message_new_method_call(NAME, PATH, IFACE, "Ping");
	if (!m)
		die("dbus_message_new_method_call", NULL);
	for (i = 0; i < warm + samples; i++) {
		t0 = now_ns();
		r = dbus_connection_send_with_reply_and_block(c, m, 10000, &e);
		t1 = now_ns();
		if (!r)
			die("Ping", &e);
		dbus_message_unref(r);
		/* A message's serial is set once sent: use a fresh one. */
		dbus_message_unref(m);
		m = dbus_message_new_method_call(NAME, PATH, IFACE, "Ping");
		if (!m)
			die("dbus_message_new_method_call", NULL);
		if (i >= warm)
			s[i - warm] = t1 - t0 > best ? t1 - t0 - best : 0;
	}
	dbus_message_unref(m);
	for (i = 0; i < samples; i++)
		sum += s[i];
	qsort(s, (size_t)samples, sizeof(*s), cmp_u64);
	printf("@@DB lat mech=dbus payload=0 cpus=1 comp=0 clients=1 samples=%d min=%llu "
	       "median=%llu p90=%llu p99=%llu mean=%llu max=%llu unit=%s\n", samples,
	       (unsigned long long)s[0],
	       (unsigned long long)(samples % 2 ? s[samples / 2] :
				    (s[samples / 2 - 1] + s[samples / 2]) / 2),
	       (unsigned long long)s[(samples * 90 + 99) / 100 - 1],
	       (unsigned long long)s[(samples * 99 + 99) / 100 - 1],
	       (unsigned long long)(sum / (uint64_t)samples),
	       (unsigned long long)s[samples - 1], unit);
	fflush(stdout);
	dbus_connection_close(c);
	dbus_connection_unref(c);
	return 0;
}

int main(int argc, char **argv)
{
	const char *unit = "ns";
	int samples = 2000, i;

	if (argc < 3)
		goto usage;
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--clock") && i + 1 < argc)
			unit = strcmp(argv[++i], "icount") ? "ns" : "insn";
		else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
			samples = atoi(argv[++i]);
		else
			goto usage;
	}
	if (samples < 1)
		goto usage;
	if (!strcmp(argv[1], "server"))
		return server(argv[2]);
	if (!strcmp(argv[1], "client"))
		return client(argv[2], unit, samples);
usage:
	fprintf(stderr, "usage: dbusbench server ADDRESS\n"
			"       dbusbench client ADDRESS [--clock icount|wall] [--samples N]\n");
	return 2;
}
