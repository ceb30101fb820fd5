/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * illumos_sessions - a door server written for illumos, the way illumos
 * daemons are written, built here unchanged with nothing but
 *
 *	cc -O2 -pthread illumos_sessions.c $(pkg-config --cflags --libs libdoor)
 *
 * (examples/Makefile does that against this tree's libdoor.pc).  It uses
 * <stropts.h> for fattach/fdetach/isastream, <door.h> alone for ucred_t,
 * alloca(ucred_size()) for door_ucred() and getpeerucred(), and the
 * illumos idiom for learning that a client has gone: a per-client door
 * returned WITHOUT DOOR_RELEASE, one descriptor of it kept by the server,
 * and that descriptor closed when the door's unreferenced notification
 * says the client's is gone.
 *
 * The program is its own client: it attaches a "factory" door to a file
 * (created 0444, as nscd does), listens on a Unix socket next to it, and
 * forks a child that connects to the socket, opens the door by name, asks
 * the factory for a session door and calls it a few times, then exits.
 * It checks, one line each ("ok - ..." or "FAIL - ..."):
 *   - isastream() of a door is 0, fattach() over the 0444 file works;
 *   - the factory sees its client in door_ucred(), into alloca'd memory;
 *   - getpeerucred() on the accepted socket names the same process;
 *   - the session door arrives as a descriptor and counts the calls;
 *   - UNREFERENCED: once the client has exited, the session door is
 *     unreferenced (the server's descriptor is the only one left), its
 *     notification comes, and door_ucred() there gives the server's own
 *     credentials and pid 0, as on illumos.
 * Exit status 0 if every check passed.  Needs the privilege to fattach
 * (root, or CAP_SYS_ADMIN with CAP_FOWNER and CAP_DAC_OVERRIDE).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <alloca.h>
#include <door.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stropts.h>
#include <time.h>
#include <unistd.h>

#define	NCALLS	5

static int failures;

static void
check(int ok, const char *what)
{
	if (!ok)
		failures++;
	(void) printf("%s - %s\n", ok ? "ok" : "FAIL", what);
	(void) fflush(stdout);
}

/* ---- sessions: one door per client ------------------------------------ */

struct session {
	int		s_fd;		/* the server's descriptor of the door */
	pid_t		s_client;	/* door_ucred() at creation */
	uid_t		s_euid;
	int		s_calls;
	int		s_closed;	/* unreferenced: s_fd closed */
	int		s_unref_ok;	/* door_ucred() there: ours, pid 0 */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct session session = { -1, -1, (uid_t)-1, 0, 0, 0 };
static int factory_ucred_ok;

static void
session_proc(void *cookie, char *argp, size_t arg_size, door_desc_t *dp,
    uint_t n_desc)
{
	struct session *s = cookie;
	ucred_t *uc;
	int count;

	(void) arg_size;
	(void) dp;
	(void) n_desc;
	if (argp == DOOR_UNREF_DATA) {
		/* The client's descriptor is gone: ours is the last one. */
		uc = alloca(ucred_size());
		(void) pthread_mutex_lock(&lock);
		s->s_unref_ok = door_ucred(&uc) == 0 &&
		    ucred_getpid(uc) == 0 && ucred_geteuid(uc) == geteuid();
		(void) close(s->s_fd);
		s->s_fd = -1;
		s->s_closed = 1;
		(void) pthread_cond_broadcast(&cv);
		(void) pthread_mutex_unlock(&lock);
		(void) door_return(NULL, 0, NULL, 0);
		return;
	}
	(void) pthread_mutex_lock(&lock);
	count = ++s->s_calls;
	(void) pthread_mutex_unlock(&lock);
	(void) door_return((char *)&count, sizeof (count), NULL, 0);
}

/* The factory: a session door for the caller, kept open here. */
static void
factory_proc(void *cookie, char *argp, size_t arg_size, door_desc_t *dp,
    uint_t n_desc)
{
	ucred_t *uc = alloca(ucred_size());
	door_desc_t desc;
	int d;

	(void) cookie;
	(void) argp;
	(void) arg_size;
	(void) dp;
	(void) n_desc;
	if (door_ucred(&uc) != 0) {
		(void) door_return(NULL, 0, NULL, 0);
		return;
	}
	d = door_create(session_proc, &session, DOOR_UNREF);
	(void) pthread_mutex_lock(&lock);
	session.s_fd = d;
	session.s_client = ucred_getpid(uc);
	session.s_euid = ucred_geteuid(uc);
	factory_ucred_ok = session.s_client > 0;
	(void) pthread_mutex_unlock(&lock);
	if (d < 0) {
		(void) door_return(NULL, 0, NULL, 0);
		return;
	}
	/* No DOOR_RELEASE: s_fd stays ours until the client is gone. */
	desc.d_attributes = DOOR_DESCRIPTOR;
	desc.d_data.d_desc.d_descriptor = d;
	(void) door_return("session", 8, &desc, 1);
}

/* ---- the client, in a child process ------------------------------------ */

static int
client(const char *door_path, const char *sock_path)
{
	struct sockaddr_un sun;
	door_arg_t arg;
	char buf[64];
	int s, d, sd, i, count;

	s = socket(AF_UNIX, SOCK_STREAM, 0);
	(void) memset(&sun, 0, sizeof (sun));
	sun.sun_family = AF_UNIX;
	(void) strncpy(sun.sun_path, sock_path, sizeof (sun.sun_path) - 1);
	if (s < 0 || connect(s, (struct sockaddr *)&sun, sizeof (sun)) != 0)
		return (10);

	if ((d = open(door_path, O_RDONLY)) < 0)
		return (11);
	(void) memset(&arg, 0, sizeof (arg));
	arg.rbuf = buf;
	arg.rsize = sizeof (buf);
	if (door_call(d, &arg) != 0 || arg.desc_num != 1 ||
	    !(arg.desc_ptr[0].d_attributes & DOOR_DESCRIPTOR))
		return (12);
	sd = arg.desc_ptr[0].d_data.d_desc.d_descriptor;
	(void) close(d);

	for (i = 1; i <= NCALLS; i++) {
		(void) memset(&arg, 0, sizeof (arg));
		arg.rbuf = (char *)&count;
		arg.rsize = sizeof (count);
		if (door_call(sd, &arg) != 0 ||
		    arg.data_size != sizeof (count) ||
		    *(int *)(void *)arg.data_ptr != i)
			return (13);
	}
	/* Tell the server we are done; exiting closes sd. */
	if (write(s, "x", 1) != 1)
		return (14);
	return (0);
}

/* ---- main --------------------------------------------------------------- */

int
main(void)
{
	char dir[] = "/tmp/illumos_sessions.XXXXXX";
	char door_path[64], sock_path[64], c;
	struct sockaddr_un sun;
	struct timespec until;
	ucred_t *peer;
	int fd, d, ls, s, status, rc;
	pid_t pid;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	(void) snprintf(door_path, sizeof (door_path), "%s/door", dir);
	(void) snprintf(sock_path, sizeof (sock_path), "%s/sock", dir);

	/* The door, attached over a read-only file, as nscd does. */
	d = door_create(factory_proc, NULL, 0);
	check(d >= 0, "door_create the factory door");
	check(isastream(d) == 0, "isastream(door) is 0");
	fd = open(door_path, O_RDONLY | O_CREAT | O_EXCL, 0444);
	if (fd >= 0)
		(void) close(fd);
	rc = fattach(d, door_path);
	check(rc == 0, "fattach over a 0444 file");
	if (rc != 0) {
		perror("fattach");
		(void) unlink(door_path);
		(void) rmdir(dir);
		return (1);
	}

	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	(void) memset(&sun, 0, sizeof (sun));
	sun.sun_family = AF_UNIX;
	(void) strncpy(sun.sun_path, sock_path, sizeof (sun.sun_path) - 1);
	check(ls >= 0 && bind(ls, (struct sockaddr *)&sun, sizeof (sun)) == 0 &&
	    listen(ls, 1) == 0, "listen on a Unix socket");

	(void) fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(client(door_path, sock_path));
	check(pid > 0, "fork the client");

	/* Who is on the other end of the socket? */
	s = accept(ls, NULL, NULL);
	peer = alloca(ucred_size());
	check(s >= 0 && getpeerucred(s, &peer) == 0 &&
	    ucred_getpid(peer) == pid && ucred_geteuid(peer) == geteuid(),
	    "getpeerucred names the client");

	/* Wait until the client has made its calls, then for its exit. */
	check(s >= 0 && read(s, &c, 1) == 1, "the client is done");
	check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "the client's calls all worked");

	(void) pthread_mutex_lock(&lock);
	check(factory_ucred_ok && session.s_client == pid &&
	    session.s_euid == geteuid(),
	    "door_ucred in the factory names the client");
	check(session.s_calls == NCALLS, "the session door counted the calls");

	/*
	 * UNREFERENCED: the client has exited, so the session door's only
	 * reference is the descriptor this server kept; its notification
	 * comes (a hang guard of 10 s, not a delay).
	 */
	(void) clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	while (!session.s_closed &&
	    pthread_cond_timedwait(&cv, &lock, &until) != ETIMEDOUT)
		continue;
	check(session.s_closed,
	    "UNREFERENCED: the session door was unreferenced once the "
	    "client had gone, and the server closed its descriptor");
	check(session.s_unref_ok,
	    "UNREFERENCED: door_ucred in the notification gives our own "
	    "credentials and pid 0");
	(void) pthread_mutex_unlock(&lock);

	check(fdetach(door_path) == 0, "fdetach");
	(void) door_revoke(d);
	(void) close(s);
	(void) close(ls);
	(void) unlink(sock_path);
	(void) unlink(door_path);
	(void) rmdir(dir);
	(void) printf("illumos_sessions: %s\n", failures ? "FAILED" : "ok");
	return (failures ? 1 : 0);
}
