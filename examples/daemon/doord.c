/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doord - a sample door daemon, written the way Solaris daemons are.
 *
 *   doord [-f] [-p path] [-t threads]
 *
 *   -f          stay in the foreground (log to stderr, print a "ready"
 *               line on stdout once the door is published); otherwise
 *               become a daemon: the command returns once the door is
 *               published (exit status 0), or fails (1)
 *   -p path     where to publish the main door (default /run/doord/door)
 *   -t threads  most server threads of the shared pool (default 16)
 *
 * What it shows (see doord.h for the protocol):
 *
 *  - The main door is created with DOOR_UNREF | DOOR_REFUSE_DESC |
 *    DOOR_NO_CANCEL and published with fattach(3C); if something is
 *    attached there already (EBUSY: an earlier instance, running or dead),
 *    it is detached with fdetach(3C) and the door attached again.
 *  - A client calls the main door to open a session and gets a door of its
 *    own, returned with DOOR_DESCRIPTOR (without DOOR_RELEASE: the daemon
 *    keeps one descriptor of it, the Solaris idiom).  The door is then
 *    referenced twice; when the client has closed it or exited, however it
 *    ended, the daemon's descriptor is the last reference and the door's
 *    unreferenced notification comes: the daemon closes its descriptor and
 *    forgets the session.  Exactly one notification per session.  (Returned
 *    with DOOR_RELEASE, the door would be down to the client's one
 *    reference at once, and notified at once.)
 *  - Every call is checked with door_ucred(3C): a session serves only the
 *    user that opened it; the administration door is handed out to root and
 *    the daemon's own user only.
 *  - door_server_create(3C) installs a creation function that caps the
 *    threads of the shared pool (-t), and starts the threads of the
 *    administration door's private pool (DOOR_PRIVATE, door_bind(3C)), so
 *    that administration works even when every shared thread is busy.
 *  - A session's DOORD_S_WAIT is a long poll: the server thread waits with
 *    cancellation enabled, so a client that goes away (a signal, SIGKILL)
 *    gets its server thread's wait cancelled (the session door does not
 *    have DOOR_NO_CANCEL); the cancelled thread is replaced.
 *  - SIGTERM or SIGINT: fdetach the path if our door is still the one
 *    attached there, and exit.  If the main door becomes unreferenced while
 *    running (down to the daemon's own descriptor: another instance took
 *    the path over), the daemon exits once its last session is gone.
 *  - SIGHUP: log the counters.
 *
 * Plain C11 + POSIX + the door API.
 */
#include <door.h>
#include <ucred.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "doord.h"

#define DEFAULT_THREADS	16
#define ADMIN_THREADS	2
#define ECHO_MAX	8192

/* ---- state ----------------------------------------------------------------- */

static const char *door_path = DOORD_PATH;
static int foreground;
static unsigned int thread_cap = DEFAULT_THREADS;
static uid_t my_euid;

static int main_door = -1, admin_door = -1;
static door_id_t main_id;

/* Signals only the main thread takes (sigwait); blocked in every other. */
static sigset_t main_sigs;

/*
 * One lock for everything below; one condition variable, broadcast on
 * every change anybody waits for (admin door published, a session gone,
 * a notification).
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static struct doord_stats st;
static int shutting_down, orphaned;

enum { S_OPEN = 1, S_CLOSED, S_FAILED };

struct session {
	int state;
	int fd;			/* our descriptor of its door while S_OPEN */
	pid_t pid;		/* who opened it */
	uid_t euid;
};

/* Session n (1, 2, ...) is sessions[n - 1]; the number is the door's cookie. */
static struct session *sessions;
static uint32_t nsessions, sessions_cap;

/* ---- logging ------------------------------------------------------------------ */

static void logmsg(int pri, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	(void) vsnprintf(buf, sizeof (buf), fmt, ap);
	va_end(ap);
	if (foreground)
		(void) fprintf(stderr, "doord[%d]: %s\n", (int)getpid(), buf);
	else
		syslog(pri, "%s", buf);
}

/* ---- server threads ------------------------------------------------------------ */

/*
 * Each server thread carries a tag naming its pool under pool_key; the
 * key's destructor uncounts the thread when it exits.  A thread that is
 * cancelled uncounts itself first (and is replaced), see wait_cleanup().
 */
static pthread_key_t pool_key;
static int shared_tag, admin_tag;

static void thread_gone(void *tag)
{
	(void) pthread_mutex_lock(&lock);
	if (tag == &shared_tag)
		st.threads_live--;
	else
		st.admin_threads_live--;
	(void) pthread_mutex_unlock(&lock);
}

static void uncount_self(void)
{
	void *tag = pthread_getspecific(pool_key);

	if (tag != NULL) {
		(void) pthread_setspecific(pool_key, NULL);
		thread_gone(tag);
	}
}

/*
 * Every server thread starts with the same signal mask, whatever its
 * creator's: a replacement thread is started from a cancellation cleanup
 * handler (wait_cleanup), which may run with signals blocked that the
 * thread must take - libdoor's cancellation signal among them.
 */
static void server_thread_init(int *tag)
{
	(void) pthread_sigmask(SIG_SETMASK, &main_sigs, NULL);
	(void) pthread_setspecific(pool_key, tag);
	/* As the default threads: cancellation is for procedures to enable. */
	(void) pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
}

static void *shared_thread(void *arg)
{
	server_thread_init(&shared_tag);
	(void) door_return(NULL, 0, NULL, 0);
	return (arg);		/* only if the daemon's doors are gone */
}

static void *admin_thread(void *arg)
{
	int fd;

	server_thread_init(&admin_tag);
	/* Started from inside door_create(): wait until it has returned. */
	(void) pthread_mutex_lock(&lock);
	while (admin_door < 0 && !shutting_down)
		(void) pthread_cond_wait(&cv, &lock);
	fd = admin_door;
	(void) pthread_mutex_unlock(&lock);
	if (fd < 0 || door_bind(fd) != 0) {
		logmsg(LOG_ERR, "admin thread: door_bind: %s", strerror(errno));
		return (arg);
	}
	(void) door_return(NULL, 0, NULL, 0);
	return (arg);
}

/* Start a detached thread for pool `tag` unless its cap is reached. */
static void spawn(int *tag)
{
	uint32_t *live, *peak, cap;
	pthread_attr_t attr;
	pthread_t t;
	int err;

	(void) pthread_mutex_lock(&lock);
	if (tag == &shared_tag) {
		live = &st.threads_live;
		peak = &st.threads_peak;
		cap = thread_cap;
	} else {
		live = &st.admin_threads_live;
		peak = &st.admin_threads_peak;
		cap = ADMIN_THREADS;
	}
	if (*live >= cap || shutting_down) {
		(void) pthread_mutex_unlock(&lock);
		return;
	}
	(*live)++;
	if (*live > *peak)
		*peak = *live;
	if (tag == &shared_tag)
		st.threads_started++;
	(void) pthread_mutex_unlock(&lock);

	(void) pthread_attr_init(&attr);
	(void) pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &attr, tag == &shared_tag ? shared_thread :
	    admin_thread, NULL);
	(void) pthread_attr_destroy(&attr);
	if (err != 0) {
		logmsg(LOG_WARNING, "pthread_create: %s", strerror(err));
		(void) pthread_mutex_lock(&lock);
		(*live)--;
		(void) pthread_mutex_unlock(&lock);
	}
}

/*
 * The creation function (door_server_create): NULL for the shared pool
 * (the first door, then each time its last free thread takes a call), the
 * door's door_info_t for the private pool of the administration door.
 */
static void server_create(door_info_t *dip)
{
	if (dip == NULL)
		spawn(&shared_tag);
	else if (dip->di_attributes & DOOR_PRIVATE)
		spawn(&admin_tag);
}

/* ---- helpers ---------------------------------------------------------------------- */

/* Who is calling: door_ucred(3C).  0, or -1 with errno. */
static int caller(pid_t *pid, uid_t *euid)
{
	ucred_t *uc = NULL;

	if (door_ucred(&uc) != 0)
		return (-1);
	*euid = ucred_geteuid(uc);
	*pid = ucred_getpid(uc);
	ucred_free(uc);
	return (0);
}

static int privileged(uid_t euid)
{
	return (euid == 0 || euid == my_euid);
}

static void refused(void)
{
	(void) pthread_mutex_lock(&lock);
	st.refused++;
	(void) pthread_mutex_unlock(&lock);
}

/* Descriptors the daemon has open (/proc/self/fd, less the one reading it). */
static uint32_t count_fds(void)
{
	struct dirent *e;
	uint32_t n = 0;
	DIR *dir = opendir("/proc/self/fd");

	if (dir == NULL)
		return (0);
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(dir))
			n++;
	}
	(void) closedir(dir);
	return (n);
}

static void reply_status(int status)
{
	struct doord_reply r;

	(void) memset(&r, 0, sizeof (r));
	r.status = status;
	(void) door_return((char *)&r, sizeof (r), NULL, 0);
}

/* Exit through the main thread's sigwait (SIGTERM is blocked everywhere). */
static void request_exit(void)
{
	(void) kill(getpid(), SIGTERM);
}

/* ---- sessions ------------------------------------------------------------------------- */

/* A new session slot; its number (1...), or 0.  Lock held. */
static uint32_t session_new(pid_t pid, uid_t euid)
{
	struct session *s;

	if (nsessions == sessions_cap) {
		uint32_t ncap = sessions_cap ? sessions_cap * 2 : 64;

		s = realloc(sessions, ncap * sizeof (*s));
		if (s == NULL)
			return (0);
		sessions = s;
		sessions_cap = ncap;
	}
	s = &sessions[nsessions++];
	s->state = S_OPEN;
	s->fd = -1;
	s->pid = pid;
	s->euid = euid;
	st.sessions_live++;
	return (nsessions);
}

/*
 * The session's unreferenced notification: the client is gone, our
 * descriptor is the door's last reference.  Close it (that frees the door).
 */
static void session_unref(uint32_t id)
{
	int last = 0;

	(void) pthread_mutex_lock(&lock);
	if (id == 0 || id > nsessions) {
		st.unref_unknown++;
	} else if (sessions[id - 1].state == S_FAILED) {
		/* Its door_return failed: open_session closed ours already. */
	} else if (sessions[id - 1].state != S_OPEN) {
		st.unref_duplicates++;
	} else {
		sessions[id - 1].state = S_CLOSED;
		(void) close(sessions[id - 1].fd);
		sessions[id - 1].fd = -1;
		st.session_unrefs++;
		st.sessions_live--;
		last = st.sessions_live == 0;
	}
	(void) pthread_cond_broadcast(&cv);
	last = last && orphaned && !shutting_down;
	(void) pthread_mutex_unlock(&lock);
	if (last) {
		logmsg(LOG_INFO, "last session of a replaced instance gone: exiting");
		request_exit();
	}
}

/* The client went away during DOORD_S_WAIT: this thread is cancelled. */
static void wait_cleanup(void *arg)
{
	(void) arg;
	/* pthread_cond_wait re-took the lock for us. */
	st.waits_active--;
	st.waits_cancelled++;
	(void) pthread_cond_broadcast(&cv);	/* DOORD_A_WAIT_IDLE */
	(void) pthread_mutex_unlock(&lock);
	/* This thread ends: let another take its place in the pool. */
	uncount_self();
	spawn(&shared_tag);
}

/* DOORD_S_WAIT: wait for the next notification; the new generation. */
static uint64_t session_wait(int notify_fd)
{
	uint64_t gen;
	int old;

	(void) pthread_mutex_lock(&lock);
	st.waits_started++;
	st.waits_active++;
	gen = st.generation;
	(void) pthread_mutex_unlock(&lock);
	if (notify_fd >= 0) {
		/* "The wait has begun"; the client's business what it means. */
		if (write(notify_fd, "W", 1) != 1)
			logmsg(LOG_DEBUG, "wait: the client's descriptor "
			    "takes no byte");
		(void) close(notify_fd);
	}

	(void) pthread_mutex_lock(&lock);
	(void) pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	pthread_cleanup_push(wait_cleanup, NULL);
	while (st.generation == gen)
		(void) pthread_cond_wait(&cv, &lock);
	pthread_cleanup_pop(0);
	(void) pthread_setcancelstate(old, NULL);
	st.waits_active--;
	st.waits_notified++;
	gen = st.generation;
	(void) pthread_mutex_unlock(&lock);
	return (gen);
}

static void session_proc(void *cookie, char *argp, size_t arg_size,
    door_desc_t *dp, uint_t n_desc)
{
	uint32_t id = (uint32_t)(uintptr_t)cookie;
	struct doord_req req;
	struct doord_whoami who;
	char buf[sizeof (struct doord_reply) + ECHO_MAX];
	struct doord_reply *r = (struct doord_reply *)buf;
	int notify_fd = -1, ok;
	size_t len;
	uint_t i;
	pid_t pid;
	uid_t euid;

	if (argp == DOOR_UNREF_DATA) {
		session_unref(id);
		(void) door_return(NULL, 0, NULL, 0);
		return;
	}

	/* Keep one descriptor for DOORD_S_WAIT; never leak the others. */
	(void) memset(&req, 0, sizeof (req));
	if (arg_size >= sizeof (req))
		(void) memcpy(&req, argp, sizeof (req));
	for (i = 0; i < n_desc; i++) {
		if (!(dp[i].d_attributes & DOOR_DESCRIPTOR))
			continue;
		if (notify_fd < 0 && req.op == DOORD_S_WAIT)
			notify_fd = dp[i].d_data.d_desc.d_descriptor;
		else
			(void) close(dp[i].d_data.d_desc.d_descriptor);
	}

	if (arg_size < sizeof (req) || req.version != DOORD_VERSION) {
		if (notify_fd >= 0)
			(void) close(notify_fd);
		reply_status(EINVAL);
		return;
	}

	/* Only the user that opened the session may use it. */
	if (caller(&pid, &euid) != 0) {
		ok = 0;
	} else {
		(void) pthread_mutex_lock(&lock);
		ok = id >= 1 && id <= nsessions &&
		    sessions[id - 1].state == S_OPEN &&
		    sessions[id - 1].euid == euid;
		(void) pthread_mutex_unlock(&lock);
	}
	if (!ok) {
		if (notify_fd >= 0)
			(void) close(notify_fd);
		refused();
		reply_status(EPERM);
		return;
	}

	switch (req.op) {
	case DOORD_S_ECHO:
		len = arg_size - sizeof (req);
		if (len > ECHO_MAX) {
			reply_status(E2BIG);
			return;
		}
		(void) memset(r, 0, sizeof (*r));
		r->session = id;
		(void) memcpy(buf + sizeof (*r), argp + sizeof (req), len);
		(void) door_return(buf, sizeof (*r) + len, NULL, 0);
		return;
	case DOORD_S_WHOAMI:
		(void) memset(&who, 0, sizeof (who));
		who.session = id;
		(void) pthread_mutex_lock(&lock);
		who.opener_pid = sessions[id - 1].pid;
		who.opener_euid = sessions[id - 1].euid;
		(void) pthread_mutex_unlock(&lock);
		who.caller_pid = pid;
		who.caller_euid = euid;
		(void) door_return((char *)&who, sizeof (who), NULL, 0);
		return;
	case DOORD_S_WAIT:
		(void) memset(r, 0, sizeof (*r));
		r->session = id;
		r->value = session_wait(notify_fd);
		(void) door_return(buf, sizeof (*r), NULL, 0);
		return;
	default:
		if (notify_fd >= 0)
			(void) close(notify_fd);
		reply_status(EINVAL);
		return;
	}
}

/*
 * DOORD_OP_OPEN: a new session door, passed to the client; we keep our
 * descriptor until the door's unreferenced notification.
 */
static void open_session(void)
{
	struct doord_reply r;
	door_desc_t desc;
	uint32_t id;
	pid_t pid;
	uid_t euid;
	int d, err;

	if (caller(&pid, &euid) != 0) {
		reply_status(errno);
		return;
	}
	(void) pthread_mutex_lock(&lock);
	id = session_new(pid, euid);
	(void) pthread_mutex_unlock(&lock);
	if (id == 0) {
		reply_status(ENOMEM);
		return;
	}

	d = door_create(session_proc, (void *)(uintptr_t)id, DOOR_UNREF);
	if (d < 0) {
		err = errno;
		goto failed;
	}
	(void) pthread_mutex_lock(&lock);
	st.sessions_opened++;
	sessions[id - 1].fd = d;
	(void) pthread_mutex_unlock(&lock);

	(void) memset(&r, 0, sizeof (r));
	r.session = id;
	(void) memset(&desc, 0, sizeof (desc));
	desc.d_attributes = DOOR_DESCRIPTOR;	/* we keep ours */
	desc.d_data.d_desc.d_descriptor = d;
	(void) door_return((char *)&r, sizeof (r), &desc, 1);

	/*
	 * Only on failure (the results could not be taken): the client does
	 * not have the door.  Close ours and forget the session here, unless
	 * its notification came first and did that: a descriptor in flight is
	 * a reference, so if the return had taken it before failing, dropping
	 * it left ours as the last one and the notification is due, now or
	 * after this close (session_unref then finds the session failed).
	 * (If the client went away before receiving the door, door_return does
	 * not come back at all: that notification is the client going away,
	 * as for any other session.)
	 */
	err = errno;
failed:
	(void) pthread_mutex_lock(&lock);
	if (sessions[id - 1].state == S_OPEN) {
		if (sessions[id - 1].fd >= 0) {
			(void) close(sessions[id - 1].fd);
			sessions[id - 1].fd = -1;
			st.sessions_opened--;
		}
		sessions[id - 1].state = S_FAILED;
		st.sessions_live--;
		st.open_failures++;
	}
	(void) pthread_cond_broadcast(&cv);
	(void) pthread_mutex_unlock(&lock);
	logmsg(LOG_WARNING, "session %u: %s", id, strerror(err));
	reply_status(err);
}

/* ---- the main door ------------------------------------------------------------------- */

static void main_proc(void *cookie, char *argp, size_t arg_size,
    door_desc_t *dp, uint_t n_desc)
{
	struct doord_reply r;
	struct doord_req req;
	door_desc_t desc;
	int exit_now, taken_over;
	pid_t pid;
	uid_t euid;

	(void) cookie;
	(void) dp;
	(void) n_desc;		/* DOOR_REFUSE_DESC: there are none */
	if (argp == DOOR_UNREF_DATA) {
		/*
		 * Our own descriptor is the main door's last reference: the
		 * path no longer holds it (it was detached) and no client has
		 * it open.  If we did not detach it ourselves, another
		 * instance has taken the path over.
		 */
		(void) pthread_mutex_lock(&lock);
		st.main_unrefs++;
		taken_over = !shutting_down;
		exit_now = 0;
		if (taken_over) {
			orphaned = 1;
			exit_now = st.sessions_live == 0;
		}
		(void) pthread_mutex_unlock(&lock);
		if (taken_over)
			logmsg(LOG_INFO, "%s was taken over; exiting %s", door_path,
			    exit_now ? "now" : "after the last session");
		if (exit_now)
			request_exit();
		(void) door_return(NULL, 0, NULL, 0);
		return;
	}

	if (arg_size < sizeof (req)) {
		reply_status(EINVAL);
		return;
	}
	(void) memcpy(&req, argp, sizeof (req));
	if (req.version != DOORD_VERSION) {
		reply_status(EINVAL);
		return;
	}

	switch (req.op) {
	case DOORD_OP_OPEN:
		open_session();
		return;
	case DOORD_OP_ADMIN:
		if (caller(&pid, &euid) != 0 || !privileged(euid)) {
			refused();
			reply_status(EPERM);
			return;
		}
		(void) memset(&r, 0, sizeof (r));
		(void) memset(&desc, 0, sizeof (desc));
		desc.d_attributes = DOOR_DESCRIPTOR;	/* we keep ours */
		desc.d_data.d_desc.d_descriptor = admin_door;
		(void) door_return((char *)&r, sizeof (r), &desc, 1);
		reply_status(errno);
		return;
	case DOORD_OP_PING:
		(void) memset(&r, 0, sizeof (r));
		r.value = (uint64_t)getpid();
		(void) door_return((char *)&r, sizeof (r), NULL, 0);
		return;
	default:
		reply_status(EINVAL);
		return;
	}
}

/* ---- the administration door (private pool) ------------------------------------------- */

static void fill_stats(struct doord_stats *s)
{
	(void) pthread_mutex_lock(&lock);
	*s = st;
	(void) pthread_mutex_unlock(&lock);
	(void) memset(&s->r, 0, sizeof (s->r));
	s->pid = (int32_t)getpid();
	s->thread_cap = thread_cap;
	s->fds_open = count_fds();
}

static void admin_proc(void *cookie, char *argp, size_t arg_size,
    door_desc_t *dp, uint_t n_desc)
{
	struct doord_stats s;
	struct doord_req req;
	struct timespec until;
	uint64_t gen;
	pid_t pid;
	uid_t euid;
	int left;

	(void) cookie;
	(void) dp;
	(void) n_desc;
	if (arg_size < sizeof (req)) {
		reply_status(EINVAL);
		return;
	}
	(void) memcpy(&req, argp, sizeof (req));
	/* The door may have been passed on: check every caller. */
	if (caller(&pid, &euid) != 0 || !privileged(euid)) {
		refused();
		reply_status(EPERM);
		return;
	}

	switch (req.op) {
	case DOORD_A_STATS:
		fill_stats(&s);
		(void) door_return((char *)&s, sizeof (s), NULL, 0);
		return;
	case DOORD_A_NOTIFY:
		(void) pthread_mutex_lock(&lock);
		gen = ++st.generation;
		(void) pthread_cond_broadcast(&cv);
		(void) pthread_mutex_unlock(&lock);
		(void) memset(&s, 0, sizeof (s));
		s.r.value = gen;
		(void) door_return((char *)&s.r, sizeof (s.r), NULL, 0);
		return;
	case DOORD_A_WAIT_IDLE:
		(void) clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(req.arg / 1000);
		until.tv_nsec += (long)(req.arg % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void) pthread_mutex_lock(&lock);
		/* Idle: no session left, no cancelled wait still ending. */
		while ((st.sessions_live > 0 || st.waits_active > 0) &&
		    pthread_cond_timedwait(&cv, &lock, &until) != ETIMEDOUT)
			continue;
		left = st.sessions_live > 0 || st.waits_active > 0;
		(void) pthread_mutex_unlock(&lock);
		fill_stats(&s);
		s.r.status = left ? ETIMEDOUT : 0;
		(void) door_return((char *)&s, sizeof (s), NULL, 0);
		return;
	default:
		reply_status(EINVAL);
		return;
	}
}

/* ---- publishing the main door ------------------------------------------------------- */

/* Make the directory of path (one level, as /run/doord) and the file. */
static int make_file(const char *path)
{
	char dir[1024];
	char *slash;
	int fd;

	if (strlen(path) >= sizeof (dir)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	(void) strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return (-1);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return (-1);
	(void) close(fd);
	return (0);
}

/* fattach; if an earlier instance's door is there (EBUSY), replace it. */
static int publish(int d, const char *path)
{
	if (make_file(path) != 0)
		return (-1);
	if (fattach(d, path) == 0)
		return (0);
	if (errno != EBUSY)
		return (-1);
	logmsg(LOG_INFO, "%s: replacing the door attached there", path);
	if (fdetach(path) != 0)
		return (-1);
	return (fattach(d, path));
}

/* At exit: fdetach the path, but only if our door is still the one there. */
static void unpublish(const char *path)
{
	door_info_t di;
	int fd, ours;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ours = door_info(fd, &di) == 0 && di.di_uniquifier == main_id;
	(void) close(fd);		/* the mount is busy while it is open */
	if (!ours) {
		logmsg(LOG_INFO, "%s belongs to another instance: left alone", path);
		return;
	}
	if (fdetach(path) != 0)
		logmsg(LOG_WARNING, "fdetach %s: %s", path, strerror(errno));
}

/* ---- main ------------------------------------------------------------------------------ */

/*
 * Become a daemon.  The parent returns only through exit(): 0 once the
 * child reports (through *ready) that the door is published, 1 otherwise.
 */
static void daemonize(int *ready)
{
	int p[2], fd;
	pid_t pid;
	char c;

	if (pipe(p) != 0) {
		perror("doord: pipe");
		exit(1);
	}
	pid = fork();
	if (pid < 0) {
		perror("doord: fork");
		exit(1);
	}
	if (pid > 0) {
		(void) close(p[1]);
		exit(read(p[0], &c, 1) == 1 && c == 'R' ? 0 : 1);
	}
	(void) close(p[0]);
	(void) setsid();
	if (chdir("/") != 0)
		logmsg(LOG_WARNING, "chdir /: %s", strerror(errno));
	(void) umask(022);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		(void) dup2(fd, 0);
		(void) dup2(fd, 1);
		(void) dup2(fd, 2);
		if (fd > 2)
			(void) close(fd);
	}
	(void) fcntl(p[1], F_SETFD, FD_CLOEXEC);
	openlog("doord", LOG_PID, LOG_DAEMON);
	*ready = p[1];
}

static void usage(void)
{
	(void) fprintf(stderr, "usage: doord [-f] [-p path] [-t threads]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	pthread_condattr_t ca;
	door_info_t di;
	int c, sig, ready = -1;
	long n;

	while ((c = getopt(argc, argv, "fp:t:")) != -1) {
		switch (c) {
		case 'f':
			foreground = 1;
			break;
		case 'p':
			door_path = optarg;
			break;
		case 't':
			n = strtol(optarg, NULL, 10);
			if (n < 1 || n > 4096)
				usage();
			thread_cap = (unsigned int)n;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	my_euid = geteuid();

	if (!foreground)
		daemonize(&ready);

	/*
	 * The signals the main thread waits for are blocked before any
	 * thread exists, so every server thread inherits the mask and
	 * sigwait() below gets them.  (libdoor's cancellation signal is not
	 * among them.)
	 */
	(void) sigemptyset(&main_sigs);
	(void) sigaddset(&main_sigs, SIGTERM);
	(void) sigaddset(&main_sigs, SIGINT);
	(void) sigaddset(&main_sigs, SIGHUP);
	(void) pthread_sigmask(SIG_BLOCK, &main_sigs, NULL);
	(void) signal(SIGPIPE, SIG_IGN);

	(void) pthread_condattr_init(&ca);
	(void) pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	(void) pthread_cond_init(&cv, &ca);
	(void) pthread_condattr_destroy(&ca);
	if (pthread_key_create(&pool_key, thread_gone) != 0) {
		logmsg(LOG_ERR, "pthread_key_create failed");
		return (1);
	}
	(void) door_server_create(server_create);

	main_door = door_create(main_proc, NULL,
	    DOOR_UNREF | DOOR_REFUSE_DESC | DOOR_NO_CANCEL);
	if (main_door < 0) {
		logmsg(LOG_ERR, "door_create: %s", strerror(errno));
		return (1);
	}
	if (door_info(main_door, &di) == 0)
		main_id = di.di_uniquifier;
	c = door_create(admin_proc, NULL,
	    DOOR_PRIVATE | DOOR_REFUSE_DESC | DOOR_NO_CANCEL);
	if (c < 0) {
		logmsg(LOG_ERR, "door_create (admin): %s", strerror(errno));
		return (1);
	}
	(void) pthread_mutex_lock(&lock);
	admin_door = c;
	(void) pthread_cond_broadcast(&cv);
	(void) pthread_mutex_unlock(&lock);

	if (publish(main_door, door_path) != 0) {
		logmsg(LOG_ERR, "cannot attach the door to %s: %s", door_path,
		    strerror(errno));
		return (1);
	}
	logmsg(LOG_INFO, "serving %s (at most %u threads)", door_path,
	    thread_cap);
	if (foreground) {
		(void) printf("doord: ready pid %d path %s\n", (int)getpid(),
		    door_path);
		(void) fflush(stdout);
	} else {
		/* If the parent is gone, nobody waits for the word. */
		if (write(ready, "R", 1) != 1)
			logmsg(LOG_DEBUG, "the parent left before ready");
		(void) close(ready);
	}

	for (;;) {
		if (sigwait(&main_sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			struct doord_stats s;

			fill_stats(&s);
			logmsg(LOG_INFO, "sessions %llu opened, %llu live; "
			    "threads %u (peak %u)",
			    (unsigned long long)s.sessions_opened,
			    (unsigned long long)s.sessions_live,
			    s.threads_live, s.threads_peak);
			continue;
		}
		break;
	}

	(void) pthread_mutex_lock(&lock);
	shutting_down = 1;
	(void) pthread_cond_broadcast(&cv);
	(void) pthread_mutex_unlock(&lock);
	unpublish(door_path);
	{
		struct doord_stats s;

		fill_stats(&s);
		logmsg(LOG_INFO, "exiting: %llu sessions, %llu unreferenced, "
		    "%llu waits cancelled", (unsigned long long)s.sessions_opened,
		    (unsigned long long)s.session_unrefs,
		    (unsigned long long)s.waits_cancelled);
	}
	(void) door_revoke(main_door);
	(void) door_revoke(admin_door);
	return (0);
}
