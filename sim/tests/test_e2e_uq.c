/* SPDX-License-Identifier: MIT */
/*
 * End-to-end test of user queues (hw-spec §15) on ares-sim and the real
 * firmware image: this process plays QEMU, the driver (the UQ register
 * block) and the queue's owner (ring and doorbell page), with no kernel.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ares/cmd.h>
#include <ares/mmu.h>

#include "e2e_client.h"

#ifndef ARES_FW_DIR
#define ARES_FW_DIR "build/firmware"
#endif
#define FW_GOOD ARES_FW_DIR "/ares/ares-fw.bin"

#define ASID	   3
#define OTHER_ASID 4
#define CMD_VA	   0x100000000ull
#define DATA_VA	   0x100100000ull
#define CMD_PAGES  4
#define RW	   (ARES_PTE_READ | ARES_PTE_WRITE)

static struct e2e_dev E;

/* ---- command streams ---- */
struct cs {
	uint8_t b[CMD_PAGES * 4096];
	uint32_t n;
};

static void cs_put(struct cs *c, const void *cmd, uint32_t size)
{
	ck_assert_uint_le(c->n + size, sizeof(c->b));
	memcpy(c->b + c->n, cmd, size);
	c->n += size;
}

static void cs_nop(struct cs *c)
{
	struct ares_cmd_hdr h = {.opcode = ARES_OP_NOP, .size = sizeof(h)};

	cs_put(c, &h, sizeof(h));
}

static void cs_fence(struct cs *c, uint64_t va, uint64_t value)
{
	struct ares_cmd_fence_write f = {.hdr = {.opcode = ARES_OP_FENCE_WRITE, .size = sizeof(f)},
					 .va = va,
					 .value = value};

	cs_put(c, &f, sizeof(f));
}

/* Writes @c at @va of ASID; returns its size for a descriptor. */
static uint32_t cs_store(const struct cs *c, uint64_t va)
{
	e2e_va_write(&E, ASID, va, c->b, c->n);
	return c->n;
}

/*
 * A job that keeps the device busy for a while (GEMMs of 256^3 on 1 MiB of
 * data, each ~17M multiply-adds): the tests that need the device awake, or
 * a job of a queue on the engines, run their checks while it runs and then
 * check that it was still running.
 */
#define LONG_N	  256u
#define LONG_REPS 40u
#define LONG_VA	  (DATA_VA + 0x100000ull)
#define LONG_CMD  (CMD_VA + (uint64_t)CMD_PAGES * ARES_PAGE_SIZE)

static uint32_t long_job_store(void)
{
	struct ares_cmd_gemm g = {.hdr = {.opcode = ARES_OP_GEMM, .size = sizeof(g)},
				  .m = LONG_N,
				  .n = LONG_N,
				  .k = LONG_N,
				  .a_va = LONG_VA,
				  .b_va = LONG_VA,
				  .c_va = LONG_VA + (uint64_t)LONG_N * LONG_N * 4,
				  .lda = LONG_N,
				  .ldb = LONG_N,
				  .ldc = LONG_N};
	static struct cs c;
	uint32_t i;

	c.n = 0;
	for (i = 0; i < LONG_REPS; i++)
		cs_put(&c, &g, sizeof(g));
	e2e_va_write(&E, ASID, LONG_CMD, c.b, c.n);
	return c.n;
}

/* ---- fixtures ---- */
static void boot_ok(void)
{
	uint32_t result = ~0u;

	ck_assert_msg(e2e_boot(&E, FW_GOOD, &result) == 0, "%s", E.err);
	ck_assert_msg(result == 0, "BOOT result: expected 0, got 0x%x", result);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), ARES_STATUS_FW_READY);
}

static void start_booted(void)
{
	int ret = e2e_start(&E, NULL, NULL);

	if (ret)
		e2e_dump_log(&E);
	ck_assert_msg(ret == 0, "starting ares-sim: %s", E.err);
	boot_ok();
	e2e_as_enable(&E, ASID);
	e2e_as_enable(&E, OTHER_ASID);
	e2e_map_range(&E, ASID, CMD_VA, 2 * CMD_PAGES * ARES_PAGE_SIZE, RW);
	e2e_map_range(&E, ASID, DATA_VA, ARES_PAGE_SIZE, RW);
	e2e_map_range(&E, ASID, LONG_VA, 2ull * LONG_N * LONG_N * 4, RW);
	e2e_map_range(&E, OTHER_ASID, DATA_VA, ARES_PAGE_SIZE, RW);
}

static void stop_clean(void)
{
	int status = e2e_stop(&E);

	ck_assert_msg(status == 0, "ares-sim exit status on disconnect: expected 0, got %d",
		      status);
}

static uint32_t uq_reg(uint32_t n, uint32_t off)
{
	return e2e_rd32(&E, ARES_REG_UQ(n, off));
}

/* Polls, so that ARES_VEC_UQ stays pending for the test to check. */
static void wait_uq_status(uint32_t n, uint32_t want)
{
	int i;

	for (i = 0; i < E2E_TIMEOUT_MS && uq_reg(n, ARES_UQ_STATUS) != want; i++)
		usleep(1000);
	if (uq_reg(n, ARES_UQ_STATUS) != want)
		e2e_dump_log(&E);
	ck_assert_msg(uq_reg(n, ARES_UQ_STATUS) == want,
		      "user queue %u: STATUS stuck at 0x%x, expected 0x%x", n,
		      uq_reg(n, ARES_UQ_STATUS), want);
}

static void wait_uq_jobs(uint32_t n, uint32_t head)
{
	int ret = e2e_uq_wait_head(&E, n, head);

	if (ret)
		e2e_dump_log(&E);
	ck_assert_msg(ret == 0, "user queue %u: HEAD stuck at %u, expected %u", n,
		      uq_reg(n, ARES_UQ_HEAD), head);
}

static void wait_hw_jobs(uint32_t q, uint32_t head)
{
	int ret = e2e_wait_head(&E, q, head);

	if (ret)
		e2e_dump_log(&E);
	ck_assert_msg(ret == 0, "queue %u: HEAD stuck at %u, expected %u", q,
		      e2e_rd32(&E, ARES_REG_Q(q, ARES_Q_HEAD)), head);
}

/* Waits until the device sleeps, which it says by setting NEED_WAKEUP. */
static void wait_need_wakeup(uint32_t n)
{
	int i;

	for (i = 0; i < E2E_TIMEOUT_MS; i++) {
		if (__atomic_load_n(&e2e_uq_db(&E, n)->flags, __ATOMIC_ACQUIRE) &
		    ARES_UQ_DB_NEED_WAKEUP)
			return;
		usleep(1000);
	}
	e2e_dump_log(&E);
	ck_abort_msg("user queue %u: the idle device never set NEED_WAKEUP", n);
}

static void check_uq_completion(uint32_t n, uint32_t slot, uint64_t seqno, uint32_t status)
{
	const struct ares_completion *c = e2e_uq_completion(&E, n, slot);

	ck_assert_msg(c->seqno == seqno, "user queue %u slot %u seqno: expected %llu, got %llu", n,
		      slot, (unsigned long long)seqno, (unsigned long long)c->seqno);
	ck_assert_msg(c->status == status, "user queue %u seqno %llu status: expected %u, got %u",
		      n, (unsigned long long)seqno, status, c->status);
	ck_assert_msg(c->start_ns <= c->end_ns, "start_ns %llu after end_ns %llu",
		      (unsigned long long)c->start_ns, (unsigned long long)c->end_ns);
}

static uint64_t data_u64(uint32_t asid, uint64_t va)
{
	uint64_t v;

	e2e_va_read(&E, asid, va, &v, sizeof(v));
	return v;
}

/* ---- tests ---- */

/*
 * 16 jobs (NOP and FENCE_WRITE) on a 16-entry ring: each completes in
 * order, in its slot, and the device publishes done_seqno, wb.head, HEAD,
 * JOBS and BUSY_NS (the sum of the jobs' device time). No interrupt while
 * CONTROL.IRQ is clear; with it armed, one when HEAD reaches IRQ_HEAD.
 */
START_TEST(test_uq_jobs_complete_in_order_with_wb_head_jobs_and_busy)
{
	struct cs nop = {0}, fence[16];
	const struct ares_queue_wb *wb;
	uint64_t busy = 0, v;
	uint32_t i, nop_size, size[16];
	const uint32_t n = 5;

	start_booted();
	cs_nop(&nop);
	nop_size = cs_store(&nop, CMD_VA);
	for (i = 0; i < 16; i++) {
		memset(&fence[i], 0, sizeof(fence[i]));
		cs_fence(&fence[i], DATA_VA + 8 * i, 0x1000 + i);
		e2e_va_write(&E, ASID, CMD_VA + 64 * (i + 1), fence[i].b, fence[i].n);
		size[i] = fence[i].n;
	}
	e2e_uq_enable(&E, n, 1, 16, ASID);
	wait_uq_status(n, ARES_UQ_STATUS_ACTIVE);
	while (e2e_irq_pending(&E, ARES_VEC_UQ, 0))
		;
	for (i = 0; i < 16; i++) {
		if (i % 2)
			e2e_uq_submit(&E, n, ASID, CMD_VA + 64 * (i + 1), size[i], NULL);
		else
			e2e_uq_submit(&E, n, ASID, CMD_VA, nop_size, NULL);
	}
	wait_uq_jobs(n, 16);
	wb = e2e_uq_wb(&E, n);
	ck_assert_uint_eq(wb->done_seqno, 16);
	ck_assert_uint_eq(wb->head, 16);
	ck_assert_uint_eq(wb->error, 0);
	for (i = 0; i < 16; i++) {
		check_uq_completion(n, i, i + 1, ARES_JOB_OK);
		busy += e2e_uq_completion(&E, n, i)->end_ns - e2e_uq_completion(&E, n, i)->start_ns;
		if (i)
			ck_assert_msg(e2e_uq_completion(&E, n, i - 1)->end_ns <=
					      e2e_uq_completion(&E, n, i)->start_ns,
				      "job %u started before job %u ended", i + 1, i);
		v = data_u64(ASID, DATA_VA + 8 * i);
		ck_assert_uint_eq(v, (i % 2) ? 0x1000 + i : 0);
	}
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_UQ(n, ARES_UQ_JOBS)), 16);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_UQ(n, ARES_UQ_BUSY_NS)), busy);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_JOBS), 16);
	ck_assert_uint_eq(uq_reg(n, ARES_UQ_STATUS), ARES_UQ_STATUS_ACTIVE);
	ck_assert_msg(!e2e_irq_pending(&E, ARES_VEC_UQ, 0),
		      "ARES_VEC_UQ raised with CONTROL.IRQ clear");

	/* The ring wraps; an armed IRQ_HEAD two jobs ahead raises the vector. */
	e2e_wr32(&E, ARES_REG_UQ(n, ARES_UQ_IRQ_HEAD), 18);
	e2e_wr32(&E, ARES_REG_UQ(n, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE | ARES_UQ_CONTROL_IRQ);
	e2e_uq_submit(&E, n, ASID, CMD_VA + 64, size[0], NULL);
	e2e_uq_submit(&E, n, ASID, CMD_VA + 128, size[1], NULL);
	ck_assert_msg(e2e_irq_pending(&E, ARES_VEC_UQ, E2E_TIMEOUT_MS),
		      "no ARES_VEC_UQ when HEAD reached IRQ_HEAD");
	ck_assert_uint_eq(uq_reg(n, ARES_UQ_HEAD), 18);
	ck_assert_uint_eq(e2e_uq_wb(&E, n)->head, 18);
	check_uq_completion(n, 0, 17, ARES_JOB_OK);
	check_uq_completion(n, 1, 18, ARES_JOB_OK);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_UQ(n, ARES_UQ_JOBS)), 18);
	stop_clean();
}
END_TEST

/*
 * An idle device sets NEED_WAKEUP in the doorbell page of each active user
 * queue before it sleeps; a producer that sees it rings ARES_VEC_UQ and is
 * served. Repeated, since each job wakes the device and it sleeps again.
 */
START_TEST(test_uq_need_wakeup_when_device_sleeps_and_ring_gets_served)
{
	struct cs c = {0};
	uint32_t size, i, rang = 0;
	int r;

	start_booted();
	cs_fence(&c, DATA_VA, 0);
	size = cs_store(&c, CMD_VA);
	e2e_uq_enable(&E, 0, 2, 16, ASID);
	wait_uq_status(0, ARES_UQ_STATUS_ACTIVE);
	for (i = 0; i < 5; i++) {
		wait_need_wakeup(0);
		e2e_uq_submit(&E, 0, ASID, CMD_VA, size, &r);
		rang += (uint32_t)r;
		wait_uq_jobs(0, i + 1);
		check_uq_completion(0, i, i + 1, ARES_JOB_OK);
	}
	/* A heartbeat wakeup may clear the flag between our look and the job; not five times. */
	ck_assert_msg(rang > 0, "the producer never saw NEED_WAKEUP after the device slept");
	stop_clean();
}
END_TEST

/*
 * While the device runs (a long job of user queue 0 on the engines, which
 * clears NEED_WAKEUP), a producer on user queue 1 sees no NEED_WAKEUP and
 * does not ring: the device must find its TAIL by polling.
 */
START_TEST(test_uq_producer_not_ringing_while_device_awake_is_served)
{
	struct cs c = {0};
	uint32_t size, long_size;
	int rang;

	start_booted();
	cs_fence(&c, DATA_VA, 0x77);
	size = cs_store(&c, CMD_VA);
	long_size = long_job_store();
	e2e_uq_enable(&E, 0, 1, 16, ASID);
	e2e_uq_enable(&E, 1, 1, 16, ASID);
	wait_uq_status(0, ARES_UQ_STATUS_ACTIVE);
	wait_uq_status(1, ARES_UQ_STATUS_ACTIVE);
	e2e_uq_submit(&E, 0, ASID, LONG_CMD, long_size, NULL);
	wait_uq_status(0, ARES_UQ_STATUS_ACTIVE | ARES_UQ_STATUS_RUNNING);
	e2e_uq_submit(&E, 1, ASID, CMD_VA, size, &rang);
	ck_assert_msg(uq_reg(0, ARES_UQ_STATUS) & ARES_UQ_STATUS_RUNNING,
		      "the long job ended before the producer submitted: make it longer");
	ck_assert_msg(!rang, "NEED_WAKEUP was set while the device was running a job");
	wait_uq_jobs(1, 1);
	check_uq_completion(1, 0, 1, ARES_JOB_OK);
	ck_assert_uint_eq(data_u64(ASID, DATA_VA), 0x77);
	wait_uq_jobs(0, 1);
	check_uq_completion(0, 0, 1, ARES_JOB_OK);
	ck_assert_msg(e2e_uq_completion(&E, 1, 0)->start_ns >= e2e_uq_completion(&E, 0, 0)->end_ns,
		      "one job at a time: user queue 1's job started during queue 0's");
	stop_clean();
}
END_TEST

/* The CP is the only child of ares-sim. */
static pid_t find_cp_pid(void)
{
	char path[300], buf[512], *p;
	struct dirent *de;
	pid_t found = 0;
	DIR *dir = opendir("/proc");
	FILE *f;
	int ppid;

	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) &&
		    sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == E.sim_pid)
			found = atoi(de->d_name);
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return found;
}

/* Freezes the CP so that every queue is ready before it arbitrates. */
static pid_t freeze_cp(void)
{
	pid_t cp = find_cp_pid();

	ck_assert_msg(cp > 0, "could not find the CP child of ares-sim");
	ck_assert_int_eq(kill(cp, SIGSTOP), 0);
	return cp;
}

#define HW_START(q, s) (e2e_completion(&E, q, s)->start_ns)
#define UQ_START(n, s) (e2e_uq_completion(&E, n, s)->start_ns)

/*
 * Hardware queue 2 and user queue 3 at one priority take turns of one job
 * each (the hardware queue has WEIGHT 0); then user queue 7 at priority 3
 * drains before hardware queue 0 at priority 1. Hardware queues publish
 * wb.head too.
 */
START_TEST(test_uq_arbitrates_with_hardware_queues)
{
	struct cs c = {0};
	uint32_t size, i;
	pid_t cp;

	start_booted();
	cs_nop(&c);
	size = cs_store(&c, CMD_VA);
	cp = freeze_cp();
	e2e_queue_enable(&E, 2, 1, 16);
	e2e_uq_enable(&E, 3, 1, 16, ASID);
	for (i = 0; i < 4; i++) {
		e2e_submit(&E, 2, ASID, CMD_VA, size);
		e2e_uq_push_desc(&E, 3,
				 &(struct ares_job_desc){.seqno = ++E.uq_seqno[3],
							 .cmd_va = CMD_VA,
							 .cmd_size = size,
							 .asid = ASID});
	}
	ck_assert_int_eq(kill(cp, SIGCONT), 0);
	wait_hw_jobs(2, 4);
	wait_uq_jobs(3, 4);
	for (i = 0; i < 4; i++) {
		check_uq_completion(3, i, i + 1, ARES_JOB_OK);
		ck_assert_uint_eq(e2e_completion(&E, 2, i)->status, ARES_JOB_OK);
	}
	/* Strict alternation, whichever went first. */
	for (i = 0; i < 3; i++) {
		if (HW_START(2, 0) < UQ_START(3, 0))
			ck_assert_msg(HW_START(2, i) < UQ_START(3, i) &&
					      UQ_START(3, i) < HW_START(2, i + 1),
				      "queue 2 and user queue 3 must alternate (job %u)", i);
		else
			ck_assert_msg(UQ_START(3, i) < HW_START(2, i) &&
					      HW_START(2, i) < UQ_START(3, i + 1),
				      "user queue 3 and queue 2 must alternate (job %u)", i);
	}
	ck_assert_uint_eq(((const struct ares_queue_wb *)e2e_bus(&E, E2E_COMPL_BASE(2)))->head, 4);

	cp = freeze_cp();
	e2e_queue_enable(&E, 0, 1, 16);
	e2e_uq_enable(&E, 7, 3, 16, ASID);
	for (i = 0; i < 3; i++) {
		e2e_submit(&E, 0, ASID, CMD_VA, size);
		e2e_uq_push_desc(&E, 7,
				 &(struct ares_job_desc){.seqno = ++E.uq_seqno[7],
							 .cmd_va = CMD_VA,
							 .cmd_size = size,
							 .asid = ASID});
	}
	ck_assert_int_eq(kill(cp, SIGCONT), 0);
	wait_hw_jobs(0, 3);
	wait_uq_jobs(7, 3);
	ck_assert_msg(UQ_START(7, 2) < HW_START(0, 0),
		      "priority 3 user queue must drain before the priority 1 queue");
	stop_clean();
}
END_TEST

/*
 * A descriptor naming another address space than the queue's completes
 * with INVALID_DESC and writes nothing; the next job runs. A fault of a
 * user-queue job names ARES_UQ_QUEUE_ID(n) in FAULT_QUEUE.
 */
START_TEST(test_uq_foreign_asid_is_invalid_desc_and_faults_name_the_queue)
{
	struct cs c = {0}, bad = {0};
	uint32_t size, bad_size;
	const uint32_t n = 9;

	start_booted();
	cs_fence(&c, DATA_VA, 0x55);
	size = cs_store(&c, CMD_VA);
	/* The same stream mapped in OTHER_ASID: only the queue's ASID may run it. */
	e2e_map(&E, OTHER_ASID, CMD_VA, e2e_va(&E, ASID, CMD_VA) - E.ram, RW);
	cs_fence(&bad, 0x200000000ull, 1); /* unmapped */
	bad_size = bad.n;
	e2e_va_write(&E, ASID, CMD_VA + 256, bad.b, bad.n);
	e2e_uq_enable(&E, n, 0, 16, ASID);
	wait_uq_status(n, ARES_UQ_STATUS_ACTIVE);
	e2e_uq_submit(&E, n, OTHER_ASID, CMD_VA, size, NULL);
	e2e_uq_submit(&E, n, ASID, CMD_VA, size, NULL);
	e2e_uq_submit(&E, n, ASID, CMD_VA + 256, bad_size, NULL);
	wait_uq_jobs(n, 3);
	check_uq_completion(n, 0, 1, ARES_JOB_INVALID_DESC);
	check_uq_completion(n, 1, 2, ARES_JOB_OK);
	check_uq_completion(n, 2, 3, ARES_JOB_MMU_FAULT);
	ck_assert_uint_eq(data_u64(OTHER_ASID, DATA_VA), 0);
	ck_assert_uint_eq(data_u64(ASID, DATA_VA), 0x55);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_QUEUE), ARES_UQ_QUEUE_ID(n));
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_ASID), ASID);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_FAULT_VA), 0x200000000ull);
	ck_assert_uint_eq(uq_reg(n, ARES_UQ_STATUS), ARES_UQ_STATUS_ACTIVE);
	stop_clean();
}
END_TEST

/*
 * A TAIL more than RING_ENTRIES ahead of HEAD stops that queue with
 * BAD_TAIL (wb.error, ERROR, STATUS.ERROR, ARES_VEC_UQ); the hardware queue
 * and the other user queue keep running. Disabled (the stop handshake) and
 * re-enabled where it stopped, the queue runs again.
 */
START_TEST(test_uq_garbage_tail_stops_only_that_queue)
{
	struct cs c = {0};
	uint32_t size;

	start_booted();
	cs_nop(&c);
	size = cs_store(&c, CMD_VA);
	e2e_queue_enable(&E, 1, 1, 16);
	e2e_uq_enable(&E, 2, 1, 16, ASID);
	e2e_uq_enable(&E, 4, 1, 16, ASID);
	wait_uq_status(2, ARES_UQ_STATUS_ACTIVE);
	wait_uq_status(4, ARES_UQ_STATUS_ACTIVE);
	e2e_uq_submit(&E, 2, ASID, CMD_VA, size, NULL);
	wait_uq_jobs(2, 1);
	while (e2e_irq_pending(&E, ARES_VEC_UQ, 0))
		;
	/* HEAD 1, TAIL 18: 17 jobs on a 16-entry ring. */
	__atomic_store_n(&e2e_uq_db(&E, 2)->tail, 18, __ATOMIC_RELEASE);
	e2e_ring(&E, ARES_VEC_UQ);
	wait_uq_status(2, ARES_UQ_STATUS_ERROR);
	ck_assert_uint_eq(uq_reg(2, ARES_UQ_ERROR), ARES_UQ_ERR_BAD_TAIL);
	ck_assert_uint_eq(e2e_uq_wb(&E, 2)->error, ARES_UQ_ERR_BAD_TAIL);
	ck_assert_uint_eq(uq_reg(2, ARES_UQ_HEAD), 1);
	ck_assert_msg(e2e_irq_pending(&E, ARES_VEC_UQ, E2E_TIMEOUT_MS),
		      "no ARES_VEC_UQ for the queue error");
	/* The others run. */
	e2e_submit(&E, 1, ASID, CMD_VA, size);
	e2e_uq_submit(&E, 4, ASID, CMD_VA, size, NULL);
	wait_hw_jobs(1, 1);
	wait_uq_jobs(4, 1);
	check_uq_completion(4, 0, 1, ARES_JOB_OK);
	/* A TAIL behind HEAD is as bad. */
	__atomic_store_n(&e2e_uq_db(&E, 4)->tail, 0, __ATOMIC_RELEASE);
	e2e_ring(&E, ARES_VEC_UQ);
	wait_uq_status(4, ARES_UQ_STATUS_ERROR);
	ck_assert_uint_eq(uq_reg(4, ARES_UQ_ERROR), ARES_UQ_ERR_BAD_TAIL);
	/* Stopped, then re-enabled with HEAD where it was and a sane TAIL: it runs again. */
	e2e_wr32(&E, ARES_REG_UQ(2, ARES_UQ_CONTROL), 0);
	e2e_ring(&E, ARES_VEC_UQ);
	wait_uq_status(2, 0);
	__atomic_store_n(&e2e_uq_db(&E, 2)->tail, 1, __ATOMIC_RELEASE);
	E.uq_tail[2] = 1;
	e2e_wr32(&E, ARES_REG_UQ(2, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE);
	e2e_ring(&E, ARES_VEC_UQ);
	wait_uq_status(2, ARES_UQ_STATUS_ACTIVE);
	ck_assert_uint_eq(uq_reg(2, ARES_UQ_ERROR), 0);
	e2e_uq_submit(&E, 2, ASID, CMD_VA, size, NULL);
	wait_uq_jobs(2, 2);
	check_uq_completion(2, 1, 2, ARES_JOB_OK);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_UQ(2, ARES_UQ_JOBS)), 1);
	stop_clean();
}
END_TEST

/* Enabled with a bad config: BAD_CONFIG (with ARES_VEC_UQ), and no job runs. */
START_TEST(test_uq_bad_config_is_flagged_and_ignored)
{
	struct cs c = {0};
	uint32_t size;

	start_booted();
	cs_nop(&c);
	size = cs_store(&c, CMD_VA);
	while (e2e_irq_pending(&E, ARES_VEC_UQ, 0))
		;
	e2e_uq_enable(&E, 6, 1, 24, ASID); /* not a power of two */
	wait_uq_status(6, ARES_UQ_STATUS_BAD_CONFIG);
	ck_assert(e2e_irq_pending(&E, ARES_VEC_UQ, E2E_TIMEOUT_MS));
	e2e_uq_enable(&E, 6, 1, 16, ARES_MAX_AS); /* no such address space */
	wait_uq_status(6, ARES_UQ_STATUS_BAD_CONFIG);
	e2e_uq_setup(&E, 6, 1, 16, ASID);
	e2e_wr64(&E, ARES_REG_UQ(6, ARES_UQ_COMPL_BASE), E2E_RAM_SIZE); /* outside host memory */
	e2e_wr32(&E, ARES_REG_UQ(6, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE);
	e2e_ring(&E, ARES_VEC_UQ);
	wait_uq_status(6, ARES_UQ_STATUS_BAD_CONFIG);
	e2e_uq_submit(&E, 6, ASID, CMD_VA, size, NULL);
	/* Served it would be by the next heartbeat at the latest, and a job after it. */
	e2e_uq_enable(&E, 8, 1, 16, ASID);
	e2e_uq_submit(&E, 8, ASID, CMD_VA, size, NULL);
	wait_uq_jobs(8, 1);
	usleep(30000);
	ck_assert_uint_eq(uq_reg(6, ARES_UQ_HEAD), 0);
	ck_assert_uint_eq(uq_reg(6, ARES_UQ_STATUS), ARES_UQ_STATUS_BAD_CONFIG);
	e2e_uq_enable(&E, 6, 1, 16, ASID);
	wait_uq_status(6, ARES_UQ_STATUS_ACTIVE);
	stop_clean();
}
END_TEST

/*
 * ENABLE cleared while one of the queue's jobs runs: that job completes,
 * then STATUS reads zero (with ARES_VEC_UQ) and the jobs behind it stay in
 * the ring. Re-enabled with HEAD where it stopped, they run; JOBS restarts.
 */
START_TEST(test_uq_stop_handshake_after_running_job)
{
	struct cs c = {0};
	uint32_t size, long_size;

	start_booted();
	cs_nop(&c);
	size = cs_store(&c, CMD_VA);
	long_size = long_job_store();
	e2e_uq_enable(&E, 1, 1, 16, ASID);
	wait_uq_status(1, ARES_UQ_STATUS_ACTIVE);
	e2e_uq_submit(&E, 1, ASID, LONG_CMD, long_size, NULL);
	e2e_uq_submit(&E, 1, ASID, CMD_VA, size, NULL);
	e2e_uq_submit(&E, 1, ASID, CMD_VA, size, NULL);
	wait_uq_status(1, ARES_UQ_STATUS_ACTIVE | ARES_UQ_STATUS_RUNNING);
	while (e2e_irq_pending(&E, ARES_VEC_UQ, 0))
		;
	e2e_wr32(&E, ARES_REG_UQ(1, ARES_UQ_CONTROL), 0);
	e2e_ring(&E, ARES_VEC_UQ);
	ck_assert_msg(uq_reg(1, ARES_UQ_STATUS) & ARES_UQ_STATUS_RUNNING,
		      "the long job ended before the stop: make it longer");
	wait_uq_status(1, 0);
	ck_assert(e2e_irq_pending(&E, ARES_VEC_UQ, E2E_TIMEOUT_MS));
	ck_assert_uint_eq(uq_reg(1, ARES_UQ_HEAD), 1);
	check_uq_completion(1, 0, 1, ARES_JOB_OK);
	usleep(30000);
	ck_assert_uint_eq(uq_reg(1, ARES_UQ_HEAD), 1);
	ck_assert_uint_eq(e2e_uq_completion(&E, 1, 1)->seqno, 0);
	e2e_wr32(&E, ARES_REG_UQ(1, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE);
	e2e_ring(&E, ARES_VEC_UQ);
	wait_uq_jobs(1, 3);
	check_uq_completion(1, 1, 2, ARES_JOB_OK);
	check_uq_completion(1, 2, 3, ARES_JOB_OK);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_UQ(1, ARES_UQ_JOBS)), 2);
	stop_clean();
}
END_TEST

/*
 * DBG_HANG_UQS bit n: the job started on user queue n never completes and
 * STATUS.RUNNING stays, even when the queue is disabled; other queues run.
 * RESET clears the user-queue block, the knob and every doorbell page; the
 * queue resumed after it where the driver says.
 */
START_TEST(test_uq_hang_knob_then_reset_clears_block_and_pages)
{
	static const uint8_t zero[ARES_UQ_DB_PAGE];
	struct cs c = {0};
	uint32_t size, result, n;

	start_booted();
	cs_nop(&c);
	size = cs_store(&c, CMD_VA);
	e2e_wr64(&E, ARES_REG_DBG_HANG_UQS, 1ull << 63);
	e2e_uq_enable(&E, 63, 2, 16, ASID);
	e2e_uq_enable(&E, 0, 1, 16, ASID);
	wait_uq_status(63, ARES_UQ_STATUS_ACTIVE);
	e2e_uq_submit(&E, 63, ASID, CMD_VA, size, NULL);
	e2e_uq_submit(&E, 63, ASID, CMD_VA, size, NULL);
	wait_uq_status(63, ARES_UQ_STATUS_ACTIVE | ARES_UQ_STATUS_RUNNING);
	e2e_uq_submit(&E, 0, ASID, CMD_VA, size, NULL);
	wait_uq_jobs(0, 1);
	e2e_wr32(&E, ARES_REG_UQ(63, ARES_UQ_CONTROL), 0);
	e2e_ring(&E, ARES_VEC_UQ);
	usleep(30000);
	ck_assert_uint_eq(uq_reg(63, ARES_UQ_STATUS),
			  ARES_UQ_STATUS_ACTIVE | ARES_UQ_STATUS_RUNNING);
	ck_assert_uint_eq(uq_reg(63, ARES_UQ_HEAD), 0);
	ck_assert_uint_eq(e2e_uq_wb(&E, 63)->done_seqno, 0);
	wait_need_wakeup(0);

	ck_assert(e2e_ctrl(&E, ARES_CTRL_RESET, 0, 0, &result) == 0);
	ck_assert_uint_eq(result, 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_DBG_HANG_UQS), 0);
	for (n = 0; n < ARES_NUM_UQ; n++) {
		uint32_t off;

		for (off = 0; off < ARES_REG_UQ_STRIDE; off += 4)
			ck_assert_msg(uq_reg(n, off) == 0, "user queue %u +0x%x: 0x%x after RESET",
				      n, off, uq_reg(n, off));
		ck_assert_msg(!memcmp(E.regs + ARES_REG_UQ_DB(n), zero, sizeof(zero)),
			      "user queue %u: doorbell page not cleared by RESET", n);
	}
	/*
	 * Booted again, the driver resumes the queue past the job that hung,
	 * as its recovery does: HEAD 1 while disabled, TAIL put back at 2. The
	 * device serves slot 1 and goes on from there.
	 */
	boot_ok();
	e2e_wr64(&E, ARES_REG_AS_ROOT(ASID), E2E_PT_BASE);
	e2e_wr32(&E, ARES_REG_AS_CONFIG(ASID), ARES_AS_CONFIG_ENABLE);
	e2e_uq_setup(&E, 63, 2, 16, ASID);
	e2e_wr32(&E, ARES_REG_UQ(63, ARES_UQ_HEAD), 1);
	__atomic_store_n(&e2e_uq_db(&E, 63)->tail, 2, __ATOMIC_RELEASE);
	E.uq_tail[63] = 2;
	E.uq_seqno[63] = 2;
	e2e_wr32(&E, ARES_REG_UQ(63, ARES_UQ_CONTROL), ARES_UQ_CONTROL_ENABLE);
	e2e_ring(&E, ARES_VEC_UQ);
	wait_uq_jobs(63, 2);
	check_uq_completion(63, 1, 2, ARES_JOB_OK);
	ck_assert_uint_eq(e2e_uq_completion(&E, 63, 0)->seqno, 0);
	e2e_uq_submit(&E, 63, ASID, CMD_VA, size, NULL);
	wait_uq_jobs(63, 3);
	check_uq_completion(63, 2, 3, ARES_JOB_OK);
	ck_assert_uint_eq(e2e_uq_wb(&E, 63)->head, 3);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_UQ(63, ARES_UQ_JOBS)), 2);
	stop_clean();
}
END_TEST

/* Lines of the device log that contain @needle. */
static uint32_t log_lines_with(const char *needle)
{
	char line[1024];
	uint32_t n = 0;
	FILE *f = fopen(E.log_path, "r");

	ck_assert_msg(f, "cannot read the device log %s", E.log_path);
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/*
 * A process fails jobs as fast as the device runs them (foreign ASID, MMU
 * faults): every job completes as it should, but the log gets a bounded
 * number of lines, so the host's log file is not the process's to fill.
 */
START_TEST(test_uq_failing_jobs_cannot_flood_the_log)
{
	struct cs c = {0}, bad = {0};
	uint32_t size, bad_size, i, faults = 0;
	const uint32_t n = 12, jobs = 1024;

	start_booted();
	cs_nop(&c);
	size = cs_store(&c, CMD_VA);
	cs_fence(&bad, 0x200000000ull, 1); /* unmapped */
	bad_size = bad.n;
	e2e_va_write(&E, ASID, CMD_VA + 256, bad.b, bad.n);
	e2e_uq_enable(&E, n, 1, 16, ASID);
	wait_uq_status(n, ARES_UQ_STATUS_ACTIVE);
	for (i = 0; i < jobs; i++) {
		/* A ring at a time, as fast as it drains. */
		if (i && i % 16 == 0)
			wait_uq_jobs(n, i);
		if (i % 2) {
			e2e_uq_submit(&E, n, ASID, CMD_VA + 256, bad_size, NULL);
			faults++;
		} else {
			e2e_uq_submit(&E, n, OTHER_ASID, CMD_VA, size, NULL);
		}
	}
	wait_uq_jobs(n, jobs);
	check_uq_completion(n, (jobs - 2) % 16, jobs - 1, ARES_JOB_INVALID_DESC);
	check_uq_completion(n, (jobs - 1) % 16, jobs, ARES_JOB_MMU_FAULT);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_COUNT), faults);
	ck_assert_uint_eq(log_lines_with("user queue 12: job seqno"), 8);
	ck_assert_uint_eq(log_lines_with("user queue 12: more jobs failed, not logged"), 1);
	ck_assert_msg(log_lines_with("mmu: fault") < faults,
		      "%u MMU faults gave as many log lines: no limit", faults);
	stop_clean();
}
END_TEST

static Suite *uq_suite(void)
{
	Suite *s = suite_create("ares-sim user queues");
	TCase *t = tcase_create("e2e-uq");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, test_uq_jobs_complete_in_order_with_wb_head_jobs_and_busy);
	tcase_add_test(t, test_uq_need_wakeup_when_device_sleeps_and_ring_gets_served);
	tcase_add_test(t, test_uq_producer_not_ringing_while_device_awake_is_served);
	tcase_add_test(t, test_uq_arbitrates_with_hardware_queues);
	tcase_add_test(t, test_uq_foreign_asid_is_invalid_desc_and_faults_name_the_queue);
	tcase_add_test(t, test_uq_garbage_tail_stops_only_that_queue);
	tcase_add_test(t, test_uq_bad_config_is_flagged_and_ignored);
	tcase_add_test(t, test_uq_stop_handshake_after_running_job);
	tcase_add_test(t, test_uq_hang_knob_then_reset_clears_block_and_pages);
	tcase_add_test(t, test_uq_failing_jobs_cannot_flood_the_log);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(uq_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
