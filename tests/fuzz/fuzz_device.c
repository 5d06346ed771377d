/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: any bytes as a job's command stream, run by the real
 * firmware job code (descriptor and command checks, tiling) on the real
 * emulator engines and MMU, over a device with no process around it
 * (sim/tests/fake_dev.h). The job's address space maps a command region,
 * a data region and one read-only page; another address space maps its
 * own pages. Whatever the stream says, the job must end with a documented
 * status, and no byte outside what its address space maps writable may
 * change: that is the isolation between processes the MMU promises.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/fw.h"
#include "../../sim/compute/compute.h"
#include "../../sim/tests/fake_dev.h"

#define JOB_ASID	  1
#define OTHER_ASID	  2
#define CMD_VA		  0x100000ull
#define CMD_BYTES	  (2 * ARES_PAGE_SIZE)
#define DATA_VA		  0x200000ull
#define DATA_BYTES	  (16 * ARES_PAGE_SIZE)
#define RO_VA		  (DATA_VA + DATA_BYTES)
/* A harness budget, not device behaviour: the driver's watchdog would end
 * a job this long, and a fuzzer must not wait for it. */
#define MODELED_BUDGET_NS 2000000ull

static struct fake_dev F;
static struct compute_workers *W;
static uint64_t ro_bus, other_bus, budget_used, used_bytes;
static uint64_t writable[CMD_BYTES / ARES_PAGE_SIZE + DATA_BYTES / ARES_PAGE_SIZE];
static uint8_t *snapshot;

static __u64 f_now(void *dev)
{
	(void)dev;
	return 0;
}

static __u32 f_va_read(void *dev, __u32 asid, __u32 q, __u64 va, void *dst, __u64 len)
{
	return sim_va_read(dev, asid, q, va, dst, len);
}

static __u32 f_va_write(void *dev, __u32 asid, __u32 q, __u64 va, const void *src, __u64 len)
{
	return sim_va_write(dev, asid, q, va, src, len);
}

static __u32 f_copy(void *dev, __u32 asid, __u32 q, __u64 dst, __u64 src, __u64 size)
{
	return sim_engine_copy(dev, asid, q, dst, src, size);
}

static __u32 f_fill(void *dev, __u32 asid, __u32 q, __u64 dst, __u64 size, __u32 pattern)
{
	return sim_engine_fill(dev, asid, q, dst, size, pattern);
}

static __u32 f_gemm(void *dev, __u32 asid, __u32 q, const struct ares_cmd_gemm *cmd)
{
	return sim_engine_gemm(dev, asid, q, cmd);
}

static uint64_t elems(const struct ares_tensor_desc *t)
{
	uint64_t n = 1;

	if (t->dtype == ARES_DTYPE_NONE)
		return 0;
	for (unsigned int k = 0; k < t->rank && k < ARES_MAX_RANK; k++)
		if (__builtin_mul_overflow(n, t->shape[k], &n))
			return UINT64_MAX;
	return n;
}

static uint64_t smul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/*
 * Broadcast strides let a few bytes describe a view of 2^48 elements, which
 * the firmware accepts and the device would grind through until the
 * driver's watchdog; the harness skips tiles that large instead, so each
 * input runs in milliseconds. Elements of the largest view (any opcode, from
 * the op table's operand lists), and multiply-accumulates of the windowed
 * and matrix opcodes, bound the work.
 */
static int tile_too_big(const union fw_cmd *c)
{
	const uint64_t max_elems = 1u << 20, max_macs = 1u << 24;
	const struct ares_op_info *op = ares_op_info(c->hdr.opcode);
	uint64_t big = 0, macs = 0, e;

	for (unsigned int i = 0; op && i < op->n_operands; i++) {
		e = elems(ares_operand_desc(c, op, i));
		big = e > big ? e : big;
	}
	switch (c->hdr.opcode) {
	case ARES_OP_CONV2D:
		if (c->conv2d.w.rank && c->conv2d.w.shape[0])
			macs = smul(elems(&c->conv2d.y),
				    elems(&c->conv2d.w) / c->conv2d.w.shape[0]);
		break;
	case ARES_OP_MATMUL:
		if (c->matmul.a.rank && c->matmul.a.rank <= ARES_MAX_RANK)
			macs = smul(elems(&c->matmul.y), c->matmul.a.shape[c->matmul.a.rank - 1]);
		break;
	case ARES_OP_POOL:
		macs = smul(smul(elems(&c->pool.y), c->pool.p.kernel_h), c->pool.p.kernel_w);
		break;
	}
	return big > max_elems || macs > max_macs;
}

static __u32 f_engine_run(void *dev, __u32 asid, __u32 q, const struct ares_cmd_hdr *cmd,
			  __u64 *modeled_ns)
{
	uint64_t ns = *modeled_ns;
	__u32 st;

	if (budget_used > MODELED_BUDGET_NS || tile_too_big((const union fw_cmd *)cmd))
		return ARES_JOB_FW_ERROR;
	st = sim_engine_run(dev, W, asid, q, cmd, &ns);
	budget_used += ns - *modeled_ns;
	*modeled_ns = ns;
	return st;
}

static void f_log(void *dev, const char *line, __u32 len)
{
	(void)dev, (void)line, (void)len;
}

static int f_queue_hung(void *dev, __u32 q)
{
	(void)dev, (void)q;
	return 0;
}

static struct ares_cp_ops ops = {
	.abi_version = ARES_CP_ABI_VERSION,
	.size = sizeof(ops),
	.now_ns = f_now,
	.va_read = f_va_read,
	.va_write = f_va_write,
	.dma_copy = f_copy,
	.fill = f_fill,
	.gemm = f_gemm,
	.log = f_log,
	.queue_hung = f_queue_hung,
	.engine_run = f_engine_run,
};

static void fill_pattern(uint64_t bus, uint64_t bytes, uint8_t seed)
{
	for (uint64_t i = 0; i < bytes; i++)
		F.d.mem.base[bus + i] = (uint8_t)(seed + i * 31);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fake_init(&F);
	W = compute_workers_create(1); /* one worker: runs stay repeatable */
	if (!W)
		abort();
	ops.regs = F.d.regs;
	ops.dev = &F.d;
	fake_as(&F, JOB_ASID);
	fake_as(&F, OTHER_ASID);
	fake_map_range(&F, JOB_ASID, CMD_VA, CMD_BYTES);
	fake_map_range(&F, JOB_ASID, DATA_VA, DATA_BYTES);
	ro_bus = fake_page(&F);
	fake_map(&F, JOB_ASID, RO_VA, ro_bus, ARES_PTE_READ);
	other_bus = F.data_next;
	fake_map_range(&F, OTHER_ASID, DATA_VA, 4 * ARES_PAGE_SIZE);
	fill_pattern(ro_bus, ARES_PAGE_SIZE, 7);
	fill_pattern(other_bus, 4 * ARES_PAGE_SIZE, 99);
	for (size_t i = 0; i < sizeof(writable) / sizeof(writable[0]); i++) {
		uint64_t va = i < CMD_BYTES / ARES_PAGE_SIZE
				      ? CMD_VA + i * ARES_PAGE_SIZE
				      : DATA_VA + (i - CMD_BYTES / ARES_PAGE_SIZE) * ARES_PAGE_SIZE;
		writable[i] =
			*fake_entry(&F, JOB_ASID, va, ARES_PT_LEVELS - 1) & ARES_PTE_ADDR_MASK;
	}
	/* Page tables and every page handed out; the rest of RAM is never mapped. */
	used_bytes = F.data_next;
	snapshot = malloc(used_bytes);
	if (!snapshot)
		abort();
	return 0;
}

static int job_writable(uint64_t bus)
{
	for (size_t i = 0; i < sizeof(writable) / sizeof(writable[0]); i++)
		if (writable[i] == bus)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ares_job_desc desc = {0};
	__u32 status, error_offset = 0;
	__u64 modeled = 0;

	if (size < 8 || size > CMD_BYTES)
		return 0;
	size &= ~(size_t)7;
	if (sim_va_write(&F.d, JOB_ASID, 0, CMD_VA, data, size))
		abort();
	memcpy(snapshot, F.d.mem.base, used_bytes);
	desc.seqno = 1;
	desc.cmd_va = CMD_VA;
	desc.cmd_size = (__u32)size;
	desc.asid = JOB_ASID;
	budget_used = 0;
	status = fw_job_run(&ops, 0, &desc, &error_offset, &modeled);
	if (status > ARES_JOB_INVALID_DESC || status == ARES_JOB_TIMEOUT ||
	    status == ARES_JOB_ABORTED) {
		fprintf(stderr, "job ended with status %u, which the device never reports\n",
			status);
		abort();
	}
	if (error_offset > size) {
		fprintf(stderr, "error offset %u past the %zu-byte stream\n", error_offset, size);
		abort();
	}
	for (uint64_t page = 0; page < used_bytes; page += ARES_PAGE_SIZE) {
		if (job_writable(page) ||
		    !memcmp(snapshot + page, F.d.mem.base + page, ARES_PAGE_SIZE))
			continue;
		fprintf(stderr, "bus page 0x%llx changed though the job cannot write it\n",
			(unsigned long long)page);
		abort();
	}
	return 0;
}
