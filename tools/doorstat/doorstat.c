// SPDX-License-Identifier: GPL-2.0
/*
 * doorstat - list the doors of processes, as Solaris pfiles(1) shows them.
 *
 *   doorstat [-r] [-s] [PID...]
 *
 * With PIDs, the door descriptors of those processes; without, of every
 * process that holds a door or a /dev/door control file.  For each door
 * descriptor: the descriptor number, the door's id, the server process
 * ("door to NAME[PID]", the pid as seen in this pid namespace, or "server
 * gone" once the server has exited), its attributes decoded, and every
 * other door_* field door.ko prints in /proc/PID/fdinfo/FD (calls served
 * and active, pool threads, references...).  A /dev/door descriptor is the
 * process's control file: the server side of that process.
 *
 *   -r   one line per descriptor, key=value words, for scripts:
 *          pid=P fd=N type=door id=I target=T attributes=0xA flags=F|F
 *              [path=/attached/path] [door_FIELD=value ...]
 *          pid=P fd=N type=control
 *        path= is there when the descriptor was opened through an
 *        fattach()ed path (blanks and backslashes escaped as \040 etc.)
 *   -s   also print door.ko's counters (live doors and calls, calls made
 *        since load; DOOR_IOC_STATS, which needs CAP_SYS_ADMIN) and its
 *        max_data parameter
 *
 * A door descriptor is recognised by the file system it lives on (statfs
 * of /proc/PID/fd/N reports DOORFS_MAGIC); the descriptor is never
 * opened, which would add a reference to the door.  The kernel's
 * DOOR_LOCAL bit in fdinfo describes the process reading it (this one), so
 * doorstat replaces it with "the holder is the door's server".
 *
 * Caveat: every look at /proc/PID/fd/N or /proc/PID/fdinfo/N (readlink,
 * statfs, reading fdinfo; ls -l and lsof do the same) holds a reference
 * to the file for a moment, which counts as a reference of the door while
 * it lasts: if the door's references drop to one during that moment, its
 * unreferenced notification may be delayed (door(4), BUGS).  The fdinfo
 * reader's own reference is not counted when DOOR_IS_UNREF is shown
 * (door_doorstat_test checks that it matches door_info).
 *
 * Reading another user's /proc/PID/fd needs the same privilege as ptrace;
 * processes that cannot be read are skipped when listing all of them.
 * Exit status: 0, or 1 if a PID given could not be read, 2 on bad usage.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <door_ioctl.h>

#define MAX_FIELDS	32

struct field {
	char name[64];
	char value[128];
};

struct doorfd {
	int fd;
	unsigned long long id;
	long target;
	unsigned int attributes;
	int have_id, have_target, have_attributes;
	long mnt_id;			/* of the file, -1 if unknown */
	char path[PATH_MAX];		/* fattached path, or "" */
	struct field extra[MAX_FIELDS];	/* other door_* fields */
	int nextra;
};

static int raw;
static dev_t ctl_rdev;
static int have_ctl_rdev;

static const struct {
	unsigned int bit;
	const char *name;
} attr_names[] = {
	{ DOOR_UNREF, "DOOR_UNREF" },
	{ DOOR_PRIVATE, "DOOR_PRIVATE" },
	{ DOOR_LOCAL, "DOOR_LOCAL" },
	{ DOOR_REVOKED, "DOOR_REVOKED" },
	{ DOOR_UNREF_MULTI, "DOOR_UNREF_MULTI" },
	{ DOOR_IS_UNREF, "DOOR_IS_UNREF" },
	{ DOOR_REFUSE_DESC, "DOOR_REFUSE_DESC" },
	{ DOOR_NO_CANCEL, "DOOR_NO_CANCEL" },
	{ DOOR_NO_DEPLETION_CB, "DOOR_NO_DEPLETION_CB" },
	{ DOOR_PRIVCREATE, "DOOR_PRIVCREATE" },
	{ DOOR_DEPLETION_CB, "DOOR_DEPLETION_CB" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: doorstat [-r] [-s] [PID...]\n"
		"  list the door descriptors of the processes PID (default: of\n"
		"  every process holding a door or /dev/door)\n"
		"  -r  one key=value line per descriptor\n"
		"  -s  also print door.ko's counters\n");
}

/* "DOOR_UNREF|DOOR_LOCAL", "0x800" for unknown bits, "-" for none. */
static void attr_string(unsigned int attr, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
		if (!(attr & attr_names[i].bit))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? "|" : "", attr_names[i].name);
		attr &= ~attr_names[i].bit;
	}
	if (attr)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%#x",
				      n ? "|" : "", attr);
	if (!n)
		snprintf(buf, len, "-");
}

/* Contents of a small /proc file, newline stripped; "" if unreadable. */
static void read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void comm_of(long pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	read_small(path, buf, len);
	if (!buf[0])
		snprintf(buf, len, "?");
}

/* Values go out as single words: whitespace becomes '_'. */
static void one_word(char *s)
{
	for (; *s; s++)
		if (isspace((unsigned char)*s))
			*s = '_';
}

/* Parse /proc/PID/fdinfo/FD into @d.  0, or -1 if it cannot be read. */
static int read_fdinfo(long pid, int fd, struct doorfd *d)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *v;

		if (!colon)
			continue;
		if (!strncmp(line, "mnt_id:", 7)) {
			d->mnt_id = strtol(colon + 1, NULL, 10);
			continue;
		}
		if (strncmp(line, "door_", 5) != 0)
			continue;
		*colon = '\0';
		v = colon + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		if (!strcmp(line, "door_id")) {
			d->id = strtoull(v, NULL, 0);
			d->have_id = 1;
		} else if (!strcmp(line, "door_target")) {
			d->target = strtol(v, NULL, 0);
			d->have_target = 1;
		} else if (!strcmp(line, "door_attributes")) {
			d->attributes = (unsigned int)strtoul(v, NULL, 0);
			d->have_attributes = 1;
		} else if (d->nextra < MAX_FIELDS) {
			struct field *x = &d->extra[d->nextra++];

			snprintf(x->name, sizeof(x->name), "%.*s",
				 (int)sizeof(x->name) - 1, line);
			snprintf(x->value, sizeof(x->value), "%.*s",
				 (int)sizeof(x->value) - 1, v);
			one_word(x->value);
		}
	}
	fclose(f);
	return 0;
}

static void print_door(long pid, const struct doorfd *d)
{
	char attrs[512], comm[64];
	int i;

	attr_string(d->attributes, attrs, sizeof(attrs));
	if (raw) {
		printf("pid=%ld fd=%d type=door", pid, d->fd);
		if (d->have_id)
			printf(" id=%llu", d->id);
		if (d->have_target)
			printf(" target=%ld", d->target);
		printf(" attributes=%#x flags=%s", d->attributes, attrs);
		if (d->path[0]) {
			const char *c;

			/* As /proc/mounts escapes them. */
			printf(" path=");
			for (c = d->path; *c; c++) {
				if (*c == ' ' || *c == '\t' || *c == '\n' ||
				    *c == '\\')
					printf("\\%03o", (unsigned char)*c);
				else
					putchar(*c);
			}
		}
		for (i = 0; i < d->nextra; i++)
			printf(" %s=%s", d->extra[i].name, d->extra[i].value);
		printf("\n");
		return;
	}

	printf("  %4d: door", d->fd);
	if (d->have_id)
		printf(" id %llu", d->id);
	if (!d->have_target) {
		printf(", server unknown");
	} else if (d->target < 0) {
		printf(", server gone");
	} else {
		comm_of(d->target, comm, sizeof(comm));
		printf(", door to %s[%ld]%s", comm, d->target,
		       d->target == pid ? " (this process)" : "");
	}
	printf("\n        %s\n", attrs);
	if (d->path[0])
		printf("        attached at %s\n", d->path);
	if (d->nextra) {
		printf("       ");
		for (i = 0; i < d->nextra; i++) {
			const char *n = d->extra[i].name + 5;	/* "door_" */

			printf(" %s=%s", n, d->extra[i].value);
		}
		printf("\n");
	}
}

/*
 * Is mount @mnt_id one of @pid's mounts?  A door's own descriptors are on
 * doorfs' internal mount, which is in no mount namespace; a descriptor
 * opened through an fattach()ed path is on that attachment's mount.
 */
static int visible_mount(long pid, long mnt_id)
{
	char path[64], line[1024];
	int found = 0;
	FILE *f;

	if (mnt_id < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/mountinfo", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = strtol(line, NULL, 10) == mnt_id;
	fclose(f);
	return found;
}

/* Is /proc/PID/fd/N (@path, target @link) the /dev/door control file? */
static int is_control(const char *path, const char *link)
{
	struct stat st;

	if (!strcmp(link, DOOR_DEVICE_PATH))
		return 1;
	if (!have_ctl_rdev || stat(path, &st) < 0)
		return 0;
	return S_ISCHR(st.st_mode) && st.st_rdev == ctl_rdev;
}

static int fd_compare(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * List the doors of @pid.  @quiet: say nothing about processes without
 * doors or that cannot be read.  0, or -1 if it could not be read.
 */
static int list_process(long pid, int quiet)
{
	char dirpath[64], path[96], link[PATH_MAX], comm[64];
	struct dirent *de;
	int *fds = NULL, nfds = 0, cap = 0, i, header = 0, count = 0;
	DIR *dir;

	snprintf(dirpath, sizeof(dirpath), "/proc/%ld/fd", pid);
	dir = opendir(dirpath);
	if (!dir) {
		if (!quiet)
			fprintf(stderr, "doorstat: %s: %s\n", dirpath,
				strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (de->d_name[0] == '.' || *end || fd < 0 || fd > INT_MAX)
			continue;
		if (nfds == cap) {
			int *n;

			cap = cap ? cap * 2 : 64;
			n = realloc(fds, (size_t)cap * sizeof(*fds));
			if (!n) {
				fprintf(stderr, "doorstat: out of memory\n");
				exit(1);
			}
			fds = n;
		}
		fds[nfds++] = (int)fd;
	}
	closedir(dir);
	qsort(fds, (size_t)nfds, sizeof(*fds), fd_compare);

	comm_of(pid, comm, sizeof(comm));
	for (i = 0; i < nfds; i++) {
		struct statfs sfs;
		struct doorfd d;
		ssize_t n;
		int door;

		snprintf(path, sizeof(path), "%s/%d", dirpath, fds[i]);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;	/* closed meanwhile */
		link[n] = '\0';
		/* statfs follows the link without opening the file. */
		door = statfs(path, &sfs) == 0 &&
		       (unsigned long)sfs.f_type == (unsigned long)DOORFS_MAGIC;
		if (!door && !is_control(path, link))
			continue;
		if (!header && !raw) {
			printf("%ld: %s\n", pid, comm);
			header = 1;
		}
		count++;
		if (!door) {
			if (raw)
				printf("pid=%ld fd=%d type=control\n", pid,
				       fds[i]);
			else
				printf("  %4d: %s, control file (this process's server side)\n",
				       fds[i], link);
			continue;
		}
		memset(&d, 0, sizeof(d));
		d.fd = fds[i];
		d.mnt_id = -1;
		if (read_fdinfo(pid, fds[i], &d) < 0)
			continue;	/* closed meanwhile */
		/* The kernel's DOOR_LOCAL is about the reader (us). */
		d.attributes &= ~(unsigned int)DOOR_LOCAL;
		if (d.have_target && d.target == pid)
			d.attributes |= DOOR_LOCAL;
		/* Opened through an fattach()ed path: show the path. */
		if (visible_mount(pid, d.mnt_id))
			snprintf(d.path, sizeof(d.path), "%s", link);
		print_door(pid, &d);
	}
	if (!count && !quiet && !raw)
		printf("%ld: %s\n        no doors\n", pid, comm);
	free(fds);
	return 0;
}

static int list_all(void)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	long self = (long)getpid();
	int skipped = 0;

	if (!dir) {
		perror("doorstat: /proc");
		return 1;
	}
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		if (list_process(pid, 1) < 0 && errno != ENOENT)
			skipped++;
	}
	closedir(dir);
	if (skipped && !raw)
		fprintf(stderr, "doorstat: %d processes could not be read\n",
			skipped);
	return 0;
}

static int print_stats(void)
{
	struct door_ioc_stats st;
	char maxdata[64];
	int fd = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "doorstat: %s: %s\n", DOOR_DEVICE_PATH,
			strerror(errno));
		return 1;
	}
	memset(&st, 0, sizeof(st));
	if (ioctl(fd, DOOR_IOC_STATS, &st) < 0) {
		fprintf(stderr, "doorstat: DOOR_IOC_STATS: %s\n",
			strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	read_small("/sys/module/door/parameters/max_data", maxdata,
		   sizeof(maxdata));
	if (raw)
		printf("type=stats live_doors=%llu live_calls=%llu total_calls=%llu max_data=%s\n",
		       (unsigned long long)st.live_doors,
		       (unsigned long long)st.live_calls,
		       (unsigned long long)st.total_calls,
		       maxdata[0] ? maxdata : "?");
	else
		printf("door.ko: %llu doors, %llu calls in progress, %llu calls completed since load, max_data %s\n",
		       (unsigned long long)st.live_doors,
		       (unsigned long long)st.live_calls,
		       (unsigned long long)st.total_calls,
		       maxdata[0] ? maxdata : "?");
	return 0;
}

int main(int argc, char **argv)
{
	struct stat st;
	int opt, stats = 0, rc = 0, i;

	while ((opt = getopt(argc, argv, "rsh")) != -1) {
		switch (opt) {
		case 'r':
			raw = 1;
			break;
		case 's':
			stats = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (stat(DOOR_DEVICE_PATH, &st) == 0 && S_ISCHR(st.st_mode)) {
		ctl_rdev = st.st_rdev;
		have_ctl_rdev = 1;
	}

	if (optind == argc) {
		rc = list_all();
	} else {
		for (i = optind; i < argc; i++) {
			char *end;
			long pid = strtol(argv[i], &end, 10);

			if (!argv[i][0] || *end || pid <= 0) {
				fprintf(stderr, "doorstat: not a pid: %s\n",
					argv[i]);
				rc = 1;
				continue;
			}
			if (list_process(pid, 0) < 0)
				rc = 1;
		}
	}
	if (stats && print_stats())
		rc = 1;
	return rc;
}
