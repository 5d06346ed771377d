/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 hardware queue formats: the submission ring entries the
 * driver writes and the completion area the device writes, both in host
 * memory at the bus addresses programmed in the queue registers.
 */
#ifndef ARES_QUEUE_H
#define ARES_QUEUE_H

#include "types.h"

/**
 * struct ares_job_desc - one submission ring entry
 * @seqno: nonzero, strictly increasing per queue; echoed in the completion
 * @cmd_va: device VA of the command stream, 8-byte aligned
 * @cmd_size: command stream length in bytes, multiple of 8, at most
 *	ARES_CMD_STREAM_MAX
 * @asid: address space that translates every access of this job
 * @flags: must be zero in v1
 * @reserved0: must be zero
 * @tag: opaque to the device
 * @reserved: must be zero
 */
struct ares_job_desc {
	__le64 seqno;
	__le64 cmd_va;
	__le32 cmd_size;
	__le16 asid;
	__le16 flags;
	__le32 reserved0;
	__le32 reserved1;
	__le64 tag;
	__le64 reserved[3];
};

ARES_ASSERT_SIZE(struct ares_job_desc, 64);

/**
 * struct ares_queue_wb - queue writeback header at COMPL_BASE
 * @done_seqno: seqno of the last completed job; written after its record
 * @head: HEAD after that job; written after @done_seqno
 * @error: user queues: ARES_UQ_ERR_* once the device stopped the queue,
 *	written before STATUS.ERROR; the driver writes ARES_UQ_ERR_BANNED here
 *	when it bans the queue. Zero otherwise.
 * @reserved: zero
 */
struct ares_queue_wb {
	__le64 done_seqno;
	__le32 head;
	__le32 error;
	__le64 reserved[6];
};

ARES_ASSERT_SIZE(struct ares_queue_wb, 64);

/**
 * struct ares_completion - per-job record at COMPL_BASE + 64 + slot * 64
 * @seqno: the job's seqno
 * @status: ARES_JOB_*
 * @error_offset: byte offset in the command stream of the failing command
 * @start_ns: device clock when the job started
 * @end_ns: device clock when the job finished
 * @modeled_ns: time the job takes on the silicon according to the
 *	performance model (docs/hw-spec.md), independent of how long the
 *	emulator took
 * @reserved: zero
 */
struct ares_completion {
	__le64 seqno;
	__le32 status;
	__le32 error_offset;
	__le64 start_ns;
	__le64 end_ns;
	__le64 modeled_ns;
	__le64 reserved[3];
};

ARES_ASSERT_SIZE(struct ares_completion, 64);

#define ARES_COMPL_RECORD_OFFSET(slot)	(64 + (slot) * 64)

/**
 * struct ares_uq_doorbell - a user queue's doorbell page (hw-spec §15)
 * @tail: written by the queue's owner: free-running producer index, advanced
 *	after the descriptors it covers are in the ring
 * @flags: written by the device: ARES_UQ_DB_NEED_WAKEUP
 * @reserved: zero; the device ignores it and the rest of the page
 *
 * The whole page belongs to one process, so nothing the device reads from it
 * is trusted: a TAIL more than RING_ENTRIES ahead of HEAD stops the queue
 * with ARES_UQ_ERR_BAD_TAIL.
 */
struct ares_uq_doorbell {
	__le32 tail;
	__le32 flags;
	__le32 reserved[14];
};

ARES_ASSERT_SIZE(struct ares_uq_doorbell, 64);

/*
 * Set by the device before it stops polling the doorbell pages: a producer
 * that sees it after advancing TAIL must have ARES_VEC_UQ rung (§15).
 */
#define ARES_UQ_DB_NEED_WAKEUP		(1u << 0)

/* Per-job status codes. Append only. */
#define ARES_JOB_OK			0
#define ARES_JOB_INVALID_CMD		1	/* bad opcode, length, flags or operand */
#define ARES_JOB_MMU_FAULT		2	/* an access faulted; see the fault record */
#define ARES_JOB_TIMEOUT		3	/* the driver's watchdog fired (never the device) */
#define ARES_JOB_ABORTED		4	/* lost to a device reset */
#define ARES_JOB_FW_ERROR		5	/* firmware internal error */
#define ARES_JOB_INVALID_DESC		6	/* bad ring entry: flags, reserved, size, asid */

#endif /* ARES_QUEUE_H */
