/* SPDX-License-Identifier: MIT */
/*
 * Device MMU (hw-spec §7). Every access walks the four levels from guest
 * RAM; there is no translation cache, which trivially satisfies
 * TLB_INVALIDATE ("no later access uses a translation cached before it")
 * and keeps the driver honest about publishing table writes before use.
 */
#include <string.h>

#include <ares/mmu.h>

#include "sim.h"

#define SIM_VA_LIMIT (1ull << ARES_VA_BITS)

uint32_t sim_mmu_translate(const struct sim_dev *d, uint32_t asid, uint64_t va, uint32_t access,
			   uint64_t *bus)
{
	uint64_t table, entry;
	const uint8_t *p;
	int level;

	if (asid >= ARES_MAX_AS || !(sim_rd32(d, ARES_REG_AS_CONFIG(asid)) & ARES_AS_CONFIG_ENABLE))
		return ARES_FAULT_AS_INVALID;
	if (va >= SIM_VA_LIMIT)
		return ARES_FAULT_VA_RANGE;
	table = sim_rd64(d, ARES_REG_AS_ROOT(asid)) & ARES_PTE_ADDR_MASK;
	for (level = 0; level < ARES_PT_LEVELS; level++) {
		p = sim_mem_ptr(&d->mem, table + ARES_PT_INDEX(va, level) * 8, 8);
		if (!p)
			return ARES_FAULT_BUS;
		/* The driver may be editing other entries of this table concurrently. */
		entry = __atomic_load_n((const uint64_t *)p, __ATOMIC_ACQUIRE);
		if (!(entry & ARES_PTE_VALID))
			return ARES_FAULT_UNMAPPED;
		table = entry & ARES_PTE_ADDR_MASK;
	}
	if ((access == ARES_ACCESS_READ && !(entry & ARES_PTE_READ)) ||
	    (access == ARES_ACCESS_WRITE && !(entry & ARES_PTE_WRITE)))
		return ARES_FAULT_PERMISSION;
	if (!sim_mem_ptr(&d->mem, table, ARES_PAGE_SIZE))
		return ARES_FAULT_BUS;
	*bus = table | (va & (ARES_PAGE_SIZE - 1));
	return 0;
}

/* Record first, count second, interrupt last: the driver reads the record once it sees the count.
 */
void sim_mmu_record_fault(struct sim_dev *d, uint32_t asid, uint32_t queue, uint32_t access,
			  uint64_t va, uint32_t reason)
{
	static struct sim_log_limit fault_log;

	sim_wr32(d, ARES_REG_FAULT_ASID, asid);
	sim_wr32(d, ARES_REG_FAULT_QUEUE, queue);
	sim_wr32(d, ARES_REG_FAULT_ACCESS, access);
	sim_wr64(d, ARES_REG_FAULT_VA, va);
	sim_wr32(d, ARES_REG_FAULT_REASON, reason);
	__atomic_fetch_add((uint32_t *)(d->regs + ARES_REG_FAULT_COUNT), 1, __ATOMIC_ACQ_REL);
	if (sim_log_allow(d, &fault_log, "mmu fault"))
		sim_log(d, "mmu: fault asid %u queue %u %s va 0x%llx reason %u", asid, queue,
			access == ARES_ACCESS_WRITE ? "write" : "read", (unsigned long long)va,
			reason);
	sim_raise_irq(d, ARES_VEC_FAULT);
}

uint32_t sim_va_chunk(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t va, uint64_t len,
		      uint32_t access, uint8_t **ptr, uint64_t *chunk)
{
	uint64_t bus, in_page;
	uint32_t reason;

	reason = sim_mmu_translate(d, asid, va, access, &bus);
	if (reason) {
		sim_mmu_record_fault(d, asid, queue, access, va, reason);
		return ARES_JOB_MMU_FAULT;
	}
	in_page = ARES_PAGE_SIZE - (va & (ARES_PAGE_SIZE - 1));
	*chunk = len < in_page ? len : in_page;
	*ptr = sim_mem_ptr(&d->mem, bus, *chunk);
	return ARES_JOB_OK;
}

static uint32_t va_access(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t va,
			  uint8_t *buf, uint64_t len, uint32_t access)
{
	uint64_t chunk;
	uint8_t *p;
	uint32_t st;

	while (len) {
		st = sim_va_chunk(d, asid, queue, va, len, access, &p, &chunk);
		if (st)
			return st;
		if (access == ARES_ACCESS_WRITE)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		va += chunk;
		buf += chunk;
		len -= chunk;
	}
	return ARES_JOB_OK;
}

uint32_t sim_va_read(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t va, void *dst,
		     uint64_t len)
{
	return va_access(d, asid, queue, va, dst, len, ARES_ACCESS_READ);
}

uint32_t sim_va_write(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t va,
		      const void *src, uint64_t len)
{
	return va_access(d, asid, queue, va, (uint8_t *)src, len, ARES_ACCESS_WRITE);
}
