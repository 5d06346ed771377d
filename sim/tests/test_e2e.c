/* SPDX-License-Identifier: MIT */
/*
 * End-to-end test of ares-sim + the real firmware image, with this process
 * playing QEMU (ivshmem client) and the driver. The proof that the device
 * works before any kernel is involved.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ares/cmd.h>
#include <ares/mmu.h>
#include <ares/ops.h>

#include "e2e_client.h"

#ifndef ARES_FW_DIR
#define ARES_FW_DIR "build/firmware"
#endif
#define FW_GOOD	       ARES_FW_DIR "/ares/ares-fw.bin"
#define FW_CORRUPT_CRC ARES_FW_DIR "/ares-fw-corrupt-crc.bin"
#define FW_BAD_PAYLOAD ARES_FW_DIR "/ares-fw-bad-payload.bin"
#define FW_STUB(name)  ARES_FW_DIR "/stub/ares-fw-" name ".bin"
#define FW_EVIL(name)  ARES_FW_DIR "/test/evil/ares-fw-evil-" name ".bin"
#define FW_SANDBOX     ARES_FW_DIR "/test/sandbox/ares/ares-fw.bin"

#define ASID	3
#define CMD_VA	0x100000000ull
#define DATA_VA 0x100100000ull
#define RW	(ARES_PTE_READ | ARES_PTE_WRITE)

static struct e2e_dev E;

/* ---- command stream builder ---- */
struct cs {
	uint8_t b[4096];
	uint32_t n;
};

static void cs_put(struct cs *c, const void *cmd, uint32_t size)
{
	ck_assert_uint_le(c->n + size, sizeof(c->b));
	memcpy(c->b + c->n, cmd, size);
	c->n += size;
}

static void cs_nop(struct cs *c, uint32_t size)
{
	uint8_t buf[256] = {0};
	struct ares_cmd_hdr h = {.opcode = ARES_OP_NOP, .size = size};

	memcpy(buf, &h, sizeof(h));
	cs_put(c, buf, size);
}

static void cs_fence(struct cs *c, uint64_t va, uint64_t value)
{
	struct ares_cmd_fence_write f = {.hdr = {.opcode = ARES_OP_FENCE_WRITE, .size = sizeof(f)},
					 .va = va,
					 .value = value};

	cs_put(c, &f, sizeof(f));
}

static void cs_timestamp(struct cs *c, uint64_t va)
{
	struct ares_cmd_timestamp t = {.hdr = {.opcode = ARES_OP_TIMESTAMP, .size = sizeof(t)},
				       .va = va};

	cs_put(c, &t, sizeof(t));
}

static void cs_copy(struct cs *c, uint64_t dst, uint64_t src, uint64_t size)
{
	struct ares_cmd_dma_copy d = {.hdr = {.opcode = ARES_OP_DMA_COPY, .size = sizeof(d)},
				      .src_va = src,
				      .dst_va = dst,
				      .size = size};

	cs_put(c, &d, sizeof(d));
}

static void cs_fill(struct cs *c, uint64_t dst, uint64_t size, uint32_t pattern)
{
	struct ares_cmd_fill f = {.hdr = {.opcode = ARES_OP_FILL, .size = sizeof(f)},
				  .dst_va = dst,
				  .size = size,
				  .pattern = pattern};

	cs_put(c, &f, sizeof(f));
}

/* Writes the stream at @va (mapped by the caller) and submits it. */
static uint64_t cs_submit(struct cs *c, uint32_t q, uint64_t va)
{
	e2e_va_write(&E, ASID, va, c->b, c->n);
	return e2e_submit(&E, q, ASID, va, c->n);
}

/* ---- fixtures ---- */
static void start_with(const char *arg, const char *val)
{
	int ret = e2e_start(&E, arg, val);

	if (ret)
		e2e_dump_log(&E);
	ck_assert_msg(ret == 0, "starting ares-sim: %s", E.err);
}

static void boot_ok(void)
{
	uint32_t result = ~0u;

	ck_assert_msg(e2e_boot(&E, FW_GOOD, &result) == 0, "%s", E.err);
	ck_assert_msg(result == 0, "BOOT result: expected 0, got 0x%x", result);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_BOOT_STATUS), ARES_BOOT_READY);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), ARES_STATUS_FW_READY);
}

/* Booted device with ASID mapped: CMD_VA (2 pages) and DATA_VA (@data_bytes). */
static void start_booted(uint64_t data_bytes)
{
	start_with(NULL, NULL);
	boot_ok();
	e2e_as_enable(&E, ASID);
	e2e_map_range(&E, ASID, CMD_VA, 2 * ARES_PAGE_SIZE, RW);
	if (data_bytes)
		e2e_map_range(&E, ASID, DATA_VA, data_bytes, RW);
}

static void stop_clean(void)
{
	int status = e2e_stop(&E);

	ck_assert_msg(status == 0, "ares-sim exit status on disconnect: expected 0, got %d",
		      status);
}

static void wait_jobs(uint32_t q, uint32_t head)
{
	int ret = e2e_wait_head(&E, q, head);

	if (ret)
		e2e_dump_log(&E);
	ck_assert_msg(ret == 0, "queue %u: HEAD stuck at %u, expected %u", q,
		      e2e_rd32(&E, ARES_REG_Q(q, ARES_Q_HEAD)), head);
}

static void check_completion(uint32_t q, uint32_t slot, uint64_t seqno, uint32_t status,
			     uint32_t error_offset)
{
	const struct ares_completion *c = e2e_completion(&E, q, slot);

	ck_assert_msg(c->seqno == seqno, "queue %u slot %u seqno: expected %llu, got %llu", q, slot,
		      (unsigned long long)seqno, (unsigned long long)c->seqno);
	ck_assert_msg(c->status == status, "queue %u seqno %llu status: expected %u, got %u", q,
		      (unsigned long long)seqno, status, c->status);
	ck_assert_msg(c->error_offset == error_offset,
		      "queue %u seqno %llu error_offset: expected %u, got %u", q,
		      (unsigned long long)seqno, error_offset, c->error_offset);
	ck_assert_msg(c->start_ns <= c->end_ns, "start_ns %llu after end_ns %llu",
		      (unsigned long long)c->start_ns, (unsigned long long)c->end_ns);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* ---- tests ---- */
START_TEST(test_handshake_gives_identity_and_disconnect_exits_zero)
{
	start_with(NULL, NULL);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_SIGNATURE), ARES_SIGNATURE);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_HW_VERSION), ARES_HW_VERSION_V1);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_CAPS), ARES_CAP_MMU | ARES_CAP_GEMM_F32 |
							       ARES_CAP_FAULT_INJECT |
							       ARES_CAP_USER_QUEUES);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_NUM_QUEUES), 8);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_MAX_AS), 64);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_VA_BITS), 48);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_DB_PEER), 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_NUM_VECTORS), 11);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_BOOT_STATUS), ARES_BOOT_IDLE);
	stop_clean();
}
END_TEST

START_TEST(test_sigterm_exits_zero)
{
	int status = -1;

	start_with(NULL, NULL);
	boot_ok();
	ck_assert_int_eq(kill(E.sim_pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(E.sim_pid, &status, 0), E.sim_pid);
	E.sim_pid = 0;
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "exit after SIGTERM: expected status 0, got 0x%x", status);
	e2e_stop(&E);
}
END_TEST

START_TEST(test_boot_publishes_version_heartbeat_and_log)
{
	uint64_t pos;
	char log[256] = {0};

	start_with(NULL, NULL);
	boot_ok();
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FW_VERSION), ARES_VERSION(1, 0, 0));
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FW_FEATURES), ARES_FW_FEATURE_USER_QUEUES);
	/* The heartbeat moves while the firmware runs. */
	for (int i = 0; i < 1000 && e2e_rd64(&E, ARES_REG_HEARTBEAT) < 3; i++)
		sleep_ms(10);
	ck_assert_msg(e2e_rd64(&E, ARES_REG_HEARTBEAT) >= 3, "HEARTBEAT: expected >= 3, got %llu",
		      (unsigned long long)e2e_rd64(&E, ARES_REG_HEARTBEAT));
	pos = e2e_rd64(&E, ARES_FW_LOG_WRITE_POS);
	ck_assert_uint_gt(pos, 0);
	memcpy(log, E.regs + ARES_FW_LOG_DATA, pos < sizeof(log) - 1 ? pos : sizeof(log) - 1);
	ck_assert_msg(strstr(log, "ares-fw 1.0.0") && strchr(log, '\n'),
		      "firmware log: expected a line naming ares-fw 1.0.0, got '%s'", log);
	stop_clean();
}
END_TEST

START_TEST(test_boot_while_running_is_refused_not_ready)
{
	uint32_t result;

	start_with(NULL, NULL);
	boot_ok();
	ck_assert(e2e_boot(&E, FW_GOOD, &result) == 0);
	ck_assert_uint_eq(result, ARES_CTRL_ERR_NOT_READY);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), ARES_STATUS_FW_READY);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_BOOT_STATUS), ARES_BOOT_READY);
	stop_clean();
}
END_TEST

START_TEST(test_bad_images_refused_with_boot_error)
{
	uint32_t result;

	start_with(NULL, NULL);
	ck_assert(e2e_boot(&E, FW_CORRUPT_CRC, &result) == 0);
	ck_assert_uint_eq(result, ARES_BOOT_ERR_BAD_CRC);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_BOOT_STATUS), ARES_BOOT_ERR_BAD_CRC);
	ck_assert(e2e_boot(&E, FW_BAD_PAYLOAD, &result) == 0);
	ck_assert_uint_eq(result, ARES_BOOT_ERR_LOAD);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_BOOT_STATUS), ARES_BOOT_ERR_LOAD);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), 0);
	/* Image size disagreeing with the header. */
	ck_assert(e2e_ctrl(&E, ARES_CTRL_BOOT, E.image_bus, 100, &result) == 0);
	ck_assert_uint_eq(result, ARES_BOOT_ERR_BAD_SIZE);
	/* Image outside host memory. */
	ck_assert(e2e_ctrl(&E, ARES_CTRL_BOOT, E2E_RAM_SIZE - 64, 4096, &result) == 0);
	ck_assert_uint_eq(result, ARES_BOOT_ERR_DMA);
	/* Garbage header. */
	memset(e2e_bus(&E, E2E_DATA_BASE), 0xab, 4096);
	ck_assert(e2e_ctrl(&E, ARES_CTRL_BOOT, E2E_DATA_BASE, 4096, &result) == 0);
	ck_assert_uint_eq(result, ARES_BOOT_ERR_BAD_MAGIC);
	/* None of this stops a good image from booting. */
	boot_ok();
	stop_clean();
}
END_TEST

START_TEST(test_unknown_control_command_and_bad_tlb_arg)
{
	uint32_t result;

	start_with(NULL, NULL);
	ck_assert(e2e_ctrl(&E, 99, 0, 0, &result) == 0);
	ck_assert_uint_eq(result, ARES_CTRL_ERR_UNKNOWN_CMD);
	ck_assert(e2e_ctrl(&E, ARES_CTRL_TLB_INVALIDATE, ARES_MAX_AS, 0, &result) == 0);
	ck_assert_uint_eq(result, ARES_CTRL_ERR_BAD_ARG);
	ck_assert(e2e_ctrl(&E, ARES_CTRL_TLB_INVALIDATE, ARES_AS_ALL, 0, &result) == 0);
	ck_assert_uint_eq(result, ARES_CTRL_OK);
	stop_clean();
}
END_TEST

START_TEST(test_nop_fence_timestamp_jobs_complete_in_order)
{
	struct cs a = {0}, b = {0}, c = {0};
	uint64_t fence, ts;

	start_booted(ARES_PAGE_SIZE);
	e2e_queue_enable(&E, 0, 1, E2E_RING_ENTRIES);
	ck_assert_int_eq(e2e_wait_reg(&E, ARES_REG_Q(0, ARES_Q_STATUS), ~0u, ARES_Q_STATUS_ACTIVE,
				      ARES_VEC_QUEUE(0)),
			 0);
	cs_nop(&a, 8);
	cs_nop(&a, 64);
	cs_submit(&a, 0, CMD_VA);
	cs_fence(&b, DATA_VA, 0x1122334455667788ull);
	cs_submit(&b, 0, CMD_VA + 512);
	cs_timestamp(&c, DATA_VA + 8);
	cs_submit(&c, 0, CMD_VA + 1024);
	wait_jobs(0, 3);
	check_completion(0, 0, 1, ARES_JOB_OK, 0);
	check_completion(0, 1, 2, ARES_JOB_OK, 0);
	check_completion(0, 2, 3, ARES_JOB_OK, 0);
	ck_assert_uint_eq(e2e_done_seqno(&E, 0), 3);
	e2e_va_read(&E, ASID, DATA_VA, &fence, 8);
	e2e_va_read(&E, ASID, DATA_VA + 8, &ts, 8);
	ck_assert_msg(fence == 0x1122334455667788ull,
		      "fence: expected 0x1122334455667788, got 0x%llx", (unsigned long long)fence);
	ck_assert_msg(ts >= e2e_completion(&E, 0, 2)->start_ns &&
			      ts <= e2e_completion(&E, 0, 2)->end_ns,
		      "timestamp %llu outside the job's [start, end]", (unsigned long long)ts);
	stop_clean();
}
END_TEST

START_TEST(test_ring_wraps_and_many_jobs_complete)
{
	struct cs c = {0};
	uint32_t i, n = 3 * 16 + 5;

	start_booted(ARES_PAGE_SIZE);
	e2e_queue_enable(&E, 5, 2, 16);
	cs_fence(&c, DATA_VA, 7);
	e2e_va_write(&E, ASID, CMD_VA, c.b, c.n);
	for (i = 0; i < n; i++) {
		/* At most RING_ENTRIES outstanding. */
		if (i >= 16)
			wait_jobs(5, i - 15);
		e2e_submit(&E, 5, ASID, CMD_VA, c.n);
	}
	wait_jobs(5, n);
	ck_assert_uint_eq(e2e_done_seqno(&E, 5), n);
	check_completion(5, (n - 1) % 16, n, ARES_JOB_OK, 0);
	stop_clean();
}
END_TEST

START_TEST(test_dma_copy_and_fill_cross_scattered_pages)
{
	const uint64_t src = DATA_VA, dst = DATA_VA + 4 * ARES_PAGE_SIZE,
		       fill = DATA_VA + 8 * ARES_PAGE_SIZE;
	const uint64_t len = 3 * ARES_PAGE_SIZE - 100;
	uint8_t *in = malloc(4 * ARES_PAGE_SIZE), *out = malloc(4 * ARES_PAGE_SIZE);
	struct cs c = {0};
	uint32_t w;
	uint64_t i;

	start_booted(12 * ARES_PAGE_SIZE);
	e2e_queue_enable(&E, 2, 1, E2E_RING_ENTRIES);
	for (i = 0; i < 4 * ARES_PAGE_SIZE; i++)
		in[i] = (uint8_t)(i * 7 + 3);
	e2e_va_write(&E, ASID, src, in, 4 * ARES_PAGE_SIZE);
	cs_copy(&c, dst + 30, src + 50, len);
	cs_fill(&c, fill + 4092, 2 * ARES_PAGE_SIZE + 8, 0xdeadbeef);
	cs_submit(&c, 2, CMD_VA);
	wait_jobs(2, 1);
	check_completion(2, 0, 1, ARES_JOB_OK, 0);
	e2e_va_read(&E, ASID, dst, out, 4 * ARES_PAGE_SIZE);
	for (i = 0; i < 30; i++)
		ck_assert_msg(out[i] == 0, "dst byte %llu before the copy changed",
			      (unsigned long long)i);
	for (i = 0; i < len; i++)
		ck_assert_msg(out[30 + i] == in[50 + i],
			      "copy byte %llu: expected 0x%02x, got 0x%02x", (unsigned long long)i,
			      in[50 + i], out[30 + i]);
	ck_assert_msg(out[30 + len] == 0, "byte after the copy changed");
	e2e_va_read(&E, ASID, fill + 4088, &w, 4);
	ck_assert_uint_eq(w, 0);
	for (i = 0; i < 2 * ARES_PAGE_SIZE + 8; i += 4) {
		e2e_va_read(&E, ASID, fill + 4092 + i, &w, 4);
		ck_assert_msg(w == 0xdeadbeef, "fill word at +%llu: expected 0xdeadbeef, got 0x%x",
			      (unsigned long long)i, w);
	}
	e2e_va_read(&E, ASID, fill + 4092 + 2 * ARES_PAGE_SIZE + 8, &w, 4);
	ck_assert_uint_eq(w, 0);
	free(in);
	free(out);
	stop_clean();
}
END_TEST

START_TEST(test_gemm_job_matches_reference)
{
	const uint32_t m = 33, n = 47, k = 65, lda = k + 3, ldb = n + 5, ldc = n + 1;
	const uint64_t a_va = DATA_VA + 12, b_va = DATA_VA + 8 * ARES_PAGE_SIZE + 4,
		       c_va = DATA_VA + 16 * ARES_PAGE_SIZE + 40;
	float *a = calloc((size_t)m * lda, 4), *b = calloc((size_t)k * ldb, 4),
	      *c = calloc((size_t)m * ldc, 4), *got = calloc((size_t)m * ldc, 4);
	struct ares_cmd_gemm g = {.hdr = {.opcode = ARES_OP_GEMM, .size = sizeof(g)},
				  .m = m,
				  .n = n,
				  .k = k,
				  .a_va = a_va,
				  .b_va = b_va,
				  .c_va = c_va,
				  .lda = lda,
				  .ldb = ldb,
				  .ldc = ldc};
	struct cs s = {0};
	uint32_t i, j, p;

	start_booted(24 * ARES_PAGE_SIZE);
	e2e_queue_enable(&E, 1, 3, E2E_RING_ENTRIES);
	for (i = 0; i < m * lda; i++)
		a[i] = (float)((int)(i % 17) - 8) * 0.25f;
	for (i = 0; i < k * ldb; i++)
		b[i] = (float)((int)(i % 13) - 6) * 0.5f;
	for (i = 0; i < m * ldc; i++)
		c[i] = (float)(i % 5);
	e2e_va_write(&E, ASID, a_va, a, (uint64_t)m * lda * 4);
	e2e_va_write(&E, ASID, b_va, b, (uint64_t)k * ldb * 4);
	e2e_va_write(&E, ASID, c_va, c, (uint64_t)m * ldc * 4);
	cs_put(&s, &g, sizeof(g));
	cs_submit(&s, 1, CMD_VA);
	wait_jobs(1, 1);
	check_completion(1, 0, 1, ARES_JOB_OK, 0);
	e2e_va_read(&E, ASID, c_va, got, (uint64_t)m * ldc * 4);
	for (i = 0; i < m; i++) {
		for (j = 0; j < ldc; j++) {
			float want = c[i * ldc + j];

			/* Padding past n in each C row must be left alone. */
			if (j < n)
				for (p = 0; p < k; p++)
					want += a[i * lda + p] * b[p * ldb + j];
			ck_assert_msg(got[i * ldc + j] == want, "C[%u][%u]: expected %g, got %g", i,
				      j, want, got[i * ldc + j]);
		}
	}
	free(a);
	free(b);
	free(c);
	free(got);
	stop_clean();
}
END_TEST

START_TEST(test_mmu_faults_end_job_and_record_fault)
{
	struct cs c = {0}, r = {0};
	const uint64_t ro_va = DATA_VA + 0x10000;

	start_booted(ARES_PAGE_SIZE);
	e2e_map(&E, ASID, ro_va, e2e_alloc_page(&E), ARES_PTE_READ);
	e2e_queue_enable(&E, 4, 0, E2E_RING_ENTRIES);
	while (e2e_irq_pending(&E, ARES_VEC_FAULT, 0))
		;
	/* Unmapped write as the second command, at byte 16. */
	cs_nop(&c, 16);
	cs_fence(&c, DATA_VA + 0x200000, 1);
	cs_submit(&c, 4, CMD_VA);
	wait_jobs(4, 1);
	check_completion(4, 0, 1, ARES_JOB_MMU_FAULT, 16);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_COUNT), 1);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_ASID), ASID);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_QUEUE), 4);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_ACCESS), ARES_ACCESS_WRITE);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_FAULT_VA), DATA_VA + 0x200000);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_REASON), ARES_FAULT_UNMAPPED);
	ck_assert_msg(e2e_irq_pending(&E, ARES_VEC_FAULT, E2E_TIMEOUT_MS),
		      "expected an interrupt on the fault vector");
	/* Write to a read-only page: PERMISSION, and the queue keeps going. */
	cs_fill(&r, ro_va, 16, 1);
	cs_submit(&r, 4, CMD_VA + 1024);
	wait_jobs(4, 2);
	check_completion(4, 1, 2, ARES_JOB_MMU_FAULT, 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_COUNT), 2);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_REASON), ARES_FAULT_PERMISSION);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_FAULT_VA), ro_va);
	/* The command stream itself unmapped: fault on fetch at offset 0. */
	e2e_submit(&E, 4, ASID, 0x7f0000000000ull, 8);
	wait_jobs(4, 3);
	check_completion(4, 2, 3, ARES_JOB_MMU_FAULT, 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_ACCESS), ARES_ACCESS_READ);
	stop_clean();
}
END_TEST

START_TEST(test_invalid_descriptors_and_commands_rejected)
{
	struct ares_job_desc d = {.seqno = 1, .cmd_va = CMD_VA, .cmd_size = 8, .asid = ASID};
	struct cs ok = {0}, bad = {0};
	struct ares_cmd_hdr unknown = {.opcode = 0x77, .size = 8};

	start_booted(ARES_PAGE_SIZE);
	e2e_queue_enable(&E, 6, 1, E2E_RING_ENTRIES);
	cs_nop(&ok, 8);
	e2e_va_write(&E, ASID, CMD_VA, ok.b, ok.n);
	d.flags = 1;
	e2e_submit_desc(&E, 6, &d);
	d.flags = 0;
	d.seqno = 2;
	d.reserved[1] = 1;
	e2e_submit_desc(&E, 6, &d);
	d.reserved[1] = 0;
	d.seqno = 3;
	d.cmd_size = 12;
	e2e_submit_desc(&E, 6, &d);
	d.cmd_size = 8;
	d.seqno = 4;
	d.asid = ASID + 1; /* not enabled */
	e2e_submit_desc(&E, 6, &d);
	d.asid = ASID;
	d.seqno = 5;
	d.cmd_va = CMD_VA + 4;
	e2e_submit_desc(&E, 6, &d);
	wait_jobs(6, 5);
	for (uint32_t i = 0; i < 5; i++)
		check_completion(6, i, i + 1, ARES_JOB_INVALID_DESC, 0);
	/* An unknown opcode after a good NOP fails at its own offset. */
	cs_nop(&bad, 24);
	cs_put(&bad, &unknown, sizeof(unknown));
	e2e_va_write(&E, ASID, CMD_VA + 512, bad.b, bad.n);
	d.seqno = 6;
	d.cmd_va = CMD_VA + 512;
	d.cmd_size = bad.n;
	e2e_submit_desc(&E, 6, &d);
	/* The queue still runs good jobs afterwards. */
	d.seqno = 7;
	d.cmd_va = CMD_VA;
	d.cmd_size = 8;
	e2e_submit_desc(&E, 6, &d);
	wait_jobs(6, 7);
	check_completion(6, 5, 6, ARES_JOB_INVALID_CMD, 24);
	check_completion(6, 6, 7, ARES_JOB_OK, 0);
	stop_clean();
}
END_TEST

START_TEST(test_bad_queue_config_is_flagged_and_ignored)
{
	start_booted(0);
	e2e_queue_enable(&E, 3, 1, 24); /* not a power of two */
	ck_assert_int_eq(e2e_wait_reg(&E, ARES_REG_Q(3, ARES_Q_STATUS), ~0u,
				      ARES_Q_STATUS_BAD_CONFIG, ARES_VEC_QUEUE(3)),
			 0);
	e2e_wr32(&E, ARES_REG_Q(3, ARES_Q_CONTROL), 0);
	e2e_wr64(&E, ARES_REG_Q(3, ARES_Q_RING_BASE), E2E_RAM_SIZE); /* outside host memory */
	e2e_wr32(&E, ARES_REG_Q(3, ARES_Q_RING_ENTRIES), 16);
	e2e_wr32(&E, ARES_REG_Q(3, ARES_Q_CONTROL), ARES_Q_CONTROL_ENABLE);
	e2e_ring(&E, ARES_VEC_QUEUE(3));
	sleep_ms(50);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_Q(3, ARES_Q_STATUS)), ARES_Q_STATUS_BAD_CONFIG);
	e2e_queue_enable(&E, 3, 1, 16);
	ck_assert_int_eq(e2e_wait_reg(&E, ARES_REG_Q(3, ARES_Q_STATUS), ~0u, ARES_Q_STATUS_ACTIVE,
				      ARES_VEC_QUEUE(3)),
			 0);
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

START_TEST(test_arbitration_strict_priority_then_round_robin)
{
	struct cs c = {0};
	uint32_t q;
	pid_t cp;

	start_booted(ARES_PAGE_SIZE);
	cs_nop(&c, 8);
	e2e_va_write(&E, ASID, CMD_VA, c.b, c.n);
	/* Freeze the CP so every queue is ready before it arbitrates. */
	cp = find_cp_pid();
	ck_assert_msg(cp > 0, "could not find the CP child of ares-sim");
	ck_assert_int_eq(kill(cp, SIGSTOP), 0);
	e2e_queue_enable(&E, 0, 0, 16);
	e2e_queue_enable(&E, 1, 2, 16);
	e2e_queue_enable(&E, 2, 3, 16);
	e2e_queue_enable(&E, 3, 2, 16);
	for (q = 0; q < 4; q++) {
		e2e_submit(&E, q, ASID, CMD_VA, c.n);
		e2e_submit(&E, q, ASID, CMD_VA, c.n);
	}
	ck_assert_int_eq(kill(cp, SIGCONT), 0);
	for (q = 0; q < 4; q++)
		wait_jobs(q, 2);
		/* Priority 3 first, then 2 alternating between queues 1 and 3, then 0. */
#define START(q, s) (e2e_completion(&E, q, s)->start_ns)
	ck_assert_msg(START(2, 1) < START(1, 0) && START(2, 1) < START(3, 0),
		      "priority 3 queue must drain before priority 2 queues");
	ck_assert_msg((START(1, 0) < START(3, 0)) ? (START(3, 0) < START(1, 1))
						  : (START(1, 0) < START(3, 1)),
		      "equal-priority queues 1 and 3 must alternate");
	ck_assert_msg(START(1, 1) < START(0, 0) && START(3, 1) < START(0, 0),
		      "priority 0 queue must run last");
#undef START
	stop_clean();
}
END_TEST

/*
 * Queue 1 has WEIGHT 2, queue 3 WEIGHT 0 (counts as 1), both priority 2:
 * in start order, the queues take turns of two jobs and one job. Queue 5,
 * also priority 2, has WEIGHT 1000, which acts as ARES_Q_WEIGHT_MAX and so
 * runs all its 4 jobs in one turn.
 */
START_TEST(test_arbitration_weighted_turns)
{
	struct started {
		uint64_t start;
		uint32_t q;
	} order[14], t;
	static const uint32_t jobs[] = {[1] = 6, [3] = 3, [5] = 4};
	struct cs c = {0};
	uint32_t q, i, j, n = 0, run = 0;
	char seq[15] = {0};
	pid_t cp;

	start_booted(ARES_PAGE_SIZE);
	cs_nop(&c, 8);
	e2e_va_write(&E, ASID, CMD_VA, c.b, c.n);
	cp = find_cp_pid();
	ck_assert_msg(cp > 0, "could not find the CP child of ares-sim");
	ck_assert_int_eq(kill(cp, SIGSTOP), 0);
	for (q = 1; q <= 5; q += 2)
		e2e_queue_enable(&E, q, 2, 16);
	e2e_wr32(&E, ARES_REG_Q(1, ARES_Q_WEIGHT), 2);
	e2e_wr32(&E, ARES_REG_Q(5, ARES_Q_WEIGHT), 1000);
	for (q = 1; q <= 5; q += 2)
		for (i = 0; i < jobs[q]; i++)
			e2e_submit(&E, q, ASID, CMD_VA, c.n);
	ck_assert_int_eq(kill(cp, SIGCONT), 0);
	for (q = 1; q <= 5; q += 2) {
		wait_jobs(q, jobs[q]);
		for (i = 0; i < jobs[q]; i++)
			order[n++] = (struct started){e2e_completion(&E, q, i)->start_ns, q};
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && order[j - 1].start > order[j].start; j--) {
			t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (i = 0; i < n; i++)
		seq[i] = (char)('0' + order[i].q);
	/* Each turn: queue 1 runs 2 jobs (or its last), 3 one, 5 all 4 it has. */
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && order[i + run].q == order[i].q; run++)
			;
		q = order[i].q;
		ck_assert_msg(q == 1   ? run == 2
			      : q == 3 ? run == 1
				       : run == 4,
			      "start order %s: queue %u ran %u jobs in one turn", seq, q, run);
	}
	stop_clean();
}
END_TEST

START_TEST(test_hang_knob_blocks_only_that_queue_until_reset)
{
	struct cs c = {0};
	uint32_t result;

	start_booted(ARES_PAGE_SIZE);
	cs_fence(&c, DATA_VA, 5);
	e2e_va_write(&E, ASID, CMD_VA, c.b, c.n);
	e2e_wr32(&E, ARES_REG_DBG_HANG_QUEUES, 1u << 0);
	e2e_queue_enable(&E, 0, 3, 16);
	e2e_queue_enable(&E, 1, 0, 16);
	e2e_submit(&E, 0, ASID, CMD_VA, c.n);
	e2e_submit(&E, 0, ASID, CMD_VA, c.n);
	e2e_submit(&E, 1, ASID, CMD_VA, c.n);
	e2e_submit(&E, 1, ASID, CMD_VA, c.n);
	wait_jobs(1, 2);
	check_completion(1, 1, 2, ARES_JOB_OK, 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_Q(0, ARES_Q_HEAD)), 0);
	ck_assert_uint_eq(e2e_done_seqno(&E, 0), 0);
	/* RESET clears queues, address spaces and knobs; a reboot works again. */
	ck_assert(e2e_ctrl(&E, ARES_CTRL_RESET, 0, 0, &result) == 0);
	ck_assert_uint_eq(result, 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_DBG_HANG_QUEUES), 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_Q(0, ARES_Q_CONTROL)), 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_AS_CONFIG(ASID)), 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_RESET_COUNT), 1);
	boot_ok();
	e2e_wr64(&E, ARES_REG_AS_ROOT(ASID), E2E_PT_BASE);
	e2e_wr32(&E, ARES_REG_AS_CONFIG(ASID), ARES_AS_CONFIG_ENABLE);
	memset(e2e_bus(&E, E2E_COMPL_BASE(0)), 0, 4096);
	e2e_queue_enable(&E, 0, 3, 16);
	E.seqno[0] = 0;
	e2e_submit(&E, 0, ASID, CMD_VA, c.n);
	wait_jobs(0, 1);
	check_completion(0, 0, 1, ARES_JOB_OK, 0);
	stop_clean();
}
END_TEST

START_TEST(test_crash_knob_sets_fatal_and_reset_recovers)
{
	struct cs c = {0};
	uint32_t result;

	start_booted(ARES_PAGE_SIZE);
	while (e2e_irq_pending(&E, ARES_VEC_CTRL, 0))
		;
	e2e_wr32(&E, ARES_REG_DBG_FW_CRASH, 1);
	ck_assert_int_eq(e2e_wait_reg(&E, ARES_REG_STATUS, ~0u, ARES_STATUS_FATAL, ARES_VEC_CTRL),
			 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FATAL_CAUSE), ARES_FATAL_FW_CRASH);
	/* Nothing else runs until RESET. */
	ck_assert(e2e_boot(&E, FW_GOOD, &result) == 0);
	ck_assert_uint_eq(result, ARES_CTRL_ERR_NOT_READY);
	ck_assert(e2e_ctrl(&E, ARES_CTRL_RESET, 0, 0, &result) == 0);
	ck_assert_uint_eq(result, 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FATAL_CAUSE), 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_DBG_FW_CRASH), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_FW_LOG_WRITE_POS), 0);
	boot_ok();
	e2e_wr64(&E, ARES_REG_AS_ROOT(ASID), E2E_PT_BASE);
	e2e_wr32(&E, ARES_REG_AS_CONFIG(ASID), ARES_AS_CONFIG_ENABLE);
	e2e_queue_enable(&E, 7, 1, 16);
	cs_fence(&c, DATA_VA, 9);
	cs_submit(&c, 7, CMD_VA);
	wait_jobs(7, 1);
	check_completion(7, 0, 1, ARES_JOB_OK, 0);
	stop_clean();
}
END_TEST

START_TEST(test_drop_irqs_knob_drops_next_interrupt_only)
{
	struct cs c = {0};

	start_booted(ARES_PAGE_SIZE);
	e2e_queue_enable(&E, 0, 1, 16);
	cs_nop(&c, 8);
	e2e_va_write(&E, ASID, CMD_VA, c.b, c.n);
	while (e2e_irq_pending(&E, ARES_VEC_QUEUE(0), 0))
		;
	e2e_wr32(&E, ARES_REG_DBG_DROP_IRQS, 1);
	e2e_submit(&E, 0, ASID, CMD_VA, c.n);
	/* The completion is still written; the counter reaching 0 shows the drop happened. */
	for (int i = 0; i < E2E_TIMEOUT_MS && (e2e_rd32(&E, ARES_REG_Q(0, ARES_Q_HEAD)) != 1 ||
					       e2e_rd32(&E, ARES_REG_DBG_DROP_IRQS) != 0);
	     i++)
		sleep_ms(1);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_Q(0, ARES_Q_HEAD)), 1);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_DBG_DROP_IRQS), 0);
	ck_assert_msg(!e2e_irq_pending(&E, ARES_VEC_QUEUE(0), 0),
		      "interrupt delivered although DBG_DROP_IRQS was 1");
	e2e_submit(&E, 0, ASID, CMD_VA, c.n);
	ck_assert_msg(e2e_irq_pending(&E, ARES_VEC_QUEUE(0), E2E_TIMEOUT_MS),
		      "expected the second completion's interrupt");
	stop_clean();
}
END_TEST

START_TEST(test_tlb_invalidate_then_remap_uses_new_page)
{
	struct cs c = {0};
	uint64_t p1 = 0, p2, v;
	uint32_t result;

	start_booted(0);
	p1 = e2e_alloc_page(&E);
	p2 = e2e_alloc_page(&E);
	e2e_map(&E, ASID, DATA_VA, p1, RW);
	e2e_queue_enable(&E, 0, 1, 16);
	cs_fence(&c, DATA_VA, 0xabc);
	cs_submit(&c, 0, CMD_VA);
	wait_jobs(0, 1);
	e2e_map(&E, ASID, DATA_VA, p2, RW);
	ck_assert(e2e_ctrl(&E, ARES_CTRL_TLB_INVALIDATE, ASID, 0, &result) == 0);
	ck_assert_uint_eq(result, 0);
	e2e_submit(&E, 0, ASID, CMD_VA, c.n);
	wait_jobs(0, 2);
	memcpy(&v, e2e_bus(&E, p2), 8);
	ck_assert_msg(v == 0xabc, "remapped page: expected 0xabc, got 0x%llx",
		      (unsigned long long)v);
	stop_clean();
}
END_TEST

START_TEST(test_ram_above_4g_hole_is_reachable)
{
	const uint64_t high = (1ull << 32) + 0x100000;
	struct cs c = {0};
	uint64_t v;

	/* 16 MiB below the hole: the image and this page live above 4 GiB. */
	start_with("--ram-below-4g", "0x1000000");
	boot_ok();
	e2e_as_enable(&E, ASID);
	e2e_map_range(&E, ASID, CMD_VA, ARES_PAGE_SIZE, RW);
	e2e_map(&E, ASID, DATA_VA, high, RW);
	e2e_map(&E, ASID, DATA_VA + ARES_PAGE_SIZE, 0x80000000ull, RW); /* in the hole */
	e2e_queue_enable(&E, 0, 1, 16);
	cs_fence(&c, DATA_VA, 0x4242);
	cs_fence(&c, DATA_VA + ARES_PAGE_SIZE, 1);
	cs_submit(&c, 0, CMD_VA);
	wait_jobs(0, 1);
	check_completion(0, 0, 1, ARES_JOB_MMU_FAULT, 24);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_REASON), ARES_FAULT_BUS);
	memcpy(&v, e2e_bus(&E, high), 8);
	ck_assert_msg(v == 0x4242,
		      "write above 4 GiB: expected 0x4242 at file offset 0x%llx, got 0x%llx",
		      (unsigned long long)(0x1000000 + 0x100000), (unsigned long long)v);
	stop_clean();
}
END_TEST

START_TEST(test_firmware_exit_before_ready_fails_boot_with_init_error)
{
	uint32_t result;

	start_with(NULL, NULL);
	ck_assert(e2e_boot(&E, FW_STUB("exit-early"), &result) == 0);
	ck_assert_uint_eq(result, ARES_BOOT_ERR_INIT);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_BOOT_STATUS), ARES_BOOT_ERR_INIT);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), ARES_STATUS_FATAL);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FATAL_CAUSE), ARES_FATAL_FW_EXIT);
	ck_assert(e2e_ctrl(&E, ARES_CTRL_RESET, 0, 0, &result) == 0);
	boot_ok();
	stop_clean();
}
END_TEST

START_TEST(test_firmware_exit_after_ready_sets_fatal_fw_exit)
{
	uint32_t result;

	start_with(NULL, NULL);
	ck_assert(e2e_boot(&E, FW_STUB("exit-after-ready"), &result) == 0);
	ck_assert_uint_eq(result, 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FW_VERSION), 0x000900);
	ck_assert_int_eq(e2e_wait_reg(&E, ARES_REG_STATUS, ~0u, ARES_STATUS_FATAL, ARES_VEC_CTRL),
			 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FATAL_CAUSE), ARES_FATAL_FW_EXIT);
	stop_clean();
}
END_TEST

START_TEST(test_firmware_never_ready_times_out_and_is_stopped)
{
	uint32_t result;

	start_with(NULL, NULL);
	ck_assert(e2e_boot(&E, FW_STUB("no-ready"), &result) == 0);
	ck_assert_uint_eq(result, ARES_BOOT_ERR_TIMEOUT);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_BOOT_STATUS), ARES_BOOT_ERR_TIMEOUT);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), 0);
	/* The stuck CP was stopped, so a good image boots without a RESET. */
	boot_ok();
	stop_clean();
}
END_TEST

START_TEST(test_modeled_time_profile_and_perf_counters)
{
	struct ares_cmd_gemm g = {.hdr = {ARES_OP_GEMM, 0, sizeof(g)},
				  .m = 64,
				  .n = 64,
				  .k = 64,
				  .a_va = DATA_VA,
				  .b_va = DATA_VA + 0x10000,
				  .c_va = DATA_VA + 0x20000,
				  .lda = 64,
				  .ldb = 64,
				  .ldc = 64};
	struct ares_cmd_profile p = {.hdr = {ARES_OP_PROFILE, 0, sizeof(p)},
				     .va = DATA_VA + 0x30000};
	struct ares_profile_record rec;
	const struct ares_completion *r;
	struct cs c = {0}, f = {0};
	uint32_t result;

	start_booted(0x40000);
	e2e_queue_enable(&E, 1, 1, E2E_RING_ENTRIES);
	cs_put(&c, &g, sizeof(g));
	cs_put(&c, &p, sizeof(p));
	cs_nop(&c, 8);
	cs_submit(&c, 1, CMD_VA);
	wait_jobs(1, 1);
	check_completion(1, 0, 1, ARES_JOB_OK, 0);
	r = e2e_completion(&E, 1, 0);
	/*
	 * hw-spec §14: 64^3 MACs at 256 per cycle and 64 KiB at 64 B per cycle
	 * both take 1024 cycles; plus 20 per tile and 100 per command (NOP free).
	 */
	ck_assert_uint_eq(r->modeled_ns, 100 + 20 + 1024 + 100);
	e2e_va_read(&E, ASID, DATA_VA + 0x30000, &rec, sizeof(rec));
	ck_assert_uint_eq(rec.modeled_ns, 100 + 20 + 1024);
	ck_assert_uint_ge(rec.now_ns, r->start_ns);
	ck_assert_uint_le(rec.now_ns, r->end_ns);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_JOBS), 1);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_CMDS), 2);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MODELED_NS), r->modeled_ns);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MACS), 64 * 64 * 64);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_TENSOR_BUSY_NS), 20 + 1024);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_DMA_BUSY_NS), 1024);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_DMA_BYTES), 65536);

	/* A failing job counts its fixed cost; a misaligned PROFILE fails before writing. */
	p.va += 4;
	cs_fill(&f, DATA_VA, 4096, 0);
	cs_put(&f, &p, sizeof(p));
	cs_submit(&f, 1, CMD_VA + 1024);
	wait_jobs(1, 2);
	check_completion(1, 1, 2, ARES_JOB_INVALID_CMD, 32);
	/* FILL: 4096 bytes at 64 B per cycle, 20 per tile, then two commands. */
	ck_assert_uint_eq(e2e_completion(&E, 1, 1)->modeled_ns, 64 + 20 + 200);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_JOBS), 2);

	ck_assert_int_eq(e2e_ctrl(&E, ARES_CTRL_RESET, 0, 0, &result), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_JOBS), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MODELED_NS), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MACS), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_CMDS), 0);
	stop_clean();
}
END_TEST

/* Markers fw_evil.c leaves next to the device log if any of it ever runs. */
static int pwn_markers(void)
{
	DIR *d = opendir(E.dir);
	struct dirent *de;
	int n = 0;

	ck_assert_msg(d != NULL, "opendir %s", E.dir);
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "ares-pwned-", 11);
	closedir(d);
	return n;
}

START_TEST(test_unsigned_or_foreign_signed_image_is_refused_before_it_runs)
{
	static const char *const names[] = {FW_EVIL("unsigned"), FW_EVIL("wrongkey")};
	uint32_t result;
	size_t i;

	start_with(NULL, NULL);
	for (i = 0; i < 2; i++) {
		ck_assert_msg(e2e_boot(&E, names[i], &result) == 0, "%s", E.err);
		ck_assert_msg(result == ARES_BOOT_ERR_BAD_SIGNATURE,
			      "BOOT %s: expected 0x%x (BAD_SIGNATURE), got 0x%x", names[i],
			      ARES_BOOT_ERR_BAD_SIGNATURE, result);
		ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_BOOT_STATUS), ARES_BOOT_ERR_BAD_SIGNATURE);
		ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_STATUS), 0);
	}
	ck_assert_msg(pwn_markers() == 0, "the unsigned payload's constructor ran on the host");
	/* Refusals leave nothing behind: the signed image boots without a RESET. */
	boot_ok();
	stop_clean();
}
END_TEST

START_TEST(test_forbidden_syscall_kills_cp_with_fatal_sandbox_and_reset_recovers)
{
	uint32_t result;

	start_with(NULL, NULL);
	ck_assert_msg(e2e_boot(&E, FW_SANDBOX, &result) == 0, "%s", E.err);
	ck_assert_msg(result == 0, "BOOT of the sandbox probe: expected 0, got 0x%x", result);
	while (e2e_irq_pending(&E, ARES_VEC_CTRL, 0))
		;
	/* The probe firmware answers the crash knob with openat(2). */
	e2e_wr32(&E, ARES_REG_DBG_FW_CRASH, 1);
	ck_assert_int_eq(e2e_wait_reg(&E, ARES_REG_STATUS, ~0u, ARES_STATUS_FATAL, ARES_VEC_CTRL),
			 0);
	ck_assert_msg(e2e_rd32(&E, ARES_REG_FATAL_CAUSE) == ARES_FATAL_CP_SANDBOX,
		      "FATAL_CAUSE: expected %u (CP_SANDBOX), got %u", ARES_FATAL_CP_SANDBOX,
		      e2e_rd32(&E, ARES_REG_FATAL_CAUSE));
	ck_assert(e2e_ctrl(&E, ARES_CTRL_RESET, 0, 0, &result) == 0);
	ck_assert_uint_eq(result, 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FATAL_CAUSE), 0);
	boot_ok();
	stop_clean();
}
END_TEST

static Suite *e2e_suite(void)
{
	Suite *s = suite_create("sim+firmware end to end");
	TCase *t = tcase_create("device");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_handshake_gives_identity_and_disconnect_exits_zero);
	tcase_add_test(t, test_sigterm_exits_zero);
	tcase_add_test(t, test_boot_publishes_version_heartbeat_and_log);
	tcase_add_test(t, test_boot_while_running_is_refused_not_ready);
	tcase_add_test(t, test_bad_images_refused_with_boot_error);
	tcase_add_test(t, test_unknown_control_command_and_bad_tlb_arg);
	tcase_add_test(t, test_nop_fence_timestamp_jobs_complete_in_order);
	tcase_add_test(t, test_ring_wraps_and_many_jobs_complete);
	tcase_add_test(t, test_dma_copy_and_fill_cross_scattered_pages);
	tcase_add_test(t, test_gemm_job_matches_reference);
	tcase_add_test(t, test_modeled_time_profile_and_perf_counters);
	tcase_add_test(t, test_mmu_faults_end_job_and_record_fault);
	tcase_add_test(t, test_invalid_descriptors_and_commands_rejected);
	tcase_add_test(t, test_bad_queue_config_is_flagged_and_ignored);
	tcase_add_test(t, test_arbitration_strict_priority_then_round_robin);
	tcase_add_test(t, test_arbitration_weighted_turns);
	tcase_add_test(t, test_hang_knob_blocks_only_that_queue_until_reset);
	tcase_add_test(t, test_crash_knob_sets_fatal_and_reset_recovers);
	tcase_add_test(t, test_drop_irqs_knob_drops_next_interrupt_only);
	tcase_add_test(t, test_tlb_invalidate_then_remap_uses_new_page);
	tcase_add_test(t, test_ram_above_4g_hole_is_reachable);
	tcase_add_test(t, test_firmware_exit_before_ready_fails_boot_with_init_error);
	tcase_add_test(t, test_firmware_exit_after_ready_sets_fatal_fw_exit);
	tcase_add_test(t, test_firmware_never_ready_times_out_and_is_stopped);
	tcase_add_test(t, test_unsigned_or_foreign_signed_image_is_refused_before_it_runs);
	tcase_add_test(t, test_forbidden_syscall_kills_cp_with_fatal_sandbox_and_reset_recovers);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(e2e_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
