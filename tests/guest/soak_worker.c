/* SPDX-License-Identifier: MIT */
/*
 * One worker of the soak (tests/guest/soak.sh): submits real jobs through
 * libaccel (FILL, DMA_COPY, GEMM), in batches of 1-3 in flight on one
 * context, checks every result against the host, and keeps going through
 * whatever the soak does to the device: kill -9 of its siblings, resets,
 * hung queues, firmware crashes, dropped interrupts, hot-unplug.
 *
 * Each job's outcome is one line appended to LOG (write(2), O_APPEND, so a
 * kill -9 loses at most the batch in flight, never a line half written):
 *   OK <op>                 completed, result checked
 *   TIMEOUT <op>            the job hit the driver's job timeout (a hung
 *                           queue); its context is banned after it
 *   ABORTED <op>            lost to a reset (another job's timeout, a
 *                           firmware crash, a forced reset) or an unplug
 *   ECANCELED <op>          SUBMIT refused: the context is banned (after
 *                           each TIMEOUT the worker submits once more on
 *                           its context to check that it is)
 *   ENODEV <what>           an ioctl found the device unplugged
 *   UNEXPECTED <what>: ...  anything else: a wrong result, another errno or
 *                           status, a job that never finished
 * and "STOP" when it exits on SIGTERM.
 *
 * Usage: soak_worker ID SEED LOG
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"

#define BUF_SIZE  (64 * 1024)
#define GEMM_DIM  32
#define MAX_BATCH 3
#define WAIT_NS	  (60ll * 1000000000)
/*
 * src: slot i's GEMM operands A, B at i * GEMM_AREA (rewritten per job, so
 * each job in flight has its own), then the DMA_COPY source, never written
 * after setup.
 */
#define GEMM_AREA (2 * GEMM_DIM * GEMM_DIM * 4)
#define COPY_SRC  (MAX_BATCH * GEMM_AREA)
#define COPY_MAX  (BUF_SIZE - COPY_SRC)

enum op { OP_FILL, OP_COPY, OP_GEMM, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"FILL", "DMA_COPY", "GEMM"};

static volatile sig_atomic_t stop;
static int log_fd;
static int worker_id;
static uint64_t rng;

static accel_device *dev;
static accel_ctx *ctx;
static accel_bo *src_bo, *dst_bo[MAX_BATCH];
static uint8_t *src, *dst[MAX_BATCH];

/* What each job of the batch must leave in its dst buffer. */
struct job_slot {
	enum op op;
	accel_job *job;
	uint64_t off, size;
	uint32_t pattern;
	float c0[GEMM_DIM * GEMM_DIM];
};

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void out(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_fd, line, (size_t)n) != n)
		_exit(2);
}

static void free_buffers(void)
{
	for (int i = 0; i < MAX_BATCH; i++) {
		accel_bo_free(dst_bo[i]);
		dst_bo[i] = NULL;
	}
	accel_bo_free(src_bo);
	src_bo = NULL;
}

/* After an unplug: drop everything, so the old device's file closes. */
static void teardown(void)
{
	free_buffers();
	accel_ctx_destroy(ctx);
	ctx = NULL;
	accel_device_close(dev);
	dev = NULL;
}

/* Classifies a failed call; returns 1 if the worker must start over. */
static int call_failed(const char *what, int ret)
{
	if (ret == -ENODEV) {
		out("ENODEV %s", what);
		teardown();
		return 1;
	}
	out("UNEXPECTED %s: %s (%s)", what, accel_strerror(ret),
	    dev ? accel_device_last_error(dev) : "no device");
	teardown();
	return 1;
}

static int open_device(void)
{
	struct accel_device_entry e;
	size_t n = 0;
	int ret;

	/* No node while the device is unplugged: wait, it is not a job. */
	if (accel_enumerate(&e, 1, &n) || n == 0)
		return -ENOENT;
	ret = accel_device_open(e.node, &dev, NULL, 0);
	if (ret) {
		dev = NULL;
		/* The node went away between the listing and the open. */
		if (ret == -ENOENT || ret == -ENODEV)
			return ret;
		out("UNEXPECTED open %s: %s", e.node, accel_strerror(ret));
		return ret;
	}
	return 0;
}

static int alloc_buffer(accel_bo **bo, uint8_t **map)
{
	void *p;
	int ret = accel_bo_alloc(dev, BUF_SIZE, 0, bo);

	if (ret)
		return call_failed("BO_CREATE", ret);
	ret = accel_bo_map(*bo, &p);
	if (ret)
		return call_failed("mmap", ret);
	*map = p;
	return 0;
}

static int setup(void)
{
	int ret;

	if (!dev && open_device())
		return 1;
	if (!ctx) {
		ret = accel_ctx_create(dev, rnd() % 3, &ctx);
		if (ret) {
			ctx = NULL;
			return call_failed("CTX_CREATE", ret);
		}
	}
	if (!src_bo) {
		if (alloc_buffer(&src_bo, &src))
			return 1;
		for (int i = 0; i < BUF_SIZE; i++)
			src[i] = (uint8_t)rnd();
	}
	for (int i = 0; i < MAX_BATCH; i++)
		if (!dst_bo[i] && alloc_buffer(&dst_bo[i], &dst[i]))
			return 1;
	return 0;
}

static float frnd(void)
{
	return (float)(rnd() & 0xffff) / 32768.0f - 1.0f;
}

/* Builds job @i of the batch into @cb and records what it must produce. */
static void build(accel_cmdbuf *cb, struct job_slot *s, int i)
{
	uint64_t dva = accel_bo_va(dst_bo[i]);

	memset(dst[i], 0xcc, BUF_SIZE);
	s->op = (enum op)(rnd() % OP_COUNT);
	switch (s->op) {
	case OP_FILL:
		/* FILL takes whole 32-bit words. */
		s->off = 4 * (rnd() % 1024);
		s->size = 4 + 4 * (rnd() % ((BUF_SIZE - s->off) / 4 - 1));
		s->pattern = rnd();
		accel_cmdbuf_fill(cb, dva + s->off, s->size, s->pattern);
		break;
	case OP_COPY:
		s->off = rnd() % 4096;
		s->size = 1 + rnd() % (COPY_MAX - 1);
		accel_cmdbuf_dma_copy(cb, accel_bo_va(src_bo) + COPY_SRC, dva + s->off, s->size);
		break;
	default: {
		/* A, B in this slot's area of src; C (nonzero) at the start of dst. */
		float *a = (float *)(src + i * GEMM_AREA), *c = (float *)dst[i];
		uint64_t ava = accel_bo_va(src_bo) + (uint64_t)i * GEMM_AREA;

		for (int j = 0; j < 2 * GEMM_DIM * GEMM_DIM; j++)
			a[j] = frnd();
		for (int j = 0; j < GEMM_DIM * GEMM_DIM; j++)
			c[j] = s->c0[j] = frnd();
		accel_cmdbuf_gemm(cb, &(struct accel_gemm){
					      .m = GEMM_DIM,
					      .n = GEMM_DIM,
					      .k = GEMM_DIM,
					      .a_va = ava,
					      .b_va = ava + GEMM_DIM * GEMM_DIM * 4,
					      .c_va = dva,
				      });
		break;
	}
	}
}

/* Returns NULL if dst[i] holds what job @s had to write, else why not. */
static const char *check(const struct job_slot *s, int i, char *why, size_t len)
{
	const uint8_t *d = dst[i];

	if (s->op == OP_GEMM) {
		const float *a = (const float *)(src + i * GEMM_AREA), *b = a + GEMM_DIM * GEMM_DIM;
		const float *c = (const float *)d;

		for (int r = 0; r < GEMM_DIM; r++)
			for (int col = 0; col < GEMM_DIM; col++) {
				double ref = s->c0[r * GEMM_DIM + col];

				for (int p = 0; p < GEMM_DIM; p++)
					ref += (double)a[r * GEMM_DIM + p] * b[p * GEMM_DIM + col];
				if (fabs(c[r * GEMM_DIM + col] - ref) >
				    1e-3 * fmax(fabs(ref), 1.0)) {
					snprintf(why, len, "C[%d][%d] = %f, expected %f", r, col,
						 c[r * GEMM_DIM + col], ref);
					return why;
				}
			}
		return NULL;
	}
	for (uint64_t j = 0; j < BUF_SIZE; j++) {
		uint8_t want = 0xcc;

		if (j >= s->off && j < s->off + s->size)
			want = s->op == OP_FILL ? (uint8_t)(s->pattern >> (8 * ((j - s->off) % 4)))
						: src[COPY_SRC + j - s->off];
		if (d[j] != want) {
			snprintf(why, len,
				 "byte %llu = 0x%02x, expected 0x%02x (off %llu size %llu)",
				 (unsigned long long)j, d[j], want, (unsigned long long)s->off,
				 (unsigned long long)s->size);
			return why;
		}
	}
	return NULL;
}

/* Waits for one job and logs its outcome; returns 1 if the device is gone. */
static int reap(struct job_slot *s, int i, int *banned)
{
	const char *name = op_names[s->op];
	char why[160];
	uint32_t status;
	int ret;

	ret = accel_job_wait(s->job, WAIT_NS);
	if (!ret)
		ret = accel_job_status(s->job, &status);
	accel_job_destroy(s->job);
	s->job = NULL;
	if (ret == -ENODEV) {
		out("ENODEV wait %s", name);
		return 1;
	}
	if (ret == -ETIME) {
		out("UNEXPECTED %s: not finished after %lld s", name, WAIT_NS / 1000000000);
		return 0;
	}
	if (ret) {
		out("UNEXPECTED %s: wait/status: %s", name, accel_strerror(ret));
		return 0;
	}
	switch (status) {
	case ACCEL_JOB_OK:
		if (check(s, i, why, sizeof(why)))
			out("UNEXPECTED %s: wrong result: %s", name, why);
		else
			out("OK %s", name);
		break;
	case ACCEL_JOB_TIMEOUT:
		*banned = 1;
		out("TIMEOUT %s", name);
		break;
	case ACCEL_JOB_ABORTED:
		out("ABORTED %s", name);
		break;
	default:
		out("UNEXPECTED %s: status %s", name, accel_job_status_name(status));
	}
	return 0;
}

/* After a TIMEOUT: one more SUBMIT on the context must fail -ECANCELED. */
static int probe_banned(void)
{
	accel_bo *bos[1] = {dst_bo[0]};
	accel_cmdbuf *cb;
	accel_job *job;
	int ret;

	if (accel_cmdbuf_create(&cb))
		return 0;
	accel_cmdbuf_fill(cb, accel_bo_va(dst_bo[0]), 4, 0);
	ret = accel_submit_cmdbuf(ctx, cb, bos, 1, &job);
	accel_cmdbuf_destroy(cb);
	if (ret == -ECANCELED) {
		out("ECANCELED FILL");
		return 0;
	}
	if (ret == -ENODEV) {
		out("ENODEV SUBMIT FILL");
		return 1;
	}
	if (!ret) {
		accel_job_wait(job, WAIT_NS);
		accel_job_destroy(job);
		out("UNEXPECTED SUBMIT FILL: a context banned after a TIMEOUT accepted a job");
	} else {
		out("UNEXPECTED SUBMIT FILL on a banned context: %s, expected -ECANCELED",
		    accel_strerror(ret));
	}
	return 0;
}

static void run_batch(void)
{
	struct job_slot slots[MAX_BATCH];
	accel_bo *bos[2];
	int n = 1 + (int)(rnd() % MAX_BATCH), sent = 0, gone = 0, banned = 0, refused = 0, ret;

	for (int i = 0; i < n; i++) {
		accel_cmdbuf *cb;

		if (accel_cmdbuf_create(&cb)) {
			out("UNEXPECTED cmdbuf: out of memory");
			break;
		}
		build(cb, &slots[i], i);
		bos[0] = src_bo;
		bos[1] = dst_bo[i];
		ret = accel_cmdbuf_error(cb);
		if (!ret)
			ret = accel_submit_cmdbuf(ctx, cb, bos, 2, &slots[i].job);
		accel_cmdbuf_destroy(cb);
		if (ret == -ECANCELED) {
			out("ECANCELED %s", op_names[slots[i].op]);
			banned = refused = 1;
			break;
		}
		if (ret == -ENODEV) {
			out("ENODEV SUBMIT %s", op_names[slots[i].op]);
			gone = 1;
			break;
		}
		if (ret) {
			out("UNEXPECTED SUBMIT %s: %s (%s)", op_names[slots[i].op],
			    accel_strerror(ret), accel_device_last_error(dev));
			break;
		}
		sent++;
	}
	for (int i = 0; i < sent; i++)
		gone |= reap(&slots[i], i, &banned);
	if (gone) {
		teardown();
	} else if (banned) {
		/* A timed-out context is banned: SUBMIT must refuse it from now on. */
		if (!refused && probe_banned())
			gone = 1;
		if (gone) {
			teardown();
			return;
		}
		/* The documented way on is a new context. */
		accel_ctx_destroy(ctx);
		ctx = NULL;
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	unsigned long batches = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: soak_worker ID SEED LOG\n");
		return 2;
	}
	worker_id = atoi(argv[1]);
	rng = strtoull(argv[2], NULL, 0) * 2654435761u + (uint64_t)worker_id;
	log_fd = open(argv[3], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd < 0) {
		perror(argv[3]);
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		if (setup()) {
			usleep(100000);
			continue;
		}
		run_batch();
		/* Contexts and buffers come and go too, not only jobs. */
		if (ctx && ++batches % 40 == 0) {
			accel_ctx_destroy(ctx);
			ctx = NULL;
		}
		if (src_bo && batches % 97 == 0)
			free_buffers();
	}
	teardown();
	out("STOP");
	return 0;
}
