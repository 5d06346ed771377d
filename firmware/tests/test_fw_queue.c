/* SPDX-License-Identifier: MIT */
/*
 * The firmware's queue logic (fw_queue.c) hosted against a fake CP, for
 * what the emulator cannot provoke: host memory that fails under a queue
 * already configured (ARES_UQ_ERR_RING_READ), the exact TAIL bound, HEAD
 * and IRQ_HEAD wrapping past 2^32, and how often a descriptor is read.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../fw.h"

#define RAM_SIZE  (1u << 20)
#define RING_BUS  0x10000ull
#define COMPL_BUS 0x20000ull
#define ENTRIES	  16u
#define ASID	  5
#define STREAM_VA 0x40000000ull
#define UQ	  3

static uint8_t regs[ARES_BAR2_SIZE];
static uint8_t ram[RAM_SIZE];
static uint64_t fail_lo, fail_hi; /* bus accesses touching [lo, hi) fail */
static uint32_t ring_reads, irqs[ARES_NUM_VECTORS];
static __u64 clock_ns;

static int fails(__u64 bus, __u64 len)
{
	return bus >= RAM_SIZE || len > RAM_SIZE - bus || (bus < fail_hi && bus + len > fail_lo);
}

static __u64 f_now(void *dev)
{
	(void)dev;
	return clock_ns += 10;
}

static int f_bus_read(void *dev, __u64 bus, void *dst, __u64 len)
{
	(void)dev;
	if (fails(bus, len))
		return -1;
	if (bus >= RING_BUS && bus < RING_BUS + ENTRIES * sizeof(struct ares_job_desc))
		ring_reads++;
	memcpy(dst, ram + bus, len);
	return 0;
}

static int f_bus_write(void *dev, __u64 bus, const void *src, __u64 len)
{
	(void)dev;
	if (fails(bus, len))
		return -1;
	memcpy(ram + bus, src, len);
	return 0;
}

static int f_bus_check(void *dev, __u64 bus, __u64 len)
{
	(void)dev;
	return fails(bus, len) ? -1 : 0;
}

/* The command stream: one NOP at STREAM_VA in every address space. */
static __u32 f_va_read(void *dev, __u32 asid, __u32 q, __u64 va, void *dst, __u64 len)
{
	struct ares_cmd_hdr nop = {.opcode = ARES_OP_NOP, .size = sizeof(nop)};

	(void)dev, (void)asid, (void)q;
	if (va != STREAM_VA || len != sizeof(nop))
		return ARES_JOB_MMU_FAULT;
	memcpy(dst, &nop, sizeof(nop));
	return ARES_JOB_OK;
}

static void f_raise_irq(void *dev, __u32 vector)
{
	(void)dev;
	ck_assert_uint_lt(vector, ARES_NUM_VECTORS);
	irqs[vector]++;
}

static int f_queue_hung(void *dev, __u32 queue)
{
	(void)dev, (void)queue;
	return 0;
}

static const struct ares_cp_ops ops = {
	.abi_version = ARES_CP_ABI_VERSION,
	.size = sizeof(struct ares_cp_ops),
	.regs = regs,
	.now_ns = f_now,
	.bus_read = f_bus_read,
	.bus_write = f_bus_write,
	.bus_check = f_bus_check,
	.va_read = f_va_read,
	.raise_irq = f_raise_irq,
	.queue_hung = f_queue_hung,
};

static uint32_t rd32(uint32_t off)
{
	return __atomic_load_n((uint32_t *)(regs + off), __ATOMIC_ACQUIRE);
}

static void wr32(uint32_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(regs + off), v, __ATOMIC_RELEASE);
}

static struct ares_uq_doorbell *db(void)
{
	return (struct ares_uq_doorbell *)(regs + ARES_REG_UQ_DB(UQ));
}

static const struct ares_queue_wb *wb(void)
{
	return (const struct ares_queue_wb *)(ram + COMPL_BUS);
}

static const struct ares_completion *record(uint32_t slot)
{
	return (const struct ares_completion *)(ram + COMPL_BUS + ARES_COMPL_RECORD_OFFSET(slot));
}

static void setup(void)
{
	memset(regs, 0, sizeof(regs));
	memset(ram, 0, sizeof(ram));
	memset(irqs, 0, sizeof(irqs));
	fail_lo = fail_hi = 0;
	ring_reads = 0;
	fw_queues_init();
	wr32(ARES_REG_AS_CONFIG(ASID), ARES_AS_CONFIG_ENABLE);
}

/* User queue UQ enabled at @head, as a driver does it, and seen by the firmware. */
static void uq_enable(uint32_t head)
{
	*(uint64_t *)(regs + ARES_REG_UQ(UQ, ARES_UQ_RING_BASE)) = RING_BUS;
	*(uint64_t *)(regs + ARES_REG_UQ(UQ, ARES_UQ_COMPL_BASE)) = COMPL_BUS;
	wr32(ARES_REG_UQ(UQ, ARES_UQ_RING_ENTRIES), ENTRIES);
	wr32(ARES_REG_UQ(UQ, ARES_UQ_PRIORITY), 1);
	wr32(ARES_REG_UQ(UQ, ARES_UQ_ASID), ASID);
	wr32(ARES_REG_UQ(UQ, ARES_UQ_HEAD), head);
	db()->tail = head;
	wr32(ARES_REG_UQ(UQ, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE);
	fw_queues_scan(&ops);
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_STATUS)), ARES_UQ_STATUS_ACTIVE);
}

/* The process's part: descriptor at TAIL's slot, then TAIL + 1. */
static void push(uint64_t seqno, uint16_t asid)
{
	struct ares_job_desc d = {.seqno = seqno, .cmd_va = STREAM_VA, .cmd_size = 8, .asid = asid};

	memcpy(ram + RING_BUS + (db()->tail % ENTRIES) * sizeof(d), &d, sizeof(d));
	db()->tail++;
}

static void run_all(void)
{
	int guard = 1000;

	while (fw_queues_run_one(&ops))
		ck_assert_int_gt(--guard, 0);
}

static void check_stopped(uint32_t err, uint32_t head)
{
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_STATUS)), ARES_UQ_STATUS_ERROR);
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_ERROR)), err);
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_HEAD)), head);
	ck_assert_uint_eq(irqs[ARES_VEC_UQ], 1);
}

START_TEST(test_each_descriptor_is_read_once_and_must_name_the_queue_asid)
{
	setup();
	uq_enable(0);
	push(1, ASID + 1);
	push(2, ASID);
	run_all();
	ck_assert_uint_eq(ring_reads, 2);
	ck_assert_uint_eq(record(0)->seqno, 1);
	ck_assert_uint_eq(record(0)->status, ARES_JOB_INVALID_DESC);
	ck_assert_uint_eq(record(1)->seqno, 2);
	ck_assert_uint_eq(record(1)->status, ARES_JOB_OK);
	ck_assert_uint_eq(wb()->done_seqno, 2);
	ck_assert_uint_eq(wb()->head, 2);
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_HEAD)), 2);
	ck_assert_uint_eq(*(uint64_t *)(regs + ARES_REG_UQ(UQ, ARES_UQ_JOBS)), 2);
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_STATUS)), ARES_UQ_STATUS_ACTIVE);
	/* CONTROL.IRQ clear: no interrupt for completions. */
	ck_assert_uint_eq(irqs[ARES_VEC_UQ], 0);
}
END_TEST

/* A full ring (TAIL - HEAD == RING_ENTRIES) is fine; one more is BAD_TAIL. */
START_TEST(test_tail_bound_is_exactly_ring_entries)
{
	uint32_t i;

	setup();
	uq_enable(0);
	for (i = 0; i < ENTRIES; i++)
		push(i + 1, ASID);
	run_all();
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_HEAD)), ENTRIES);
	ck_assert_uint_eq(irqs[ARES_VEC_UQ], 0);
	db()->tail = ENTRIES + ENTRIES + 1;
	run_all();
	check_stopped(ARES_UQ_ERR_BAD_TAIL, ENTRIES);
	ck_assert_uint_eq(wb()->error, ARES_UQ_ERR_BAD_TAIL);
	/* Stopped means stopped: a sane TAIL now changes nothing until re-enabled. */
	db()->tail = ENTRIES + 1;
	fw_queues_scan(&ops);
	run_all();
	check_stopped(ARES_UQ_ERR_BAD_TAIL, ENTRIES);
}
END_TEST

START_TEST(test_ring_unreadable_while_served_is_ring_read)
{
	setup();
	uq_enable(0);
	push(1, ASID);
	fail_lo = RING_BUS;
	fail_hi = RING_BUS + 1;
	run_all();
	check_stopped(ARES_UQ_ERR_RING_READ, 0);
	ck_assert_uint_eq(wb()->error, ARES_UQ_ERR_RING_READ);
	ck_assert_uint_eq(wb()->done_seqno, 0);
}
END_TEST

/* The job ran, but its completion cannot be written: HEAD does not move. */
START_TEST(test_completion_unwritable_is_ring_read)
{
	setup();
	uq_enable(0);
	push(1, ASID);
	fail_lo = COMPL_BUS;
	fail_hi = COMPL_BUS + 1;
	run_all();
	check_stopped(ARES_UQ_ERR_RING_READ, 0);
	ck_assert_uint_eq(wb()->error, ARES_UQ_ERR_RING_READ);
	ck_assert_uint_eq(*(uint64_t *)(regs + ARES_REG_UQ(UQ, ARES_UQ_JOBS)), 0);
	/* Disabled: STATUS 0 and the interrupt of the stop handshake. */
	wr32(ARES_REG_UQ(UQ, ARES_UQ_CONTROL), 0);
	fw_queues_scan(&ops);
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_STATUS)), 0);
	ck_assert_uint_eq(irqs[ARES_VEC_UQ], 2);
}
END_TEST

/* HEAD, TAIL and IRQ_HEAD are free-running: the interrupt comes at IRQ_HEAD across 2^32. */
START_TEST(test_irq_head_compares_across_wrap)
{
	uint32_t i;

	setup();
	uq_enable(0xfffffffeu);
	wr32(ARES_REG_UQ(UQ, ARES_UQ_IRQ_HEAD), 1);
	wr32(ARES_REG_UQ(UQ, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE | ARES_UQ_CONTROL_IRQ);
	for (i = 0; i < 2; i++) {
		push(i + 1, ASID);
		run_all();
		ck_assert_uint_eq(irqs[ARES_VEC_UQ], 0);
	}
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_HEAD)), 0);
	push(3, ASID);
	run_all();
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_HEAD)), 1);
	ck_assert_uint_eq(wb()->head, 1);
	ck_assert_uint_eq(irqs[ARES_VEC_UQ], 1);
	/* Slot of the job completed at HEAD 0xffffffff: 0xffffffff % 16. */
	ck_assert_uint_eq(record(15)->seqno, 2);
	ck_assert_uint_eq(record(0)->seqno, 3);
}
END_TEST

/* ASID is part of the configuration: one of MAX_AS or above never serves. */
START_TEST(test_asid_beyond_max_as_is_bad_config)
{
	setup();
	*(uint64_t *)(regs + ARES_REG_UQ(UQ, ARES_UQ_RING_BASE)) = RING_BUS;
	*(uint64_t *)(regs + ARES_REG_UQ(UQ, ARES_UQ_COMPL_BASE)) = COMPL_BUS;
	wr32(ARES_REG_UQ(UQ, ARES_UQ_RING_ENTRIES), ENTRIES);
	wr32(ARES_REG_UQ(UQ, ARES_UQ_ASID), ARES_MAX_AS);
	wr32(ARES_REG_UQ(UQ, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE);
	fw_queues_scan(&ops);
	ck_assert_uint_eq(rd32(ARES_REG_UQ(UQ, ARES_UQ_STATUS)), ARES_UQ_STATUS_BAD_CONFIG);
	ck_assert_uint_eq(irqs[ARES_VEC_UQ], 1);
	push(1, ARES_MAX_AS);
	run_all();
	ck_assert_uint_eq(ring_reads, 0);
}
END_TEST

static Suite *fw_queue_suite(void)
{
	Suite *s = suite_create("firmware queues");
	TCase *t = tcase_create("user queues");

	tcase_add_test(t, test_each_descriptor_is_read_once_and_must_name_the_queue_asid);
	tcase_add_test(t, test_tail_bound_is_exactly_ring_entries);
	tcase_add_test(t, test_ring_unreadable_while_served_is_ring_read);
	tcase_add_test(t, test_completion_unwritable_is_ring_read);
	tcase_add_test(t, test_irq_head_compares_across_wrap);
	tcase_add_test(t, test_asid_beyond_max_as_is_bad_config);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fw_queue_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
