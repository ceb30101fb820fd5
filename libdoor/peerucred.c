/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * peerucred.c - getpeerucred(3C): the credentials of a socket's peer.
 *
 * Linux records the peer's credentials on a connected Unix-domain stream
 * or seqpacket socket when it connects (or at socketpair()): SO_PEERCRED
 * gives its process id, effective user and group id, SO_PEERGROUPS its
 * supplementary groups.  The real and saved ids are not recorded, so their
 * accessors fail with EINVAL on such a ucred_t; zone and project are as
 * for every ucred_t here (ucred_get.3).  Errors, as illumos gives them:
 * EBADF not a descriptor; ENOTSUP a descriptor that has no peer
 * credentials (not a socket, not a Unix-domain stream or seqpacket
 * socket); ENOTCONN not connected; ENOMEM; EFAULT for a NULL ucred.
 *
 * In its own translation unit so that a program with its own
 * getpeerucred() (a common shim in portable code) does not collide with
 * this one when linking libdoor.a.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "internal.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS	59	/* Linux 4.13 */
#endif

/* The peer's groups, as many as uc carries; none if the kernel cannot say. */
static int peer_groups(int fd, struct ucred_s *uc)
{
	uint32_t cap = libdoor_ucred_max_groups();
	socklen_t len = (socklen_t)(cap * sizeof(gid_t));
	gid_t *all = NULL;
	int tries;

	uc->uc_ngroups = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, uc->uc_groups,
		       &len) == 0) {
		uc->uc_ngroups = (uint32_t)(len / sizeof(gid_t));
		return 0;
	}
	if (errno == ENOPROTOOPT || errno == ENODATA)
		return 0;		/* an older kernel, or no credentials */
	/* ERANGE: more groups than uc carries; len says how many. */
	for (tries = 0; errno == ERANGE && tries < 4; tries++) {
		free(all);
		all = malloc(len ? len : sizeof(gid_t));
		if (!all) {
			errno = ENOMEM;
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, all, &len) == 0) {
			uint32_t n = (uint32_t)(len / sizeof(gid_t));

			if (n > cap)
				n = cap;
			memcpy(uc->uc_groups, all, n * sizeof(gid_t));
			uc->uc_ngroups = n;
			free(all);
			return 0;
		}
	}
	free(all);
	if (errno == ENOPROTOOPT || errno == ENODATA)
		return 0;
	return -1;
}

static int fill_peer(int fd, struct ucred_s *uc)
{
	struct sockaddr_un peer;
	struct ucred pc;
	socklen_t len;
	int domain, type;

	len = sizeof(pc);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &pc, &len) < 0) {
		if (errno == ENOTSOCK || errno == ENOPROTOOPT)
			errno = ENOTSUP;
		return -1;			/* EBADF and the rest as is */
	}
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0)
		return -1;
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -1;
	if (domain != AF_UNIX || (type != SOCK_STREAM && type != SOCK_SEQPACKET)) {
		errno = ENOTSUP;
		return -1;
	}
	/* A listening or unconnected socket has no peer. */
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0)
		return -1;			/* ENOTCONN */
	if (peer_groups(fd, uc) < 0)
		return -1;
	uc->uc_flags = 0;			/* no real or saved ids */
	uc->uc_euid = pc.uid;
	uc->uc_egid = pc.gid;
	uc->uc_ruid = uc->uc_suid = (uid_t)-1;
	uc->uc_rgid = uc->uc_sgid = (gid_t)-1;
	/* 0: the peer is not visible in our pid namespace. */
	uc->uc_pid = pc.pid > 0 ? pc.pid : -1;
	return 0;
}

DOOR_API int getpeerucred(int fd, ucred_t **ucred)
{
	struct ucred_s *uc;

	if (!ucred) {
		errno = EFAULT;
		return -1;
	}
	uc = *ucred;
	if (!uc) {
		uc = libdoor_ucred_alloc();
		if (!uc)
			return -1;
	}
	if (fill_peer(fd, uc) < 0) {
		int e = errno;

		if (*ucred == NULL)
			free(uc);
		errno = e;
		return -1;
	}
	*ucred = uc;
	return 0;
}
