/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU tracepoints (events/ares/): the life of a job (submit, run,
 * complete), MMU faults and device resets. Identify a job by its context
 * uid and context seqno, which SUBMIT returns to userspace.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ares

#if !defined(__ARES_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __ARES_TRACE_H__

#include <linux/tracepoint.h>
#include <linux/types.h>

TRACE_EVENT(ares_submit,
	    TP_PROTO(const char *dev, u64 ctx_uid, u64 seqno, u32 queue,
		     u32 bo_count),
	    TP_ARGS(dev, ctx_uid, seqno, queue, bo_count),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(u64, ctx_uid)
			     __field(u64, seqno)
			     __field(u32, queue)
			     __field(u32, bo_count)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->ctx_uid = ctx_uid;
			   __entry->seqno = seqno;
			   __entry->queue = queue;
			   __entry->bo_count = bo_count;),
	    TP_printk("dev=%s ctx=%llu seqno=%llu queue=%u bos=%u",
		      __get_str(dev), __entry->ctx_uid, __entry->seqno,
		      __entry->queue, __entry->bo_count)
);

TRACE_EVENT(ares_run,
	    TP_PROTO(const char *dev, u64 ctx_uid, u64 seqno, u32 queue,
		     u64 hw_seqno, int err),
	    TP_ARGS(dev, ctx_uid, seqno, queue, hw_seqno, err),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(u64, ctx_uid)
			     __field(u64, seqno)
			     __field(u32, queue)
			     __field(u64, hw_seqno)
			     __field(int, err)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->ctx_uid = ctx_uid;
			   __entry->seqno = seqno;
			   __entry->queue = queue;
			   __entry->hw_seqno = hw_seqno;
			   __entry->err = err;),
	    TP_printk("dev=%s ctx=%llu seqno=%llu queue=%u hw_seqno=%llu err=%d",
		      __get_str(dev), __entry->ctx_uid, __entry->seqno,
		      __entry->queue, __entry->hw_seqno, __entry->err)
);

TRACE_EVENT(ares_complete,
	    TP_PROTO(const char *dev, u64 ctx_uid, u64 seqno, u32 queue,
		     u64 hw_seqno, u32 status, u64 busy_ns),
	    TP_ARGS(dev, ctx_uid, seqno, queue, hw_seqno, status, busy_ns),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(u64, ctx_uid)
			     __field(u64, seqno)
			     __field(u32, queue)
			     __field(u64, hw_seqno)
			     __field(u32, status)
			     __field(u64, busy_ns)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->ctx_uid = ctx_uid;
			   __entry->seqno = seqno;
			   __entry->queue = queue;
			   __entry->hw_seqno = hw_seqno;
			   __entry->status = status;
			   __entry->busy_ns = busy_ns;),
	    TP_printk("dev=%s ctx=%llu seqno=%llu queue=%u hw_seqno=%llu status=%u busy_ns=%llu",
		      __get_str(dev), __entry->ctx_uid, __entry->seqno,
		      __entry->queue, __entry->hw_seqno, __entry->status,
		      __entry->busy_ns)
);

TRACE_EVENT(ares_fault,
	    TP_PROTO(const char *dev, u32 asid, u32 queue, u64 va, u32 access,
		     u32 reason),
	    TP_ARGS(dev, asid, queue, va, access, reason),
	    TP_STRUCT__entry(__string(dev, dev)
			     __field(u32, asid)
			     __field(u32, queue)
			     __field(u64, va)
			     __field(u32, access)
			     __field(u32, reason)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->asid = asid;
			   __entry->queue = queue;
			   __entry->va = va;
			   __entry->access = access;
			   __entry->reason = reason;),
	    TP_printk("dev=%s asid=%u queue=%u va=0x%llx access=%u reason=%u",
		      __get_str(dev), __entry->asid, __entry->queue,
		      __entry->va, __entry->access, __entry->reason)
);

TRACE_EVENT(ares_reset,
	    TP_PROTO(const char *dev, const char *reason, int count, int result),
	    TP_ARGS(dev, reason, count, result),
	    TP_STRUCT__entry(__string(dev, dev)
			     __string(reason, reason)
			     __field(int, count)
			     __field(int, result)),
	    TP_fast_assign(__assign_str(dev);
			   __assign_str(reason);
			   __entry->count = count;
			   __entry->result = result;),
	    TP_printk("dev=%s reason=%s count=%d result=%d",
		      __get_str(dev), __get_str(reason), __entry->count,
		      __entry->result)
);

#endif /* __ARES_TRACE_H__ */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ares_trace
#include <trace/define_trace.h>
