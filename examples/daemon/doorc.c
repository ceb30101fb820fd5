/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doorc - client of the sample door daemon (doord).
 *
 *   doorc [-p path] ping          the daemon's pid
 *   doorc [-p path] echo WORD...  open a session, echo the words through it
 *   doorc [-p path] whoami        who the daemon thinks opened and calls
 *   doorc [-p path] wait          wait for the next "notify"
 *   doorc [-p path] notify        end every wait in progress (root)
 *   doorc [-p path] stats         the daemon's counters (root)
 *
 * Exit status 0 on success, 1 on failure (with a message), 2 on bad usage.
 * Plain C11 + POSIX + the door API.
 */
#include <door.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "doord.h"

static const char *door_path = DOORD_PATH;

static void die(const char *what, int err)
{
	(void) fprintf(stderr, "doorc: %s: %s\n", what, strerror(err));
	exit(1);
}

/*
 * Call door d with request op (and `len` bytes of data after it); the reply
 * is copied to out (at most outsize bytes; the length is returned).  If a
 * descriptor comes back, it is stored in *fdp.  Exits on failure.
 */
static size_t call(int d, uint32_t op, uint64_t arg, const void *data,
    size_t len, void *out, size_t outsize, int *fdp)
{
	char req[sizeof (struct doord_req) + 8192];
	char rbuf[sizeof (struct doord_reply) + 8192 + 64];
	struct doord_req *rq = (struct doord_req *)req;
	const struct doord_reply *rp;
	door_arg_t a;
	size_t n;

	if (len > 8192)
		die("request", E2BIG);
	(void) memset(rq, 0, sizeof (*rq));
	rq->version = DOORD_VERSION;
	rq->op = op;
	rq->arg = arg;
	if (len > 0)
		(void) memcpy(req + sizeof (*rq), data, len);
	a.data_ptr = req;
	a.data_size = sizeof (*rq) + len;
	a.desc_ptr = NULL;
	a.desc_num = 0;
	a.rbuf = rbuf;
	a.rsize = sizeof (rbuf);
	if (door_call(d, &a) != 0)
		die("door_call", errno);
	if (a.data_size < sizeof (*rp))
		die("reply", EPROTO);
	rp = (const struct doord_reply *)(void *)a.data_ptr;
	if (rp->status != 0)
		die("daemon", rp->status);
	n = a.data_size < outsize ? a.data_size : outsize;
	(void) memcpy(out, a.data_ptr, n);
	if (fdp != NULL) {
		if (a.desc_num != 1 ||
		    !(a.desc_ptr[0].d_attributes & DOOR_DESCRIPTOR))
			die("reply", EPROTO);
		*fdp = a.desc_ptr[0].d_data.d_desc.d_descriptor;
	}
	if (a.rbuf != rbuf)
		(void) munmap(a.rbuf, a.rsize);
	return (n);
}

static int open_main(void)
{
	int d = open(door_path, O_RDONLY | O_CLOEXEC);

	if (d < 0)
		die(door_path, errno);
	return (d);
}

/* A door from the main door: a session (DOORD_OP_OPEN) or the admin door. */
static int get_door(int main_door, uint32_t op)
{
	struct doord_reply r;
	int d = -1;

	(void) call(main_door, op, 0, NULL, 0, &r, sizeof (r), &d);
	return (d);
}

static void print_stats(const struct doord_stats *s)
{
#define	P(f)	(void) printf("%s=%llu\n", #f, (unsigned long long)s->f)
	P(pid);
	P(thread_cap);
	P(sessions_opened);
	P(sessions_live);
	P(session_unrefs);
	P(unref_duplicates);
	P(unref_unknown);
	P(open_failures);
	P(refused);
	P(waits_started);
	P(waits_active);
	P(waits_cancelled);
	P(waits_notified);
	P(generation);
	P(main_unrefs);
	P(threads_live);
	P(threads_peak);
	P(threads_started);
	P(admin_threads_live);
	P(admin_threads_peak);
	P(fds_open);
#undef P
}

static void usage(void)
{
	(void) fprintf(stderr, "usage: doorc [-p path] "
	    "ping | echo WORD... | whoami | wait | notify | stats\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char text[8192], out[sizeof (struct doord_reply) + 8192];
	struct doord_whoami who;
	struct doord_reply r;
	struct doord_stats s;
	const char *cmd;
	size_t len = 0, n;
	int c, m, d;

	while ((c = getopt(argc, argv, "p:")) != -1) {
		if (c == 'p')
			door_path = optarg;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind++];
	m = open_main();

	if (strcmp(cmd, "ping") == 0) {
		(void) call(m, DOORD_OP_PING, 0, NULL, 0, &r, sizeof (r), NULL);
		(void) printf("pid=%llu\n", (unsigned long long)r.value);
	} else if (strcmp(cmd, "echo") == 0) {
		for (; optind < argc; optind++) {
			n = strlen(argv[optind]);
			if (len + n + 1 > sizeof (text))
				die("echo", E2BIG);
			if (len > 0)
				text[len++] = ' ';
			(void) memcpy(text + len, argv[optind], n);
			len += n;
		}
		d = get_door(m, DOORD_OP_OPEN);
		n = call(d, DOORD_S_ECHO, 0, text, len, out, sizeof (out), NULL);
		(void) printf("%.*s\n", (int)(n - sizeof (r)), out + sizeof (r));
	} else if (strcmp(cmd, "whoami") == 0) {
		d = get_door(m, DOORD_OP_OPEN);
		(void) call(d, DOORD_S_WHOAMI, 0, NULL, 0, &who, sizeof (who),
		    NULL);
		(void) printf("session=%u opener_pid=%d opener_euid=%u "
		    "caller_pid=%d caller_euid=%u\n", who.session,
		    (int)who.opener_pid, who.opener_euid, (int)who.caller_pid,
		    who.caller_euid);
	} else if (strcmp(cmd, "wait") == 0) {
		d = get_door(m, DOORD_OP_OPEN);
		(void) call(d, DOORD_S_WAIT, 0, NULL, 0, &r, sizeof (r), NULL);
		(void) printf("generation=%llu\n", (unsigned long long)r.value);
	} else if (strcmp(cmd, "notify") == 0) {
		d = get_door(m, DOORD_OP_ADMIN);
		(void) call(d, DOORD_A_NOTIFY, 0, NULL, 0, &r, sizeof (r), NULL);
		(void) printf("generation=%llu\n", (unsigned long long)r.value);
	} else if (strcmp(cmd, "stats") == 0) {
		d = get_door(m, DOORD_OP_ADMIN);
		(void) call(d, DOORD_A_STATS, 0, NULL, 0, &s, sizeof (s), NULL);
		print_stats(&s);
	} else {
		usage();
	}
	return (0);
}
