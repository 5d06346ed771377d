/* SPDX-License-Identifier: MIT */
/*
 * Ares NPU v1 device MMU page-table format.
 *
 * Four levels of 512 64-bit entries (one 4 KiB page per table), translating
 * 48-bit device VAs to bus addresses: level 0 indexes VA[47:39], level 1
 * VA[38:30], level 2 VA[29:21], level 3 VA[20:12]. Levels 0-2 hold table
 * entries, level 3 page entries; there are no large pages in v1.
 */
#ifndef ARES_MMU_H
#define ARES_MMU_H

#include "types.h"

#define ARES_PAGE_SHIFT		12
#define ARES_PAGE_SIZE		(1ull << ARES_PAGE_SHIFT)
#define ARES_PT_LEVELS		4
#define ARES_PT_ENTRIES		512
#define ARES_PT_INDEX(va, level) \
	(((va) >> (ARES_PAGE_SHIFT + 9 * (ARES_PT_LEVELS - 1 - (level)))) & 0x1ff)

#define ARES_PTE_VALID		(1ull << 0)
#define ARES_PTE_READ		(1ull << 1)	/* leaf only */
#define ARES_PTE_WRITE		(1ull << 2)	/* leaf only */
#define ARES_PTE_ADDR_MASK	0x000ffffffffff000ull	/* bits 51:12 */

/* Device VA window the driver hands out; page 0..4 GiB stays unmapped. */
#define ARES_VA_START		0x100000000ull
#define ARES_VA_END		(1ull << 48)

#endif /* ARES_MMU_H */
