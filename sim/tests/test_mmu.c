/* SPDX-License-Identifier: MIT */
/* sim's device MMU (hw-spec §7) and bus address decoding, without a process around it. */
#include <check.h>
#include <stdio.h>

#include "fake_dev.h"

#define VA 0x0000123456789000ull
#define RW (ARES_PTE_READ | ARES_PTE_WRITE)

static struct fake_dev F;

static void setup(void)
{
	fake_init(&F);
	fake_as(&F, 5);
}

static void teardown(void)
{
	fake_fini(&F);
}

static uint32_t xlate(uint32_t asid, uint64_t va, uint32_t access, uint64_t *bus)
{
	return sim_mmu_translate(&F.d, asid, va, access, bus);
}

#define CHECK_FAULT(asid, va, access, want)                                                        \
	do {                                                                                       \
		uint64_t bus_ = 0;                                                                 \
		uint32_t got_ = xlate(asid, va, access, &bus_);                                    \
		ck_assert_msg(got_ == (want), "translate 0x%llx: expected fault %u, got %u",       \
			      (unsigned long long)(va), (unsigned)(want), got_);                   \
	} while (0)

START_TEST(test_mapped_page_translates_with_offset)
{
	uint64_t page = fake_page(&F), bus = 0;

	fake_map(&F, 5, VA, page, RW);
	ck_assert_uint_eq(xlate(5, VA + 0x123, ARES_ACCESS_READ, &bus), 0);
	ck_assert_uint_eq(bus, page + 0x123);
	ck_assert_uint_eq(xlate(5, VA + 0xfff, ARES_ACCESS_WRITE, &bus), 0);
	ck_assert_uint_eq(bus, page + 0xfff);
}
END_TEST

START_TEST(test_unmapped_at_each_level_faults_unmapped)
{
	int level;

	/* Level 0 empty. */
	CHECK_FAULT(5, VA, ARES_ACCESS_READ, ARES_FAULT_UNMAPPED);
	for (level = 1; level < ARES_PT_LEVELS; level++) {
		/* Tables exist down to @level, whose entry is left invalid. */
		uint64_t va = VA + ((uint64_t)level << 39 >> (9 * (level - 1)));

		fake_entry(&F, 5, va, level);
		CHECK_FAULT(5, va, ARES_ACCESS_READ, ARES_FAULT_UNMAPPED);
	}
	/* A leaf with only permission bits but no VALID is still unmapped. */
	*fake_entry(&F, 5, VA, 3) = fake_page(&F) | RW;
	CHECK_FAULT(5, VA, ARES_ACCESS_READ, ARES_FAULT_UNMAPPED);
}
END_TEST

START_TEST(test_leaf_permissions_fault_permission)
{
	fake_map(&F, 5, VA, fake_page(&F), ARES_PTE_READ);
	fake_map(&F, 5, VA + 0x1000, fake_page(&F), ARES_PTE_WRITE);
	CHECK_FAULT(5, VA, ARES_ACCESS_READ, 0);
	CHECK_FAULT(5, VA, ARES_ACCESS_WRITE, ARES_FAULT_PERMISSION);
	CHECK_FAULT(5, VA + 0x1000, ARES_ACCESS_WRITE, 0);
	CHECK_FAULT(5, VA + 0x1000, ARES_ACCESS_READ, ARES_FAULT_PERMISSION);
}
END_TEST

START_TEST(test_va_beyond_48_bits_faults_va_range)
{
	CHECK_FAULT(5, 1ull << 48, ARES_ACCESS_READ, ARES_FAULT_VA_RANGE);
	CHECK_FAULT(5, ~0ull, ARES_ACCESS_WRITE, ARES_FAULT_VA_RANGE);
	/* The last page below the limit is an ordinary unmapped page. */
	CHECK_FAULT(5, (1ull << 48) - 4096, ARES_ACCESS_READ, ARES_FAULT_UNMAPPED);
}
END_TEST

START_TEST(test_tables_or_pages_outside_ram_fault_bus)
{
	/* Root outside RAM. */
	sim_wr64(&F.d, ARES_REG_AS_ROOT(6), FAKE_RAM_SIZE + 0x1000);
	sim_wr32(&F.d, ARES_REG_AS_CONFIG(6), ARES_AS_CONFIG_ENABLE);
	CHECK_FAULT(6, VA, ARES_ACCESS_READ, ARES_FAULT_BUS);
	/* Intermediate table in the 4 GiB hole. */
	*fake_entry(&F, 5, VA, 1) = 0xc0000000ull | ARES_PTE_VALID;
	CHECK_FAULT(5, VA, ARES_ACCESS_READ, ARES_FAULT_BUS);
	/* Leaf page beyond RAM. */
	fake_map(&F, 5, VA + (1ull << 39), FAKE_RAM_SIZE, RW);
	CHECK_FAULT(5, VA + (1ull << 39), ARES_ACCESS_READ, ARES_FAULT_BUS);
}
END_TEST

START_TEST(test_disabled_or_out_of_range_as_faults_as_invalid)
{
	fake_map(&F, 5, VA, fake_page(&F), RW);
	sim_wr32(&F.d, ARES_REG_AS_CONFIG(5), 0);
	CHECK_FAULT(5, VA, ARES_ACCESS_READ, ARES_FAULT_AS_INVALID);
	CHECK_FAULT(7, VA, ARES_ACCESS_READ, ARES_FAULT_AS_INVALID);
	CHECK_FAULT(ARES_MAX_AS, VA, ARES_ACCESS_READ, ARES_FAULT_AS_INVALID);
}
END_TEST

START_TEST(test_changed_mapping_is_used_after_invalidate)
{
	uint64_t p1 = fake_page(&F), p2 = fake_page(&F), bus = 0;

	/* Not-present entries are never cached: mapping needs no invalidation. */
	CHECK_FAULT(5, VA, ARES_ACCESS_READ, ARES_FAULT_UNMAPPED);
	fake_map(&F, 5, VA, p1, RW);
	ck_assert_uint_eq(xlate(5, VA, ARES_ACCESS_READ, &bus), 0);
	ck_assert_uint_eq(bus, p1);
	/* Remap: the device holds no cached copy, so any later access sees p2. */
	fake_map(&F, 5, VA, p2, RW);
	ck_assert_uint_eq(xlate(5, VA, ARES_ACCESS_READ, &bus), 0);
	ck_assert_uint_eq(bus, p2);
	*fake_entry(&F, 5, VA, 3) = 0;
	CHECK_FAULT(5, VA, ARES_ACCESS_READ, ARES_FAULT_UNMAPPED);
}
END_TEST

START_TEST(test_va_access_fault_writes_record_then_count)
{
	uint8_t buf[64];

	fake_map(&F, 5, VA, fake_page(&F), RW);
	/* A read that runs off the end of the mapped page faults at the next page. */
	ck_assert_uint_eq(sim_va_read(&F.d, 5, 3, VA + 4096 - 32, buf, 64), ARES_JOB_MMU_FAULT);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_COUNT), 1);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_ASID), 5);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_QUEUE), 3);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_ACCESS), ARES_ACCESS_READ);
	ck_assert_uint_eq(sim_rd64(&F.d, ARES_REG_FAULT_VA), VA + 4096);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_REASON), ARES_FAULT_UNMAPPED);
	ck_assert_uint_eq(sim_va_write(&F.d, 9, 1, VA, buf, 8), ARES_JOB_MMU_FAULT);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_COUNT), 2);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_REASON), ARES_FAULT_AS_INVALID);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_ACCESS), ARES_ACCESS_WRITE);
}
END_TEST

START_TEST(test_bus_addresses_follow_qemu_ram_layout)
{
	struct sim_mem m = {.base = (uint8_t *)0x10000, .size = 3ull << 30, .below4g = 2ull << 30};

	ck_assert_ptr_eq(sim_mem_ptr(&m, 0x1000, 8), m.base + 0x1000);
	ck_assert_ptr_eq(sim_mem_ptr(&m, (2ull << 30) - 8, 8), m.base + (2ull << 30) - 8);
	ck_assert_ptr_null(sim_mem_ptr(&m, (2ull << 30) - 4, 8)); /* runs into the hole */
	ck_assert_ptr_null(sim_mem_ptr(&m, 3ull << 30, 8));	  /* the hole */
	ck_assert_ptr_eq(sim_mem_ptr(&m, 4ull << 30, 8), m.base + (2ull << 30));
	ck_assert_ptr_eq(sim_mem_ptr(&m, (5ull << 30) - 8, 8), m.base + (3ull << 30) - 8);
	ck_assert_ptr_null(sim_mem_ptr(&m, 5ull << 30, 8)); /* past the end */
	ck_assert_ptr_null(sim_mem_ptr(&m, ~0ull - 4, 8));
	ck_assert_ptr_null(sim_mem_ptr(&m, 0, 0));
}
END_TEST

START_TEST(test_copy_and_fill_engines_walk_scattered_pages)
{
	const uint64_t src = VA + 100, dst = VA + 0x100000 + 7;
	uint8_t in[10000], out[10000];
	uint32_t i, w;

	fake_map_range(&F, 5, src, sizeof(in));
	fake_map_range(&F, 5, dst, sizeof(out));
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 13);
	ck_assert_uint_eq(sim_va_write(&F.d, 5, 0, src, in, sizeof(in)), 0);
	ck_assert_uint_eq(sim_engine_copy(&F.d, 5, 0, dst, src, sizeof(in)), 0);
	ck_assert_uint_eq(sim_va_read(&F.d, 5, 0, dst, out, sizeof(out)), 0);
	ck_assert_msg(!memcmp(in, out, sizeof(in)), "copied bytes differ from the source");
	ck_assert_uint_eq(sim_engine_fill(&F.d, 5, 0, src + 4000, 5000, 0xa5a5f00d), 0);
	for (i = 0; i < 5000; i += 4) {
		ck_assert_uint_eq(sim_va_read(&F.d, 5, 0, src + 4000 + i, &w, 4), 0);
		ck_assert_msg(w == 0xa5a5f00d, "fill word %u: expected 0xa5a5f00d, got 0x%x", i, w);
	}
	/* A copy whose destination runs into an unmapped page faults on write. */
	ck_assert_uint_eq(sim_engine_copy(&F.d, 5, 0, VA + 0x300000, src, 16), ARES_JOB_MMU_FAULT);
	ck_assert_uint_eq(sim_rd32(&F.d, ARES_REG_FAULT_ACCESS), ARES_ACCESS_WRITE);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sim mmu");
	TCase *t = tcase_create("walk");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, test_mapped_page_translates_with_offset);
	tcase_add_test(t, test_unmapped_at_each_level_faults_unmapped);
	tcase_add_test(t, test_leaf_permissions_fault_permission);
	tcase_add_test(t, test_va_beyond_48_bits_faults_va_range);
	tcase_add_test(t, test_tables_or_pages_outside_ram_fault_bus);
	tcase_add_test(t, test_disabled_or_out_of_range_as_faults_as_invalid);
	tcase_add_test(t, test_changed_mapping_is_used_after_invalidate);
	tcase_add_test(t, test_va_access_fault_writes_record_then_count);
	tcase_add_test(t, test_bus_addresses_follow_qemu_ram_layout);
	tcase_add_test(t, test_copy_and_fill_engines_walk_scattered_pages);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
