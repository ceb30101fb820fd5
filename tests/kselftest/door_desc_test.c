// SPDX-License-Identifier: GPL-2.0
/*
 * door_desc_test - passing descriptors: to the server and back,
 * DOOR_RELEASE, doors passed as descriptors (d_id), where returned
 * descriptors land, and the errors ENOTSUP, EINVAL, E2BIG, EMFILE.
 */
#include <dirent.h>
#include "door_test.h"

static atomic_int invocations;

/* How many descriptors of this process refer to the file behind fd. */
static int count_refs(int fd)
{
	struct stat want, st;
	struct dirent *e;
	DIR *dir;
	int n = 0;

	if (fstat(fd, &want) != 0)
		return -1;
	dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	while ((e = readdir(dir)) != NULL) {
		int x = atoi(e->d_name);

		if (e->d_name[0] == '.' || x == dirfd(dir))
			continue;
		if (fstat(x, &st) == 0 && st.st_dev == want.st_dev &&
		    st.st_ino == want.st_ino)
			n++;
	}
	closedir(dir);
	return n;
}

/* ---- to the server ------------------------------------------------------ */

struct recv_report {
	uint_t n_desc;
	door_attr_t attr;
	int fd;
	ssize_t wrote;
};

static struct recv_report rr;

/* Writes "hello" into every received descriptor, then closes it. */
static void writer_proc(void *cookie, char *argp, size_t arg_size,
			door_desc_t *dp, uint_t n_desc)
{
	atomic_fetch_add(&invocations, 1);
	memset(&rr, 0, sizeof(rr));
	rr.n_desc = n_desc;
	rr.fd = -1;
	for (uint_t i = 0; i < n_desc; i++) {
		rr.attr = dp[i].d_attributes;
		rr.fd = dp[i].d_data.d_desc.d_descriptor;
		rr.wrote = write(rr.fd, "hello", 5);
		close(rr.fd);
	}
	door_return(NULL, 0, NULL, 0);
}

static int call_desc(int d, int fd, door_attr_t attr)
{
	door_desc_t desc = { .d_attributes = attr };
	door_arg_t a = { NULL, 0, &desc, 1, NULL, 0 };

	desc.d_data.d_desc.d_descriptor = fd;
	return door_call(d, &a);
}

/* The server gets its own descriptor for the same pipe. */
TEST(pass_fd_to_server)
{
	int d = door_create(writer_proc, NULL, 0), p[2];
	char buf[8] = { 0 };

	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, call_desc(d, p[1], DOOR_DESCRIPTOR)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(1U, rr.n_desc);
	EXPECT_TRUE(HAS(rr.attr, DOOR_DESCRIPTOR));
	EXPECT_NE(p[1], rr.fd) TH_LOG("server got the sender's own descriptor");
	EXPECT_EQ(5, rr.wrote);
	ASSERT_EQ(5, read(p[0], buf, 5));
	EXPECT_STREQ("hello", buf);
	/* Without DOOR_RELEASE the sender keeps its descriptor... */
	EXPECT_TRUE(fd_is_open(p[1]));
	/* ...and the server's copy was a real one: closing ours gives EOF. */
	ASSERT_EQ(0, close(p[1]));
	hang_guard(10);
	EXPECT_EQ(0, read(p[0], buf, 1)) TH_LOG("a writer is left: %s",
						 strerror(errno));
	hang_guard(0);
}

/* DOOR_RELEASE closes the sender's descriptor once passed. */
TEST(release_closes_sender_fd)
{
	int d = door_create(writer_proc, NULL, 0), p[2];
	char buf[8] = { 0 };

	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, call_desc(d, p[1], DOOR_DESCRIPTOR | DOOR_RELEASE));
	EXPECT_FALSE(fd_is_open(p[1])) TH_LOG("DOOR_RELEASE fd still open");
	ASSERT_EQ(5, read(p[0], buf, 5));
	EXPECT_STREQ("hello", buf);
	hang_guard(10);
	EXPECT_EQ(0, read(p[0], buf, 1))	/* no writer left anywhere */
		TH_LOG("a writer is left: %s", strerror(errno));
	hang_guard(0);
}

/* ---- back to the client ------------------------------------------------- */

static int ret_fd = -1;		/* what the server returns */
static door_attr_t ret_attr;
static int ret_nfd = 1;

static void returner_proc(void *cookie, char *argp, size_t arg_size,
			  door_desc_t *dp, uint_t n_desc)
{
	door_desc_t desc[2];

	for (int i = 0; i < ret_nfd; i++) {
		desc[i].d_attributes = ret_attr;
		desc[i].d_data.d_desc.d_descriptor = ret_fd;
		desc[i].d_data.d_desc.d_id = 0;
	}
	door_return("abcde", 5, desc, (uint_t)ret_nfd);
}

/* A returned descriptor follows the data, aligned, inside rbuf. */
TEST(server_returns_fd)
{
	int d = door_create(returner_proc, NULL, 0), p[2], got;
	char rbuf[256], buf[8] = { 0 };
	door_arg_t a = { NULL, 0, NULL, 0, rbuf, sizeof(rbuf) };
	uintptr_t off;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(5, write(p[1], "world", 5));
	ASSERT_EQ(0, close(p[1]));	/* both ends share one inode */
	ret_fd = p[0];
	ret_attr = DOOR_DESCRIPTOR | DOOR_RELEASE;
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(&rbuf[0], a.data_ptr);
	ASSERT_EQ(5U, a.data_size);
	EXPECT_EQ(0, memcmp(a.data_ptr, "abcde", 5));
	ASSERT_EQ(1U, a.desc_num);
	ASSERT_NE(NULL, a.desc_ptr);
	off = (uintptr_t)a.desc_ptr - (uintptr_t)rbuf;
	EXPECT_LE(5U, off) TH_LOG("descriptors overlap the data");
	EXPECT_GE(sizeof(rbuf) - sizeof(door_desc_t), off);
	EXPECT_EQ(0U, (uintptr_t)a.desc_ptr % _Alignof(door_desc_t));
	EXPECT_TRUE(HAS(a.desc_ptr[0].d_attributes, DOOR_DESCRIPTOR));
	got = a.desc_ptr[0].d_data.d_desc.d_descriptor;
	ASSERT_LE(0, got);
	ASSERT_EQ(5, read(got, buf, 5));
	EXPECT_STREQ("world", buf);
	/* DOOR_RELEASE: only the received descriptor refers to the pipe end. */
	EXPECT_EQ(1, count_refs(got));
}

/* Several descriptors, results that do not fit: all in the new mapping. */
TEST(returned_fds_in_mapping)
{
	int d = door_create(returner_proc, NULL, 0), fd, p[2];
	char small[8];
	door_arg_t a = { NULL, 0, NULL, 0, small, sizeof(small) };
	uintptr_t off;

	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, close(p[1]));	/* p[0] is now the pipe's only fd */
	fd = p[0];
	ret_fd = fd;
	ret_attr = DOOR_DESCRIPTOR;
	ret_nfd = 2;
	ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
	ASSERT_NE(&small[0], a.rbuf);
	ASSERT_EQ(a.rbuf, a.data_ptr);
	ASSERT_EQ(2U, a.desc_num);
	off = (uintptr_t)a.desc_ptr - (uintptr_t)a.rbuf;
	EXPECT_LE(5U, off);
	EXPECT_GE(a.rsize, off + 2 * sizeof(door_desc_t));
	for (int i = 0; i < 2; i++) {
		int x = a.desc_ptr[i].d_data.d_desc.d_descriptor;

		EXPECT_NE(fd, x);
		EXPECT_TRUE(fd_is_open(x));
	}
	EXPECT_NE(a.desc_ptr[0].d_data.d_desc.d_descriptor,
		  a.desc_ptr[1].d_data.d_desc.d_descriptor);
	/* Without DOOR_RELEASE the server kept its own: 1 + 2 received. */
	EXPECT_EQ(3, count_refs(fd));
	EXPECT_EQ(0, munmap(a.rbuf, a.rsize));
}

/* ---- doors as descriptors ----------------------------------------------- */

static int handed_door = -1;

static void door_giver(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR };

	desc.d_data.d_desc.d_descriptor = handed_door;
	door_return(NULL, 0, &desc, 1);
}

static void echo_plus_one(void *cookie, char *argp, size_t arg_size,
			  door_desc_t *dp, uint_t n_desc)
{
	uint64_t v = 0;

	if (arg_size == sizeof(v))
		memcpy(&v, argp, sizeof(v));
	v++;
	door_return((char *)&v, sizeof(v), NULL, 0);
}

/*
 * A child gets a door from its parent through a door call: d_id is the
 * door's uniquifier, the received descriptor is callable, and door_info
 * names the parent as the server.
 */
TEST(pass_door_to_other_process)
{
	int giver;
	door_id_t id;
	pid_t parent = getpid(), pid;

	handed_door = door_create(echo_plus_one, NULL, 0);
	ASSERT_LE(0, handed_door);
	id = door_id(handed_door);
	giver = door_create(door_giver, NULL, 0);
	ASSERT_LE(0, giver);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char rbuf[128];
		door_arg_t a = { NULL, 0, NULL, 0, rbuf, sizeof(rbuf) };
		door_info_t di;
		uint64_t v = 41, r = 0;
		door_arg_t b = { (char *)&v, sizeof(v), NULL, 0,
				 (char *)&r, sizeof(r) };
		int nd;

		close(handed_door);	/* only the passed one is left */
		CHILD_CHECK(10, door_call(giver, &a) == 0);
		CHILD_CHECK(11, a.desc_num == 1);
		CHILD_CHECK(12, a.desc_ptr[0].d_attributes & DOOR_DESCRIPTOR);
		CHILD_CHECK(13, a.desc_ptr[0].d_data.d_desc.d_id == id);
		nd = a.desc_ptr[0].d_data.d_desc.d_descriptor;
		CHILD_CHECK(14, door_info(nd, &di) == 0);
		CHILD_CHECK(15, di.di_uniquifier == id);
		CHILD_CHECK(16, di.di_target == parent);
		CHILD_CHECK(17, !(di.di_attributes & DOOR_LOCAL));
		CHILD_CHECK(18, door_call(nd, &b) == 0);
		CHILD_CHECK(19, r == 42);
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
}

/* ---- errors ----------------------------------------------------------- */

/* ENOTSUP to a DOOR_REFUSE_DESC door; a DOOR_RELEASE fd stays open. */
TEST(enotsup_refuse_desc)
{
	int d = door_create(writer_proc, NULL, DOOR_REFUSE_DESC), p[2];

	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	errno = 0;
	EXPECT_EQ(-1, call_desc(d, p[1], DOOR_DESCRIPTOR | DOOR_RELEASE));
	EXPECT_EQ(ENOTSUP, errno);
	EXPECT_TRUE(fd_is_open(p[1])) TH_LOG("failed call released the fd");
	EXPECT_EQ(0, atomic_load(&invocations));
	EXPECT_EQ(0, door_call(d, NULL));
}

/* EINVAL for an entry that is not a valid descriptor. */
TEST(einval_bad_descriptor)
{
	int d = door_create(writer_proc, NULL, 0), nul;

	ASSERT_LE(0, d);
	nul = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, nul);
	ASSERT_EQ(0, close(nul));		/* now a closed descriptor */
	errno = 0;
	EXPECT_EQ(-1, call_desc(d, nul, DOOR_DESCRIPTOR));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, call_desc(d, -1, DOOR_DESCRIPTOR));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, call_desc(d, STDIN_FILENO, 0));	/* not tagged */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, atomic_load(&invocations));
}

/* More than 1024 descriptors in one call: E2BIG. */
TEST(e2big_too_many_descriptors)
{
	enum { N = DOOR_MAX_DESC + 1 };
	door_desc_t *desc = calloc(N, sizeof(*desc));
	door_arg_t a = { NULL, 0, desc, N, NULL, 0 };
	int d = door_create(writer_proc, NULL, 0);

	ASSERT_NE(NULL, desc);
	ASSERT_LE(0, d);
	for (int i = 0; i < N; i++) {
		desc[i].d_attributes = DOOR_DESCRIPTOR;
		desc[i].d_data.d_desc.d_descriptor = STDIN_FILENO;
	}
	errno = 0;
	EXPECT_EQ(-1, door_call(d, &a));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, atomic_load(&invocations));
	free(desc);
}

/*
 * EMFILE when the server's descriptor table is full.  The server is a
 * child process that fills its table, then tells us to call.
 */
static void noop_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	door_return(NULL, 0, NULL, 0);
}

TEST(emfile_receiver_table_full)
{
	int sv[2], rd[2], d, fd;
	pid_t pid;
	char c;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe(rd));
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = { 64, 64 };
		int sd;

		close(sv[0]);
		close(rd[0]);
		sd = door_create(noop_proc, NULL, 0);
		CHILD_CHECK(10, sd >= 0);
		CHILD_CHECK(11, door_call(sd, NULL) == 0);	/* warm up */
		CHILD_CHECK(12, send_fd(sv[1], sd) == 0);
		CHILD_CHECK(13, setrlimit(RLIMIT_NOFILE, &rl) == 0);
		while (open("/dev/null", O_RDONLY) >= 0)
			;
		CHILD_CHECK(14, errno == EMFILE);
		CHILD_CHECK(15, write(rd[1], "r", 1) == 1);
		for (;;)
			pause();
	}
	close(sv[1]);
	close(rd[1]);
	d = recv_fd(sv[0]);
	ASSERT_LE(0, d);
	ASSERT_EQ(1, read(rd[0], &c, 1));
	fd = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, fd);
	hang_guard(20);
	errno = 0;
	EXPECT_EQ(-1, call_desc(d, fd, DOOR_DESCRIPTOR));
	EXPECT_EQ(EMFILE, errno);
	/* Without descriptors the full server still answers. */
	EXPECT_EQ(0, door_call(d, NULL)) TH_LOG("%s", strerror(errno));
	hang_guard(0);
	kill(pid, SIGKILL);
	wait_child(pid, 20);
}

TEST_HARNESS_MAIN
