/* SPDX-License-Identifier: MIT */
/*
 * A device with no process around it, for unit tests of sim's MMU and
 * engines: BAR2 and "guest RAM" are plain heap buffers, interrupts go
 * nowhere, page tables are built by a bump allocator.
 */
#ifndef SIM_TESTS_FAKE_DEV_H
#define SIM_TESTS_FAKE_DEV_H

#include <stdlib.h>
#include <string.h>

#include <ares/mmu.h>

#include "../sim.h"

#define FAKE_RAM_SIZE (16ull << 20)
#define FAKE_PT_BASE  0x100000ull /* tables from here */
#define FAKE_DATA     0x400000ull /* pages from here */

struct fake_dev {
	struct sim_dev d;
	uint64_t pt_next;
	uint64_t data_next;
};

static inline void fake_init(struct fake_dev *f)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->d.regs = calloc(1, ARES_BAR2_SIZE);
	f->d.mem.base = calloc(1, FAKE_RAM_SIZE);
	f->d.mem.size = FAKE_RAM_SIZE;
	f->d.mem.below4g = FAKE_RAM_SIZE;
	f->d.log_fd = -1;
	for (i = 0; i < ARES_NUM_VECTORS; i++)
		f->d.db_fd[i] = f->d.irq_fd[i] = -1;
	f->pt_next = FAKE_PT_BASE;
	f->data_next = FAKE_DATA;
	sim_regs_power_on(&f->d);
}

static inline void fake_fini(struct fake_dev *f)
{
	free(f->d.regs);
	free(f->d.mem.base);
}

static inline uint64_t *fake_u64(struct fake_dev *f, uint64_t bus)
{
	return (uint64_t *)(f->d.mem.base + bus);
}

static inline uint64_t fake_table(struct fake_dev *f)
{
	uint64_t t = f->pt_next;

	if (t + ARES_PAGE_SIZE > FAKE_DATA)
		abort();
	f->pt_next += ARES_PAGE_SIZE;
	return t;
}

static inline uint64_t fake_page(struct fake_dev *f)
{
	uint64_t p = f->data_next;

	if (p + ARES_PAGE_SIZE > FAKE_RAM_SIZE)
		abort();
	f->data_next += ARES_PAGE_SIZE;
	return p;
}

static inline void fake_as(struct fake_dev *f, uint32_t asid)
{
	sim_wr64(&f->d, ARES_REG_AS_ROOT(asid), fake_table(f));
	sim_wr32(&f->d, ARES_REG_AS_CONFIG(asid), ARES_AS_CONFIG_ENABLE);
}

/* Walks to the level-@stop entry for @va, creating tables on the way; returns it. */
static inline uint64_t *fake_entry(struct fake_dev *f, uint32_t asid, uint64_t va, int stop)
{
	uint64_t table = sim_rd64(&f->d, ARES_REG_AS_ROOT(asid)), *e;
	int level;

	for (level = 0; level < stop; level++) {
		e = fake_u64(f, table + ARES_PT_INDEX(va, level) * 8);
		if (!(*e & ARES_PTE_VALID))
			*e = fake_table(f) | ARES_PTE_VALID;
		table = *e & ARES_PTE_ADDR_MASK;
	}
	return fake_u64(f, table + ARES_PT_INDEX(va, stop) * 8);
}

static inline void fake_map(struct fake_dev *f, uint32_t asid, uint64_t va, uint64_t bus,
			    uint64_t flags)
{
	*fake_entry(f, asid, va, ARES_PT_LEVELS - 1) = bus | ARES_PTE_VALID | flags;
}

/* Fresh pages mapped in reverse order so the range is scattered in bus space. */
static inline void fake_map_range(struct fake_dev *f, uint32_t asid, uint64_t va, uint64_t bytes)
{
	uint64_t pages = (bytes + (va & 0xfff) + ARES_PAGE_SIZE - 1) / ARES_PAGE_SIZE, i;
	uint64_t first = f->data_next;

	f->data_next += pages * ARES_PAGE_SIZE;
	if (f->data_next > FAKE_RAM_SIZE)
		abort();
	for (i = 0; i < pages; i++)
		fake_map(f, asid, (va & ~0xfffull) + i * ARES_PAGE_SIZE,
			 first + (pages - 1 - i) * ARES_PAGE_SIZE, ARES_PTE_READ | ARES_PTE_WRITE);
}

#endif /* SIM_TESTS_FAKE_DEV_H */
