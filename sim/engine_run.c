/* SPDX-License-Identifier: MIT */
/*
 * engine_run (include/ares/cp.h): one engine tile from the firmware, and
 * its account in the performance model. The v1 engines (copy, fill, GEMM)
 * walk VAs themselves; the compute engines go through sim/engine_tensor.c.
 */
#include <ares/ops.h>

#include "sim.h"

uint32_t sim_engine_run(struct sim_dev *d, struct compute_workers *w, uint32_t asid, uint32_t queue,
			const struct ares_cmd_hdr *cmd, uint64_t *modeled_ns)
{
	const struct ares_cmd_dma_copy *cp = (const void *)cmd;
	const struct ares_cmd_fill *fl = (const void *)cmd;
	const struct ares_cmd_gemm *g = (const void *)cmd;
	struct sim_work work = {0};
	uint32_t st;

	switch (cmd->opcode) {
	case ARES_OP_DMA_COPY:
		st = sim_engine_copy(d, asid, queue, cp->dst_va, cp->src_va, cp->size);
		work.bytes = 2 * cp->size;
		if (!st)
			sim_perf_tile(d, SIM_ENGINE_DMA, 0, &work, modeled_ns);
		return st;
	case ARES_OP_FILL:
		st = sim_engine_fill(d, asid, queue, fl->dst_va, fl->size, fl->pattern);
		work.bytes = fl->size;
		if (!st)
			sim_perf_tile(d, SIM_ENGINE_DMA, 0, &work, modeled_ns);
		return st;
	case ARES_OP_GEMM:
		st = sim_engine_gemm(d, asid, queue, g);
		work.macs = (uint64_t)g->m * g->n * g->k;
		work.bytes = 4 * ((uint64_t)g->m * g->k + (uint64_t)g->k * g->n +
				  2 * (uint64_t)g->m * g->n);
		if (!st)
			sim_perf_tile(d, SIM_ENGINE_TENSOR, ARES_DTYPE_F32, &work, modeled_ns);
		return st;
	default:
		return sim_engine_tensor(d, w, asid, queue, cmd, modeled_ns);
	}
}
