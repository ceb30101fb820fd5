// SPDX-License-Identifier: GPL-2.0
/*
 * door_fattach_test - fattach(3C) and fdetach(3C): a door attached to a
 * file name is reached by a plain open() in any process (same door id,
 * callable, fstatfs/statfs report DOORFS_MAGIC); fdetach() brings the file
 * underneath back; the attachment is a reference (the door outlives its
 * creator's descriptor, and is notified when the attachment holds the last
 * reference: UNPv2's serverunref), fdetach drops it at once, even while
 * another mount namespace holds a copy of the mount, and a descriptor
 * opened through the path is a reference of its own; the
 * attached file shows the covered file's mode and owner, which open()
 * enforces; every error of fattach and fdetach (EBADF, EINVAL, EBUSY,
 * EPERM, EACCES, ENOENT, ENOTDIR, EFAULT); relative paths; privilege as
 * capabilities, not uid 0; and fattach by an unprivileged user inside its
 * own user and mount namespace.
 *
 * The tests run as root (the VM).  Unprivileged cases run in a forked
 * child that drops to another uid (run_as()).  Each test works in its own
 * directory under /tmp and the fixture's teardown detaches whatever a
 * failing test left attached.
 */
#include <sched.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include "door_test.h"

#define UNPRIV_UID	1000
#define UNPRIV_GID	1000

/* ---- helpers ------------------------------------------------------------ */

static atomic_int calls, unrefs;
static int ev_unref = -1;

/* Echoes its arguments; counts calls; posts ev_unref on a notification. */
static void fa_proc(void *cookie, char *argp, size_t arg_size,
		    door_desc_t *dp, uint_t n_desc)
{
	if (argp == DOOR_UNREF_DATA) {
		atomic_fetch_add(&unrefs, 1);
		ev_post(ev_unref);
		door_return(NULL, 0, NULL, 0);
		return;
	}
	atomic_fetch_add(&calls, 1);
	door_return(argp, arg_size, NULL, 0);
}

static int is_doorfs_path(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs) != 0)
		return -1;
	return (unsigned long)sfs.f_type == (unsigned long)DOORFS_MAGIC;
}

static int is_doorfs_fd(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) != 0)
		return -1;
	return (unsigned long)sfs.f_type == (unsigned long)DOORFS_MAGIC;
}

/* door_call with a small string; 0 if the echo came back intact. */
static int call_echo(int d, const char *msg)
{
	char buf[64];
	door_arg_t a = { (char *)msg, strlen(msg) + 1, NULL, 0,
			 buf, sizeof(buf) };

	if (door_call(d, &a) != 0)
		return -1;
	if (a.data_size != strlen(msg) + 1 || strcmp(a.data_ptr, msg) != 0) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

static int write_file(const char *path, const char *content, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -1;
	if (put_all(fd, content, strlen(content)) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return chmod(path, mode);	/* exact mode, whatever the umask */
}

/* The file's whole content (up to buf's size) as a string, or NULL. */
static char *read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* What a forked child reports: the return value and errno of one step. */
struct res {
	int ret, err;
	door_id_t id;
	int extra;
};

typedef void (*as_fn)(void *arg, struct res *r);

/*
 * Run fn(arg) in a forked child that has dropped to uid/gid (no
 * supplementary groups; uid 0 keeps root).  The child fills *r.  Returns
 * 0 if the child ran fn and reported, else the child's failure code.
 */
static int run_as(uid_t uid, gid_t gid, as_fn fn, void *arg, struct res *r)
{
	int p[2], code;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct res mine = { 0 };

		close(p[0]);
		if (uid != 0) {
			CHILD_CHECK(90, setgroups(0, NULL) == 0);
			CHILD_CHECK(91, setresgid(gid, gid, gid) == 0);
			CHILD_CHECK(92, setresuid(uid, uid, uid) == 0);
			/* Keep /proc/self ours (uid_map in the userns test). */
			CHILD_CHECK(93, prctl(PR_SET_DUMPABLE, 1) == 0);
		}
		fn(arg, &mine);
		CHILD_CHECK(94, put_all(p[1], &mine, sizeof(mine)) == 0);
		_exit(0);
	}
	close(p[1]);
	code = child_exit_code(wait_child(pid, 30));
	if (code == 0 && get_all(p[0], r, sizeof(*r)) != 0)
		code = -1;
	close(p[0]);
	return code;
}

/* Arguments of the run_as() steps below. */
struct step {
	int d;
	const char *path;
	int flags;
};

static void do_fattach(void *arg, struct res *r)
{
	struct step *s = arg;

	errno = 0;
	r->ret = fattach(s->d, s->path);
	r->err = errno;
}

static void do_fdetach(void *arg, struct res *r)
{
	struct step *s = arg;

	errno = 0;
	r->ret = fdetach(s->path);
	r->err = errno;
}

/* open(path) and, if that worked, door_info + an echo call through it. */
static void do_open_call(void *arg, struct res *r)
{
	struct step *s = arg;
	door_info_t di;
	int fd;

	errno = 0;
	fd = open(s->path, s->flags | O_CLOEXEC);
	r->ret = fd < 0 ? -1 : 0;
	r->err = errno;
	if (fd < 0)
		return;
	r->extra = is_doorfs_fd(fd);
	if (door_info(fd, &di) != 0) {
		r->ret = -2;
		r->err = errno;
	} else {
		r->id = di.di_uniquifier;
		if (call_echo(fd, "from child") != 0) {
			r->ret = -3;
			r->err = errno;
		}
	}
	close(fd);
}

/* ---- fixture: a directory of our own, cleaned up whatever happens -------- */

FIXTURE(fa) {
	char dir[64];
	char file[96];		/* dir/file, content "underlying\n", 0644 */
	long long doors0;
};

static void detach_all(const char *path)
{
	/* Whatever a failed test left stacked on path (MNT_DETACH: busy ok). */
	for (int i = 0; i < 8 && is_doorfs_path(path) == 1; i++)
		umount2(path, MNT_DETACH);
}

FIXTURE_SETUP(fa)
{
	ev_unref = ev_new();
	ASSERT_LE(0, ev_unref);
	strcpy(self->dir, "/tmp/door_fattach.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	/* Others (the unprivileged children) may look things up in it. */
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->file, sizeof(self->file), "%s/file", self->dir);
	ASSERT_EQ(0, write_file(self->file, "underlying\n", 0644));
	self->doors0 = live_doors();
	ASSERT_LE(0, self->doors0);
}

FIXTURE_TEARDOWN(fa)
{
	char cmd[160];

	detach_all(self->file);
	detach_all(self->dir);
	snprintf(cmd, sizeof(cmd), "%s/second", self->dir);
	detach_all(cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd) != 0)
		TH_LOG("could not remove %s", self->dir);
}

/* ---- attach, open from another process, detach ----------------------------- */

/*
 * After fattach a plain open(path) in another process gives a descriptor
 * of the same door (same di_uniquifier, the creator as di_target, not
 * DOOR_LOCAL there), on doorfs, and callable; fdetach gives the path back
 * to the file underneath, content intact, and leaves the door alone.
 */
TEST_F(fa, attach_open_from_other_process_detach)
{
	struct step s = { .path = self->file, .flags = O_RDONLY };
	door_info_t di;
	struct res r;
	door_id_t id;
	char buf[64];
	pid_t pid;
	int d, fd;

	d = door_create(fa_proc, NULL, 0);
	ASSERT_LE(0, d);
	id = door_id(d);
	ASSERT_NE(0ULL, id);
	EXPECT_EQ(0, is_doorfs_path(self->file));
	ASSERT_EQ(0, fattach(d, self->file)) TH_LOG("fattach: %s", strerror(errno));
	EXPECT_EQ(1, is_doorfs_path(self->file))
		TH_LOG("statfs(path) does not report DOORFS_MAGIC");

	/* Another process opens the path. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		CHILD_CHECK(10, close(d) == 0);	/* only the path is left */
		fd = open(self->file, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(11, fd >= 0);
		CHILD_CHECK(12, is_doorfs_fd(fd) == 1);
		CHILD_CHECK(13, door_info(fd, &di) == 0);
		CHILD_CHECK(14, di.di_uniquifier == id);
		CHILD_CHECK(15, di.di_target == getppid());
		CHILD_CHECK(16, !(di.di_attributes & DOOR_LOCAL));
		CHILD_CHECK(17, call_echo(fd, "hello through the path") == 0);
		CHILD_CHECK(18, close(fd) == 0);
		_exit(0);
	}
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 30)));
	EXPECT_EQ(1, atomic_load(&calls));

	/* And so does an unprivileged one (the file is 0644: read only). */
	ASSERT_EQ(0, run_as(UNPRIV_UID, UNPRIV_GID, do_open_call, &s, &r));
	EXPECT_EQ(0, r.ret) TH_LOG("step %d: %s", r.ret, strerror(r.err));
	EXPECT_EQ(1, r.extra);
	EXPECT_EQ(id, r.id);
	EXPECT_EQ(2, atomic_load(&calls));

	/* In the creator, a descriptor opened from the path is DOOR_LOCAL. */
	fd = open(self->file, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, door_info(fd, &di));
	EXPECT_EQ(id, di.di_uniquifier);
	EXPECT_EQ(getpid(), di.di_target);
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_LOCAL));
	ASSERT_EQ(0, close(fd));

	/* fdetach: the file underneath is back, content intact. */
	ASSERT_EQ(0, fdetach(self->file)) TH_LOG("fdetach: %s", strerror(errno));
	EXPECT_EQ(0, is_doorfs_path(self->file));
	ASSERT_NE(NULL, read_file(self->file, buf, sizeof(buf)));
	EXPECT_STREQ("underlying\n", buf);
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, door_info(fd, &di));
	EXPECT_EQ(EBADF, errno) TH_LOG("door_info of a plain file: %s",
				       strerror(errno));
	EXPECT_EQ(0, is_doorfs_fd(fd));
	close(fd);

	/* The door itself is untouched. */
	EXPECT_EQ(0, call_echo(d, "still there"));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_REVOKED));
}

/* A relative path, resolved against the caller's working directory. */
TEST_F(fa, relative_path)
{
	door_id_t id;
	char abs[160];
	pid_t pid;
	int d, fd;

	d = door_create(fa_proc, NULL, 0);
	ASSERT_LE(0, d);
	id = door_id(d);
	ASSERT_EQ(0, chdir(self->dir));
	ASSERT_EQ(0, write_file("rel", "relative\n", 0644));
	ASSERT_EQ(0, fattach(d, "rel")) TH_LOG("fattach: %s", strerror(errno));
	/* Busy under another spelling of the same file. */
	errno = 0;
	EXPECT_EQ(-1, fattach(d, "./sub/../rel"));	/* no "sub": ENOENT */
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, fattach(d, "./rel"));
	EXPECT_EQ(EBUSY, errno);

	/* A child (same cwd) opens the relative name; we open the absolute. */
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		fd = open("rel", O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(10, fd >= 0);
		CHILD_CHECK(11, door_id(fd) == id);
		CHILD_CHECK(12, call_echo(fd, "relative") == 0);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 30)));
	snprintf(abs, sizeof(abs), "%s/rel", self->dir);
	fd = open(abs, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id, door_id(fd));
	close(fd);

	ASSERT_EQ(0, fdetach("./rel")) TH_LOG("fdetach: %s", strerror(errno));
	EXPECT_EQ(0, is_doorfs_path(abs));
	ASSERT_EQ(0, chdir("/"));
}

/* ---- errors ---------------------------------------------------------------- */

/* EBADF: not an open descriptor.  The path is left alone. */
TEST_F(fa, ebadf_bad_descriptor)
{
	int d = door_create(fa_proc, NULL, 0), dead;

	ASSERT_LE(0, d);
	dead = dup(d);
	ASSERT_LE(0, dead);
	ASSERT_EQ(0, close(dead));
	errno = 0;
	EXPECT_EQ(-1, fattach(-1, self->file));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, fattach(dead, self->file));
	EXPECT_EQ(EBADF, errno);
	errno = 0;
	EXPECT_EQ(-1, fattach(INT_MAX, self->file));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, is_doorfs_path(self->file));
}

/*
 * EINVAL: an open descriptor that is not a door - a pipe, a regular file,
 * the /dev/door control file, a directory.
 */
TEST_F(fa, einval_not_a_door)
{
	int p[2], reg, ctl, dirfd;

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	reg = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, reg);
	ctl = open(DOOR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, ctl);
	dirfd = open(self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dirfd);

	int fds[] = { p[0], p[1], reg, ctl, dirfd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		errno = 0;
		EXPECT_EQ(-1, fattach(fds[i], self->file)) TH_LOG("fd #%zu", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("fd #%zu: %s", i, strerror(errno));
	}
	EXPECT_EQ(0, is_doorfs_path(self->file));
}

/*
 * EBUSY: something is attached already, the same door or another; the
 * first attachment stays.  Then what a restarting Solaris daemon does:
 * fdetach and fattach again, and the path leads to the new door.
 */
TEST_F(fa, ebusy_already_attached_then_replace)
{
	int d1 = door_create(fa_proc, NULL, 0), d2 = door_create(fa_proc, NULL, 0);
	door_id_t id1 = door_id(d1), id2 = door_id(d2);
	int fd;

	ASSERT_LE(0, d1);
	ASSERT_LE(0, d2);
	ASSERT_NE(id1, id2);
	ASSERT_EQ(0, fattach(d1, self->file));
	errno = 0;
	EXPECT_EQ(-1, fattach(d2, self->file));
	EXPECT_EQ(EBUSY, errno) TH_LOG("another door: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, fattach(d1, self->file));
	EXPECT_EQ(EBUSY, errno) TH_LOG("the same door: %s", strerror(errno));
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id1, door_id(fd)) TH_LOG("the first attachment was replaced");
	ASSERT_EQ(0, close(fd));

	ASSERT_EQ(0, fdetach(self->file));
	ASSERT_EQ(0, fattach(d2, self->file)) TH_LOG("%s", strerror(errno));
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(id2, door_id(fd));
	EXPECT_EQ(0, call_echo(fd, "new door"));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, fdetach(self->file));
	/* Only one layer was mounted: nothing is left. */
	EXPECT_EQ(0, is_doorfs_path(self->file));
}

/* ENOENT and ENOTDIR from path resolution; EFAULT for a NULL path. */
TEST_F(fa, enoent_enotdir_efault)
{
	int d = door_create(fa_proc, NULL, 0);
	char path[160];

	ASSERT_LE(0, d);
	snprintf(path, sizeof(path), "%s/missing", self->dir);
	errno = 0;
	EXPECT_EQ(-1, fattach(d, path));
	EXPECT_EQ(ENOENT, errno);
	snprintf(path, sizeof(path), "%s/nodir/file", self->dir);
	errno = 0;
	EXPECT_EQ(-1, fattach(d, path));
	EXPECT_EQ(ENOENT, errno);
	snprintf(path, sizeof(path), "%s/file/below", self->dir);
	errno = 0;
	EXPECT_EQ(-1, fattach(d, path));
	EXPECT_EQ(ENOTDIR, errno);
	errno = 0;
	EXPECT_EQ(-1, fattach(d, ""));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, fattach(d, NULL));
	EXPECT_EQ(EFAULT, errno);

	snprintf(path, sizeof(path), "%s/missing", self->dir);
	errno = 0;
	EXPECT_EQ(-1, fdetach(path));
	EXPECT_EQ(ENOENT, errno);
	errno = 0;
	EXPECT_EQ(-1, fdetach(NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* A directory cannot take a door (ENOTDIR, fattach(3)); it stays a directory. */
TEST_F(fa, directory_target)
{
	int d = door_create(fa_proc, NULL, 0);
	struct stat st;

	ASSERT_LE(0, d);
	errno = 0;
	EXPECT_EQ(-1, fattach(d, self->dir));
	EXPECT_EQ(ENOTDIR, errno) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, is_doorfs_path(self->dir));
	ASSERT_EQ(0, stat(self->dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(0, stat(self->file, &st));	/* still reachable inside */
	errno = 0;
	EXPECT_EQ(-1, fdetach(self->dir));
	EXPECT_EQ(EINVAL, errno);
}

/* fdetach of a path with nothing attached: EINVAL; the file is untouched. */
TEST_F(fa, fdetach_einval_not_attached)
{
	char buf[32];

	errno = 0;
	EXPECT_EQ(-1, fdetach(self->file));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, fdetach("/tmp"));		/* a tmpfs mount, not a door */
	EXPECT_EQ(EINVAL, errno);
	ASSERT_NE(NULL, read_file(self->file, buf, sizeof(buf)));
	EXPECT_STREQ("underlying\n", buf);
}

/*
 * EPERM: the caller neither owns the path nor is privileged (root, with
 * CAP_FOWNER, passes the ownership check, as on Solaris).  The same for
 * fdetach of a door that root attached.
 */
TEST_F(fa, eperm_not_owner)
{
	int d = door_create(fa_proc, NULL, 0);
	struct step s = { .d = d, .path = self->file };
	struct res r;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, chmod(self->file, 0666));	/* writable by anyone */
	ASSERT_EQ(0, run_as(UNPRIV_UID, UNPRIV_GID, do_fattach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EPERM, r.err) TH_LOG("%s", strerror(r.err));
	EXPECT_EQ(0, is_doorfs_path(self->file));

	/* Root (CAP_FOWNER) may attach over somebody else's file. */
	ASSERT_EQ(0, chown(self->file, UNPRIV_UID + 1, UNPRIV_GID + 1));
	ASSERT_EQ(0, fattach(d, self->file)) TH_LOG("%s", strerror(errno));

	ASSERT_EQ(0, run_as(UNPRIV_UID, UNPRIV_GID, do_fdetach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EPERM, r.err) TH_LOG("fdetach: %s", strerror(r.err));
	EXPECT_EQ(1, is_doorfs_path(self->file));
	ASSERT_EQ(0, fdetach(self->file));
}

/*
 * An unprivileged owner with write permission passes the Solaris checks,
 * but the mount needs CAP_SYS_ADMIN: EPERM (a documented difference).
 */
TEST_F(fa, eperm_unprivileged_owner)
{
	int d = door_create(fa_proc, NULL, 0);
	struct step s = { .d = d, .path = self->file };
	struct res r;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, chown(self->file, UNPRIV_UID, UNPRIV_GID));
	ASSERT_EQ(0, chmod(self->file, 0644));
	ASSERT_EQ(0, run_as(UNPRIV_UID, UNPRIV_GID, do_fattach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EPERM, r.err) TH_LOG("%s", strerror(r.err));
	EXPECT_EQ(0, is_doorfs_path(self->file));
}

/*
 * EACCES: the owner lacks write permission on the path (checked before
 * the mount), or cannot search a directory on the way.  Root
 * (CAP_DAC_OVERRIDE) needs no write permission.
 */
TEST_F(fa, eacces_no_write_permission)
{
	int d = door_create(fa_proc, NULL, 0);
	struct step s = { .d = d, .path = self->file };
	char inner[160];
	struct res r;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, chown(self->file, UNPRIV_UID, UNPRIV_GID));
	ASSERT_EQ(0, chmod(self->file, 0444));
	ASSERT_EQ(0, run_as(UNPRIV_UID, UNPRIV_GID, do_fattach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EACCES, r.err) TH_LOG("%s", strerror(r.err));
	EXPECT_EQ(0, is_doorfs_path(self->file));

	/* A directory the user cannot search. */
	snprintf(inner, sizeof(inner), "%s/closed", self->dir);
	ASSERT_EQ(0, mkdir(inner, 0700));
	snprintf(inner, sizeof(inner), "%s/closed/f", self->dir);
	ASSERT_EQ(0, write_file(inner, "x", 0666));
	ASSERT_EQ(0, chown(inner, UNPRIV_UID, UNPRIV_GID));
	s.path = inner;
	ASSERT_EQ(0, run_as(UNPRIV_UID, UNPRIV_GID, do_fattach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EACCES, r.err) TH_LOG("%s", strerror(r.err));

	/* Root (CAP_DAC_OVERRIDE) attaches over a read-only file. */
	ASSERT_EQ(0, chown(self->file, 0, 0));
	ASSERT_EQ(0, fattach(d, self->file)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, fdetach(self->file));
}

/* ---- what the attached file looks like ------------------------------------- */

/*
 * The attached file shows the covered file's mode and owner (as Solaris'
 * namefs does), and open() checks them: others cannot open a 0640 door,
 * the group can read it (and call through a read-only descriptor) but not
 * open it for writing, the owner can.
 */
TEST_F(fa, attached_file_shows_covered_mode_and_owner)
{
	int d = door_create(fa_proc, NULL, 0);
	struct step s = { .path = self->file };
	struct stat st;
	struct res r;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, chown(self->file, 1234, 5678));
	ASSERT_EQ(0, chmod(self->file, 0640));
	ASSERT_EQ(0, fattach(d, self->file)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, stat(self->file, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode)) TH_LOG("mode 0%o", st.st_mode);
	EXPECT_EQ(0640U, st.st_mode & 07777) TH_LOG("mode 0%o", st.st_mode);
	EXPECT_EQ(1234U, st.st_uid);
	EXPECT_EQ(5678U, st.st_gid);

	/* Others: no permission at all. */
	s.flags = O_RDONLY;
	ASSERT_EQ(0, run_as(UNPRIV_UID, UNPRIV_GID, do_open_call, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EACCES, r.err) TH_LOG("%s", strerror(r.err));
	/* The group: read, not write. */
	ASSERT_EQ(0, run_as(2000, 5678, do_open_call, &s, &r));
	EXPECT_EQ(0, r.ret) TH_LOG("step %d: %s", r.ret, strerror(r.err));
	s.flags = O_RDWR;
	ASSERT_EQ(0, run_as(2000, 5678, do_open_call, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EACCES, r.err) TH_LOG("%s", strerror(r.err));
	/* The owner: read and write. */
	ASSERT_EQ(0, run_as(1234, 5678, do_open_call, &s, &r));
	EXPECT_EQ(0, r.ret) TH_LOG("step %d: %s", r.ret, strerror(r.err));
	EXPECT_EQ(door_id(d), r.id);

	/*
	 * The owner passes fdetach's ownership check but, unprivileged,
	 * cannot unmount: EPERM (Solaris would let the owner detach).
	 */
	ASSERT_EQ(0, run_as(1234, 5678, do_fdetach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EPERM, r.err) TH_LOG("fdetach by the owner: %s", strerror(r.err));
	EXPECT_EQ(1, is_doorfs_path(self->file));
	ASSERT_EQ(0, fdetach(self->file));
	EXPECT_EQ(0, is_doorfs_path(self->file));
	ASSERT_EQ(0, stat(self->file, &st));
	EXPECT_EQ(0640U, st.st_mode & 07777);
}

/* ---- references -------------------------------------------------------------- */

/*
 * UNIX Network Programming vol. 2's serverunref: the server fattaches its
 * DOOR_UNREF door and closes its only descriptor.  The attachment holds
 * the last reference: the notification comes at once, and the door stays
 * alive (same count of live doors), callable through the path by another
 * process.  A descriptor opened through the path is a reference of its
 * own: door_info through it does not report DOOR_IS_UNREF.  fdetach drops
 * the attachment's reference: the door is freed, with no second
 * notification.
 */
TEST_F(fa, unref_after_fattach_and_close)
{
	struct step s = { .path = self->file, .flags = O_RDONLY };
	door_info_t di;
	door_id_t id;
	struct res r;
	int d, fd;

	d = door_create(fa_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	id = door_id(d);
	EXPECT_EQ(self->doors0 + 1, live_doors());
	ASSERT_EQ(0, fattach(d, self->file));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF));
	EXPECT_EQ(0, atomic_load(&unrefs));
	ASSERT_EQ(0, close(d));		/* the creator's only descriptor */
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification although the attachment holds the last reference");
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_EQ(self->doors0 + 1, live_doors()) TH_LOG("door freed while attached");

	ASSERT_EQ(0, run_as(0, 0, do_open_call, &s, &r));
	EXPECT_EQ(0, r.ret) TH_LOG("step %d: %s", r.ret, strerror(r.err));
	EXPECT_EQ(id, r.id);
	EXPECT_EQ(1, atomic_load(&calls));

	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, door_info(fd, &di));
	EXPECT_FALSE(HAS(di.di_attributes, DOOR_IS_UNREF))
		TH_LOG("the attachment and this descriptor: two references");
	EXPECT_FALSE(HAS(di.di_attributes, DOOR_UNREF)) TH_LOG("one-shot spent");
	ASSERT_EQ(0, close(fd));

	ASSERT_EQ(0, fdetach(self->file)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 5000))
		TH_LOG("the door was not freed after fdetach");
	EXPECT_EQ(1, atomic_load(&unrefs));
}

/*
 * The creator keeps its descriptor; the door is attached to two paths.
 * Other processes open and close the paths: no notification.  Detaching
 * one path leaves the other's reference; detaching the second makes the
 * door unreferenced: exactly one notification, DOOR_IS_UNREF set.
 */
TEST_F(fa, fdetach_of_last_attachment_notifies)
{
	struct step s = { .path = self->file, .flags = O_RDONLY };
	char second[160];
	struct res r;
	int d;

	snprintf(second, sizeof(second), "%s/second", self->dir);
	ASSERT_EQ(0, write_file(second, "2\n", 0644));
	d = door_create(fa_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	ASSERT_EQ(0, fattach(d, self->file));
	ASSERT_EQ(0, fattach(d, second)) TH_LOG("second path: %s", strerror(errno));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF));

	for (int i = 0; i < 3; i++) {
		s.path = (i & 1) ? second : self->file;
		ASSERT_EQ(0, run_as(0, 0, do_open_call, &s, &r));
		EXPECT_EQ(0, r.ret) TH_LOG("step %d: %s", r.ret, strerror(r.err));
	}
	EXPECT_EQ(3, atomic_load(&calls));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF));

	ASSERT_EQ(0, fdetach(self->file));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("unreferenced although still attached to %s", second);
	ASSERT_EQ(0, fdetach(second));
	/* The attachment's reference went at once: the notification is due. */
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no unreferenced notification after the last fdetach");
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	/* The door itself still works. */
	EXPECT_EQ(0, call_echo(d, "after"));
}

/*
 * fdetach works while a process holds a descriptor obtained by opening the
 * path, as on Solaris: the path is given back at once, and the descriptor
 * stays a working door.
 */
TEST_F(fa, fdetach_while_path_descriptor_open)
{
	int d = door_create(fa_proc, NULL, 0), fd;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, fattach(d, self->file));
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fdetach(self->file)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, is_doorfs_path(self->file));
	EXPECT_EQ(0, call_echo(fd, "detached"));
	EXPECT_EQ((long long)door_id(d), (long long)door_id(fd));
	ASSERT_EQ(0, close(fd));
	/* Nothing is attached any more. */
	errno = 0;
	EXPECT_EQ(-1, fdetach(self->file));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * fdetach while a descriptor opened through the path is in use: the
 * attachment's reference goes, the path descriptor's stays (two left with
 * the creator's), and closing it leaves the creator's alone: one
 * notification.
 */
TEST_F(fa, unref_when_path_descriptor_closed_after_fdetach)
{
	int d = door_create(fa_proc, NULL, DOOR_UNREF), fd;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, fattach(d, self->file));
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fdetach(self->file)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, is_doorfs_path(self->file));
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("unreferenced while a descriptor of the path is open");
	EXPECT_EQ(0, call_echo(fd, "still a door"));
	EXPECT_EQ(0, atomic_load(&unrefs));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification after the last path descriptor closed");
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF));
	/* The path can take a door again. */
	ASSERT_EQ(0, fattach(d, self->file));
	ASSERT_EQ(0, fdetach(self->file));
}

/*
 * A descriptor opened through the path counts for itself, whoever else
 * holds the door: attached, opened, detached, and the creator's
 * descriptor closed, the path descriptor is the one reference left: the
 * notification comes, and door_info through it reports DOOR_IS_UNREF.
 */
TEST_F(fa, path_opened_descriptor_counts)
{
	int d = door_create(fa_proc, NULL, DOOR_UNREF), fd;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, fattach(d, self->file));
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(door_id(d), door_id(fd));
	ASSERT_EQ(0, fdetach(self->file)) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(HAS(door_attrs(fd), DOOR_IS_UNREF))
		TH_LOG("the creator's descriptor and this one: two references");
	EXPECT_EQ(0, atomic_load(&unrefs));
	ASSERT_EQ(0, close(d));
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification although the path descriptor is the last reference");
	EXPECT_EQ(1, atomic_load(&unrefs));
	EXPECT_TRUE(HAS(door_attrs(fd), DOOR_IS_UNREF));
	EXPECT_EQ(0, call_echo(fd, "last"));
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 5000));
	EXPECT_EQ(1, atomic_load(&unrefs));
}

/*
 * fdetach drops the attachment's reference at once even while another
 * mount namespace holds a copy of the mount (a child's unshare(CLONE_NEWNS),
 * its mounts made private so that the unmount does not reach them): the
 * creator's descriptor is then the last reference, the notification comes
 * and DOOR_IS_UNREF is reported; in the child the path is still a doorfs
 * mount, but opening it fails with ENXIO.
 */
TEST_F(fa, fdetach_drops_attachment_reference)
{
	int d, go[2], ready[2];
	pid_t pid;
	char c;

	d = door_create(fa_proc, NULL, DOOR_UNREF);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, fattach(d, self->file));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd;

		close(go[1]);
		close(ready[0]);
		close(d);		/* the fork copy is no holder here */
		CHILD_CHECK(10, unshare(CLONE_NEWNS) == 0);
		CHILD_CHECK(11, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE,
				      NULL) == 0);
		CHILD_CHECK(12, is_doorfs_path(self->file) == 1);
		CHILD_CHECK(13, write(ready[1], "r", 1) == 1);
		CHILD_CHECK(14, read(go[0], &c, 1) == 1);
		/* The parent has detached: our copy is still mounted... */
		CHILD_CHECK(15, is_doorfs_path(self->file) == 1);
		/* ...but holds no door any more. */
		errno = 0;
		fd = open(self->file, O_RDONLY | O_CLOEXEC);
		CHILD_CHECK(16, fd == -1 && errno == ENXIO);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the child did not copy the mount");
	EXPECT_FALSE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("the creator's descriptor and the attachment: two");
	ASSERT_EQ(0, fdetach(self->file)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, is_doorfs_path(self->file));
	EXPECT_TRUE(HAS(door_attrs(d), DOOR_IS_UNREF))
		TH_LOG("the copied mount still holds the attachment's reference");
	ASSERT_EQ(0, ev_wait_ms(ev_unref, 10000))
		TH_LOG("no notification after fdetach while a namespace holds a copy");
	EXPECT_EQ(1, atomic_load(&unrefs));
	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 30)));
	ASSERT_EQ(0, close(d));
	EXPECT_EQ(self->doors0, wait_live_doors(self->doors0, 5000));
}

/*
 * The server dies while its door is attached (a crashed daemon): the path
 * still opens a door, but calls fail with EBADF and di_target is -1.  A
 * new server replaces it with fdetach + fattach, and the dead door is
 * freed.
 */
TEST_F(fa, stale_attachment_of_dead_server)
{
	long long doors0 = self->doors0;
	door_info_t di;
	int ready[2], d, fd, status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(ready[0]);
		d = door_create(fa_proc, NULL, 0);
		CHILD_CHECK(10, d >= 0);
		CHILD_CHECK(11, fattach(d, self->file) == 0);
		CHILD_CHECK(12, write(ready[1], "r", 1) == 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("server did not attach");
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, call_echo(fd, "alive"));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	status = wait_child(pid, 30);
	ASSERT_TRUE(WIFSIGNALED(status));

	EXPECT_EQ(1, is_doorfs_path(self->file));
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, door_info(fd, &di));
	EXPECT_EQ(-1, di.di_target);
	EXPECT_TRUE(HAS(di.di_attributes, DOOR_REVOKED));
	errno = 0;
	EXPECT_EQ(-1, door_call(fd, NULL));
	EXPECT_EQ(EBADF, errno);
	ASSERT_EQ(0, close(fd));

	/* The replacing server. */
	d = door_create(fa_proc, NULL, 0);
	ASSERT_LE(0, d);
	errno = 0;
	ASSERT_EQ(-1, fattach(d, self->file));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, fdetach(self->file));
	ASSERT_EQ(0, fattach(d, self->file));
	fd = open(self->file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(door_id(d), door_id(fd));
	EXPECT_EQ(0, call_echo(fd, "replaced"));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, fdetach(self->file));
	ASSERT_EQ(0, close(d));
	EXPECT_EQ(doors0, wait_live_doors(doors0, 5000))
		TH_LOG("the dead server's door was not freed by fdetach");
}

/* ---- privilege is capabilities ------------------------------------------------ */

#define CAPBIT(c)	(1ULL << (c))

/*
 * Run fn(arg) in a forked child that is uid (and gid) with exactly the
 * capabilities caps (a mask of CAP_* bits) effective and permitted.
 */
static int run_with_caps(uid_t uid, unsigned long long caps, as_fn fn,
			 void *arg, struct res *r)
{
	int p[2], code;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid = fork_child();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct __user_cap_header_struct h = {
			.version = _LINUX_CAPABILITY_VERSION_3,
		};
		struct __user_cap_data_struct cd[2] = { { 0 } };
		struct res mine = { 0 };

		close(p[0]);
		CHILD_CHECK(80, prctl(PR_SET_KEEPCAPS, 1) == 0);
		CHILD_CHECK(81, setgroups(0, NULL) == 0);
		CHILD_CHECK(82, setresgid(uid, uid, uid) == 0);
		CHILD_CHECK(83, setresuid(uid, uid, uid) == 0);
		cd[0].effective = cd[0].permitted = (__u32)caps;
		cd[1].effective = cd[1].permitted = (__u32)(caps >> 32);
		CHILD_CHECK(84, syscall(SYS_capset, &h, cd) == 0);
		fn(arg, &mine);
		CHILD_CHECK(85, put_all(p[1], &mine, sizeof(mine)) == 0);
		_exit(0);
	}
	close(p[1]);
	code = child_exit_code(wait_child(pid, 30));
	if (code == 0 && get_all(p[0], r, sizeof(*r)) != 0)
		code = -1;
	close(p[0]);
	return code;
}

/*
 * fattach's privilege is decided as illumos decides it, by privilege and
 * not by uid 0 (PRIV_FILE_OWNER, PRIV_FILE_DAC_WRITE: CAP_FOWNER and
 * CAP_DAC_OVERRIDE here).  A daemon that is not root but has CAP_SYS_ADMIN
 * (for the mount), CAP_FOWNER and CAP_DAC_OVERRIDE attaches over a 0444
 * file it does not own, as nscd and ldap_cachemgr create theirs, and
 * detaches it; without CAP_DAC_OVERRIDE it gets EACCES; root without
 * CAP_FOWNER may not attach over somebody else's file (EPERM).
 */
TEST_F(fa, privilege_is_capabilities_not_root)
{
	const unsigned long long daemon_caps = CAPBIT(CAP_SYS_ADMIN) |
		CAPBIT(CAP_FOWNER) | CAPBIT(CAP_DAC_OVERRIDE);
	int d = door_create(fa_proc, NULL, 0);
	struct step s = { .d = d, .path = self->file };
	struct step o = { .path = self->file, .flags = O_RDONLY };
	struct res r;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, chown(self->file, 0, 0));
	ASSERT_EQ(0, chmod(self->file, 0444));

	/* Not root, not the owner, the daemon's capabilities: attached. */
	ASSERT_EQ(0, run_with_caps(UNPRIV_UID, daemon_caps, do_fattach, &s, &r));
	EXPECT_EQ(0, r.ret) TH_LOG("fattach: %s", strerror(r.err));
	EXPECT_EQ(1, is_doorfs_path(self->file));
	/* It is the door, for anyone who may open a 0444 file. */
	ASSERT_EQ(0, run_as(UNPRIV_UID + 1, UNPRIV_GID + 1, do_open_call, &o, &r));
	EXPECT_EQ(0, r.ret) TH_LOG("open/call: %d %s", r.ret, strerror(r.err));
	EXPECT_EQ(door_id(d), r.id);
	/* And the same daemon detaches it. */
	ASSERT_EQ(0, run_with_caps(UNPRIV_UID, daemon_caps, do_fdetach, &s, &r));
	EXPECT_EQ(0, r.ret) TH_LOG("fdetach: %s", strerror(r.err));
	EXPECT_EQ(0, is_doorfs_path(self->file));

	/* Without CAP_DAC_OVERRIDE: may not write the 0444 file: EACCES. */
	ASSERT_EQ(0, run_with_caps(UNPRIV_UID, CAPBIT(CAP_SYS_ADMIN) |
				   CAPBIT(CAP_FOWNER), do_fattach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EACCES, r.err) TH_LOG("%s", strerror(r.err));
	EXPECT_EQ(0, is_doorfs_path(self->file));

	/* Root without CAP_FOWNER, somebody else's file: EPERM. */
	ASSERT_EQ(0, chown(self->file, UNPRIV_UID + 1, UNPRIV_GID + 1));
	ASSERT_EQ(0, chmod(self->file, 0666));
	ASSERT_EQ(0, run_with_caps(0, CAPBIT(CAP_SYS_ADMIN) |
				   CAPBIT(CAP_DAC_OVERRIDE), do_fattach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EPERM, r.err) TH_LOG("%s", strerror(r.err));
	EXPECT_EQ(0, is_doorfs_path(self->file));

	/* Root with it: attached; root without it may not detach. */
	ASSERT_EQ(0, run_with_caps(0, CAPBIT(CAP_SYS_ADMIN) |
				   CAPBIT(CAP_FOWNER), do_fattach, &s, &r));
	EXPECT_EQ(0, r.ret) TH_LOG("fattach: %s", strerror(r.err));
	EXPECT_EQ(1, is_doorfs_path(self->file));
	ASSERT_EQ(0, run_with_caps(0, CAPBIT(CAP_SYS_ADMIN), do_fdetach, &s, &r));
	EXPECT_EQ(-1, r.ret);
	EXPECT_EQ(EPERM, r.err) TH_LOG("%s", strerror(r.err));
	EXPECT_EQ(1, is_doorfs_path(self->file));
	ASSERT_EQ(0, fdetach(self->file));
}

/* ---- user and mount namespaces ------------------------------------------------ */

static int write_proc(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

/* Become root of a new user namespace (mapping our uid/gid to 0). */
static int enter_userns(int flags)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER | flags) != 0)
		return -1;
	if (write_proc("/proc/self/setgroups", "deny") != 0)
		return -2;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	if (write_proc("/proc/self/uid_map", map) != 0)
		return -3;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	if (write_proc("/proc/self/gid_map", map) != 0)
		return -4;
	return 0;
}

struct ns_report {
	int userns;		/* enter_userns() */
	int fattach_ret, fattach_err;
	int euid_inside;
	int doorfs_inside;
	int open_ret, open_err, call_ret, call_err;
	int fdetach_ret, fdetach_err;
	int ready;		/* written before the parent looks */
};

/*
 * An unprivileged user (uid 1000, no capabilities) cannot attach a door
 * (EPERM), nor in a user namespace of its own that shares the initial
 * mount namespace; but in its own user and mount namespace (unshare
 * -Urm) it can (doorfs is FS_USERNS_MOUNT): open() inside sees the door,
 * the attachment is invisible outside that mount namespace, fdetach works.
 */
TEST_F(fa, unprivileged_user_and_mount_namespace)
{
	struct ns_report rep;
	int p[2], go[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, chown(self->file, UNPRIV_UID, UNPRIV_GID));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int d, fd, st;
		pid_t sub;

		close(p[0]);
		close(go[1]);
		memset(&rep, 0, sizeof(rep));
		CHILD_CHECK(10, setgroups(0, NULL) == 0);
		CHILD_CHECK(11, setresgid(UNPRIV_GID, UNPRIV_GID, UNPRIV_GID) == 0);
		CHILD_CHECK(12, setresuid(UNPRIV_UID, UNPRIV_UID, UNPRIV_UID) == 0);
		CHILD_CHECK(13, prctl(PR_SET_DUMPABLE, 1) == 0);

		/*
		 * unshare(CLONE_NEWUSER) needs a single-threaded process, and
		 * door_create starts server threads: each case creates its
		 * door after entering its namespaces.
		 */
		/* Plain unprivileged user: EPERM. */
		sub = fork();
		CHILD_CHECK(14, sub >= 0);
		if (sub == 0) {
			d = door_create(fa_proc, NULL, 0);
			if (d < 0)
				_exit(2);
			errno = 0;
			if (fattach(d, self->file) == 0)
				_exit(3);
			_exit(errno == EPERM ? 0 : 4);
		}
		CHILD_CHECK(15, waitpid(sub, &st, 0) == sub);
		CHILD_CHECK(16, WIFEXITED(st) && WEXITSTATUS(st) == 0);

		/* Own user namespace, initial mount namespace: still EPERM. */
		sub = fork();
		CHILD_CHECK(17, sub >= 0);
		if (sub == 0) {
			if (enter_userns(0) != 0)
				_exit(0);	/* no user namespaces: below */
			d = door_create(fa_proc, NULL, 0);
			if (d < 0)
				_exit(2);
			errno = 0;
			if (fattach(d, self->file) == 0)
				_exit(3);
			_exit(errno == EPERM ? 0 : 4);
		}
		CHILD_CHECK(18, waitpid(sub, &st, 0) == sub);
		CHILD_CHECK(19, WIFEXITED(st) && WEXITSTATUS(st) == 0);

		/* Own user and mount namespace: works. */
		rep.userns = enter_userns(CLONE_NEWNS);
		rep.fattach_err = errno;
		if (rep.userns == 0) {
			d = door_create(fa_proc, NULL, 0);
			CHILD_CHECK(20, d >= 0);
			rep.euid_inside = (int)geteuid();
			errno = 0;
			rep.fattach_ret = fattach(d, self->file);
			rep.fattach_err = errno;
			rep.doorfs_inside = is_doorfs_path(self->file);
			errno = 0;
			fd = open(self->file, O_RDONLY | O_CLOEXEC);
			rep.open_ret = fd < 0 ? -1 : 0;
			rep.open_err = errno;
			if (fd >= 0) {
				rep.call_ret = call_echo(fd, "in the namespace");
				rep.call_err = errno;
				close(fd);
			}
		}
		rep.ready = 1;
		CHILD_CHECK(21, put_all(p[1], &rep, sizeof(rep)) == 0);
		/* Wait until the parent has looked from outside. */
		CHILD_CHECK(22, read(go[0], &c, 1) == 1);
		if (rep.userns == 0 && rep.fattach_ret == 0) {
			errno = 0;
			rep.fdetach_ret = fdetach(self->file);
			rep.fdetach_err = errno;
			rep.doorfs_inside = is_doorfs_path(self->file);
		}
		CHILD_CHECK(23, put_all(p[1], &rep, sizeof(rep)) == 0);
		_exit(0);
	}
	close(p[1]);
	close(go[0]);
	ASSERT_EQ(0, get_all(p[0], &rep, sizeof(rep)))
		TH_LOG("child failed early (see its message)");
	if (rep.userns != 0) {
		ASSERT_EQ(1, write(go[1], "g", 1));
		wait_child(pid, 30);
		SKIP(return, "cannot create a user namespace here (step %d: %s)",
		     rep.userns, strerror(rep.fattach_err));
	}
	EXPECT_EQ(0, rep.euid_inside);
	EXPECT_EQ(0, rep.fattach_ret) TH_LOG("fattach in the namespace: %s",
					     strerror(rep.fattach_err));
	EXPECT_EQ(1, rep.doorfs_inside);
	EXPECT_EQ(0, rep.open_ret) TH_LOG("open: %s", strerror(rep.open_err));
	EXPECT_EQ(0, rep.call_ret) TH_LOG("call: %s", strerror(rep.call_err));
	/* Not visible from our mount namespace. */
	EXPECT_EQ(0, is_doorfs_path(self->file));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, get_all(p[0], &rep, sizeof(rep)));
	EXPECT_EQ(0, rep.fdetach_ret) TH_LOG("fdetach in the namespace: %s",
					     strerror(rep.fdetach_err));
	EXPECT_EQ(0, rep.doorfs_inside);
	ASSERT_EQ(0, child_exit_code(wait_child(pid, 30)));
}

TEST_HARNESS_MAIN
