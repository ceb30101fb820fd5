/* SPDX-License-Identifier: GPL-2.0 */
/*
 * door_trace.h - tracepoints of door.ko, for perf and bpftrace:
 *   perf record -e door:door_call -e door:door_return ...
 *   bpftrace -e 'tracepoint:door:door_call { @[args->id] = count(); }'
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM door

#if !defined(_DOOR_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _DOOR_TRACE_H

#include <linux/tracepoint.h>

/* A caller hands a call to the door's pool (door_call). */
TRACE_EVENT(door_call,
	    TP_PROTO(u64 id, u64 size, u32 ndesc, bool queued),
	    TP_ARGS(id, size, ndesc, queued),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, size)
			     __field(u32, ndesc)
			     __field(bool, queued)),
	    TP_fast_assign(__entry->id = id;
			   __entry->size = size;
			   __entry->ndesc = ndesc;
			   __entry->queued = queued;),
	    TP_printk("door=%llu size=%llu ndesc=%u queued=%d",
		      __entry->id, __entry->size, __entry->ndesc,
		      __entry->queued)
);

/* A server thread hands results to its caller (door_return). */
TRACE_EVENT(door_return,
	    TP_PROTO(u64 id, u64 size, u32 ndesc, bool delivered),
	    TP_ARGS(id, size, ndesc, delivered),
	    TP_STRUCT__entry(__field(u64, id)
			     __field(u64, size)
			     __field(u32, ndesc)
			     __field(bool, delivered)),
	    TP_fast_assign(__entry->id = id;
			   __entry->size = size;
			   __entry->ndesc = ndesc;
			   __entry->delivered = delivered;),
	    TP_printk("door=%llu size=%llu ndesc=%u delivered=%d",
		      __entry->id, __entry->size, __entry->ndesc,
		      __entry->delivered)
);

DECLARE_EVENT_CLASS(door_event,
		    TP_PROTO(u64 id),
		    TP_ARGS(id),
		    TP_STRUCT__entry(__field(u64, id)),
		    TP_fast_assign(__entry->id = id;),
		    TP_printk("door=%llu", __entry->id)
);

/* An unreferenced notification is queued. */
DEFINE_EVENT(door_event, door_unref, TP_PROTO(u64 id), TP_ARGS(id));

/* A door is revoked, by door_revoke or because its server went away. */
DEFINE_EVENT(door_event, door_revoke, TP_PROTO(u64 id), TP_ARGS(id));

#endif /* _DOOR_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE door_trace
#include <trace/define_trace.h>
