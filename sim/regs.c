/* SPDX-License-Identifier: MIT */
/* The register file's power-on and RESET states (hw-spec §3, §4). */
#include <string.h>

#include "sim.h"

void sim_regs_power_on(struct sim_dev *d)
{
	memset(d->regs, 0, ARES_BAR2_SIZE);
	sim_wr32(d, ARES_REG_HW_VERSION, ARES_HW_VERSION_V1);
	sim_wr32(d, ARES_REG_CAPS,
		 ARES_CAP_MMU | ARES_CAP_GEMM_F32 | ARES_CAP_FAULT_INJECT | ARES_CAP_USER_QUEUES);
	sim_wr32(d, ARES_REG_NUM_QUEUES, ARES_NUM_QUEUES);
	sim_wr32(d, ARES_REG_MAX_AS, ARES_MAX_AS);
	sim_wr32(d, ARES_REG_VA_BITS, ARES_VA_BITS);
	sim_wr32(d, ARES_REG_DB_PEER, 0);
	sim_wr32(d, ARES_REG_NUM_VECTORS, ARES_NUM_VECTORS);
	/* Last, so a driver that sees the signature sees a complete identity. */
	sim_wr32(d, ARES_REG_SIGNATURE, ARES_SIGNATURE);
}

/*
 * Everything RESET clears. FAULT_COUNT is part of the fault record here:
 * after a reset the driver starts counting missed faults from zero.
 */
void sim_regs_reset(struct sim_dev *d)
{
	sim_wr32(d, ARES_REG_STATUS, 0);
	sim_wr32(d, ARES_REG_FATAL_CAUSE, 0);
	sim_wr32(d, ARES_REG_BOOT_STATUS, ARES_BOOT_IDLE);
	sim_wr32(d, ARES_REG_FW_VERSION, 0);
	sim_wr32(d, ARES_REG_FW_FEATURES, 0);
	sim_wr64(d, ARES_REG_HEARTBEAT, 0);
	memset(d->regs + ARES_REG_QUEUE_BASE, 0, ARES_NUM_QUEUES * ARES_REG_QUEUE_STRIDE);
	memset(d->regs + ARES_REG_AS_BASE, 0, ARES_MAX_AS * ARES_REG_AS_STRIDE);
	memset(d->regs + ARES_REG_FAULT_COUNT, 0, ARES_REG_FAULT_REASON + 4 - ARES_REG_FAULT_COUNT);
	memset(d->regs + ARES_REG_DBG_HANG_QUEUES, 0,
	       ARES_REG_DBG_HANG_UQS + 8 - ARES_REG_DBG_HANG_QUEUES);
	/* User queues (§15): their block and every doorbell page, TAIL and flags. */
	memset(d->regs + ARES_REG_UQ_BASE, 0, ARES_NUM_UQ * ARES_REG_UQ_STRIDE);
	memset(d->regs + ARES_REG_UQ_DB_BASE, 0, ARES_NUM_UQ * ARES_UQ_DB_PAGE);
	memset(d->regs + ARES_REG_FW_LOG_BASE, 0, ARES_FW_LOG_SIZE);
	memset(d->regs + ARES_REG_PERF_BASE, 0, ARES_REG_PERF_CMDS + 8 - ARES_REG_PERF_BASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	sim_wr64(d, ARES_REG_RESET_COUNT, sim_rd64(d, ARES_REG_RESET_COUNT) + 1);
}
