/* SPDX-License-Identifier: MIT */
/*
 * Ares firmware internals. The firmware is freestanding: everything it
 * knows about the outside world comes through struct ares_cp_ops.
 */
#ifndef ARES_FW_FW_H
#define ARES_FW_FW_H

#include <stdarg.h>
#include <stddef.h>

#include <ares/cmd.h>
#include <ares/cp.h>
#include <ares/op_table.h>
#include <ares/ops.h>
#include <ares/queue.h>
#include <ares/regs.h>

#define FW_EXPORT __attribute__((visibility("default")))

static inline __u32 fw_rd32(const struct ares_cp_ops *ops, __u32 off)
{
	return __atomic_load_n((const __u32 *)((const char *)ops->regs + off), __ATOMIC_ACQUIRE);
}

static inline __u64 fw_rd64(const struct ares_cp_ops *ops, __u32 off)
{
	return __atomic_load_n((const __u64 *)((const char *)ops->regs + off), __ATOMIC_ACQUIRE);
}

static inline void fw_wr32(const struct ares_cp_ops *ops, __u32 off, __u32 v)
{
	__atomic_store_n((__u32 *)((char *)ops->regs + off), v, __ATOMIC_RELEASE);
}

static inline void fw_wr64(const struct ares_cp_ops *ops, __u32 off, __u64 v)
{
	__atomic_store_n((__u64 *)((char *)ops->regs + off), v, __ATOMIC_RELEASE);
}

/* fw_log.c: printf subset (%u %x %s, with l/ll for 64-bit) into the BAR2 log ring. */
void fw_log(const struct ares_cp_ops *ops, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Performance model constants the CP itself accounts for (hw-spec §14). */
#define FW_CMD_NS     100ull
#define FW_SRAM_BYTES (1ull << 20)

/* Every command the firmware knows, as fetched from the stream: one member per op-table row. */
#define FW_CMD_MEMBER(NAME, name, code, type, engine, tiling) type name;
union fw_cmd {
	struct ares_cmd_hdr hdr;
	ARES_OP_TABLE(FW_CMD_MEMBER)
};
#undef FW_CMD_MEMBER

/* fw_job.c: one job from descriptor checks to its status and modeled time. */
__u32 fw_job_check_desc(const struct ares_cp_ops *ops, const struct ares_job_desc *desc);
__u32 fw_job_run(const struct ares_cp_ops *ops, __u32 queue, const struct ares_job_desc *desc,
		 __u32 *error_offset, __u64 *modeled_ns);

/* fw_tensor.c: descriptor and per-opcode checks (hw-spec §12), tiling (§12.11). */
__u32 fw_tensor_check(const union fw_cmd *c);
__u32 fw_tensor_run(const struct ares_cp_ops *ops, __u32 asid, __u32 queue, const union fw_cmd *c,
		    __u64 *modeled_ns);

/* fw_queue.c: queue configuration, arbitration and completion. */
void fw_queues_init(void);
void fw_queues_scan(const struct ares_cp_ops *ops);
int fw_queues_run_one(const struct ares_cp_ops *ops);
__u32 fw_queues_wait_mask(void);

/* fw_lib.c: what the compiler may call in freestanding code. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif /* ARES_FW_FW_H */
