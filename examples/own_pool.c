/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * own_pool.c - a door server that runs its own thread pool, woken from the
 * pool's depletion descriptor (door_depletion_fd(3), a Linux extension).
 *
 * Solaris grows a server's pool from a callback, in the thread that took
 * the pool's last idle place.  Here the program does it from its own loop:
 *
 *   - NWORKERS worker threads are made at start and park on a condition
 *     variable (in a real server they could be a work queue's threads,
 *     doing other work until needed); one of them enters the door pool at
 *     once;
 *   - a manager thread polls the process pool's depletion descriptor.
 *     When it is readable, calls wait with no idle thread to take them:
 *     the manager reads how many and lets that many parked workers (as
 *     many as are left) into the pool, where they stay, each in
 *     door_return(3);
 *   - libdoor starts no thread of its own: the creation function given to
 *     door_server_create(3) does nothing, and while the descriptor is open
 *     the pool has no depletion callback.
 *
 * Run without arguments it serves NCALLS calls from NCLIENTS client
 * processes and checks itself: every call answered correctly, and
 * afterwards every worker let in idle in the pool (fdinfo of the door),
 * the others still parked, no thread in the process beyond the main
 * thread and the workers (once the manager has ended), and the
 * descriptor not readable.
 * Exit status 0 if so, 1 if not, 4 (skipped) without the extension.
 */
#include <door.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#define NWORKERS	8
#define NCLIENTS	32
#define NCALLS		1000
#define DEADLINE	120	/* seconds for the whole run */

/* ---- the pool ------------------------------------------------------------ */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cv = PTHREAD_COND_INITIALIZER;	/* workers */
static pthread_cond_t in_cv = PTHREAD_COND_INITIALIZER;	/* manager */
static int tickets;		/* workers the manager let in, not yet gone */
static int starting;		/* let in, not yet in door_return */
static int parked = NWORKERS;	/* waiting for a ticket */
static int released;		/* let in, in all */
static int quitting;

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (tickets == 0 && !quitting)
		pthread_cond_wait(&go_cv, &lock);
	if (tickets == 0) {
		pthread_mutex_unlock(&lock);
		return NULL;
	}
	tickets--;
	starting--;
	pthread_cond_broadcast(&in_cv);
	pthread_mutex_unlock(&lock);
	/* Serves calls until the process ends. */
	(void)door_return(NULL, 0, NULL, 0);
	perror("own_pool: door_return");
	return NULL;
}

/* Let up to @n parked workers into the door pool. */
static void let_in(int n)
{
	pthread_mutex_lock(&lock);
	if (n > parked)
		n = parked;
	parked -= n;
	tickets += n;
	starting += n;
	released += n;
	pthread_cond_broadcast(&go_cv);
	pthread_mutex_unlock(&lock);
}

struct manager_arg {
	int depl;		/* the depletion descriptor, O_NONBLOCK */
	int stop;		/* readable (end of file) when to stop */
};

static void *manager(void *p)
{
	struct manager_arg *m = p;
	struct pollfd pfd[2];
	uint64_t waiting;
	int left;

	for (;;) {
		/*
		 * Until the workers just let in are in door_return, the
		 * calls they will take still show as waiting.
		 */
		pthread_mutex_lock(&lock);
		while (starting > 0)
			pthread_cond_wait(&in_cv, &lock);
		left = parked;
		pthread_mutex_unlock(&lock);

		/* With nobody left to let in, wait only for the end. */
		pfd[0].fd = m->depl;
		pfd[0].events = left ? POLLIN : 0;
		pfd[1].fd = m->stop;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("own_pool: poll");
			return NULL;
		}
		if (pfd[1].revents || (pfd[0].revents & (POLLHUP | POLLERR)))
			return NULL;
		if (!(pfd[0].revents & POLLIN))
			continue;
		if (read(m->depl, &waiting, sizeof(waiting)) !=
		    (ssize_t)sizeof(waiting))
			continue;	/* EAGAIN: taken meanwhile */
		let_in(waiting > (uint64_t)left ? left : (int)waiting);
	}
}

/* libdoor's creation function: this program makes its threads itself. */
static void no_threads(door_info_t *dip)
{
	(void)dip;
}

/* ---- the service ------------------------------------------------------------ */

struct req {
	uint32_t client, seq;
};

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long served;

static uint64_t answer(const struct req *r)
{
	return ((uint64_t)r->client << 32 | r->seq) * 3 + 1;
}

static void serve(void *cookie, char *argp, size_t arg_size, door_desc_t *dp,
		  uint_t n_desc)
{
	struct req r;
	uint64_t a = 0;

	(void)cookie;
	(void)dp;
	(void)n_desc;
	if (argp && arg_size == sizeof(r)) {
		memcpy(&r, argp, sizeof(r));
		a = answer(&r);
		pthread_mutex_lock(&count_lock);
		served++;
		pthread_mutex_unlock(&count_lock);
	}
	(void)door_return((char *)&a, sizeof(a), NULL, 0);
}

/* A client process: its share of the calls, once @start reads end of file. */
static int client(int d, int start, uint32_t id)
{
	struct req r;
	uint64_t res, got;
	door_arg_t a;
	char c;
	int n;

	while (read(start, &c, 1) < 0 && errno == EINTR)
		;
	for (n = (int)id; n < NCALLS; n += NCLIENTS) {
		r.client = id;
		r.seq = (uint32_t)n;
		a.data_ptr = (char *)&r;
		a.data_size = sizeof(r);
		a.desc_ptr = NULL;
		a.desc_num = 0;
		a.rbuf = (char *)&res;
		a.rsize = sizeof(res);
		if (door_call(d, &a) < 0) {
			fprintf(stderr, "own_pool: client %u: door_call: %s\n",
				id, strerror(errno));
			return 1;
		}
		if (a.data_size == sizeof(got))
			memcpy(&got, a.data_ptr, sizeof(got));
		if (a.data_size != sizeof(got) || got != answer(&r)) {
			fprintf(stderr, "own_pool: client %u: wrong answer\n",
				id);
			return 1;
		}
	}
	return 0;
}

/* ---- checks -------------------------------------------------------------------- */

/* "key:\t<n>" of /proc/self/fdinfo/<fd>, or -1. */
static long fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static int count_threads(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* Wait (1 ms steps, up to 10 s) until the door's pool has @want idle. */
static long wait_idle(int d, long want)
{
	struct timespec ms = { 0, 1000000 };
	long v = fdinfo(d, "door_pool_idle_threads");
	int i;

	for (i = 0; v != want && i < 10000; i++) {
		nanosleep(&ms, NULL);
		v = fdinfo(d, "door_pool_idle_threads");
	}
	return v;
}

int main(void)
{
	struct manager_arg m;
	pthread_t workers[NWORKERS], mgr;
	int start[2], stop[2], d, i, fail = 0, status, threads, in_pool;
	pid_t pids[NCLIENTS];
	struct pollfd pfd;
	long idle;

	alarm(DEADLINE);	/* a hang fails the run (SIGALRM) */
	door_server_create(no_threads);
	m.depl = door_depletion_fd(-1, O_NONBLOCK | O_CLOEXEC);
	if (m.depl < 0) {
		fprintf(stderr, "own_pool: door_depletion_fd: %s\n",
			strerror(errno));
		return errno == ENOTSUP ? 4 : 1;
	}
	d = door_create(serve, NULL, 0);
	if (d < 0 || pipe(start) < 0 || pipe(stop) < 0) {
		perror("own_pool: door_create");
		return 1;
	}
	m.stop = stop[0];

	/* The clients, forked while this process has no other thread. */
	for (i = 0; i < NCLIENTS; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("own_pool: fork");
			return 1;
		}
		if (pids[i] == 0) {
			close(start[1]);
			close(m.depl);
			_exit(client(d, start[0], (uint32_t)i));
		}
	}
	close(start[0]);

	/* The pool: one worker in at once, the rest parked; the manager. */
	for (i = 0; i < NWORKERS; i++)
		if (pthread_create(&workers[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "own_pool: pthread_create failed\n");
			return 1;
		}
	let_in(1);
	if (pthread_create(&mgr, NULL, manager, &m) != 0) {
		fprintf(stderr, "own_pool: pthread_create failed\n");
		return 1;
	}

	close(start[1]);	/* go */
	for (i = 0; i < NCLIENTS; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "own_pool: client %d failed\n", i);
			fail = 1;
		}
	}

	pthread_mutex_lock(&lock);
	in_pool = released;
	pthread_mutex_unlock(&lock);
	pthread_mutex_lock(&count_lock);
	printf("own_pool: %ld calls from %d clients served by %d of %d "
	       "workers\n", served, NCLIENTS, in_pool, NWORKERS);
	if (served != NCALLS) {
		fprintf(stderr, "own_pool: %ld calls served, not %d\n",
			served, NCALLS);
		fail = 1;
	}
	pthread_mutex_unlock(&count_lock);

	/* The manager stops first, so that the count below stays put. */
	close(stop[1]);
	pthread_join(mgr, NULL);

	/* No thread leaked: every worker let in is back, idle, in the pool. */
	pthread_mutex_lock(&lock);
	while (starting > 0)
		pthread_cond_wait(&in_cv, &lock);
	in_pool = released;
	pthread_mutex_unlock(&lock);
	idle = wait_idle(d, in_pool);
	if (idle != in_pool) {
		fprintf(stderr, "own_pool: %ld idle threads in the pool, "
			"not %d\n", idle, in_pool);
		fail = 1;
	}
	threads = count_threads();	/* the manager has ended */
	if (threads != 1 + NWORKERS) {
		fprintf(stderr, "own_pool: %d threads, not %d\n", threads,
			1 + NWORKERS);
		fail = 1;
	}
	pfd.fd = m.depl;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) != 0) {
		fprintf(stderr, "own_pool: depletion descriptor readable "
			"with nothing waiting\n");
		fail = 1;
	}

	/* Let the parked workers end. */
	pthread_mutex_lock(&lock);
	quitting = 1;
	pthread_cond_broadcast(&go_cv);
	pthread_mutex_unlock(&lock);
	printf("own_pool: %s\n", fail ? "FAILED" : "ok");
	return fail;
}
