/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU DRM accel driver: device and file state.
 */
#ifndef __ARES_DRV_H__
#define __ARES_DRV_H__

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/idr.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/ratelimit.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>
#include <drm/gpu_scheduler.h>

#include "ares/regs.h"

#define ARES_DRIVER_NAME	"ares"
#define ARES_DRIVER_DESC	"Ares NPU"

/* Entries in each hardware submission ring (a power of two, 16..4096). */
#define ARES_RING_ENTRIES	256

extern unsigned int ares_job_timeout_ms;
extern bool ares_fault_injection;
extern unsigned int ares_heartbeat_ms;
extern unsigned int ares_submit_wait_ms;
extern unsigned int ares_as_per_user;
extern unsigned int ares_as_slots;
extern unsigned int ares_max_contexts_per_file;
extern unsigned int ares_max_uqs_per_file;
extern unsigned int ares_max_bos_per_file;
extern unsigned int ares_max_jobs_per_file;
extern unsigned int ares_bo_mem_per_file_mb;
extern unsigned int ares_bo_mem_mb;

struct ares_as;
struct ares_job;
struct ares_usage;
struct ares_uq;
struct ares_xport;

/**
 * struct ares_queue - one hardware queue and the drm_sched that feeds it
 */
struct ares_queue {
	/** @adev: owning device */
	struct ares_device *adev;
	/** @index: hardware queue number */
	u32 index;
	/** @priority: enum drm_ares_priority served (PRIORITY register) */
	u32 priority;
	/** @name: scheduler and fence timeline name */
	char name[16];
	/** @sched: scheduler that runs this queue's jobs, one at a time */
	struct drm_gpu_scheduler sched;
	/** @num_ctx: contexts bound to this queue, for placement */
	atomic_t num_ctx;
	/** @fence_ctx: dma_fence context of this queue's hardware fences */
	u64 fence_ctx;

	/** @ring: submission ring (ARES_RING_ENTRIES descriptors) */
	struct ares_job_desc *ring;
	/** @ring_dma: bus address of @ring */
	dma_addr_t ring_dma;
	/** @compl: completion area: struct ares_queue_wb then the records */
	void *compl;
	/** @compl_dma: bus address of @compl */
	dma_addr_t compl_dma;

	/**
	 * @lock: protects @tail, @hw_seqno, @fence_seqno, @pending,
	 * @num_pending, @jobs_completed, @busy_ctx, the ring contents and
	 * the TAIL and WEIGHT registers; it is also the lock of every
	 * hardware fence of this queue. Taken from the queue's hard IRQ
	 * handler, so irqsave everywhere else.
	 */
	spinlock_t lock;
	/** @tail: next TAIL value (free-running) */
	u32 tail;
	/** @hw_seqno: last descriptor seqno written to the ring */
	u64 hw_seqno;
	/** @fence_seqno: last hardware fence seqno handed out */
	u64 fence_seqno;
	/** @pending: struct ares_job on the ring, in seqno order */
	struct list_head pending;
	/** @num_pending: entries in @pending */
	u32 num_pending;
	/** @jobs_completed: jobs the device completed since bind */
	u64 jobs_completed;
	/**
	 * @busy_ctx: contexts bound here with jobs queued, the queue's
	 * WEIGHT (may dip below 0 while a context's last job is freed and
	 * its next is pushed at the same time)
	 */
	int busy_ctx;
	/**
	 * @busy_ns: device time (completion record end_ns - start_ns) of
	 * the jobs completed since bind
	 */
	u64 busy_ns;

	/*
	 * The transport probe (ares_xport.c), under @lock: the seqno of its
	 * descriptor in flight (0: none), the completion to fire when the
	 * device is past it, and the ktime_get_ns() of the interrupt that saw
	 * it done.
	 */
	/** @probe_seqno: probe descriptor awaited by the interrupt, or 0 */
	u64 probe_seqno;
	/** @probe_done: completed by the interrupt that sees @probe_seqno */
	struct completion *probe_done;
	/** @probe_irq_ns: when that interrupt ran */
	u64 probe_irq_ns;
};

/* Performance counters (ARES_REG_PERF_*), in register order. */
#define ARES_NUM_PERF		9

/**
 * struct ares_device - one bound Ares NPU
 */
struct ares_device {
	/** @drm: DRM device, embedded */
	struct drm_device drm;
	/** @pdev: PCI function */
	struct pci_dev *pdev;
	/** @db: BAR0, ivshmem doorbell registers */
	void __iomem *db;
	/** @regs: BAR2, the register file */
	void __iomem *regs;
	/** @db_peer: ivshmem peer id to ring (DB_PEER) */
	u32 db_peer;

	/* Identity, read once at probe. */
	/** @hw_version: HW_VERSION */
	u32 hw_version;
	/** @caps: CAPS */
	u32 caps;
	/** @max_as: address-space slots usable (MAX_AS, capped) */
	u32 max_as;
	/** @va_bits: VA_BITS */
	u32 va_bits;
	/** @fw_version: FW_VERSION at the last successful boot */
	u32 fw_version;
	/** @fw_features: FW_FEATURES at the last successful boot */
	u32 fw_features;
	/** @fw_image_version: fw_version in the header of the loaded image */
	u32 fw_image_version;

	/** @fw_cpu: validated firmware image, kept for re-boots after reset */
	void *fw_cpu;
	/** @fw_dma: bus address of @fw_cpu */
	dma_addr_t fw_dma;
	/** @fw_size: bytes in the image */
	size_t fw_size;

	/**
	 * @ctrl_lock: serialises control commands (one outstanding at a time)
	 * and every other driver read-modify-write of BAR2 registers
	 * (CTRL_*, DBG_*).
	 */
	struct mutex ctrl_lock;
	/** @ctrl_wq: woken by the vector-0 interrupt */
	wait_queue_head_t ctrl_wq;

	/**
	 * @as_lock: protects @as_slots, @as_lru, @as_users, the counters
	 * below, each address space's slot and LRU link, and the
	 * AS_ROOT/AS_CONFIG registers. Held across the TLB invalidate that
	 * takes a slot from an address space, so the slot cannot be handed on
	 * before it is clean: ctrl_lock nests inside it.
	 */
	struct mutex as_lock;
	/** @as_slots: address space bound to each hardware slot, or NULL */
	struct ares_as *as_slots[ARES_MAX_AS];
	/** @as_lru: bound address spaces, least recently used first */
	struct list_head as_lru;
	/** @as_users: address spaces per user (uid -> xa value count) */
	struct xarray as_users;
	/** @as_binds: address spaces bound to a slot, since probe */
	u64 as_binds;
	/** @as_evictions: slots reclaimed from an idle address space */
	u64 as_evictions;
	/** @as_waits: times a job found every slot busy and waited */
	u64 as_waits;
	/** @as_free_seqno: seqno of the last waiter's fence; as_free_lock */
	u64 as_free_seqno;
	/** @as_free_context: fence context of the waiters' fences */
	u64 as_free_context;
	/**
	 * @as_free_lock: protects @as_waiters and is the lock of their
	 * fences; taken from the completion interrupt, so irqsave
	 */
	spinlock_t as_free_lock;
	/**
	 * @as_waiters: jobs waiting for a slot, oldest first, each on a
	 * fence of its own (struct ares_as_waiter): an address space going
	 * idle wakes the first one only
	 */
	struct list_head as_waiters;
	/**
	 * @as_turns_out: waiters woken that have not asked for a slot again
	 * yet; while nonzero or @as_waiters is not empty, a job that wants
	 * a slot queues behind them; as_free_lock
	 */
	u32 as_turns_out;

	/** @queues: the hardware queues */
	struct ares_queue queues[ARES_NUM_QUEUES];

	/**
	 * @reset_wq: ordered workqueue shared by the timeout handlers of all
	 * schedulers and @reset_work, so only one recovery runs at a time.
	 */
	struct workqueue_struct *reset_wq;
	/** @reset_work: recovery after STATUS.FATAL or a DEBUG reset */
	struct work_struct reset_work;
	/**
	 * @reset_forced: why @reset_work must reset even without FATAL
	 * (a static string: "debug", "heartbeat"), or NULL; set with xchg
	 */
	const char *reset_forced;
	/** @reset_result: result of the last recovery (0 or -errno) */
	int reset_result;
	/** @reset_count: recoveries since bind */
	atomic_t reset_count;
	/** @recovery_enabled: probe finished; FATAL schedules recovery */
	bool recovery_enabled;
	/** @dead: firmware failed to reboot; jobs fail with -EIO */
	bool dead;
	/**
	 * @recovering: ares_recover() is between stopping and restarting the
	 * schedulers; read locklessly by sysfs (a health hint, not a lock)
	 */
	bool recovering;

	/**
	 * @perf_lock: protects @perf_base and orders its update against the
	 * RESET that clears the PERF registers. Taken before @ctrl_lock.
	 */
	struct mutex perf_lock;
	/** @perf_base: PERF register totals folded in before each RESET */
	u64 perf_base[ARES_NUM_PERF];

	/**
	 * @hb_work: heartbeat watchdog; runs on @reset_wq so that it never
	 * overlaps a recovery. @hb_last, @hb_stale and @hb_resets are only
	 * touched by it.
	 */
	struct delayed_work hb_work;
	/** @hb_last: HEARTBEAT at the previous check */
	u64 hb_last;
	/** @hb_stale: consecutive checks that saw no heartbeat progress */
	u32 hb_stale;
	/** @hb_resets: @reset_count at the previous check */
	int hb_resets;
	/** @hb_timeouts: recoveries the heartbeat watchdog started */
	atomic_t hb_timeouts;

	/**
	 * @bo_bytes: bytes of the live BO_CREATE buffers of all files, at
	 * most ares_bo_mem_limit()
	 */
	atomic64_t bo_bytes;

	/** @fault_seen: FAULT_COUNT at the last fault interrupt */
	u32 fault_seen;
	/** @fault_rs: rate limit of fault messages */
	struct ratelimit_state fault_rs;

	/**
	 * @xport_lock: one transport probe at a time; held across a whole
	 * measurement and its figures (ares_xport.c)
	 */
	struct mutex xport_lock;
	/** @xport: the transport probe, or NULL unless transport_probe=1 */
	struct ares_xport *xport;

	/*
	 * User queues (ares_uq.c). Lock order: uq_lock, then an address
	 * space's lock, as_lock, ctrl_lock; uq_hw_lock innermost.
	 */
	/**
	 * @uq_lock: serialises creating, destroying, suspending, resuming and
	 * mapping user queues: @uqs slot allocation and every address space's
	 * uqs list. Held across a stop handshake (bounded); never taken by
	 * the recovery, which a hung queue may be waiting for.
	 */
	struct mutex uq_lock;
	/**
	 * @uq_hw_lock: protects @uqs, each queue's state, waiters and fences
	 * (the lock of its fences) and its CONTROL, IRQ_HEAD and HEAD
	 * registers. Taken from the ARES_VEC_UQ interrupt, so irqsave.
	 */
	spinlock_t uq_hw_lock;
	/** @uqs: user queue of each hardware user-queue slot, or NULL */
	struct ares_uq *uqs[ARES_NUM_UQ];
	/**
	 * @uq_jobs_folded: user-queue jobs completed while their queues'
	 * counters were live, added when the counters stop (@uq_hw_lock)
	 */
	u64 uq_jobs_folded;
	/** @uq_busy_ns_folded: those jobs' device time (@uq_hw_lock) */
	u64 uq_busy_ns_folded;
	/** @uq_wd_work: user-queue watchdog, on @reset_wq */
	struct delayed_work uq_wd_work;
	/** @uq_unplugged: the watchdog must not re-arm */
	bool uq_unplugged;
};

/**
 * struct ares_file - per open file state
 */
struct ares_file {
	/** @adev: the device */
	struct ares_device *adev;
	/** @as: this file's device address space */
	struct ares_as *as;
	/** @ctxs: context id -> struct ares_ctx, locked by the xarray */
	struct xarray ctxs;
	/** @ctx_next: cursor for cyclic context id allocation */
	u32 ctx_next;
	/** @num_ctx: contexts in @ctxs, at most max_contexts_per_file */
	atomic_t num_ctx;
	/** @num_uqs: user-queue contexts among them, at most max_uqs_per_file */
	atomic_t num_uqs;
	/** @usage: engine time, job and buffer counts of this file */
	struct ares_usage *usage;
};

u64 ares_bo_mem_limit(void);
u64 ares_bo_mem_file_limit(void);

static inline struct ares_device *to_ares_device(struct drm_device *drm)
{
	return container_of(drm, struct ares_device, drm);
}

static inline u32 ares_rd32(struct ares_device *adev, u32 reg)
{
	return readl(adev->regs + reg);
}

static inline void ares_wr32(struct ares_device *adev, u32 reg, u32 val)
{
	writel(val, adev->regs + reg);
}

static inline u64 ares_rd64(struct ares_device *adev, u32 reg)
{
	return readq(adev->regs + reg);
}

static inline void ares_wr64(struct ares_device *adev, u32 reg, u64 val)
{
	writeq(val, adev->regs + reg);
}

#endif /* __ARES_DRV_H__ */
