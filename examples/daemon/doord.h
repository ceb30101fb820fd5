/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * doord.h - the protocol of the sample door daemon (doord) and its client
 * (doorc).
 *
 * doord publishes its main door on a path with fattach(3C).  A client
 * opens the path and calls the main door:
 *
 *   DOORD_OP_OPEN   returns a session door, of the client's own (passed
 *                   with DOOR_DESCRIPTOR; the daemon keeps one descriptor
 *                   of it); the daemon learns that the client is gone from
 *                   the session door's unreferenced notification, when its
 *                   own descriptor is the last reference.
 *   DOORD_OP_ADMIN  returns the administration door (a private thread
 *                   pool), to root and the daemon's own user only.
 *   DOORD_OP_PING   replies with the daemon's pid.
 *
 * Session door operations (only for the user that opened the session):
 *
 *   DOORD_S_ECHO    returns the data sent.
 *   DOORD_S_WHOAMI  returns struct doord_whoami.
 *   DOORD_S_WAIT    waits for the next DOORD_A_NOTIFY (a long poll).  If a
 *                   descriptor is passed, one byte is written to it once
 *                   the wait has begun.  If the client goes away meanwhile
 *                   the server thread's wait is cancelled.
 *
 * Administration door operations:
 *
 *   DOORD_A_STATS      returns struct doord_stats.
 *   DOORD_A_NOTIFY     ends every DOORD_S_WAIT in progress.
 *   DOORD_A_WAIT_IDLE  waits until no session and no cancelled wait is
 *                      left (at most arg milliseconds), then returns
 *                      struct doord_stats; status ETIMEDOUT if some are.
 *
 * Every request starts with struct doord_req; every reply with struct
 * doord_reply (status 0, or an errno value).  Fixed-width fields only.
 */
#ifndef DOORD_H
#define DOORD_H

#include <stdint.h>

#define DOORD_PATH		"/run/doord/door"
#define DOORD_VERSION		1

enum doord_op {
	DOORD_OP_OPEN = 1,
	DOORD_OP_ADMIN,
	DOORD_OP_PING,

	DOORD_S_ECHO = 16,
	DOORD_S_WHOAMI,
	DOORD_S_WAIT,

	DOORD_A_STATS = 32,
	DOORD_A_NOTIFY,
	DOORD_A_WAIT_IDLE,
};

struct doord_req {
	uint32_t version;	/* DOORD_VERSION */
	uint32_t op;		/* enum doord_op */
	uint64_t arg;
	/* DOORD_S_ECHO: the data follows */
};

struct doord_reply {
	int32_t status;		/* 0 or an errno value */
	uint32_t session;	/* DOORD_OP_OPEN: the session's number */
	uint64_t value;		/* DOORD_OP_PING: pid; DOORD_S_WAIT: generation */
	/* DOORD_S_ECHO: the data follows */
};

struct doord_whoami {
	struct doord_reply r;
	uint32_t session;
	int32_t opener_pid;	/* who opened the session (DOORD_OP_OPEN) */
	uint32_t opener_euid;
	int32_t caller_pid;	/* who calls now */
	uint32_t caller_euid;
	uint32_t pad;
};

struct doord_stats {
	struct doord_reply r;
	int32_t pid;
	uint32_t thread_cap;		/* -t: shared pool cap */
	uint64_t sessions_opened;	/* session doors handed out */
	uint64_t sessions_live;		/* not yet unreferenced */
	uint64_t session_unrefs;	/* unreferenced notifications of sessions */
	uint64_t unref_duplicates;	/* a second one for the same session */
	uint64_t unref_unknown;		/* for no session the daemon knows */
	uint64_t open_failures;		/* DOORD_OP_OPEN that could not complete */
	uint64_t refused;		/* calls refused after door_ucred checks */
	uint64_t waits_started;
	uint64_t waits_active;
	uint64_t waits_cancelled;	/* client went away: thread cancelled */
	uint64_t waits_notified;
	uint64_t generation;		/* DOORD_A_NOTIFY count */
	uint64_t main_unrefs;		/* the main door became unreferenced */
	uint32_t threads_live;		/* shared pool */
	uint32_t threads_peak;
	uint32_t threads_started;
	uint32_t admin_threads_live;	/* private pool of the admin door */
	uint32_t admin_threads_peak;
	uint32_t fds_open;		/* descriptors the daemon has open */
};

#endif /* DOORD_H */
