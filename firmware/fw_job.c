/* SPDX-License-Identifier: MIT */
/*
 * One job: descriptor checks (hw-spec §6 step 1) and the command stream
 * (§8). Every command is fetched through the job's address space; the first
 * failure ends the job with its status and the command's byte offset.
 */
#include "fw.h"

#define FW_VA_LIMIT (1ull << ARES_VA_BITS)

__u32 fw_job_check_desc(const struct ares_cp_ops *ops, const struct ares_job_desc *d)
{
	if (d->flags || d->reserved0 || d->reserved1 || d->reserved[0] || d->reserved[1] ||
	    d->reserved[2])
		return ARES_JOB_INVALID_DESC;
	if (!d->cmd_size || d->cmd_size % ARES_CMD_ALIGN || d->cmd_size > ARES_CMD_STREAM_MAX ||
	    d->cmd_va % ARES_CMD_ALIGN)
		return ARES_JOB_INVALID_DESC;
	if (d->asid >= ARES_MAX_AS ||
	    !(fw_rd32(ops, ARES_REG_AS_CONFIG(d->asid)) & ARES_AS_CONFIG_ENABLE))
		return ARES_JOB_INVALID_DESC;
	return ARES_JOB_OK;
}

/* Operand ranges are checked here so engines only ever see well-formed work. */
static int range_ok(__u64 va, __u64 size)
{
	return va < FW_VA_LIMIT && size <= FW_VA_LIMIT - va;
}

static __u32 check_gemm(const struct ares_cmd_gemm *g)
{
	if (g->flags || g->reserved)
		return ARES_JOB_INVALID_CMD;
	if (!g->m || !g->n || !g->k || g->m > ARES_GEMM_DIM_MAX || g->n > ARES_GEMM_DIM_MAX ||
	    g->k > ARES_GEMM_DIM_MAX)
		return ARES_JOB_INVALID_CMD;
	if (g->lda < g->k || g->ldb < g->n || g->ldc < g->n)
		return ARES_JOB_INVALID_CMD;
	if ((g->a_va | g->b_va | g->c_va) & 3)
		return ARES_JOB_INVALID_CMD;
	return ARES_JOB_OK;
}

/* Runs one command; *modeled_ns already holds the time of the commands before it. */
static __u32 exec(const struct ares_cp_ops *ops, __u32 asid, __u32 q, const union fw_cmd *c,
		  __u64 *modeled_ns)
{
	struct ares_profile_record rec;
	__u64 now;

	switch (c->hdr.opcode) {
	case ARES_OP_FENCE_WRITE:
		if (c->fence_write.va % 8)
			return ARES_JOB_INVALID_CMD;
		return ops->va_write(ops->dev, asid, q, c->fence_write.va, &c->fence_write.value,
				     8);
	case ARES_OP_TIMESTAMP:
		if (c->timestamp.va % 8)
			return ARES_JOB_INVALID_CMD;
		now = ops->now_ns(ops->dev);
		return ops->va_write(ops->dev, asid, q, c->timestamp.va, &now, 8);
	case ARES_OP_PROFILE:
		if (c->profile.va % 8)
			return ARES_JOB_INVALID_CMD;
		rec.now_ns = ops->now_ns(ops->dev);
		rec.modeled_ns = *modeled_ns;
		return ops->va_write(ops->dev, asid, q, c->profile.va, &rec, sizeof(rec));
	case ARES_OP_DMA_COPY:
		if (!range_ok(c->dma_copy.src_va, c->dma_copy.size) ||
		    !range_ok(c->dma_copy.dst_va, c->dma_copy.size))
			return ARES_JOB_INVALID_CMD;
		if (c->dma_copy.src_va < c->dma_copy.dst_va + c->dma_copy.size &&
		    c->dma_copy.dst_va < c->dma_copy.src_va + c->dma_copy.size)
			return ARES_JOB_INVALID_CMD;
		if (!c->dma_copy.size)
			return ARES_JOB_OK;
		return ops->engine_run(ops->dev, asid, q, &c->hdr, modeled_ns);
	case ARES_OP_FILL:
		if (c->fill.reserved || (c->fill.dst_va | c->fill.size) % 4 ||
		    !range_ok(c->fill.dst_va, c->fill.size))
			return ARES_JOB_INVALID_CMD;
		if (!c->fill.size)
			return ARES_JOB_OK;
		return ops->engine_run(ops->dev, asid, q, &c->hdr, modeled_ns);
	case ARES_OP_GEMM:
		if (check_gemm(&c->gemm))
			return ARES_JOB_INVALID_CMD;
		return ops->engine_run(ops->dev, asid, q, &c->hdr, modeled_ns);
	default:
		if (fw_tensor_check(c))
			return ARES_JOB_INVALID_CMD;
		return fw_tensor_run(ops, asid, q, c, modeled_ns);
	}
}

__u32 fw_job_run(const struct ares_cp_ops *ops, __u32 q, const struct ares_job_desc *d,
		 __u32 *error_offset, __u64 *modeled_ns)
{
	const struct ares_op_info *op;
	__u32 off = 0, st;
	union fw_cmd c;

	*error_offset = 0;
	*modeled_ns = 0;
	st = fw_job_check_desc(ops, d);
	if (st)
		return st;
	while (off < d->cmd_size) {
		*error_offset = off;
		st = ops->va_read(ops->dev, d->asid, q, d->cmd_va + off, &c.hdr, sizeof(c.hdr));
		if (st)
			return st;
		if (c.hdr.size < sizeof(c.hdr) || c.hdr.size % ARES_CMD_ALIGN ||
		    c.hdr.size > d->cmd_size - off || c.hdr.flags)
			return ARES_JOB_INVALID_CMD;
		if (c.hdr.opcode != ARES_OP_NOP) {
			op = ares_op_info(c.hdr.opcode);
			if (!op || c.hdr.size != op->size)
				return ARES_JOB_INVALID_CMD;
			st = ops->va_read(ops->dev, d->asid, q, d->cmd_va + off + sizeof(c.hdr),
					  (char *)&c + sizeof(c.hdr), op->size - sizeof(c.hdr));
			if (st)
				return st;
			/* The fixed cost is charged after PROFILE reads the time so far. */
			st = exec(ops, d->asid, q, &c, modeled_ns);
			*modeled_ns += FW_CMD_NS;
			fw_wr64(ops, ARES_REG_PERF_CMDS, fw_rd64(ops, ARES_REG_PERF_CMDS) + 1);
			if (st)
				return st;
		}
		off += c.hdr.size;
	}
	*error_offset = 0;
	return ARES_JOB_OK;
}
