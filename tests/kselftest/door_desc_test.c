// SPDX-License-Identifier: GPL-2.0
/*
 * door_desc_test - passing descriptors: to the server and back,
 * DOOR_RELEASE, doors passed as descriptors (d_id), where returned
 * descriptors land, and the errors ENOTSUP, EINVAL, E2BIG, EMFILE.
 *
 * Issue 13 (Solaris fidelity II), item 3, received descriptors as illumos
 * gives them: a door's d_attributes are DOOR_DESCRIPTOR plus the door's
 * attributes as door_info shows them to the receiver, no received
 * descriptor is close-on-exec, the entries follow the data at a multiple
 * of sizeof(door_desc_t), and door_call leaves data_ptr / desc_ptr alone
 * when no data / no descriptors came back.  Item 4, DOOR_RELEASE only once
 * delivered: the sender's descriptors stay open while the call waits for
 * a server thread (and after EAGAIN or EBADF there), and are closed as
 * soon as a thread takes it.
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

/* ---- received descriptors, as illumos' door_insert() makes them ---------- */

struct attr_report {
	uint_t n;
	door_attr_t attr[4];
	int fdflags[4];
	size_t arg_size;
	ptrdiff_t desc_off;	/* (char *)dp - argp */
};

static struct attr_report ar;

/* Records the received descriptors' attributes and FD flags, closes them. */
static void attr_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	memset(&ar, 0, sizeof(ar));
	ar.n = n_desc;
	ar.arg_size = arg_size;
	ar.desc_off = n_desc ? (char *)dp - argp : 0;
	for (uint_t i = 0; i < n_desc && i < 4; i++) {
		int fd = dp[i].d_data.d_desc.d_descriptor;

		ar.attr[i] = dp[i].d_attributes;
		ar.fdflags[i] = fcntl(fd, F_GETFD);
		close(fd);
	}
	door_return(NULL, 0, NULL, 0);
}

static void plain_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	door_return(NULL, 0, NULL, 0);
}

static int call_descs(int d, const int *fds, int n)
{
	door_desc_t desc[4];
	door_arg_t a = { NULL, 0, desc, (uint_t)n, NULL, 0 };

	memset(desc, 0, sizeof(desc));
	for (int i = 0; i < n; i++) {
		desc[i].d_attributes = DOOR_DESCRIPTOR;
		desc[i].d_data.d_desc.d_descriptor = fds[i];
	}
	return door_call(d, &a);
}

/*
 * A received door's d_attributes are DOOR_DESCRIPTOR plus the door's own
 * attributes as door_info shows them to the receiver: DOOR_LOCAL when the
 * receiver is its server, the creation attributes, DOOR_REVOKED.  Another
 * file is DOOR_DESCRIPTOR alone.  Before: DOOR_DESCRIPTOR for everything.
 */
TEST(received_door_attributes_as_door_info)
{
	int d = door_create(attr_proc, NULL, 0);
	int a = door_create(plain_proc, NULL, DOOR_UNREF_MULTI |
			    DOOR_REFUSE_DESC | DOOR_NO_CANCEL);
	int pd = door_create(plain_proc, NULL, DOOR_PRIVATE);
	int r = door_create(plain_proc, NULL, 0), r2, p[2], fds[4];

	ASSERT_LE(0, d);
	ASSERT_LE(0, a);
	ASSERT_LE(0, pd);
	ASSERT_LE(0, r);
	r2 = dup(r);
	ASSERT_LE(0, r2);
	ASSERT_EQ(0, door_revoke(r));		/* r2 names a revoked door */
	ASSERT_EQ(0, pipe(p));
	fds[0] = a;
	fds[1] = pd;
	fds[2] = r2;
	fds[3] = p[0];
	ASSERT_EQ(0, call_descs(d, fds, 4)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(4U, ar.n);
	EXPECT_EQ((door_attr_t)(DOOR_DESCRIPTOR | DOOR_LOCAL | DOOR_UNREF_MULTI |
				DOOR_REFUSE_DESC | DOOR_NO_CANCEL), ar.attr[0])
		TH_LOG("own door: 0x%x", ar.attr[0]);
	EXPECT_EQ((door_attr_t)(DOOR_DESCRIPTOR | DOOR_LOCAL | DOOR_PRIVATE),
		  ar.attr[1])
		TH_LOG("own private door: 0x%x", ar.attr[1]);
	EXPECT_EQ((door_attr_t)(DOOR_DESCRIPTOR | DOOR_LOCAL | DOOR_REVOKED),
		  ar.attr[2])
		TH_LOG("own revoked door: 0x%x", ar.attr[2]);
	EXPECT_EQ((door_attr_t)DOOR_DESCRIPTOR, ar.attr[3]) TH_LOG("pipe: 0x%x", ar.attr[3]);
}

static int xc_thread(door_info_t *dip, void *(*start)(void *), void *arg,
		     void *cookie)
{
	pthread_t t;

	return pthread_create(&t, NULL, start, arg) == 0 ? 1 : -1;
}

/*
 * A door of this process made by door_xcreate arrives with the attributes
 * door_info gives it there, DOOR_PRIVCREATE (kept by libdoor) included.
 */
TEST(received_xcreated_door_has_privcreate)
{
	int d = door_create(attr_proc, NULL, 0), x;
	door_info_t di;

	ASSERT_LE(0, d);
	x = door_xcreate(plain_proc, NULL, DOOR_NO_DEPLETION_CB, xc_thread,
			 NULL, NULL, 1);
	ASSERT_LE(0, x) TH_LOG("door_xcreate: %s", strerror(errno));
	ASSERT_EQ(0, door_info(x, &di));
	ASSERT_TRUE(HAS(di.di_attributes, DOOR_PRIVCREATE));
	ASSERT_EQ(0, call_descs(d, &x, 1)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(1U, ar.n);
	EXPECT_EQ(DOOR_DESCRIPTOR | (di.di_attributes & ~DOOR_IS_UNREF),
		  ar.attr[0]) TH_LOG("received 0x%x, door_info 0x%x",
				     ar.attr[0], di.di_attributes);
}

static int gift = -1;

/* Returns the door `gift` (no DOOR_RELEASE). */
static void gift_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR };

	desc.d_data.d_desc.d_descriptor = gift;
	door_return(NULL, 0, &desc, 1);
}

/*
 * In another process: no DOOR_LOCAL, and the attributes are those the
 * receiver's door_info shows (less DOOR_IS_UNREF, a property of one
 * descriptor, never of a door_desc_t).
 */
TEST(received_door_attributes_in_other_process)
{
	int giver = door_create(gift_proc, NULL, 0);
	pid_t pid;

	gift = door_create(plain_proc, NULL, DOOR_PRIVATE | DOOR_UNREF_MULTI);
	ASSERT_LE(0, gift);
	ASSERT_LE(0, giver);
	pid = fork_child();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char rbuf[64];
		door_arg_t c = { NULL, 0, NULL, 0, rbuf, sizeof(rbuf) };
		door_info_t di;
		door_attr_t at;

		close(gift);
		CHILD_CHECK(10, door_call(giver, &c) == 0);
		CHILD_CHECK(11, c.desc_num == 1);
		at = c.desc_ptr[0].d_attributes;
		CHILD_CHECK(12, at == (DOOR_DESCRIPTOR | DOOR_PRIVATE |
				       DOOR_UNREF_MULTI));
		CHILD_CHECK(13, door_info(c.desc_ptr[0].d_data.d_desc.d_descriptor,
					  &di) == 0);
		CHILD_CHECK(14, at == (DOOR_DESCRIPTOR |
				       (di.di_attributes & ~DOOR_IS_UNREF)));
		_exit(0);
	}
	EXPECT_EQ(0, child_exit_code(wait_child(pid, 20)));
}

/*
 * Received descriptors, doors included, are not close-on-exec (illumos
 * installs them with no flags), on the server's side and on the
 * client's; door_create's own descriptor stays close-on-exec.  Before:
 * received doors were close-on-exec.
 */
TEST(received_descriptors_not_cloexec)
{
	int d = door_create(attr_proc, NULL, 0);
	int own = door_create(plain_proc, NULL, 0), p[2], fds[2], x;
	char rbuf[128];
	door_arg_t c = { NULL, 0, NULL, 0, rbuf, sizeof(rbuf) };
	int giver = door_create(gift_proc, NULL, 0);

	ASSERT_LE(0, d);
	ASSERT_LE(0, own);
	ASSERT_LE(0, giver);
	EXPECT_TRUE(HAS(fcntl(own, F_GETFD), FD_CLOEXEC))
		TH_LOG("door_create's descriptor is not close-on-exec");
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	fds[0] = own;
	fds[1] = p[0];
	ASSERT_EQ(0, call_descs(d, fds, 2)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(2U, ar.n);
	EXPECT_EQ(0, ar.fdflags[0]) TH_LOG("received door: FD flags %d",
					   ar.fdflags[0]);
	EXPECT_EQ(0, ar.fdflags[1]) TH_LOG("received pipe: FD flags %d",
					   ar.fdflags[1]);

	gift = own;
	ASSERT_EQ(0, door_call(giver, &c)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(1U, c.desc_num);
	x = c.desc_ptr[0].d_data.d_desc.d_descriptor;
	EXPECT_EQ(0, fcntl(x, F_GETFD)) TH_LOG("door returned to the client is "
					       "close-on-exec");
	EXPECT_TRUE(HAS(fcntl(own, F_GETFD), FD_CLOEXEC));
}

static int sized_fd = -1;

/* Returns as many bytes as the size_t argument says, and one descriptor. */
static void sized_proc(void *cookie, char *argp, size_t arg_size,
		       door_desc_t *dp, uint_t n_desc)
{
	static char data[64];
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR };
	size_t n = 0;

	for (uint_t i = 0; i < n_desc; i++)
		close(dp[i].d_data.d_desc.d_descriptor);
	if (arg_size == sizeof(n))
		memcpy(&n, argp, sizeof(n));
	if (n > sizeof(data))
		n = 0;
	desc.d_data.d_desc.d_descriptor = sized_fd;
	door_return(data, n, &desc, 1);
}

/*
 * The descriptor entries follow the data at the next multiple of
 * sizeof(door_desc_t) (24), as illumos rounds it, in the results and in
 * the arguments a server receives.  Before: the next multiple of 8.
 */
TEST(descriptors_follow_data_at_desc_size_multiple)
{
	static const size_t sizes[] = { 0, 1, 5, 8, 23, 24, 25, 30, 48, 49 };
	int d = door_create(sized_proc, NULL, 0);
	int s = door_create(attr_proc, NULL, 0);
	union { door_desc_t align; char b[512]; } rb;

	ASSERT_LE(0, d);
	ASSERT_LE(0, s);
	sized_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, sized_fd);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];
		size_t want = (n + sizeof(door_desc_t) - 1) /
			      sizeof(door_desc_t) * sizeof(door_desc_t);
		door_arg_t c = { (char *)&n, sizeof(n), NULL, 0, rb.b,
				 sizeof(rb.b) };
		char args[64] = { 0 };
		door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR };
		door_arg_t a = { args, n, &desc, 1, NULL, 0 };

		ASSERT_EQ(0, door_call(d, &c)) TH_LOG("%s", strerror(errno));
		ASSERT_EQ(1U, c.desc_num);
		EXPECT_EQ(want, (size_t)((char *)c.desc_ptr - rb.b))
			TH_LOG("%zu bytes of results: entries at offset %td",
			       n, (char *)c.desc_ptr - rb.b);
		close(c.desc_ptr[0].d_data.d_desc.d_descriptor);

		if (!n)
			continue;	/* no argument data: nothing to follow */
		desc.d_data.d_desc.d_descriptor = sized_fd;
		ASSERT_EQ(0, door_call(s, &a)) TH_LOG("%s", strerror(errno));
		ASSERT_EQ(1U, ar.n);
		EXPECT_EQ(n, ar.arg_size);
		EXPECT_EQ((ptrdiff_t)want, ar.desc_off)
			TH_LOG("%zu bytes of arguments: entries at offset %td",
			       n, ar.desc_off);
	}
}

static int reply_kind;	/* 0: nothing, 1: data only, 2: a descriptor only */

static void kind_proc(void *cookie, char *argp, size_t arg_size,
		      door_desc_t *dp, uint_t n_desc)
{
	door_desc_t desc = { .d_attributes = DOOR_DESCRIPTOR };

	for (uint_t i = 0; i < n_desc; i++)
		close(dp[i].d_data.d_desc.d_descriptor);
	desc.d_data.d_desc.d_descriptor = sized_fd;
	if (reply_kind == 1)
		door_return("xyz", 3, NULL, 0);
	if (reply_kind == 2)
		door_return(NULL, 0, &desc, 1);
	door_return(NULL, 0, NULL, 0);
}

/*
 * door_call sets data_ptr only when data came back and desc_ptr only when
 * descriptors did, as illumos does; otherwise they keep what the caller
 * passed.  Before: data_ptr became rbuf and desc_ptr NULL.
 */
TEST(door_call_keeps_pointers_without_results)
{
	int d = door_create(kind_proc, NULL, 0);
	char args[8] = "args", rbuf[128];
	door_desc_t in = { .d_attributes = DOOR_DESCRIPTOR };
	door_arg_t a;

	ASSERT_LE(0, d);
	sized_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, sized_fd);
	in.d_data.d_desc.d_descriptor = sized_fd;

	for (reply_kind = 0; reply_kind < 3; reply_kind++) {
		a = (door_arg_t){ args, sizeof(args), &in, 1, rbuf,
				  sizeof(rbuf) };
		ASSERT_EQ(0, door_call(d, &a)) TH_LOG("%s", strerror(errno));
		ASSERT_EQ(&rbuf[0], a.rbuf);
		if (reply_kind == 1) {
			EXPECT_EQ(3U, a.data_size);
			EXPECT_EQ(&rbuf[0], a.data_ptr);
		} else {
			EXPECT_EQ(0U, a.data_size);
			EXPECT_EQ(&args[0], a.data_ptr)
				TH_LOG("kind %d: data_ptr moved without data",
				       reply_kind);
		}
		if (reply_kind == 2) {
			EXPECT_EQ(1U, a.desc_num);
			EXPECT_EQ((door_desc_t *)rbuf, a.desc_ptr);
			close(a.desc_ptr[0].d_data.d_desc.d_descriptor);
		} else {
			EXPECT_EQ(0U, a.desc_num);
			EXPECT_EQ(&in, a.desc_ptr)
				TH_LOG("kind %d: desc_ptr moved without "
				       "descriptors", reply_kind);
		}
	}
}

/* ---- DOOR_RELEASE only once a server thread has taken the call ----------- */

/*
 * A private door without server threads: calls wait in its pool until
 * start_server() binds one.  With `hold`, the procedure (which writes
 * "hello" into each received descriptor) waits for ev_go after telling
 * ev_in that it runs.
 */
static int ev_bound = -1, ev_in = -1, ev_go = -1;
static atomic_int hold;

static void held_writer(void *cookie, char *argp, size_t arg_size,
			door_desc_t *dp, uint_t n_desc)
{
	for (uint_t i = 0; i < n_desc; i++) {
		int fd = dp[i].d_data.d_desc.d_descriptor;

		if (write(fd, "hello", 5) != 5)
			break;
		close(fd);
	}
	if (atomic_load(&hold)) {
		ev_post(ev_in);
		ev_wait(ev_go);
	}
	door_return(NULL, 0, NULL, 0);
}

static void no_threads(door_info_t *dip)
{
	(void)dip;
}

static void *bound_server(void *arg)
{
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	if (door_bind((int)(intptr_t)arg) != 0)
		return NULL;
	ev_post(ev_bound);
	door_return(NULL, 0, NULL, 0);
	return NULL;
}

static int start_server(int d)
{
	pthread_t t;

	if (pthread_create(&t, NULL, bound_server, (void *)(intptr_t)d) != 0)
		return -1;
	pthread_detach(t);
	return ev_wait_ms(ev_bound, 20000);
}

static int private_door_without_threads(int held)
{
	ev_bound = ev_new();
	ev_in = ev_new();
	ev_go = ev_new();
	if (ev_bound < 0 || ev_in < 0 || ev_go < 0)
		return -1;
	atomic_store(&hold, held);
	door_server_create(no_threads);
	return door_create(held_writer, NULL, DOOR_PRIVATE);
}

/* The door_pool_waiting_calls line of @d's fdinfo, -1 if unreadable. */
static long waiting_calls(int d)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", d);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "door_pool_waiting_calls:");
	return p ? strtol(p + strlen("door_pool_waiting_calls:"), NULL, 10) : -1;
}

/*
 * Wait until @d's pool holds @want waiting calls (the kernel offers no
 * event for it): 0, or -1 after 10 s.
 */
static int wait_waiting_calls(int d, long want)
{
	struct timespec ms = { 0, 1000 * 1000 };

	for (int i = 0; i < 10000; i++) {
		if (waiting_calls(d) == want)
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/* Wait until @fd is closed (by the kernel, for DOOR_RELEASE): 0 or -1. */
static int wait_fd_closed(int fd)
{
	struct timespec ms = { 0, 1000 * 1000 };

	for (int i = 0; i < 10000; i++) {
		if (!fd_is_open(fd))
			return 0;
		nanosleep(&ms, NULL);
	}
	return -1;
}

/* A caller thread: one call passing `fd` with DOOR_RELEASE. */
struct rel_caller {
	pthread_t th;
	int d, fd, ret, err;
};

static void *rel_caller_main(void *arg)
{
	struct rel_caller *c = arg;

	errno = 0;
	c->ret = call_desc(c->d, c->fd, DOOR_DESCRIPTOR | DOOR_RELEASE);
	c->err = errno;
	return NULL;
}

static void usr1_noop(int sig)
{
	(void)sig;
}

/*
 * While the call waits for a server thread the sender's DOOR_RELEASE
 * descriptor stays open, and a call abandoned there (EAGAIN) leaves it
 * open, so a retry sends the same descriptor; the retry, taken by a
 * thread, releases it.  Before: closed as soon as the arguments were
 * taken, so the retry sent a closed descriptor (EINVAL).
 */
TEST(release_kept_until_a_thread_takes_the_call)
{
	struct sigaction sa = { .sa_handler = usr1_noop };
	struct rel_caller c = { 0 };
	char buf[8] = { 0 };
	int d, p[2];

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */
	d = private_door_without_threads(0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	c.d = d;
	c.fd = p[1];
	ASSERT_EQ(0, pthread_create(&c.th, NULL, rel_caller_main, &c));
	ASSERT_EQ(0, wait_waiting_calls(d, 1)) TH_LOG("the call never queued");
	ASSERT_TRUE(fd_is_open(p[1]))
		TH_LOG("DOOR_RELEASE descriptor closed while the call waits");

	ASSERT_EQ(0, pthread_kill(c.th, SIGUSR1));
	ASSERT_EQ(0, pthread_join(c.th, NULL));
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(EAGAIN, c.err) TH_LOG("%s", strerror(c.err));
	EXPECT_TRUE(fd_is_open(p[1])) TH_LOG("EAGAIN, yet the descriptor "
					     "was released");

	ASSERT_EQ(0, start_server(d)) TH_LOG("no server thread");
	hang_guard(20);
	EXPECT_EQ(0, call_desc(d, p[1], DOOR_DESCRIPTOR | DOOR_RELEASE))
		TH_LOG("retry: %s", strerror(errno));
	hang_guard(0);
	EXPECT_FALSE(fd_is_open(p[1])) TH_LOG("delivered, yet not released");
	ASSERT_EQ(5, read(p[0], buf, 5));
	EXPECT_STREQ("hello", buf);
}

/*
 * A call that waits for a server thread and fails with EBADF (the door is
 * revoked meanwhile) leaves its DOOR_RELEASE descriptor open.  Before:
 * it was closed.
 */
TEST(release_kept_when_a_waiting_call_gets_ebadf)
{
	struct rel_caller c = { 0 };
	int d, d2, p[2];

	d = private_door_without_threads(0);
	ASSERT_LE(0, d);
	d2 = dup(d);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, pipe(p));
	c.d = d2;
	c.fd = p[1];
	ASSERT_EQ(0, pthread_create(&c.th, NULL, rel_caller_main, &c));
	ASSERT_EQ(0, wait_waiting_calls(d2, 1)) TH_LOG("the call never queued");
	ASSERT_EQ(0, door_revoke(d));
	hang_guard(20);
	ASSERT_EQ(0, pthread_join(c.th, NULL));
	hang_guard(0);
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(EBADF, c.err) TH_LOG("%s", strerror(c.err));
	EXPECT_TRUE(fd_is_open(p[1])) TH_LOG("EBADF, yet the descriptor was "
					     "released");
}

/*
 * Once a server thread takes a waiting call, the caller closes its
 * DOOR_RELEASE descriptor right away, while the call is still being
 * served (not only when it returns).
 */
TEST(release_closed_once_a_thread_takes_a_waiting_call)
{
	struct rel_caller c = { 0 };
	char buf[8] = { 0 };
	int d, p[2];

	d = private_door_without_threads(1);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	c.d = d;
	c.fd = p[1];
	ASSERT_EQ(0, pthread_create(&c.th, NULL, rel_caller_main, &c));
	ASSERT_EQ(0, wait_waiting_calls(d, 1)) TH_LOG("the call never queued");
	EXPECT_TRUE(fd_is_open(p[1]));
	ASSERT_EQ(0, start_server(d)) TH_LOG("no server thread");
	ASSERT_EQ(0, ev_wait_ms(ev_in, 20000)) TH_LOG("the call was not served");
	EXPECT_EQ(0, wait_fd_closed(p[1]))
		TH_LOG("taken by a thread, yet the descriptor is still open");
	ASSERT_EQ(0, ev_post(ev_go));
	hang_guard(20);
	ASSERT_EQ(0, pthread_join(c.th, NULL));
	hang_guard(0);
	EXPECT_EQ(0, c.ret) TH_LOG("%s", strerror(c.err));
	EXPECT_FALSE(fd_is_open(p[1]));
	ASSERT_EQ(5, read(p[0], buf, 5));
	EXPECT_STREQ("hello", buf);
}

/*
 * The release closes the descriptor the sender passed, not whatever its
 * number names by then: a number the sender reused while its call waited
 * is left alone.
 */
TEST(release_leaves_a_reused_number_alone)
{
	struct rel_caller c = { 0 };
	char buf[8] = { 0 };
	struct stat st;
	int d, p[2], nul;

	d = private_door_without_threads(0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, pipe(p));
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, nul);
	c.d = d;
	c.fd = p[1];
	ASSERT_EQ(0, pthread_create(&c.th, NULL, rel_caller_main, &c));
	ASSERT_EQ(0, wait_waiting_calls(d, 1)) TH_LOG("the call never queued");
	ASSERT_EQ(p[1], dup2(nul, p[1]));	/* the number now names /dev/null */
	ASSERT_EQ(0, start_server(d)) TH_LOG("no server thread");
	hang_guard(20);
	ASSERT_EQ(0, pthread_join(c.th, NULL));
	hang_guard(0);
	EXPECT_EQ(0, c.ret) TH_LOG("%s", strerror(c.err));
	ASSERT_TRUE(fd_is_open(p[1])) TH_LOG("the reused number was closed");
	ASSERT_EQ(0, fstat(p[1], &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	/* The server still got the pipe. */
	ASSERT_EQ(5, read(p[0], buf, 5));
	EXPECT_STREQ("hello", buf);
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
