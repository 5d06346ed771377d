/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU kernel <-> userspace interface (DRM accel, /dev/accel/accelN).
 *
 * Rules that hold for every ioctl here:
 *  - every struct is a multiple of 8 bytes and 64-bit aligned; pointers are
 *    __u64; fields named pad or reserved must be zero, output-only fields
 *    (documented "out:" without "in:") must be zero on input, and any flag
 *    bit not defined for an ioctl must be zero, or the ioctl fails with
 *    -EINVAL and changes nothing;
 *  - output fields are written only on success;
 *  - enums and flags are append-only.
 *
 * docs/uapi.md describes each ioctl's errors and semantics in prose.
 */
#ifndef _UAPI_ARES_ACCEL_H_
#define _UAPI_ARES_ACCEL_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_ARES_QUERY			0x00
#define DRM_ARES_BO_CREATE		0x01
#define DRM_ARES_BO_INFO		0x02
#define DRM_ARES_CTX_CREATE		0x03
#define DRM_ARES_CTX_DESTROY		0x04
#define DRM_ARES_SUBMIT			0x05
#define DRM_ARES_BO_WAIT		0x06
#define DRM_ARES_DEBUG			0x07
#define DRM_ARES_BO_USERPTR		0x08
#define DRM_ARES_SUBMIT_BATCH		0x09
#define DRM_ARES_UQ_CREATE		0x0a
#define DRM_ARES_UQ_WAKE		0x0b
#define DRM_ARES_UQ_WAIT		0x0c

/**
 * enum drm_ares_query_type - what DRM_IOCTL_ARES_QUERY returns
 * @DRM_ARES_QUERY_DEVICE_INFO: struct drm_ares_device_info
 * @DRM_ARES_QUERY_QUEUE_INFO: an array of struct drm_ares_queue_info, one
 *	per hardware queue
 */
enum drm_ares_query_type {
	DRM_ARES_QUERY_DEVICE_INFO = 0,
	DRM_ARES_QUERY_QUEUE_INFO = 1,
};

/**
 * struct drm_ares_query - read device information
 * @type: enum drm_ares_query_type
 * @size: in: bytes available at @data (0 to probe); out: bytes the query
 *	produces. If the caller's size is smaller than the result but nonzero,
 *	the ioctl fails with -EINVAL and sets @size. If it is larger, only
 *	@size bytes are written; newer fields appended later stay zero.
 * @data: user pointer to the result buffer
 */
struct drm_ares_query {
	__u32 type;
	__u32 size;
	__u64 data;
};

/**
 * struct drm_ares_device_info - DRM_ARES_QUERY_DEVICE_INFO
 * @hw_version: ARES_VERSION(major, minor, patch) of the silicon
 * @fw_version: version the running firmware reported at boot
 * @fw_features: feature bits the running firmware reported at boot
 * @caps: ARES_CAP_* hardware capability bits
 * @num_queues: hardware queues
 * @max_address_spaces: device MMU address-space slots (one per open file)
 * @va_bits: width of device virtual addresses
 * @num_priorities: context priority levels (enum drm_ares_priority)
 * @va_start: lowest device VA handed out to buffers
 * @va_end: one past the highest device VA handed out to buffers
 * @pci_vendor: PCI vendor ID of the function the driver bound
 * @pci_device: PCI device ID of the function the driver bound
 * @reset_count: device resets since the driver bound
 * @pad: zero
 */
struct drm_ares_device_info {
	__u32 hw_version;
	__u32 fw_version;
	__u32 fw_features;
	__u32 caps;
	__u32 num_queues;
	__u32 max_address_spaces;
	__u32 va_bits;
	__u32 num_priorities;
	__u64 va_start;
	__u64 va_end;
	__u32 pci_vendor;
	__u32 pci_device;
	__u32 reset_count;
	__u32 pad;
};

/**
 * struct drm_ares_queue_info - one element of DRM_ARES_QUERY_QUEUE_INFO
 * @index: hardware queue index
 * @priority: enum drm_ares_priority served by this queue
 * @ring_entries: submission ring size
 * @jobs_pending: jobs handed to the hardware and not yet completed
 * @jobs_completed: jobs completed since the driver bound
 * @pad: zero
 */
struct drm_ares_queue_info {
	__u32 index;
	__u32 priority;
	__u32 ring_entries;
	__u32 jobs_pending;
	__u64 jobs_completed;
	__u64 pad;
};

/**
 * struct drm_ares_bo_create - allocate a buffer and map it in the device
 * @size: in: bytes, rounded up to the page size; nonzero, at most
 *	DRM_ARES_MAX_BO_SIZE
 * @flags: in: DRM_ARES_BO_* flags
 * @handle: in: zero; out: GEM handle
 * @va: in: zero; out: device VA of the buffer in this file's address space
 */
struct drm_ares_bo_create {
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u64 va;
};

/*
 * Largest buffer, in bytes, that BO_CREATE, BO_USERPTR and PRIME import
 * accept; a larger size fails with -E2BIG before anything is allocated.
 * Memory budgets (docs/uapi.md) may refuse smaller buffers with -ENOSPC.
 */
#define DRM_ARES_MAX_BO_SIZE		(1ull << 32)

/* The device may only read the buffer; device writes fault. */
#define DRM_ARES_BO_READ_ONLY		(1u << 0)
#define DRM_ARES_BO_CREATE_FLAGS	DRM_ARES_BO_READ_ONLY

/**
 * struct drm_ares_bo_userptr - make page-aligned user memory a buffer
 * @addr: in: start of the memory, page-aligned, nonzero
 * @size: in: bytes, a nonzero multiple of the page size, at most
 *	DRM_ARES_MAX_BO_SIZE
 * @flags: in: DRM_ARES_BO_READ_ONLY or 0
 * @handle: in: zero; out: GEM handle
 * @va: in: zero; out: device VA of the buffer in this file's address space
 *
 * The pages are pinned until the buffer is freed and count against the
 * caller's RLIMIT_MEMLOCK.
 */
struct drm_ares_bo_userptr {
	__u64 addr;
	__u64 size;
	__u32 flags;
	__u32 handle;
	__u64 va;
};

/**
 * struct drm_ares_bo_info - look up a buffer
 * @handle: in: GEM handle
 * @flags: in: zero; out: the buffer's DRM_ARES_BO_* flags
 * @size: in: zero; out: bytes
 * @va: in: zero; out: device VA in this file's address space
 * @mmap_offset: in: zero; out: offset to pass to mmap() on the device fd
 */
struct drm_ares_bo_info {
	__u32 handle;
	__u32 flags;
	__u64 size;
	__u64 va;
	__u64 mmap_offset;
};

/**
 * enum drm_ares_priority - context priority
 * @DRM_ARES_PRIORITY_LOW: background work
 * @DRM_ARES_PRIORITY_NORMAL: default
 * @DRM_ARES_PRIORITY_HIGH: latency-sensitive work
 * @DRM_ARES_PRIORITY_REALTIME: requires CAP_SYS_NICE
 *
 * The device arbitrates its hardware queues strictly by priority; contexts
 * of equal priority share queues.
 */
enum drm_ares_priority {
	DRM_ARES_PRIORITY_LOW = 0,
	DRM_ARES_PRIORITY_NORMAL = 1,
	DRM_ARES_PRIORITY_HIGH = 2,
	DRM_ARES_PRIORITY_REALTIME = 3,
};

/**
 * struct drm_ares_ctx_create - create a job context
 * @priority: in: enum drm_ares_priority
 * @flags: in: zero
 * @ctx_id: in: zero; out: context id, unique within the file, never 0
 * @pad: zero
 */
struct drm_ares_ctx_create {
	__u32 priority;
	__u32 flags;
	__u32 ctx_id;
	__u32 pad;
};

/**
 * struct drm_ares_ctx_destroy - destroy a job context
 * @ctx_id: in: context id from DRM_IOCTL_ARES_CTX_CREATE
 * @pad: zero
 *
 * Jobs already submitted still run to completion.
 */
struct drm_ares_ctx_destroy {
	__u32 ctx_id;
	__u32 pad;
};

/**
 * struct drm_ares_submit - queue a job on a context
 * @ctx_id: in: context id
 * @flags: in: zero
 * @cmd_va: in: device VA of the command stream (8-byte aligned), inside one
 *	of the buffers in @bo_handles
 * @cmd_size: in: bytes of command stream: nonzero, multiple of 8, at most
 *	ARES_CMD_STREAM_MAX (16 MiB)
 * @bo_count: in: entries in @bo_handles, at most DRM_ARES_MAX_BOS_PER_JOB
 * @bo_handles: in: user pointer to __u32 GEM handles the job uses; the job
 *	keeps them alive and each one's wait (DRM_IOCTL_ARES_BO_WAIT) covers
 *	the job. No duplicates.
 * @in_syncobjs: in: user pointer to __u32 syncobj handles the job waits for
 * @in_syncobj_count: in: entries in @in_syncobjs, at most
 *	DRM_ARES_MAX_IN_SYNCOBJS
 * @out_syncobj: in: syncobj that receives the job's fence, or 0
 * @seqno: in: zero; out: the job's sequence number within its context
 *	(from 1)
 * @reserved: zero
 *
 * A context that had a job time out is banned: further submits to it fail
 * with -ECANCELED. Destroy it and create another.
 */
struct drm_ares_submit {
	__u32 ctx_id;
	__u32 flags;
	__u64 cmd_va;
	__u32 cmd_size;
	__u32 bo_count;
	__u64 bo_handles;
	__u64 in_syncobjs;
	__u32 in_syncobj_count;
	__u32 out_syncobj;
	__u64 seqno;
	__u64 reserved;
};

#define DRM_ARES_MAX_BOS_PER_JOB	256
#define DRM_ARES_MAX_IN_SYNCOBJS	64

/**
 * struct drm_ares_submit_batch - queue several jobs with one ioctl
 * @jobs: in: user pointer to @count struct drm_ares_submit, each checked
 *	and queued as DRM_IOCTL_ARES_SUBMIT would, in array order; out: the
 *	@seqno of each queued entry
 * @count: in: entries in @jobs, 1 to DRM_ARES_MAX_BATCH_JOBS (more:
 *	-E2BIG, nothing queued)
 * @flags: in: zero or DRM_ARES_SUBMIT_BATCH_FUSED
 * @submitted: in: zero; out: entries queued, the first @submitted of @jobs
 * @error: in: zero; out: 0 when all @count entries were queued, else the
 *	negative errno of entry @submitted, which and whose successors were
 *	not queued
 * @reserved: zero
 *
 * Processing stops at the first entry that fails. If that is the first
 * entry, nothing was queued and the ioctl fails with its error; otherwise
 * the ioctl returns 0 and @submitted < @count, @error say what happened.
 *
 * Without flags every entry is a job of its own (its own fence, its own
 * pass through the scheduler). With DRM_ARES_SUBMIT_BATCH_FUSED the
 * queued entries are one job of the scheduler, which costs the kernel one
 * job's work instead of @submitted:
 *  - every entry names the same context (another: -EINVAL at that entry),
 *    and together the entries list at most DRM_ARES_MAX_BOS_PER_JOB
 *    distinct buffers (the entry that adds one more: -EINVAL); each entry
 *    is checked as SUBMIT checks it, and the entries before a failing one
 *    are queued as one job, as above;
 *  - the job waits for the in-syncobjs of all its entries, then its
 *    entries go onto the ring together, in order, with one doorbell; each
 *    entry gets its own seqno, consecutive in the context;
 *  - it has one fence, which every entry's out_syncobj receives and every
 *    listed buffer's BO_WAIT covers: it signals when the last entry is
 *    done. If entries failed, the fence carries the error of the first one
 *    that did (the ares_complete trace event names each entry's seqno and
 *    status); the entries after it still run;
 *  - the job timeout covers the whole job; if it expires the job fails
 *    with -ETIMEDOUT and the context is banned, as for a single job. An
 *    entry the device finished before a reset is not run again;
 *  - each entry counts as one job against the context's and the file's
 *    job limits and in fdinfo.
 */
struct drm_ares_submit_batch {
	__u64 jobs;
	__u32 count;
	__u32 flags;
	__u32 submitted;
	__s32 error;
	__u64 reserved;
};

/* drm_ares_submit_batch.flags: queue the entries as one scheduler job. */
#define DRM_ARES_SUBMIT_BATCH_FUSED	(1u << 0)
#define DRM_ARES_SUBMIT_BATCH_FLAGS	DRM_ARES_SUBMIT_BATCH_FUSED

#define DRM_ARES_MAX_BATCH_JOBS		64

/**
 * enum drm_ares_job_status - outcome of a job (same values as ARES_JOB_*)
 * @DRM_ARES_JOB_OK: completed
 * @DRM_ARES_JOB_INVALID_CMD: the command stream held a malformed command
 * @DRM_ARES_JOB_MMU_FAULT: an access fell outside the file's mappings
 * @DRM_ARES_JOB_TIMEOUT: the job exceeded the driver's job timeout
 * @DRM_ARES_JOB_ABORTED: the job was lost to a device reset
 * @DRM_ARES_JOB_FW_ERROR: the firmware failed the job
 */
enum drm_ares_job_status {
	DRM_ARES_JOB_OK = 0,
	DRM_ARES_JOB_INVALID_CMD = 1,
	DRM_ARES_JOB_MMU_FAULT = 2,
	DRM_ARES_JOB_TIMEOUT = 3,
	DRM_ARES_JOB_ABORTED = 4,
	DRM_ARES_JOB_FW_ERROR = 5,
};

/**
 * struct drm_ares_bo_wait - wait for the jobs using a buffer
 * @handle: in: GEM handle
 * @flags: in: zero
 * @timeout_ns: in: absolute CLOCK_MONOTONIC deadline in ns; 0 polls
 * @status: in: zero; out: enum drm_ares_job_status of the most recent
 *	failed job among the buffer's latest job per context, or DRM_ARES_JOB_OK
 * @pad: zero
 *
 * Return: 0 when every job that listed the buffer has finished,
 * -ETIME when the deadline passed first, -EINTR/-ERESTARTSYS on a signal.
 */
struct drm_ares_bo_wait {
	__u32 handle;
	__u32 flags;
	__s64 timeout_ns;
	__u32 status;
	__u32 pad;
};

/**
 * struct drm_ares_uq_create - create a context that is a user queue
 * @priority: in: enum drm_ares_priority (REALTIME needs CAP_SYS_NICE)
 * @ring_entries: in: power of two, 16..4096
 * @flags: in: zero
 * @ctx_id: in: zero; out: context id, in the namespace of CTX_CREATE's;
 *	DRM_IOCTL_ARES_CTX_DESTROY destroys it, SUBMIT on it fails -EINVAL
 * @asid: in: zero; out: the address space every descriptor must name
 * @pad: zero
 * @ring_offset: in: zero; out: mmap offset of the ring, ring_entries
 *	struct ares_job_desc, mapped shared and read/write
 * @compl_offset: in: zero; out: mmap offset of the completion area
 *	(struct ares_queue_wb and one struct ares_completion per slot, rounded
 *	up to pages), mapped shared and read only
 * @doorbell_offset: in: zero; out: mmap offset of the doorbell page
 *	(struct ares_uq_doorbell, 4096 bytes), mapped shared and read/write
 * @reserved: zero
 *
 * The process then submits with no system call: it writes descriptors into
 * the ring, advances the doorbell page's TAIL and, only when the page shows
 * ARES_UQ_DB_NEED_WAKEUP, calls DRM_IOCTL_ARES_UQ_WAKE. docs/uapi.md gives
 * the protocol and what the driver keeps (timeouts, bans, recovery, fdinfo).
 */
struct drm_ares_uq_create {
	__u32 priority;
	__u32 ring_entries;
	__u32 flags;
	__u32 ctx_id;
	__u32 asid;
	__u32 pad;
	__u64 ring_offset;
	__u64 compl_offset;
	__u64 doorbell_offset;
	__u64 reserved;
};

/**
 * struct drm_ares_uq_wake - ring the device for a user queue whose doorbell
 *	page shows ARES_UQ_DB_NEED_WAKEUP
 * @ctx_id: in: a user-queue context of this file
 * @flags: in: zero
 */
struct drm_ares_uq_wake {
	__u32 ctx_id;
	__u32 flags;
};

/* drm_ares_uq_wait.flags: install a fence in @syncobj and return at once. */
#define DRM_ARES_UQ_WAIT_SYNCOBJ	(1u << 0)

/**
 * enum drm_ares_uq_state - a user queue's state (drm_ares_uq_wait.state)
 * @DRM_ARES_UQ_ACTIVE: serving its ring
 * @DRM_ARES_UQ_ERROR: the device stopped it (drm_ares_uq_wait.error says why)
 * @DRM_ARES_UQ_BANNED: the driver stopped it: one of its jobs hung past the
 *	job timeout
 */
enum drm_ares_uq_state {
	DRM_ARES_UQ_ACTIVE = 0,
	DRM_ARES_UQ_ERROR = 1,
	DRM_ARES_UQ_BANNED = 2,
};

/**
 * struct drm_ares_uq_wait - wait until a user queue has completed jobs
 * @ctx_id: in: a user-queue context of this file
 * @flags: in: zero or DRM_ARES_UQ_WAIT_SYNCOBJ
 * @head: in: the HEAD to wait for: done when (s32)(HEAD - @head) >= 0,
 *	HEAD counting the queue's completed jobs (free-running)
 * @syncobj: in: with DRM_ARES_UQ_WAIT_SYNCOBJ, a syncobj whose fence is
 *	replaced by one that signals when HEAD reaches @head (or the queue
 *	stops); otherwise zero
 * @timeout_ns: in: absolute CLOCK_MONOTONIC deadline in ns, 0 polls; zero
 *	with DRM_ARES_UQ_WAIT_SYNCOBJ
 * @state: in: zero; out: enum drm_ares_uq_state
 * @error: in: zero; out: ARES_UQ_ERR_* with DRM_ARES_UQ_ERROR, else zero
 * @head_now: in: zero; out: HEAD when the call returned
 * @pad: zero
 * @reserved: zero
 *
 * Return: 0 when HEAD reached @head (or the fence is installed), -ETIME
 * when the deadline passed first, -ECANCELED when the queue is stopped
 * (@state says why), -EINTR/-ERESTARTSYS on a signal. The out fields are
 * written on -ETIME and -ECANCELED too.
 */
struct drm_ares_uq_wait {
	__u32 ctx_id;
	__u32 flags;
	__u32 head;
	__u32 syncobj;
	__s64 timeout_ns;
	__u32 state;
	__u32 error;
	__u32 head_now;
	__u32 pad;
	__u64 reserved;
};

/**
 * enum drm_ares_debug_op - fault injection for tests (CAP_SYS_ADMIN and
 *	the module parameter fault_injection=1)
 * @DRM_ARES_DEBUG_HANG_QUEUE: @arg is a hardware queue; its next jobs never
 *	finish until the device is reset
 * @DRM_ARES_DEBUG_CRASH_FW: the firmware crashes at its next heartbeat
 * @DRM_ARES_DEBUG_RESET: reset the device and reboot the firmware now
 * @DRM_ARES_DEBUG_HANG_UQ: @arg is a user-queue context of this file; its
 *	next job never finishes until the device is reset
 */
enum drm_ares_debug_op {
	DRM_ARES_DEBUG_HANG_QUEUE = 1,
	DRM_ARES_DEBUG_CRASH_FW = 2,
	DRM_ARES_DEBUG_RESET = 3,
	DRM_ARES_DEBUG_HANG_UQ = 4,
};

/**
 * struct drm_ares_debug - drive the device's fault-injection knobs
 * @op: enum drm_ares_debug_op
 * @flags: zero
 * @arg: operation argument
 */
struct drm_ares_debug {
	__u32 op;
	__u32 flags;
	__u64 arg;
};

#define DRM_IOCTL_ARES_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_QUERY, struct drm_ares_query)
#define DRM_IOCTL_ARES_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_BO_CREATE, struct drm_ares_bo_create)
#define DRM_IOCTL_ARES_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_BO_INFO, struct drm_ares_bo_info)
#define DRM_IOCTL_ARES_CTX_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_CTX_CREATE, struct drm_ares_ctx_create)
#define DRM_IOCTL_ARES_CTX_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_ARES_CTX_DESTROY, struct drm_ares_ctx_destroy)
#define DRM_IOCTL_ARES_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_SUBMIT, struct drm_ares_submit)
#define DRM_IOCTL_ARES_BO_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_BO_WAIT, struct drm_ares_bo_wait)
#define DRM_IOCTL_ARES_DEBUG \
	DRM_IOW(DRM_COMMAND_BASE + DRM_ARES_DEBUG, struct drm_ares_debug)
#define DRM_IOCTL_ARES_BO_USERPTR \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_BO_USERPTR, struct drm_ares_bo_userptr)
#define DRM_IOCTL_ARES_SUBMIT_BATCH \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_SUBMIT_BATCH, struct drm_ares_submit_batch)
#define DRM_IOCTL_ARES_UQ_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_UQ_CREATE, struct drm_ares_uq_create)
#define DRM_IOCTL_ARES_UQ_WAKE \
	DRM_IOW(DRM_COMMAND_BASE + DRM_ARES_UQ_WAKE, struct drm_ares_uq_wake)
#define DRM_IOCTL_ARES_UQ_WAIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_ARES_UQ_WAIT, struct drm_ares_uq_wait)

#if defined(__cplusplus)
}
#endif

#endif /* _UAPI_ARES_ACCEL_H_ */
