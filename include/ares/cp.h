/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 control-processor (CP) ABI: how the firmware payload talks to
 * the hardware around it.
 *
 * The boot ROM loads the payload (ARES_FW_FORMAT_CP_ELF64) and calls the
 * function at load base + ares_fw_header.entry with a pointer to struct
 * ares_cp_ops. Normal firmware never returns: returning is a firmware exit
 * (ARES_FATAL_FW_EXIT). Everything the firmware does to the outside world
 * goes through this table or through @regs (the BAR2 register file, which
 * the firmware reads and writes directly with naturally aligned 32/64-bit
 * accesses).
 *
 * Only the hardware is behind these callbacks: queue arbitration, descriptor
 * and command validation, completion records and the firmware log are the
 * firmware's job. Engines and va_* accesses go through the device MMU; on a
 * translation fault the hardware itself writes the fault record, bumps
 * FAULT_COUNT and raises ARES_VEC_FAULT before the call returns
 * ARES_JOB_MMU_FAULT.
 *
 * The table is versioned and sized: a firmware checks @abi_version and that
 * @size covers every member it uses; members are only ever appended.
 */
#ifndef ARES_CP_H
#define ARES_CP_H

#include "types.h"
#include "cmd.h"

#define ARES_CP_ABI_VERSION	2	/* 2: engine_run */

/* Symbol name of the entry point that mkfwimage records in the header. */
#define ARES_CP_ENTRY_SYMBOL	"ares_fw_entry"

/**
 * struct ares_cp_ops - hardware services offered to the firmware
 * @abi_version: ARES_CP_ABI_VERSION
 * @size: sizeof(struct ares_cp_ops) as the hardware knows it
 * @regs: the BAR2 register file (ARES_BAR2_SIZE bytes)
 * @dev: opaque hardware handle, passed back as the first argument
 * @now_ns: device clock, ns since power-on (the clock TIMESTAMP writes)
 * @wait: sleep until a doorbell rings, a queue in @queue_mask has
 *	TAIL != HEAD, or @timeout_ns passes. Returns nonzero if woken by work.
 *	Spurious wakeups are allowed: callers rescan every queue. User queues
 *	need no mask: the hardware watches the doorbell page of every user
 *	queue whose STATUS reads ACTIVE without RUNNING (TAIL != HEAD is
 *	work), and runs hw-spec §15's NEED_WAKEUP handshake before it sleeps
 * @raise_irq: raise MSI-X vector @vector (subject to DBG_DROP_IRQS)
 * @bus_read: read host memory at a bus address, no MMU. 0 or -1 (outside
 *	host memory)
 * @bus_write: write host memory at a bus address, no MMU. 0 or -1. An
 *	aligned 4- or 8-byte write is a single store ordered after every
 *	earlier write (for done_seqno and similar publish points)
 * @bus_check: 0 if [bus, bus + len) is host memory, else -1
 * @va_read: read through address space @asid on behalf of queue @queue.
 *	ARES_JOB_OK or ARES_JOB_MMU_FAULT (fault recorded and signalled)
 * @va_write: write through the MMU, same contract as @va_read
 * @dma_copy: copy engine, @size bytes from @src_va to @dst_va
 * @fill: fill engine, @size bytes (multiple of 4) at @dst_va with @pattern
 * @gemm: tensor engine, f32 GEMM described by a validated @cmd
 *	(ARES_JOB_OK, ARES_JOB_MMU_FAULT or ARES_JOB_FW_ERROR if the engine
 *	cannot get working memory)
 * @report_ready: firmware initialised; publishes FW_VERSION/FW_FEATURES and
 *	completes the BOOT command
 * @log: mirror one firmware log line (no trailing newline) to the device's
 *	debug log; the firmware log ring in BAR2 is written by the firmware
 * @queue_hung: nonzero if DBG_HANG_QUEUES selects @queue, or, for
 *	@queue = ARES_UQ_QUEUE_ID(n), if DBG_HANG_UQS selects user queue n
 * @engine_run: (ABI 2) run one validated engine command, or one tile of it
 *	(the same command with sliced descriptors, hw-spec §12.11), on its
 *	engine: DMA_COPY, FILL, GEMM and CONV2D..FILL_TENSOR. @cmd is the
 *	whole command (@cmd->size bytes). Adds the tile's modeled time
 *	(hw-spec §14) to *@modeled_ns and its work to the PERF counters.
 *	ARES_JOB_OK, ARES_JOB_MMU_FAULT, ARES_JOB_INVALID_CMD (a
 *	data-dependent error, or a combination the engine does not
 *	implement) or ARES_JOB_FW_ERROR (no working memory)
 */
struct ares_cp_ops {
	__u32 abi_version;
	__u32 size;
	void *regs;
	void *dev;
	__u64 (*now_ns)(void *dev);
	int (*wait)(void *dev, __u32 queue_mask, __u64 timeout_ns);
	void (*raise_irq)(void *dev, __u32 vector);
	int (*bus_read)(void *dev, __u64 bus, void *dst, __u64 len);
	int (*bus_write)(void *dev, __u64 bus, const void *src, __u64 len);
	int (*bus_check)(void *dev, __u64 bus, __u64 len);
	__u32 (*va_read)(void *dev, __u32 asid, __u32 queue, __u64 va, void *dst, __u64 len);
	__u32 (*va_write)(void *dev, __u32 asid, __u32 queue, __u64 va, const void *src,
			  __u64 len);
	__u32 (*dma_copy)(void *dev, __u32 asid, __u32 queue, __u64 dst_va, __u64 src_va,
			  __u64 size);
	__u32 (*fill)(void *dev, __u32 asid, __u32 queue, __u64 dst_va, __u64 size,
		      __u32 pattern);
	__u32 (*gemm)(void *dev, __u32 asid, __u32 queue, const struct ares_cmd_gemm *cmd);
	void (*report_ready)(void *dev, __u32 fw_version, __u32 fw_features);
	void (*log)(void *dev, const char *line, __u32 len);
	int (*queue_hung)(void *dev, __u32 queue);
	__u32 (*engine_run)(void *dev, __u32 asid, __u32 queue, const struct ares_cmd_hdr *cmd,
			    __u64 *modeled_ns);
};

#if defined(__x86_64__)
ARES_ASSERT_SIZE(struct ares_cp_ops, 144);
#endif

/* The entry point's type. */
typedef int (*ares_cp_entry_fn)(const struct ares_cp_ops *ops);

#endif /* ARES_CP_H */
