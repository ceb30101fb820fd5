// SPDX-License-Identifier: GPL-2.0
/*
 * door_doorstat_test - tools/doorstat against a live call (VM suite).
 *
 * This process creates a DOOR_UNREF door; a forked client reopens it
 * through /proc/PPID/fd/N (a descriptor of its own, a reference) and calls
 * it, and the server procedure blocks until told to return.  While the
 * call is in progress doorstat must show the door in both processes with
 * the door's id and the server's pid, DOOR_LOCAL only in the server, the
 * server's control file, and the call as active.  Then: the client's
 * descriptor of a revoked door shows DOOR_REVOKED; after the client has
 * exited the server's shows DOOR_IS_UNREF; a descriptor opened through an
 * fattach()ed path shows the path; a pid that does not exist fails.
 *
 * doorstat is $DOORSTAT, else /door/tools/doorstat (the VM image), else
 * ../../tools/doorstat/doorstat from this program's directory.
 * Prints TAP; exit status 0 if every check passed, 1 otherwise.
 */
#include <door.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define NCHECKS	15

static int entered[2], release[2], unref_pipe[2];
static int checks, failures;
static char doorstat[PATH_MAX];

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	printf("%sok %d ", ok ? "" : "not ", checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
}

static void serve(void *cookie, char *argp, size_t size, door_desc_t *dp,
		  uint_t ndesc)
{
	char c;

	(void)cookie;
	(void)size;
	(void)dp;
	(void)ndesc;
	if (argp == DOOR_UNREF_DATA) {
		(void)!write(unref_pipe[1], "u", 1);
		door_return(NULL, 0, NULL, 0);
	}
	/* A live call: tell the test, then wait to be released. */
	(void)!write(entered[1], "e", 1);
	(void)!read(release[0], &c, 1);
	door_return("done", 5, NULL, 0);
}

static void revoked_serve(void *cookie, char *argp, size_t size,
			  door_desc_t *dp, uint_t ndesc)
{
	(void)cookie;
	(void)argp;
	(void)size;
	(void)dp;
	(void)ndesc;
	door_return(NULL, 0, NULL, 0);
}

static int wait_byte(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	return poll(&p, 1, ms) == 1 && read(fd, &c, 1) == 1;
}

static void find_doorstat(const char *argv0)
{
	const char *env = getenv("DOORSTAT");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env) {
		snprintf(doorstat, sizeof(doorstat), "%s", env);
		return;
	}
	if (access("/door/tools/doorstat", X_OK) == 0) {
		snprintf(doorstat, sizeof(doorstat), "/door/tools/doorstat");
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
	} else {
		snprintf(self, sizeof(self), "%s", argv0);
	}
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(self, sizeof(self), ".");
	snprintf(doorstat, sizeof(doorstat), "%.*s/../../tools/doorstat/doorstat",
		 (int)(sizeof(doorstat) - 40), self);
}

/*
 * Run doorstat with @args (NULL-terminated), its output in @out.  Returns
 * its exit status, or -1.
 */
static int run_doorstat(char *out, size_t len, const char *const *args)
{
	const char *argv[16];
	size_t got = 0;
	int p[2], st, i;
	ssize_t n;
	pid_t pid;

	argv[0] = doorstat;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(doorstat, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < len && (n = read(p[0], out + got, len - got - 1)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	printf("# $ doorstat");
	for (i = 0; args[i]; i++)
		printf(" %s", args[i]);
	printf("\n");
	{
		char *line = out, *nl;

		while (*line) {
			nl = strchr(line, '\n');
			printf("#   %.*s\n", nl ? (int)(nl - line) : (int)strlen(line),
			       line);
			if (!nl)
				break;
			line = nl + 1;
		}
	}
	return WEXITSTATUS(st);
}

/*
 * The -r line for (@pid, @fd) in @out, copied to @line; 0 if there is
 * none.
 */
static int find_line(const char *out, long pid, int fd, char *line,
		     size_t len)
{
	char want[64];
	const char *p = out;
	size_t wl;

	wl = (size_t)snprintf(want, sizeof(want), "pid=%ld fd=%d ", pid, fd);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);

		if (ll >= wl && !strncmp(p, want, wl)) {
			snprintf(line, len, "%.*s", (int)ll, p);
			return 1;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Is there a line in @out that starts with @prefix and ends with @suffix? */
static int has_line(const char *out, const char *prefix, const char *suffix)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	const char *p = out;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);

		if (ll >= pl + sl && !strncmp(p, prefix, pl) &&
		    !strncmp(p + ll - sl, suffix, sl))
			return 1;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* Does @line hold the word @word (a whole "key=value")? */
static int has_word(const char *line, const char *word)
{
	size_t wl = strlen(word);
	const char *p = line;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == line || p[-1] == ' ') && (p[wl] == ' ' || !p[wl]))
			return 1;
		p += wl;
	}
	return 0;
}

/* Does the flags= word of @line contain the attribute @name? */
static int has_flag(const char *line, const char *name)
{
	const char *f = strstr(line, " flags=");
	size_t nl = strlen(name);

	if (!f)
		return 0;
	f += 7;
	while (*f && *f != ' ') {
		size_t l = strcspn(f, "| ");

		if (l == nl && !strncmp(f, name, nl))
			return 1;
		f += l;
		if (*f == '|')
			f++;
	}
	return 0;
}

/* The client: its own descriptor of the door, reported, then a call. */
static void client(pid_t server, int d, int report)
{
	char path[64], buf[16];
	door_arg_t arg;
	int mine;

	snprintf(path, sizeof(path), "/proc/%ld/fd/%d", (long)server, d);
	mine = open(path, O_RDWR | O_CLOEXEC);
	if (mine < 0)
		_exit(2);
	close(d);
	(void)!write(report, &mine, sizeof(mine));
	memset(&arg, 0, sizeof(arg));
	arg.rbuf = buf;
	arg.rsize = sizeof(buf);
	if (door_call(mine, &arg) < 0)
		_exit(3);
	_exit(arg.data_size == 5 && !strcmp(arg.data_ptr, "done") ? 0 : 4);
}

int main(int argc, char **argv)
{
	static char out[65536];
	char line[1024], word[64], pidstr[32], cpidstr[32], want[128];
	int report[2], d, d2, cfd = -1, rc, st, i;
	door_info_t di;
	pid_t self = getpid(), cpid, c2;

	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(120);
	printf("TAP version 13\n1..%d\n", NCHECKS);
	find_doorstat(argv[0]);
	if (access(doorstat, X_OK) != 0) {
		printf("# doorstat not found at %s\n", doorstat);
		for (i = 0; i < NCHECKS; i++)
			check(0, "doorstat present");
		return 1;
	}
	printf("# doorstat: %s\n", doorstat);

	if (pipe(entered) || pipe(release) || pipe(unref_pipe) || pipe(report)) {
		perror("pipe");
		return 1;
	}
	d = door_create(serve, NULL, DOOR_UNREF);
	if (d < 0 || door_info(d, &di) < 0) {
		perror("door_create");
		return 1;
	}
	printf("# door id %llu, server pid %ld\n", di.di_uniquifier, (long)self);

	cpid = fork();
	if (cpid < 0) {
		perror("fork");
		return 1;
	}
	if (cpid == 0) {
		close(report[0]);
		client(self, d, report[1]);
	}
	close(report[1]);
	if (read(report[0], &cfd, sizeof(cfd)) != sizeof(cfd))
		cfd = -1;
	if (!wait_byte(entered[0], 30000)) {
		printf("# the call never reached the server procedure\n");
		kill(cpid, SIGKILL);
		return 1;
	}

	/* --- a call in progress --- */
	snprintf(pidstr, sizeof(pidstr), "%ld", (long)self);
	snprintf(cpidstr, sizeof(cpidstr), "%ld", (long)cpid);
	{
		const char *args[] = { "-r", pidstr, cpidstr, NULL };

		rc = run_doorstat(out, sizeof(out), args);
	}
	check(rc == 0, "doorstat -r SERVER CLIENT exits with 0 (got %d)", rc);

	snprintf(word, sizeof(word), "id=%llu", di.di_uniquifier);
	snprintf(want, sizeof(want), "target=%ld", (long)self);
	check(find_line(out, self, d, line, sizeof(line)) &&
	      has_word(line, "type=door") && has_word(line, word) &&
	      has_word(line, want),
	      "server %ld: fd %d is the door, %s, %s", (long)self, d, word, want);
	check(has_flag(line, "DOOR_UNREF") && has_flag(line, "DOOR_LOCAL") &&
	      !has_flag(line, "DOOR_IS_UNREF"),
	      "server: DOOR_UNREF|DOOR_LOCAL, not DOOR_IS_UNREF while the client holds it");
	check(has_word(line, "door_calls_active=1") ||
	      !strstr(line, "door_calls_active="),
	      "server: the call shows as active (door_calls_active=1, if the module reports it)");
	{
		char ctl[64];

		snprintf(ctl, sizeof(ctl), "pid=%ld fd=", (long)self);
		check(has_line(out, ctl, " type=control"),
		      "server: its /dev/door control file is listed");
	}
	check(cfd >= 0 && find_line(out, cpid, cfd, line, sizeof(line)) &&
	      has_word(line, "type=door") && has_word(line, word) &&
	      has_word(line, want) && !has_flag(line, "DOOR_LOCAL"),
	      "client %ld: fd %d is the same door (%s), %s, not DOOR_LOCAL",
	      (long)cpid, cfd, word, want);

	/* The human-readable form says who the server is. */
	{
		const char *args[] = { cpidstr, NULL };
		char comm[64] = "", path[64];
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%ld/comm", (long)self);
		f = fopen(path, "r");
		if (f) {
			if (fgets(comm, sizeof(comm), f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		rc = run_doorstat(out, sizeof(out), args);
		snprintf(want, sizeof(want), "door to %s[%ld]", comm, (long)self);
		check(rc == 0 && strstr(out, want),
		      "doorstat CLIENT says \"%s\"", want);
	}

	/* Without pids: every process with doors, both of these among them. */
	{
		const char *args[] = { "-r", NULL };
		char a[64], b[64];

		rc = run_doorstat(out, sizeof(out), args);
		snprintf(a, sizeof(a), "pid=%ld fd=%d type=door", (long)self, d);
		snprintf(b, sizeof(b), "pid=%ld fd=%d type=door", (long)cpid, cfd);
		check(rc == 0 && strstr(out, a) && strstr(out, b),
		      "doorstat -r (all processes) lists both");
	}

	/* --- the call completes; the client exits --- */
	(void)!write(release[1], "r", 1);
	check(waitpid(cpid, &st, 0) == cpid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "the client's call returns once released");
	{
		const char *args[] = { "-r", pidstr, NULL };
		int notified = wait_byte(unref_pipe[0], 30000);
		int info = door_info(d, &di);

		printf("# door_info: attributes %#x\n", di.di_attributes);
		check(notified && info == 0 &&
		      (di.di_attributes & DOOR_IS_UNREF) &&
		      !(di.di_attributes & DOOR_UNREF),
		      "after the client exits: notified; door_info shows DOOR_IS_UNREF, the one-shot DOOR_UNREF spent");
		rc = run_doorstat(out, sizeof(out), args);
		check(find_line(out, self, d, line, sizeof(line)) &&
		      !has_flag(line, "DOOR_UNREF"),
		      "doorstat: the one-shot DOOR_UNREF is spent");
		check(has_flag(line, "DOOR_IS_UNREF"),
		      "doorstat: the creator's descriptor shows DOOR_IS_UNREF, as door_info does");
	}

	/* --- a revoked door, seen from a client --- */
	d2 = door_create(revoked_serve, NULL, 0);
	c2 = d2 < 0 ? -1 : fork();
	if (c2 == 0) {
		pause();
		_exit(0);
	}
	if (c2 > 0) {
		const char *args[] = { "-r", cpidstr, NULL };

		snprintf(cpidstr, sizeof(cpidstr), "%ld", (long)c2);
		(void)door_revoke(d2);
		rc = run_doorstat(out, sizeof(out), args);
		check(find_line(out, c2, d2, line, sizeof(line)) &&
		      has_flag(line, "DOOR_REVOKED"),
		      "a client's descriptor of a revoked door shows DOOR_REVOKED");
		kill(c2, SIGKILL);
		waitpid(c2, NULL, 0);
	} else {
		check(0, "a client's descriptor of a revoked door shows DOOR_REVOKED (setup failed)");
	}

	/* --- a descriptor opened through an fattach()ed path --- */
	{
		char path[] = "/tmp/door_doorstat_test.XXXXXX", esc[64];
		const char *args[] = { "-r", pidstr, NULL };
		int tmp = mkstemp(path), d3 = door_create(revoked_serve, NULL, 0);
		int a = -1, f = -1;

		if (tmp >= 0)
			close(tmp);
		if (tmp >= 0 && d3 >= 0)
			a = fattach(d3, path);
		if (a == 0)
			f = open(path, O_RDWR | O_CLOEXEC);
		if (a < 0 && (errno == EPERM || errno == EACCES)) {
			checks++;
			printf("ok %d fattach path # SKIP fattach: %s\n", checks,
			       strerror(errno));
		} else {
			rc = run_doorstat(out, sizeof(out), args);
			snprintf(esc, sizeof(esc), "path=%s", path);
			check(f >= 0 && find_line(out, self, f, line, sizeof(line)) &&
			      strstr(line, esc) &&
			      find_line(out, self, d3, line, sizeof(line)) &&
			      !strstr(line, " path="),
			      "a descriptor opened through an fattach()ed path shows the path; the door's own does not");
		}
		if (f >= 0)
			close(f);
		if (a == 0)
			fdetach(path);
		if (d3 >= 0)
			door_revoke(d3);
		unlink(path);
	}

	{
		const char *args[] = { "-r", "999999999", NULL };

		rc = run_doorstat(out, sizeof(out), args);
		check(rc == 1, "doorstat of a pid that does not exist exits with 1 (got %d)", rc);
	}

	printf("# %d checks, %d failed\n", checks, failures);
	return failures || checks != NCHECKS ? 1 : 0;
}
