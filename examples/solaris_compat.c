/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * solaris_compat - a program that uses the Solaris door interface the way
 * Solaris programs do, and nothing Linux-specific: <door.h>, <ucred.h>,
 * POSIX threads and POSIX calls only.  It must compile unchanged against
 * libdoor's headers and work linked either way:
 *
 *   cc -I include solaris_compat.c libdoor/libdoor.a -pthread   (static)
 *   cc -I include solaris_compat.c -Llibdoor -ldoor -pthread    (shared)
 *
 * It checks, printing one line per check: door_server_create, door_create,
 * door_info, door_call (results in rbuf, in a new mapping, params NULL),
 * door_ucred/door_cred, door_getparam/door_setparam, descriptor passing
 * with DOOR_RELEASE, a DOOR_PRIVATE door served by door_bind()ed threads,
 * DOOR_UNREF, and door_revoke.  Exit status 0 when every check passed.
 */
#include <door.h>
#include <ucred.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/types.h>

static int failures, checks;

static void check(int ok, const char *what)
{
	checks++;
	if (!ok)
		failures++;
	printf("%s - %s\n", ok ? "ok" : "FAIL", what);
	fflush(stdout);
}

/* ---- server thread creation (as in door_server_create(3C)) ----------- */

/*
 * lock/cv publish the private door to its threads (main holds lock across
 * door_create, during which the creation function runs); count_lock
 * guards the creation counters.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int create_calls;		/* with NULL */
static int private_calls;		/* with a door_info_t */
static int private_door = -1;		/* published after door_create */

static void *server_thread(void *arg)
{
	(void)arg;
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	(void)door_return(NULL, 0, NULL, 0);
	return NULL;
}

/* Threads of the private pool bind themselves to the private door. */
static void *private_thread(void *arg)
{
	int d;

	(void)arg;
	(void)pthread_mutex_lock(&lock);
	while (private_door == -1)
		(void)pthread_cond_wait(&cv, &lock);
	d = private_door;
	(void)pthread_mutex_unlock(&lock);
	if (door_bind(d) != 0)
		perror("door_bind");
	(void)pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	(void)door_return(NULL, 0, NULL, 0);
	return NULL;
}

static void my_create(door_info_t *dip)
{
	pthread_attr_t attr;
	pthread_t tid;

	(void)pthread_mutex_lock(&count_lock);
	if (dip == NULL)
		create_calls++;
	else
		private_calls++;
	(void)pthread_mutex_unlock(&count_lock);

	(void)pthread_attr_init(&attr);
	(void)pthread_attr_setscope(&attr, PTHREAD_SCOPE_SYSTEM);
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	(void)pthread_create(&tid, &attr,
			     dip == NULL ? server_thread : private_thread, NULL);
	(void)pthread_attr_destroy(&attr);
}

/* ---- server procedures ----------------------------------------------- */

static char cookie[] = "compat";

struct creds {
	int ok;
	pid_t pid;
	uid_t euid;
	gid_t egid;
	door_cred_t dc;
	int dc_ok;
};
static struct creds seen;

/* Echo; "big" asks for 100000 bytes; records the caller's credentials. */
static void echo_server(void *cookiep, char *argp, size_t arg_size,
			door_desc_t *dp, uint_t n_desc)
{
	ucred_t *uc = NULL;

	(void)dp;
	(void)n_desc;
	memset(&seen, 0, sizeof(seen));
	if (door_ucred(&uc) == 0) {
		seen.ok = cookiep == cookie;
		seen.pid = ucred_getpid(uc);
		seen.euid = ucred_geteuid(uc);
		seen.egid = ucred_getegid(uc);
		ucred_free(uc);
	}
	seen.dc_ok = door_cred(&seen.dc) == 0;

	if (arg_size == 3 && memcmp(argp, "big", 3) == 0) {
		static char big[100000];

		memset(big, 'B', sizeof(big));
		(void)door_return(big, sizeof(big), NULL, 0);
	}
	(void)door_return(argp, arg_size, NULL, 0);
}

/* Writes "ok" into each descriptor it is given. */
static void fd_server(void *cookiep, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	uint_t i;
	int wrote = 0;

	(void)cookiep;
	(void)argp;
	(void)arg_size;
	for (i = 0; i < n_desc; i++) {
		if (dp[i].d_attributes & DOOR_DESCRIPTOR) {
			if (write(dp[i].d_data.d_desc.d_descriptor, "ok", 2) == 2)
				wrote++;
			(void)close(dp[i].d_data.d_desc.d_descriptor);
		}
	}
	(void)door_return((char *)&wrote, sizeof(wrote), NULL, 0);
}

/* Reports the door the serving thread is bound to (DOOR_QUERY). */
static void query_server(void *cookiep, char *argp, size_t arg_size,
			 door_desc_t *dp, uint_t n_desc)
{
	door_info_t di;

	(void)cookiep;
	(void)argp;
	(void)arg_size;
	(void)dp;
	(void)n_desc;
	if (door_info(DOOR_QUERY, &di) != 0)
		di.di_uniquifier = 0;
	(void)door_return((char *)&di.di_uniquifier, sizeof(di.di_uniquifier),
			  NULL, 0);
}

static int unrefs;

static void unref_server(void *cookiep, char *argp, size_t arg_size,
			 door_desc_t *dp, uint_t n_desc)
{
	(void)cookiep;
	(void)arg_size;
	(void)dp;
	(void)n_desc;
	if (argp == DOOR_UNREF_DATA) {
		(void)pthread_mutex_lock(&lock);
		unrefs++;
		(void)pthread_cond_broadcast(&cv);
		(void)pthread_mutex_unlock(&lock);
	}
	(void)door_return(NULL, 0, NULL, 0);
}

int main(void)
{
	door_server_func_t *prev;
	door_info_t di;
	door_arg_t arg;
	door_desc_t desc;
	char buf[64], rbuf[64];
	size_t val;
	int d, fd_door, pd, ud, d2, p[2], wrote, n;
	door_id_t id;

	(void)alarm(120);	/* a hang is a failure, not a stuck test run */

	prev = door_server_create(my_create);
	check(prev != NULL, "door_server_create returns the previous function");

	d = door_create(echo_server, cookie, 0);
	check(d >= 0, "door_create");
	if (d < 0) {
		perror("door_create");
		return 1;
	}
	check(create_calls == 1, "creation function called once for the first door");

	check(door_info(d, &di) == 0 && di.di_target == getpid() &&
	      (di.di_attributes & DOOR_LOCAL) &&
	      di.di_data == (door_ptr_t)(unsigned long)cookie &&
	      di.di_uniquifier != 0, "door_info");

	/* Results in rbuf. */
	(void)strcpy(buf, "hello");
	arg.data_ptr = buf;
	arg.data_size = 6;
	arg.desc_ptr = NULL;
	arg.desc_num = 0;
	arg.rbuf = rbuf;
	arg.rsize = sizeof(rbuf);
	check(door_call(d, &arg) == 0 && arg.data_ptr == rbuf &&
	      arg.data_size == 6 && strcmp(rbuf, "hello") == 0,
	      "door_call: results in rbuf");
	check(seen.ok && seen.pid == getpid() && seen.euid == geteuid() &&
	      seen.egid == getegid(), "door_ucred in the server procedure");
	check(seen.dc_ok && seen.dc.dc_pid == getpid() &&
	      seen.dc.dc_euid == geteuid(), "door_cred in the server procedure");

	/* Results larger than rbuf: a new mapping. */
	arg.data_ptr = "big";
	arg.data_size = 3;
	arg.desc_ptr = NULL;
	arg.desc_num = 0;
	arg.rbuf = rbuf;
	arg.rsize = sizeof(rbuf);
	n = door_call(d, &arg);
	check(n == 0 && arg.rbuf != rbuf && arg.data_ptr == arg.rbuf &&
	      arg.data_size == 100000 && arg.data_ptr[99999] == 'B',
	      "door_call: large results in a new mapping");
	if (n == 0 && arg.rbuf != rbuf)
		check(munmap(arg.rbuf, arg.rsize) == 0, "munmap of the results");

	check(door_call(d, NULL) == 0, "door_call with NULL params");

	/* Parameters. */
	check(door_getparam(d, DOOR_PARAM_DATA_MAX, &val) == 0 &&
	      val == (size_t)-1, "door_getparam DATA_MAX default");
	check(door_setparam(d, DOOR_PARAM_DATA_MAX, 4) == 0 &&
	      door_getparam(d, DOOR_PARAM_DATA_MAX, &val) == 0 && val == 4,
	      "door_setparam DATA_MAX");
	arg.data_ptr = buf;
	arg.data_size = 6;
	arg.desc_ptr = NULL;
	arg.desc_num = 0;
	arg.rbuf = rbuf;
	arg.rsize = sizeof(rbuf);
	check(door_call(d, &arg) == -1 && errno == ENOBUFS,
	      "door_call above DATA_MAX fails with ENOBUFS");

	/* Descriptor passing. */
	fd_door = door_create(fd_server, NULL, 0);
	check(fd_door >= 0 && pipe(p) == 0, "door_create and pipe");
	desc.d_attributes = DOOR_DESCRIPTOR | DOOR_RELEASE;
	desc.d_data.d_desc.d_descriptor = p[1];
	arg.data_ptr = NULL;
	arg.data_size = 0;
	arg.desc_ptr = &desc;
	arg.desc_num = 1;
	arg.rbuf = (char *)&wrote;
	arg.rsize = sizeof(wrote);
	wrote = 0;
	check(door_call(fd_door, &arg) == 0 && wrote == 1,
	      "descriptor passed to the server");
	n = fcntl(p[1], F_GETFD) == -1 && errno == EBADF;
	check(n, "DOOR_RELEASE closed the sender's descriptor");
	if (!n)
		(void)close(p[1]);	/* so that the read below ends */
	n = (int)read(p[0], buf, sizeof(buf));
	check(n == 2 && memcmp(buf, "ok", 2) == 0 &&
	      read(p[0], buf, sizeof(buf)) == 0,
	      "server wrote through its descriptor and closed it");

	/* A private door with its own pool of bound threads. */
	(void)pthread_mutex_lock(&lock);
	pd = door_create(query_server, NULL, DOOR_PRIVATE);
	private_door = pd;
	(void)pthread_cond_broadcast(&cv);
	(void)pthread_mutex_unlock(&lock);
	check(pd >= 0 && private_calls == 1,
	      "DOOR_PRIVATE door: creation function called with its info");
	id = 0;
	arg.data_ptr = NULL;
	arg.data_size = 0;
	arg.desc_ptr = NULL;
	arg.desc_num = 0;
	arg.rbuf = (char *)&id;
	arg.rsize = sizeof(id);
	check(door_call(pd, &arg) == 0 && door_info(pd, &di) == 0 &&
	      id == di.di_uniquifier,
	      "private door served by a thread bound to it (DOOR_QUERY)");

	/* Unreferenced notification. */
	ud = door_create(unref_server, NULL, DOOR_UNREF);
	d2 = dup(ud);
	check(ud >= 0 && d2 >= 0 && close(d2) == 0, "DOOR_UNREF door and a dup");
	{
		struct timespec until;

		(void)clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 10;
		(void)pthread_mutex_lock(&lock);
		while (unrefs == 0 &&
		       pthread_cond_timedwait(&cv, &lock, &until) == 0)
			;
		n = unrefs;
		(void)pthread_mutex_unlock(&lock);
	}
	check(n == 1, "unreferenced notification delivered");

	/* Revocation. */
	d2 = dup(d);
	check(door_revoke(d) == 0, "door_revoke");
	check(door_call(d2, NULL) == -1 && errno == EBADF,
	      "door_call on a revoked door fails with EBADF");
	check(door_info(d2, &di) == 0 && (di.di_attributes & DOOR_REVOKED),
	      "door_info reports DOOR_REVOKED");

	printf("solaris_compat: %d of %d checks passed\n", checks - failures,
	       checks);
	return failures ? 1 : 0;
}
