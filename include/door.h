/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * door.h - the Solaris door(3DOOR) interface for Linux (libdoor).
 *
 * Types, constants and prototypes keep their Solaris names and layouts, so
 * that a program written for Solaris doors compiles unchanged.
 */
#ifndef _DOOR_H
#define _DOOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <ucred.h>		/* ucred_t, uint_t: illumos' <door.h> has them too */
#include <door_ioctl.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long long door_ptr_t;
typedef unsigned long long door_id_t;
typedef unsigned int door_attr_t;

#pragma pack(push, 4)
typedef struct door_desc {
	door_attr_t d_attributes;
	union {
		struct {
			int d_descriptor;
			door_id_t d_id;
		} d_desc;
		int d_resv[5];
	} d_data;
} door_desc_t;

typedef struct door_info {
	pid_t di_target;
	door_ptr_t di_proc;
	door_ptr_t di_data;
	door_attr_t di_attributes;
	door_id_t di_uniquifier;
	int di_resv[4];
} door_info_t;
#pragma pack(pop)

typedef struct door_arg {
	char *data_ptr;
	size_t data_size;
	door_desc_t *desc_ptr;
	uint_t desc_num;
	char *rbuf;
	size_t rsize;
} door_arg_t;

typedef struct door_cred {
	uid_t dc_euid;
	gid_t dc_egid;
	uid_t dc_ruid;
	gid_t dc_rgid;
	pid_t dc_pid;
	int dc_resv[4];
} door_cred_t;

#define DOOR_INVAL		(-1)
#define DOOR_QUERY		(-2)
#define DOOR_UNREF_DATA		((void *)1)

typedef void door_server_procedure_t(void *, char *, size_t, door_desc_t *,
				     uint_t);
typedef void door_server_func_t(door_info_t *);
/*
 * door_xcreate(): the creation function starts one thread running
 * start(start_arg) and returns 1, or returns 0 to decline, -1 on failure;
 * the setup function runs first in each new thread (illumos signatures).
 */
typedef int door_xcreate_server_func_t(door_info_t *, void *(*)(void *),
				       void *, void *);
typedef void door_xcreate_thrsetup_func_t(void *);

int door_create(door_server_procedure_t *server_procedure, void *cookie,
		uint_t attributes);
int door_xcreate(door_server_procedure_t *server_procedure, void *cookie,
		 uint_t attributes, door_xcreate_server_func_t *cf,
		 door_xcreate_thrsetup_func_t *thrsetup, void *crcookie,
		 int nthread);
int door_call(int d, door_arg_t *params);
int door_return(char *data_ptr, size_t data_size, door_desc_t *desc_ptr,
		uint_t num_desc);
int door_info(int d, door_info_t *info);
int door_revoke(int d);
int door_cred(door_cred_t *info);
int door_ucred(ucred_t **info);
int door_bind(int d);
int door_unbind(void);
int door_getparam(int d, int param, size_t *out);
int door_setparam(int d, int param, size_t val);
door_server_func_t *door_server_create(door_server_func_t *create_func);

/*
 * Linux extensions (libdoor(7), "Beyond Solaris").
 *
 * door_depletion_fd(): a descriptor that polls readable while calls wait in
 * a server thread pool with no idle thread to take them (d = -1 for the
 * process pool, or a private door of this process); read() gives how many
 * as a uint64_t.  While it is open libdoor starts no thread on depletion
 * for that pool.  flags: O_NONBLOCK; always close-on-exec.
 */
int door_depletion_fd(int d, int flags);

/*
 * door_reply() hands a server procedure's results to its caller before its
 * door_return(); door_call_timed() is door_call() with a relative timeout
 * (NULL: none), after which the call fails with ETIMEDOUT and a server
 * still serving it is detached, not cancelled; door_caller_detached() tells
 * such a server that its caller has gone.
 */
struct timespec;		/* <time.h> */
int door_reply(char *data_ptr, size_t data_size, door_desc_t *desc_ptr,
	       uint_t num_desc);
int door_call_timed(int d, door_arg_t *params,
		    const struct timespec *timeout);
int door_caller_detached(void);

/*
 * fattach(3C)/fdetach(3C): attach a door to, or detach it from, a file
 * name.  Solaris declares them in <stropts.h>, which libdoor provides as
 * <door/stropts.h> (on the include path that pkg-config gives); they are
 * declared here too for programs written against earlier libdoor.
 */
int fattach(int fildes, const char *path);
int fdetach(const char *path);


#ifdef __cplusplus
}
#endif

#endif /* _DOOR_H */
