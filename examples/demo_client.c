/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo_client - a door client, written as it would be on Solaris.
 *
 *   demo_client DOOR
 *
 * DOOR is a descriptor number inherited from demo_server, or the path of
 * a file a door is fattach(3C)ed to (opened with open(2)).
 *
 * It prints what door_info(3C) says about the door, makes a small call
 * whose reply lands in its own buffer, and a call whose reply (64 KiB) is
 * larger than that buffer: the reply then arrives in a new mapping that
 * the client must munmap(2).  Exit status 0 when every reply was right.
 */
#include <door.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#define BIG	(64 * 1024)

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 10));
}

static void attributes(door_attr_t a)
{
	static const struct { door_attr_t bit; const char *name; } names[] = {
		{ DOOR_LOCAL, "DOOR_LOCAL" },
		{ DOOR_UNREF, "DOOR_UNREF" },
		{ DOOR_UNREF_MULTI, "DOOR_UNREF_MULTI" },
		{ DOOR_PRIVATE, "DOOR_PRIVATE" },
		{ DOOR_REFUSE_DESC, "DOOR_REFUSE_DESC" },
		{ DOOR_NO_CANCEL, "DOOR_NO_CANCEL" },
		{ DOOR_REVOKED, "DOOR_REVOKED" },
		{ DOOR_IS_UNREF, "DOOR_IS_UNREF" },
	};
	int any = 0;

	printf("0x%x (", a);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (a & names[i].bit) {
			printf("%s%s", any ? " | " : "", names[i].name);
			any = 1;
		}
	}
	printf("%s)", any ? "" : "none");
}

int main(int argc, char **argv)
{
	char rbuf[256];
	char req[64];
	door_arg_t arg;
	door_info_t di;
	char *end;
	long n;
	int d, bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DOOR-FD|PATH\n", argv[0]);
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*argv[1] != '\0' && *end == '\0')
		d = (int)n;
	else if ((d = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 2;
	}

	/* What is behind this descriptor? */
	if (door_info(d, &di) != 0) {
		perror("[client] door_info");
		return 1;
	}
	printf("[client] pid %ld: door %d is served by pid %ld, uniquifier %llu,"
	       " attributes ", (long)getpid(), d, (long)di.di_target,
	       (unsigned long long)di.di_uniquifier);
	attributes(di.di_attributes);
	printf("\n");
	fflush(stdout);

	/* 1. A small call: the reply fits in rbuf and is placed there. */
	snprintf(req, sizeof(req), "echo hello, door");
	arg.data_ptr = req;
	arg.data_size = strlen(req);
	arg.desc_ptr = NULL;
	arg.desc_num = 0;
	arg.rbuf = rbuf;
	arg.rsize = sizeof(rbuf);
	if (door_call(d, &arg) != 0) {
		perror("[client] door_call");
		return 1;
	}
	printf("[client] reply: \"%s\" (%lu bytes, %s)\n", arg.data_ptr,
	       (unsigned long)arg.data_size,
	       arg.data_ptr == rbuf ? "in my buffer" : "NOT in my buffer");
	if (arg.data_ptr != rbuf ||
	    strcmp(arg.data_ptr, "you said: hello, door") != 0)
		bad = 1;

	/* 2. A reply larger than rbuf: it comes back in a new mapping. */
	snprintf(req, sizeof(req), "big %d", BIG);
	arg.data_ptr = req;
	arg.data_size = strlen(req);
	arg.desc_ptr = NULL;
	arg.desc_num = 0;
	arg.rbuf = rbuf;
	arg.rsize = sizeof(rbuf);
	if (door_call(d, &arg) != 0) {
		perror("[client] door_call");
		return 1;
	}
	if (arg.data_ptr != rbuf) {
		size_t wrong = 0;

		for (size_t i = 0; i < arg.data_size; i++)
			if ((unsigned char)arg.data_ptr[i] != pattern(i))
				wrong++;
		printf("[client] reply of %lu bytes did not fit in my %lu-byte "
		       "buffer: it is in a new mapping at %p (%lu bytes), "
		       "%s; unmapping it\n", (unsigned long)arg.data_size,
		       (unsigned long)sizeof(rbuf), (void *)arg.rbuf,
		       (unsigned long)arg.rsize,
		       wrong ? "CONTENT WRONG" : "content checked");
		if (wrong || arg.data_size != BIG)
			bad = 1;
		if (munmap(arg.rbuf, arg.rsize) != 0) {
			perror("[client] munmap");
			bad = 1;
		}
	} else {
		printf("[client] a %lu-byte reply landed in my %lu-byte buffer?!\n",
		       (unsigned long)arg.data_size, (unsigned long)sizeof(rbuf));
		bad = 1;
	}

	printf("[client] %s\n", bad ? "FAILED" : "all replies correct");
	return bad;
}
