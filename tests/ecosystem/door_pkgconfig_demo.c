// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * door_pkgconfig_demo - an outside program built only from an installed
 * libdoor: compiled and linked with nothing but the flags of
 *	pkg-config --cflags --libs libdoor
 * (tests/ecosystem/Makefile, against a staged `make install`), then run in
 * the VM against the staged libdoor.so.1 by door_install_test.
 *
 * It prints which libdoor it runs with ("libdoor: PATH" from its own
 * /proc/self/maps, or "libdoor: static"), then does a round trip: a door
 * with DOOR_UNREF, a forked child that calls it and checks the reply and
 * the pid door_ucred() gave the server, then the unreferenced notification
 * once the child has exited.  It also includes <stropts.h> (found in the
 * include/door directory pkg-config adds) and asks isastream() about the
 * door.  Exit status 0 if all of that worked.
 */
#include <door.h>
#include <stropts.h>
#include <ucred.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int unref_pipe[2];

static void serve(void *cookie, char *argp, size_t size, door_desc_t *dp,
		  uint_t ndesc)
{
	ucred_t *uc = NULL;
	char reply[64];
	int n;

	(void)cookie;
	(void)dp;
	(void)ndesc;
	if (argp == DOOR_UNREF_DATA) {
		(void)!write(unref_pipe[1], "u", 1);
		door_return(NULL, 0, NULL, 0);
	}
	if (size != 5 || memcmp(argp, "ping", 5) != 0 || door_ucred(&uc) < 0) {
		door_return(NULL, 0, NULL, 0);
	}
	n = snprintf(reply, sizeof(reply), "pong %ld", (long)ucred_getpid(uc));
	ucred_free(uc);
	door_return(reply, (size_t)n + 1, NULL, 0);
}

/* The path of the libdoor shared object mapped into this process. */
static void which_libdoor(void)
{
	char line[512], *p;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			p = strchr(line, '/');
			if (p && strstr(p, "/libdoor.so")) {
				p[strcspn(p, "\n")] = '\0';
				printf("libdoor: %s\n", p);
				fclose(f);
				return;
			}
		}
		fclose(f);
	}
	printf("libdoor: static\n");
}

static int child(int d)
{
	char buf[64], want[64];
	door_arg_t arg;

	memset(&arg, 0, sizeof(arg));
	arg.data_ptr = "ping";
	arg.data_size = 5;
	arg.rbuf = buf;
	arg.rsize = sizeof(buf);
	if (door_call(d, &arg) < 0) {
		printf("door_call: %s\n", strerror(errno));
		return 1;
	}
	snprintf(want, sizeof(want), "pong %ld", (long)getpid());
	if (arg.data_size != strlen(want) + 1 || strcmp(arg.data_ptr, want)) {
		printf("reply: '%.*s', want '%s'\n", (int)arg.data_size,
		       arg.data_ptr, want);
		return 1;
	}
	printf("call: '%s' (the server saw this pid)\n", arg.data_ptr);
	return 0;
}

int main(void)
{
	struct pollfd pfd;
	door_info_t di;
	pid_t pid;
	char c;
	int d, st;

	setvbuf(stdout, NULL, _IONBF, 0);
	which_libdoor();
	if (pipe(unref_pipe) < 0) {
		perror("pipe");
		return 1;
	}
	d = door_create(serve, NULL, DOOR_UNREF);
	if (d < 0) {
		printf("door_create: %s\n", strerror(errno));
		return 1;
	}
	if (isastream(d) != 0) {
		printf("isastream: not 0 for a door\n");
		return 1;
	}
	if (door_info(d, &di) < 0 || di.di_target != getpid() ||
	    !(di.di_attributes & DOOR_LOCAL)) {
		printf("door_info: wrong target or attributes\n");
		return 1;
	}
	printf("door: id %llu, server %ld\n", di.di_uniquifier,
	       (long)di.di_target);

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		_exit(child(d));
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		printf("client failed\n");
		return 1;
	}

	/* The child's copy of the descriptor is gone: nobody else holds it. */
	pfd.fd = unref_pipe[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 20000) != 1 || read(unref_pipe[0], &c, 1) != 1) {
		printf("no unreferenced notification\n");
		return 1;
	}
	printf("unref: notified\n");
	if (door_revoke(d) < 0) {
		printf("door_revoke: %s\n", strerror(errno));
		return 1;
	}
	printf("door_pkgconfig_demo: ok\n");
	return 0;
}
