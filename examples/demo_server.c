/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo_server - a door server, written as it would be on Solaris.
 *
 *   demo_server [CLIENT]
 *
 * Creates a door, shows what door_info(3C) says about it, then starts the
 * client program (default: demo_client next to this program) and hands it
 * the door.  On Solaris the server would fattach(3C) the door to a file
 * and the client would open(2) it; fattach is not available here yet, so
 * the client inherits the descriptor across fork(2)/exec(2) and gets its
 * number as argument.  When the client has finished, the server revokes
 * the door and exits with the client's exit status.
 *
 * Requests (text):
 *   "echo TEXT"   reply "you said: TEXT"
 *   "big N"       reply N bytes (N <= 64 KiB) of a known pattern, more than
 *                 the client's buffer holds
 */
#include <door.h>
#include <ucred.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#define BIG_MAX		(64 * 1024)

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 10));
}

/* The server procedure: runs on a door server thread for every call. */
static void serve(void *cookie, char *argp, size_t arg_size,
		  door_desc_t *dp, uint_t n_desc)
{
	char req[128], reply[256];
	ucred_t *uc = NULL;
	long pid = -1, euid = -1;

	(void)dp;
	(void)n_desc;
	if (door_ucred(&uc) == 0) {
		pid = (long)ucred_getpid(uc);
		euid = (long)ucred_geteuid(uc);
		ucred_free(uc);
	}
	if (arg_size >= sizeof(req))
		arg_size = sizeof(req) - 1;
	memcpy(req, argp ? argp : "", arg_size);
	req[arg_size] = '\0';
	printf("[server] %s: call from pid %ld (euid %ld): \"%s\"\n",
	       (const char *)cookie, pid, euid, req);
	fflush(stdout);

	if (strncmp(req, "echo ", 5) == 0) {
		int n = snprintf(reply, sizeof(reply), "you said: %s", req + 5);

		door_return(reply, (size_t)n + 1, NULL, 0);
	} else if (strncmp(req, "big ", 4) == 0) {
		/* door_return copies the results before the stack is reused. */
		unsigned char big[BIG_MAX];
		size_t n = strtoul(req + 4, NULL, 10);

		if (n > sizeof(big))
			n = sizeof(big);
		for (size_t i = 0; i < n; i++)
			big[i] = pattern(i);
		printf("[server] returning %zu bytes\n", n);
		fflush(stdout);
		door_return((char *)big, n, NULL, 0);
	} else {
		static char unknown[] = "unknown request";

		door_return(unknown, sizeof(unknown), NULL, 0);
	}
	/* door_return only comes back on failure. */
	perror("[server] door_return");
	door_return(NULL, 0, NULL, 0);
}

static void print_info(int d)
{
	door_info_t di;

	if (door_info(d, &di) != 0) {
		perror("[server] door_info");
		return;
	}
	printf("[server] door %d: server pid %ld, uniquifier %llu, "
	       "attributes 0x%x%s\n", d, (long)di.di_target,
	       (unsigned long long)di.di_uniquifier, di.di_attributes,
	       (di.di_attributes & DOOR_LOCAL) ? " (DOOR_LOCAL)" : "");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	char client[4096], fdarg[16];
	const char *slash;
	int d, status;
	pid_t pid;

	if (argc > 1) {
		snprintf(client, sizeof(client), "%s", argv[1]);
	} else {
		slash = strrchr(argv[0], '/');
		snprintf(client, sizeof(client), "%.*sdemo_client",
			 slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
	}

	d = door_create(serve, "demo door", 0);
	if (d < 0) {
		perror("[server] door_create");
		return 1;
	}
	printf("[server] pid %ld created door %d\n", (long)getpid(), d);
	print_info(d);

	pid = fork();
	if (pid < 0) {
		perror("[server] fork");
		return 1;
	}
	if (pid == 0) {
		/* Door descriptors are close-on-exec: keep this one. */
		if (fcntl(d, F_SETFD, 0) != 0) {
			perror("[server] fcntl");
			_exit(127);
		}
		snprintf(fdarg, sizeof(fdarg), "%d", d);
		execl(client, client, fdarg, (char *)NULL);
		perror(client);
		_exit(127);
	}

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("[server] waitpid");
			return 1;
		}
	}
	if (door_revoke(d) != 0) {
		perror("[server] door_revoke");
		return 1;
	}
	printf("[server] client finished (status %d); door revoked\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
