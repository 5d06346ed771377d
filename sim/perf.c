/* SPDX-License-Identifier: MIT */
/*
 * The performance model (hw-spec §14): what one engine tile would take on
 * the silicon, and the cumulative counters in BAR2. Nothing here depends
 * on how long the emulator took.
 */
#include <ares/regs.h>
#include <ares/tensor.h>

#include "sim.h"

#define TILE_SETUP_NS	 20ull
#define DMA_BYTES_PER_NS 64ull
#define VECTOR_LANES	 64ull
#define MACS_PER_NS_F32	 256ull
#define MACS_PER_NS_HALF 1024ull
#define MACS_PER_NS_INT8 4096ull

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

static uint64_t mac_rate(uint32_t dtype)
{
	switch (dtype) {
	case ARES_DTYPE_F16:
	case ARES_DTYPE_BF16:
		return MACS_PER_NS_HALF;
	case ARES_DTYPE_I8:
	case ARES_DTYPE_U8:
		return MACS_PER_NS_INT8;
	default:
		return MACS_PER_NS_F32;
	}
}

/* Only the CP process writes the counters; RESET stops it before clearing them. */
static void bump(struct sim_dev *d, uint32_t reg, uint64_t v)
{
	sim_wr64(d, reg, sim_rd64(d, reg) + v);
}

void sim_perf_tile(struct sim_dev *d, enum sim_engine engine, uint32_t mac_dtype,
		   const struct sim_work *w, uint64_t *modeled_ns)
{
	uint64_t compute = 0, dma = div_up(w->bytes, DMA_BYTES_PER_NS), tile;

	if (engine == SIM_ENGINE_TENSOR)
		compute = div_up(w->macs, mac_rate(mac_dtype));
	else if (engine == SIM_ENGINE_VECTOR)
		compute = div_up(w->vector_ops, VECTOR_LANES);
	tile = TILE_SETUP_NS + (compute > dma ? compute : dma);
	*modeled_ns += tile;
	switch (engine) {
	case SIM_ENGINE_TENSOR:
		bump(d, ARES_REG_PERF_TENSOR_BUSY_NS, tile);
		bump(d, ARES_REG_PERF_DMA_BUSY_NS, dma);
		break;
	case SIM_ENGINE_VECTOR:
		bump(d, ARES_REG_PERF_VECTOR_BUSY_NS, tile);
		bump(d, ARES_REG_PERF_DMA_BUSY_NS, dma);
		break;
	case SIM_ENGINE_DMA:
		bump(d, ARES_REG_PERF_DMA_BUSY_NS, tile);
		break;
	}
	bump(d, ARES_REG_PERF_MACS, w->macs);
	bump(d, ARES_REG_PERF_VECTOR_OPS, w->vector_ops);
	bump(d, ARES_REG_PERF_DMA_BYTES, w->bytes);
}
