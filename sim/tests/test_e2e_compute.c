/* SPDX-License-Identifier: MIT */
/*
 * End-to-end test of the compute op set (hw-spec §12-§14): this process
 * plays QEMU and the driver against the real ares-sim and firmware, builds
 * tensor commands over scattered and contiguous pages, and checks every
 * result against a plain reference computed here (exact for integer paths
 * and for f32 operations with one rounding; a stated tolerance otherwise).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares/cmd.h>
#include <ares/mmu.h>
#include <ares/ops.h>

#include "../../tests/unit/tensor_desc_util.h"
#include "e2e_client.h"

#ifndef ARES_FW_DIR
#define ARES_FW_DIR "build/firmware"
#endif
#define FW_GOOD ARES_FW_DIR "/ares/ares-fw.bin"

#define ASID	3
#define Q	1
#define CMD_VA	0x100000000ull
#define DATA_VA 0x100100000ull /* scattered pages */
#define LIN_VA	0x100800000ull /* physically contiguous pages */
#define DATA_SZ (512ull << 10)
#define LIN_SZ	(128ull << 10)
#define RW	(ARES_PTE_READ | ARES_PTE_WRITE)
#define F32_1	0x3f800000u

/* Float results computed in a different order than the reference. */
#define REL_TOL 1e-5

static struct e2e_dev E;

struct cs {
	uint8_t b[8192];
	uint32_t n;
};

static void cs_put(struct cs *c, const void *cmd)
{
	uint32_t size = ((const struct ares_cmd_hdr *)cmd)->size;

	ck_assert_uint_le(c->n + size, sizeof(c->b));
	memcpy(c->b + c->n, cmd, size);
	c->n += size;
}

static void cs_profile(struct cs *c, uint64_t va)
{
	struct ares_cmd_profile p = {.hdr = {ARES_OP_PROFILE, 0, sizeof(p)}, .va = va};

	cs_put(c, &p);
}

static void start_booted(void)
{
	uint32_t result = ~0u;
	uint64_t i, first;

	ck_assert_msg(e2e_start(&E, NULL, NULL) == 0, "starting ares-sim: %s", E.err);
	ck_assert_msg(e2e_boot(&E, FW_GOOD, &result) == 0 && result == 0, "boot: %s 0x%x", E.err,
		      result);
	e2e_as_enable(&E, ASID);
	e2e_map_range(&E, ASID, CMD_VA, 4 * ARES_PAGE_SIZE, RW);
	e2e_map_range(&E, ASID, DATA_VA, DATA_SZ, RW); /* pages in reverse order */
	first = e2e_alloc_page(&E);
	for (i = 1; i < LIN_SZ / ARES_PAGE_SIZE; i++)
		e2e_alloc_page(&E);
	for (i = 0; i < LIN_SZ / ARES_PAGE_SIZE; i++)
		e2e_map(&E, ASID, LIN_VA + i * ARES_PAGE_SIZE, first + i * ARES_PAGE_SIZE, RW);
	e2e_queue_enable(&E, Q, 1, E2E_RING_ENTRIES);
}

static void stop_clean(void)
{
	ck_assert_int_eq(e2e_stop(&E), 0);
}

/* Submits @c, waits, and returns its completion after checking status and offset. */
static const struct ares_completion *run(struct cs *c, uint32_t status, uint32_t offset)
{
	const struct ares_completion *r;
	uint64_t seq;
	int ret;

	e2e_va_write(&E, ASID, CMD_VA, c->b, c->n);
	seq = e2e_submit(&E, Q, ASID, CMD_VA, c->n);
	ret = e2e_wait_head(&E, Q, (uint32_t)seq);
	if (ret)
		e2e_dump_log(&E);
	ck_assert_msg(ret == 0, "job %llu never completed", (unsigned long long)seq);
	r = e2e_completion(&E, Q, (uint32_t)((seq - 1) % E2E_RING_ENTRIES));
	ck_assert_uint_eq(r->seqno, seq);
	if (r->status != status)
		e2e_dump_log(&E);
	ck_assert_msg(r->status == status && r->error_offset == offset,
		      "expected status %u at offset %u, got status %u at offset %u", status, offset,
		      r->status, r->error_offset);
	c->n = 0;
	return r;
}

static void put_f32(uint64_t va, const float *v, size_t n)
{
	e2e_va_write(&E, ASID, va, v, n * sizeof(*v));
}

static void get_f32(uint64_t va, float *v, size_t n)
{
	e2e_va_read(&E, ASID, va, v, n * sizeof(*v));
}

static void check_close(const float *got, const double *want, size_t n, const char *what)
{
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_msg(fabs(got[i] - want[i]) <= REL_TOL * (1.0 + fabs(want[i])),
			      "%s[%zu]: expected %.7g, got %.7g", what, i, want[i], got[i]);
}

static float rnd(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return (float)((*s >> 8) % 2001) / 1000.0f - 1.0f;
}

/* ---- vector engine ---- */

START_TEST(test_eltwise_add_broadcast_over_scattered_pages)
{
	/* out[4][300] = a[4][300] + b[300] (stride 0 on dim 0): spans page boundaries. */
	const uint64_t sh[2] = {4, 300};
	const uint64_t va_a = DATA_VA + 100 * 4, va_b = DATA_VA + 0x4000 + 8,
		       va_o = DATA_VA + 0x8000 + 4000;
	float a[1200], b[300], o[1200];
	struct ares_cmd_eltwise e = {
		.hdr = {ARES_OP_ELTWISE, 0, sizeof(e)}, .num_inputs = 2, .p = {.op = ARES_ELT_ADD}};
	struct cs c = {0};
	unsigned int s = 1;
	int i;

	start_booted();
	for (i = 0; i < 1200; i++)
		a[i] = rnd(&s);
	for (i = 0; i < 300; i++)
		b[i] = rnd(&s);
	put_f32(va_a, a, 1200);
	put_f32(va_b, b, 300);
	e.in[0] = test_desc_packed(va_a, ARES_DTYPE_F32, 2, sh);
	e.in[1] = test_desc_packed(va_b, ARES_DTYPE_F32, 2, sh);
	e.in[1].stride[0] = 0;
	e.out = test_desc_packed(va_o, ARES_DTYPE_F32, 2, sh);
	cs_put(&c, &e);
	run(&c, ARES_JOB_OK, 0);
	get_f32(va_o, o, 1200);
	for (i = 0; i < 1200; i++)
		ck_assert_msg(o[i] == a[i] + b[i % 300], "out[%d]: expected %g, got %g", i,
			      a[i] + b[i % 300], o[i]);
	stop_clean();
}
END_TEST

START_TEST(test_prelu_through_the_firmware_with_a_broadcast_slope)
{
	/* y[4][300] = x < 0 ? slope[300] * x : x (slope stride 0 on dim 0), over scattered pages.
	 */
	const uint64_t sh[2] = {4, 300};
	const uint64_t va_x = DATA_VA + 100 * 4, va_s = DATA_VA + 0x4000 + 8,
		       va_y = DATA_VA + 0x8000 + 4000;
	float x[1200], sl[300], y[1200], want;
	struct ares_cmd_prelu p = {.hdr = {ARES_OP_PRELU, 0, sizeof(p)}};
	const struct ares_completion *r;
	struct cs c = {0};
	unsigned int s = 5;
	int i;

	start_booted();
	for (i = 0; i < 1200; i++)
		x[i] = rnd(&s);
	for (i = 0; i < 300; i++)
		sl[i] = rnd(&s);
	put_f32(va_x, x, 1200);
	put_f32(va_s, sl, 300);
	p.x = test_desc_packed(va_x, ARES_DTYPE_F32, 2, sh);
	p.slope = test_desc_packed(va_s, ARES_DTYPE_F32, 2, sh);
	p.slope.stride[0] = 0;
	p.y = test_desc_packed(va_y, ARES_DTYPE_F32, 2, sh);
	cs_put(&c, &p);
	r = run(&c, ARES_JOB_OK, 0);
	get_f32(va_y, y, 1200);
	for (i = 0; i < 1200; i++) {
		want = x[i] < 0 ? sl[i % 300] * x[i] : x[i];
		ck_assert_msg(y[i] == want, "y[%d]: expected %g, got %g", i, want, y[i]);
	}
	/* §14: one vector tile, 1200 element operations, 3 x 4800 bytes moved. */
	ck_assert_uint_eq(r->modeled_ns, 100 + 20 + (3 * 4800 + 63) / 64);
	stop_clean();
}
END_TEST

START_TEST(test_strided_output_keeps_gap_bytes)
{
	/* relu into every other float of a region spanning 3 scattered pages. */
	const uint64_t n = 2000, va_x = DATA_VA + 0x10000, va_y = DATA_VA + 0x20000 + 12;
	const uint64_t sh[1] = {n};
	float x[2000], y[4000];
	struct ares_cmd_eltwise e = {.hdr = {ARES_OP_ELTWISE, 0, sizeof(e)},
				     .num_inputs = 1,
				     .p = {.op = ARES_ELT_RELU}};
	struct cs c = {0};
	unsigned int s = 7;
	uint64_t i;

	start_booted();
	for (i = 0; i < n; i++)
		x[i] = rnd(&s);
	for (i = 0; i < 2 * n; i++)
		y[i] = -7.0f;
	put_f32(va_x, x, n);
	put_f32(va_y, y, 2 * n);
	e.in[0] = test_desc_packed(va_x, ARES_DTYPE_F32, 1, sh);
	e.out = test_desc_packed(va_y, ARES_DTYPE_F32, 1, sh);
	e.out.stride[0] = 2;
	cs_put(&c, &e);
	run(&c, ARES_JOB_OK, 0);
	get_f32(va_y, y, 2 * n);
	for (i = 0; i < n; i++) {
		ck_assert_msg(y[2 * i] == (x[i] > 0 ? x[i] : 0.0f), "y[%llu]",
			      (unsigned long long)i);
		ck_assert_msg(y[2 * i + 1] == -7.0f, "gap element %llu changed to %g",
			      (unsigned long long)i, y[2 * i + 1]);
	}
	stop_clean();
}
END_TEST

/*
 * The glue keeps its gather buffers between commands and does not read in
 * an output that covers its whole extent: outputs of the same size in a
 * row, one densely transposed, one whose rows have a gap column, and the
 * input rewritten between two jobs; each result and every gap cell must be
 * as if each view had been gathered afresh.
 */
START_TEST(test_gather_buffers_reused_across_commands_and_jobs)
{
	const uint64_t va_x = DATA_VA + 0x30000 + 20, va_y = DATA_VA + 0x38000 + 36;
	const uint64_t sh[2] = {30, 100}, tsh[2] = {100, 30};
	float x[3000], y[3030];
	struct ares_cmd_eltwise e = {
		.hdr = {ARES_OP_ELTWISE, 0, sizeof(e)}, .num_inputs = 1, .p = {.op = ARES_ELT_NEG}};
	struct cs c = {0};
	unsigned int s = 11;
	int i, j, job;

	start_booted();
	for (job = 0; job < 2; job++) {
		/* Job 1 rewrites x: nothing of job 0's gather may survive into it. */
		for (i = 0; i < 3000; i++)
			x[i] = rnd(&s);
		for (i = 0; i < 3030; i++)
			y[i] = -7.0f;
		put_f32(va_x, x, 3000);
		put_f32(va_y, y, 3030);
		c.n = 0;
		/* y = -x, dense. */
		e.in[0] = test_desc_packed(va_x, ARES_DTYPE_F32, 2, sh);
		e.out = test_desc_packed(va_y, ARES_DTYPE_F32, 2, sh);
		cs_put(&c, &e);
		run(&c, ARES_JOB_OK, 0);
		get_f32(va_y, y, 3000);
		for (i = 0; i < 3000; i++)
			ck_assert_msg(y[i] == -x[i], "job %d dense y[%d] = %g, want %g", job, i,
				      y[i], -x[i]);
		/* y^T = -x^T: the output's strides are a permutation of dense ones. */
		c.n = 0;
		e.in[0] = test_desc_packed(va_x, ARES_DTYPE_F32, 2, tsh);
		e.in[0].stride[0] = 1, e.in[0].stride[1] = 100;
		e.out = test_desc_packed(va_y, ARES_DTYPE_F32, 2, tsh);
		e.out.stride[0] = 1, e.out.stride[1] = 100;
		e.p.op = ARES_ELT_ABS;
		cs_put(&c, &e);
		run(&c, ARES_JOB_OK, 0);
		get_f32(va_y, y, 3000);
		for (i = 0; i < 3000; i++)
			ck_assert_msg(y[i] == fabsf(x[i]), "job %d transposed y[%d] = %g, want %g",
				      job, i, y[i], fabsf(x[i]));
		/* Rows of 100 cells 101 apart: column 100 of each row is a gap (-7 kept). */
		for (i = 0; i < 3030; i++)
			y[i] = -7.0f;
		put_f32(va_y, y, 3030);
		c.n = 0;
		e.in[0] = test_desc_packed(va_x, ARES_DTYPE_F32, 2, sh);
		e.out = test_desc_packed(va_y, ARES_DTYPE_F32, 2, sh);
		e.out.stride[0] = 101;
		e.p.op = ARES_ELT_NEG;
		cs_put(&c, &e);
		run(&c, ARES_JOB_OK, 0);
		get_f32(va_y, y, 3030);
		for (i = 0; i < 30; i++) {
			for (j = 0; j < 100; j++)
				ck_assert_msg(y[i * 101 + j] == -x[i * 100 + j],
					      "job %d gapped y[%d][%d]", job, i, j);
			if (i < 29)
				ck_assert_msg(y[i * 101 + 100] == -7.0f,
					      "job %d gap cell of row %d changed to %g", job, i,
					      y[i * 101 + 100]);
		}
	}
	stop_clean();
}
END_TEST

START_TEST(test_softmax_reduce_pool_norm_resize)
{
	const uint64_t sh[4] = {2, 3, 4, 6}, red[4] = {2, 1, 4, 1}, pooled[4] = {2, 3, 2, 3},
		       up[4] = {2, 3, 8, 12};
	const uint64_t va_x = LIN_VA, va_sm = DATA_VA, va_rd = DATA_VA + 0x2000,
		       va_pl = DATA_VA + 0x3000, va_nm = DATA_VA + 0x4000, va_rs = DATA_VA + 0x6000;
	float x[144], sm[144], rd[16], pl[36], nm[144], rs[576];
	double want[576];
	struct ares_cmd_softmax s = {.hdr = {ARES_OP_SOFTMAX, 0, sizeof(s)}, .p = {.axis = 3}};
	struct ares_cmd_reduce r = {.hdr = {ARES_OP_REDUCE, 0, sizeof(r)},
				    .p = {.op = ARES_REDUCE_SUM, .axes = (1u << 1) | (1u << 3)}};
	struct ares_cmd_pool p = {.hdr = {ARES_OP_POOL, 0, sizeof(p)},
				  .p = {.op = ARES_POOL_MAX,
					.kernel_h = 2,
					.kernel_w = 2,
					.stride_h = 2,
					.stride_w = 2,
					.dilation_h = 1,
					.dilation_w = 1}};
	struct ares_cmd_norm nrm = {.hdr = {ARES_OP_NORM, 0, sizeof(nrm)},
				    .p = {.kind = ARES_NORM_LAYER, .axis = 2, .epsilon = 0}};
	struct ares_cmd_resize rz = {.hdr = {ARES_OP_RESIZE, 0, sizeof(rz)},
				     .p = {.mode = ARES_RESIZE_NEAREST,
					   .coord = ARES_COORD_ASYMMETRIC,
					   .nearest = ARES_NEAREST_FLOOR}};
	struct cs c = {0};
	unsigned int seed = 3;
	int n, ch, h, w, i, j;
	float eps = 1e-5f;

	start_booted();
	for (i = 0; i < 144; i++)
		x[i] = rnd(&seed) * 3;
	put_f32(va_x, x, 144);
	s.x = test_desc_packed(va_x, ARES_DTYPE_F32, 4, sh);
	s.y = test_desc_packed(va_sm, ARES_DTYPE_F32, 4, sh);
	r.x = s.x;
	r.y = test_desc_packed(va_rd, ARES_DTYPE_F32, 4, red);
	p.x = s.x;
	p.y = test_desc_packed(va_pl, ARES_DTYPE_F32, 4, pooled);
	memcpy(&nrm.p.epsilon, &eps, 4);
	nrm.x = s.x;
	nrm.y = test_desc_packed(va_nm, ARES_DTYPE_F32, 4, sh);
	rz.x = s.x;
	rz.y = test_desc_packed(va_rs, ARES_DTYPE_F32, 4, up);
	cs_put(&c, &s);
	cs_put(&c, &r);
	cs_put(&c, &p);
	cs_put(&c, &nrm);
	cs_put(&c, &rz);
	run(&c, ARES_JOB_OK, 0);

	get_f32(va_sm, sm, 144);
	for (i = 0; i < 24; i++) {
		double mx = -INFINITY, sum = 0;

		for (j = 0; j < 6; j++)
			mx = fmax(mx, x[i * 6 + j]);
		for (j = 0; j < 6; j++)
			sum += exp(x[i * 6 + j] - mx);
		for (j = 0; j < 6; j++)
			want[i * 6 + j] = exp(x[i * 6 + j] - mx) / sum;
	}
	check_close(sm, want, 144, "softmax");

	get_f32(va_rd, rd, 8);
	for (n = 0; n < 2; n++)
		for (h = 0; h < 4; h++) {
			double sum = 0;

			for (ch = 0; ch < 3; ch++)
				for (w = 0; w < 6; w++)
					sum += x[((n * 3 + ch) * 4 + h) * 6 + w];
			want[n * 4 + h] = sum;
		}
	check_close(rd, want, 8, "reduce sum over axes 1 and 3");

	/* Max pooling is exact: it only selects. */
	get_f32(va_pl, pl, 36);
	for (i = 0; i < 6; i++)
		for (h = 0; h < 2; h++)
			for (w = 0; w < 3; w++) {
				const float *b = x + i * 24 + h * 12 + w * 2;
				float m = fmaxf(fmaxf(b[0], b[1]), fmaxf(b[6], b[7]));

				ck_assert_msg(pl[(i * 2 + h) * 3 + w] == m, "maxpool %d,%d,%d", i,
					      h, w);
			}

	get_f32(va_nm, nm, 144);
	for (i = 0; i < 6; i++) {
		double mean = 0, var = 0;

		for (j = 0; j < 24; j++)
			mean += x[i * 24 + j];
		mean /= 24;
		for (j = 0; j < 24; j++)
			var += (x[i * 24 + j] - mean) * (x[i * 24 + j] - mean);
		var /= 24;
		for (j = 0; j < 24; j++)
			want[i * 24 + j] = (x[i * 24 + j] - mean) / sqrt(var + eps);
	}
	check_close(nm, want, 144, "layer norm over the last two axes");

	/* Nearest, asymmetric, floor: exact copies of input elements. */
	get_f32(va_rs, rs, 576);
	for (i = 0; i < 6; i++)
		for (h = 0; h < 8; h++)
			for (w = 0; w < 12; w++)
				ck_assert_msg(rs[(i * 8 + h) * 12 + w] ==
						      x[i * 24 + (h / 2) * 6 + w / 2],
					      "resize %d,%d,%d", i, h, w);
	stop_clean();
}
END_TEST

/* ---- tensor engine ---- */

START_TEST(test_matmul_f32_transposed_batched_with_bias)
{
	/* y[2][5][7] = a[2][5][9] . bT where b holds [7][9] once (batch stride 0) + c */
	const uint64_t sa[3] = {2, 5, 9}, sb[3] = {2, 7, 9}, sy[3] = {2, 5, 7};
	const uint64_t va_a = DATA_VA, va_b = DATA_VA + 0x1000, va_c = DATA_VA + 0x2000,
		       va_y = DATA_VA + 0x3000;
	float a[90], b[63], cc[70], y[70];
	double want[70];
	struct ares_cmd_matmul m = {
		.hdr = {ARES_OP_MATMUL, 0, sizeof(m)},
		.p = {.flags = ARES_MATMUL_TRANS_B, .alpha = F32_1, .beta = F32_1}};
	struct cs c = {0};
	unsigned int s = 11;
	int bt, i, j, k;

	start_booted();
	for (i = 0; i < 90; i++)
		a[i] = rnd(&s);
	for (i = 0; i < 63; i++)
		b[i] = rnd(&s);
	for (i = 0; i < 70; i++)
		cc[i] = rnd(&s);
	put_f32(va_a, a, 90);
	put_f32(va_b, b, 63);
	put_f32(va_c, cc, 70);
	m.a = test_desc_packed(va_a, ARES_DTYPE_F32, 3, sa);
	m.b = test_desc_packed(va_b, ARES_DTYPE_F32, 3, sb);
	m.b.stride[0] = 0;
	m.c = test_desc_packed(va_c, ARES_DTYPE_F32, 3, sy);
	m.y = test_desc_packed(va_y, ARES_DTYPE_F32, 3, sy);
	cs_put(&c, &m);
	run(&c, ARES_JOB_OK, 0);
	get_f32(va_y, y, 70);
	for (bt = 0; bt < 2; bt++)
		for (i = 0; i < 5; i++)
			for (j = 0; j < 7; j++) {
				double acc = cc[(bt * 5 + i) * 7 + j];

				for (k = 0; k < 9; k++)
					acc += (double)a[(bt * 5 + i) * 9 + k] * b[j * 9 + k];
				want[(bt * 5 + i) * 7 + j] = acc;
			}
	check_close(y, want, 70, "matmul");
	stop_clean();
}
END_TEST

START_TEST(test_matmul_integer_is_exact)
{
	/* MatMulInteger: i32 y = (a - za) . (b - zb), u8 a, i8 b. */
	const uint64_t sa[2] = {6, 10}, sb[2] = {10, 4}, sy[2] = {6, 4};
	const uint64_t va_a = DATA_VA, va_b = DATA_VA + 0x1000, va_y = DATA_VA + 0x2000;
	uint8_t a[60];
	int8_t b[40];
	int32_t y[24], want;
	struct ares_cmd_matmul m = {.hdr = {ARES_OP_MATMUL, 0, sizeof(m)}, .p = {.alpha = F32_1}};
	struct cs c = {0};
	int i, j, k;

	start_booted();
	for (i = 0; i < 60; i++)
		a[i] = (uint8_t)(i * 37 + 11);
	for (i = 0; i < 40; i++)
		b[i] = (int8_t)(i * 53 - 90);
	e2e_va_write(&E, ASID, va_a, a, sizeof(a));
	e2e_va_write(&E, ASID, va_b, b, sizeof(b));
	m.a = test_desc_packed(va_a, ARES_DTYPE_U8, 2, sa);
	m.a.quant = ARES_QUANT_PER_TENSOR;
	m.a.scale = F32_1;
	m.a.zero_point = 128;
	m.b = test_desc_packed(va_b, ARES_DTYPE_I8, 2, sb);
	m.b.quant = ARES_QUANT_PER_TENSOR;
	m.b.scale = F32_1;
	m.b.zero_point = (uint32_t)-3;
	m.y = test_desc_packed(va_y, ARES_DTYPE_I32, 2, sy);
	cs_put(&c, &m);
	run(&c, ARES_JOB_OK, 0);
	e2e_va_read(&E, ASID, va_y, y, sizeof(y));
	for (i = 0; i < 6; i++)
		for (j = 0; j < 4; j++) {
			want = 0;
			for (k = 0; k < 10; k++)
				want += (a[i * 10 + k] - 128) * (b[k * 4 + j] + 3);
			ck_assert_msg(y[i * 4 + j] == want, "y[%d][%d]: expected %d, got %d", i, j,
				      want, y[i * 4 + j]);
		}
	stop_clean();
}
END_TEST

START_TEST(test_conv2d_padding_stride_bias_relu)
{
	/* x [1][2][7][6], w [3][2][3][3], stride 2, pad 1 (top/left) 0 (bottom/right): y
	 * [1][3][3][3] */
	const uint64_t sx[4] = {1, 2, 7, 6}, sw[4] = {3, 2, 3, 3}, sb[1] = {3},
		       sy[4] = {1, 3, 3, 3};
	const uint64_t va_x = DATA_VA, va_w = DATA_VA + 0x1000, va_b = DATA_VA + 0x2000,
		       va_y = DATA_VA + 0x3000;
	float x[84], w[54], b[3], y[27];
	double want[27];
	struct ares_cmd_conv2d cv = {.hdr = {ARES_OP_CONV2D, 0, sizeof(cv)},
				     .p = {.stride_h = 2,
					   .stride_w = 2,
					   .pad_top = 1,
					   .pad_left = 1,
					   .dilation_h = 1,
					   .dilation_w = 1,
					   .groups = 1,
					   .activation = ARES_ACT_RELU}};
	struct cs c = {0};
	unsigned int s = 5;
	int m, oh, ow, ci, kh, kw;

	start_booted();
	for (m = 0; m < 84; m++)
		x[m] = rnd(&s);
	for (m = 0; m < 54; m++)
		w[m] = rnd(&s);
	for (m = 0; m < 3; m++)
		b[m] = rnd(&s);
	put_f32(va_x, x, 84);
	put_f32(va_w, w, 54);
	put_f32(va_b, b, 3);
	cv.x = test_desc_packed(va_x, ARES_DTYPE_F32, 4, sx);
	cv.w = test_desc_packed(va_w, ARES_DTYPE_F32, 4, sw);
	cv.b = test_desc_packed(va_b, ARES_DTYPE_F32, 1, sb);
	cv.y = test_desc_packed(va_y, ARES_DTYPE_F32, 4, sy);
	cs_put(&c, &cv);
	run(&c, ARES_JOB_OK, 0);
	get_f32(va_y, y, 27);
	for (m = 0; m < 3; m++)
		for (oh = 0; oh < 3; oh++)
			for (ow = 0; ow < 3; ow++) {
				double acc = b[m];

				for (ci = 0; ci < 2; ci++)
					for (kh = 0; kh < 3; kh++)
						for (kw = 0; kw < 3; kw++) {
							int ih = oh * 2 - 1 + kh,
							    iw = ow * 2 - 1 + kw;

							if (ih < 0 || ih >= 7 || iw < 0 || iw >= 6)
								continue;
							acc += (double)x[(ci * 7 + ih) * 6 + iw] *
							       w[((m * 2 + ci) * 3 + kh) * 3 + kw];
						}
				want[(m * 3 + oh) * 3 + ow] = acc > 0 ? acc : 0;
			}
	check_close(y, want, 27, "conv2d");
	stop_clean();
}
END_TEST

START_TEST(test_qlinear_conv_per_channel_is_exact)
{
	/*
	 * QLinearConv: u8 x (scale 1/2, zero point 128), i8 w with per-channel
	 * scales 1/4, 1/8, 1/16, i32 bias, u8 y (scale 1, zero point 10), pad 1.
	 * Power-of-two scales keep every product exact, so the reference can
	 * round half to even as the spec says and compare bit for bit.
	 */
	const uint64_t sx[4] = {1, 2, 4, 4}, sw[4] = {3, 2, 3, 3}, sb[1] = {3},
		       sy[4] = {1, 3, 4, 4};
	const uint64_t va_x = DATA_VA, va_w = DATA_VA + 0x1000, va_b = DATA_VA + 0x2000,
		       va_q = DATA_VA + 0x3000, va_y = DATA_VA + 0x4000;
	const float wscale[3] = {0.25f, 0.125f, 0.0625f};
	const int32_t wzp[3] = {0, 0, 0}, bias[3] = {100, -300, 7};
	uint8_t x[32], y[48];
	int8_t w[54];
	struct ares_cmd_conv2d cv = {.hdr = {ARES_OP_CONV2D, 0, sizeof(cv)},
				     .p = {.stride_h = 1,
					   .stride_w = 1,
					   .pad_top = 1,
					   .pad_left = 1,
					   .pad_bottom = 1,
					   .pad_right = 1,
					   .dilation_h = 1,
					   .dilation_w = 1,
					   .groups = 1}};
	struct cs c = {0};
	int i, m, oh, ow, ci, kh, kw;

	start_booted();
	for (i = 0; i < 32; i++)
		x[i] = (uint8_t)(i * 37 + 5);
	for (i = 0; i < 54; i++)
		w[i] = (int8_t)(i * 23 - 70);
	e2e_va_write(&E, ASID, va_x, x, sizeof(x));
	e2e_va_write(&E, ASID, va_w, w, sizeof(w));
	e2e_va_write(&E, ASID, va_b, bias, sizeof(bias));
	e2e_va_write(&E, ASID, va_q, wscale, sizeof(wscale));
	e2e_va_write(&E, ASID, va_q + sizeof(wscale), wzp, sizeof(wzp));
	cv.x = test_desc_packed(va_x, ARES_DTYPE_U8, 4, sx);
	cv.x.quant = ARES_QUANT_PER_TENSOR, cv.x.scale = 0x3f000000u, cv.x.zero_point = 128;
	cv.w = test_desc_packed(va_w, ARES_DTYPE_I8, 4, sw);
	cv.w.quant = ARES_QUANT_PER_CHANNEL, cv.w.qparams_va = va_q;
	cv.b = test_desc_packed(va_b, ARES_DTYPE_I32, 1, sb);
	cv.y = test_desc_packed(va_y, ARES_DTYPE_U8, 4, sy);
	cv.y.quant = ARES_QUANT_PER_TENSOR, cv.y.scale = F32_1, cv.y.zero_point = 10;
	cs_put(&c, &cv);
	run(&c, ARES_JOB_OK, 0);
	e2e_va_read(&E, ASID, va_y, y, sizeof(y));
	for (m = 0; m < 3; m++)
		for (oh = 0; oh < 4; oh++)
			for (ow = 0; ow < 4; ow++) {
				int32_t acc = bias[m];
				double q;

				for (ci = 0; ci < 2; ci++)
					for (kh = 0; kh < 3; kh++)
						for (kw = 0; kw < 3; kw++) {
							int ih = oh - 1 + kh, iw = ow - 1 + kw;

							if (ih < 0 || ih >= 4 || iw < 0 || iw >= 4)
								continue;
							acc += (x[(ci * 4 + ih) * 4 + iw] - 128) *
							       w[((m * 2 + ci) * 3 + kh) * 3 + kw];
						}
				q = nearbyint(acc * 0.5 * wscale[m]) + 10;
				q = q < 0 ? 0 : q > 255 ? 255 : q;
				i = (m * 4 + oh) * 4 + ow;
				ck_assert_msg(y[i] == (uint8_t)q,
					      "y[%d][%d][%d]: expected %u (acc %d), got %u", m, oh,
					      ow, (unsigned)q, acc, y[i]);
			}
	stop_clean();
}
END_TEST

/* Exact f16 → f32 for normal numbers and zero (all this test writes). */
static float half_to_float(uint16_t h)
{
	int e = (h >> 10) & 0x1f;
	float v = e ? ldexpf(1.0f + (float)(h & 0x3ff) / 1024.0f, e - 15) : 0.0f;

	return (h & 0x8000) ? -v : v;
}

static float bf16_to_float(uint16_t b)
{
	uint32_t u = (uint32_t)b << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

/* f32 → bf16, round to nearest even (finite inputs). */
static uint16_t float_to_bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
}

START_TEST(test_half_precision_inputs_accumulate_in_f32)
{
	/* f16 a [4][8] . f16 b [8][5] -> f32 y; bf16 + bf16 -> bf16 (one rounding: exact). */
	const uint64_t sa[2] = {4, 8}, sb[2] = {8, 5}, sy[2] = {4, 5}, se[1] = {64};
	const uint64_t va_a = DATA_VA, va_b = DATA_VA + 0x1000, va_y = DATA_VA + 0x2000,
		       va_p = DATA_VA + 0x3000, va_q = DATA_VA + 0x3100, va_r = DATA_VA + 0x3200;
	uint16_t a[32], b[40], p[64], q[64], r[64];
	float y[20];
	double want[20];
	struct ares_cmd_matmul m = {.hdr = {ARES_OP_MATMUL, 0, sizeof(m)}, .p = {.alpha = F32_1}};
	struct ares_cmd_eltwise add = {.hdr = {ARES_OP_ELTWISE, 0, sizeof(add)},
				       .num_inputs = 2,
				       .p = {.op = ARES_ELT_ADD}};
	struct cs c = {0};
	int i, j, k;

	start_booted();
	/* f16 normals: sign, exponent 12..17, any mantissa */
	for (i = 0; i < 32; i++)
		a[i] = (uint16_t)((i & 1) << 15 | (12 + i % 6) << 10 | (i * 97) % 1024);
	for (i = 0; i < 40; i++)
		b[i] = (uint16_t)((i % 3 == 0) << 15 | (13 + i % 4) << 10 | (i * 211) % 1024);
	for (i = 0; i < 64; i++) {
		p[i] = float_to_bf16((float)i * 0.37f - 5.0f);
		q[i] = float_to_bf16((float)(i * i) * 0.011f);
	}
	e2e_va_write(&E, ASID, va_a, a, sizeof(a));
	e2e_va_write(&E, ASID, va_b, b, sizeof(b));
	e2e_va_write(&E, ASID, va_p, p, sizeof(p));
	e2e_va_write(&E, ASID, va_q, q, sizeof(q));
	m.a = test_desc_packed(va_a, ARES_DTYPE_F16, 2, sa);
	m.b = test_desc_packed(va_b, ARES_DTYPE_F16, 2, sb);
	m.y = test_desc_packed(va_y, ARES_DTYPE_F32, 2, sy);
	add.in[0] = test_desc_packed(va_p, ARES_DTYPE_BF16, 1, se);
	add.in[1] = test_desc_packed(va_q, ARES_DTYPE_BF16, 1, se);
	add.out = test_desc_packed(va_r, ARES_DTYPE_BF16, 1, se);
	cs_put(&c, &m);
	cs_put(&c, &add);
	run(&c, ARES_JOB_OK, 0);
	get_f32(va_y, y, 20);
	for (i = 0; i < 4; i++)
		for (j = 0; j < 5; j++) {
			double acc = 0;

			for (k = 0; k < 8; k++)
				acc += (double)half_to_float(a[i * 8 + k]) *
				       half_to_float(b[k * 5 + j]);
			want[i * 5 + j] = acc;
		}
	check_close(y, want, 20, "f16 matmul");
	e2e_va_read(&E, ASID, va_r, r, sizeof(r));
	for (i = 0; i < 64; i++) {
		uint16_t w = float_to_bf16(bf16_to_float(p[i]) + bf16_to_float(q[i]));

		ck_assert_msg(r[i] == w, "bf16 add[%d]: expected 0x%04x, got 0x%04x", i, w, r[i]);
	}
	stop_clean();
}
END_TEST

/* ---- DMA engine ---- */

START_TEST(test_copy_transpose_pad_gather_fill)
{
	/* x [3][5] i32; copy to its transpose; pad by 1/2 with -1; gather rows {2, 0, -1}; fill. */
	const uint64_t sx[2] = {3, 5}, st[2] = {3, 5}, spd[2] = {4, 12}, six[1] = {3},
		       sg[2] = {3, 5}, sf[3] = {2, 0, 4}, sf1[1] = {7};
	const uint64_t va_x = DATA_VA, va_t = DATA_VA + 0x1000, va_p = DATA_VA + 0x2000,
		       va_i = DATA_VA + 0x3000, va_g = DATA_VA + 0x4000, va_f = LIN_VA + 64;
	int32_t x[15], t[15], pd[48], g[15], f[9];
	int64_t idx[3] = {2, 0, -1};
	struct ares_cmd_copy cp = {.hdr = {ARES_OP_COPY, 0, sizeof(cp)}};
	struct ares_cmd_pad pad = {.hdr = {ARES_OP_PAD, 0, sizeof(pad)},
				   .p = {.mode = ARES_PAD_CONSTANT,
					 .value = 0xffffffffu,
					 .begin = {1, 3},
					 .end = {0, 4}}};
	struct ares_cmd_gather ga = {.hdr = {ARES_OP_GATHER, 0, sizeof(ga)}, .axis = 0};
	struct ares_cmd_fill_tensor fl = {.hdr = {ARES_OP_FILL_TENSOR, 0, sizeof(fl)},
					  .value = 0x12345678};
	struct ares_cmd_fill_tensor fe = fl;
	struct cs c = {0};
	int i, j;

	start_booted();
	for (i = 0; i < 15; i++)
		x[i] = i * 11 - 40;
	e2e_va_write(&E, ASID, va_x, x, sizeof(x));
	e2e_va_write(&E, ASID, va_i, idx, sizeof(idx));
	for (i = 0; i < 9; i++)
		f[i] = -5;
	e2e_va_write(&E, ASID, va_f - 4, f, sizeof(f));
	/* Transpose: read x with swapped strides into a packed [5][3]. */
	cp.x = test_desc_packed(va_x, ARES_DTYPE_I32, 2, sx);
	cp.x.shape[0] = 5, cp.x.shape[1] = 3, cp.x.stride[0] = 1, cp.x.stride[1] = 5;
	cp.y = test_desc_packed(va_t, ARES_DTYPE_I32, 2, st);
	cp.y.shape[0] = 5, cp.y.shape[1] = 3, cp.y.stride[0] = 3, cp.y.stride[1] = 1;
	pad.x = test_desc_packed(va_x, ARES_DTYPE_I32, 2, sx);
	pad.y = test_desc_packed(va_p, ARES_DTYPE_I32, 2, spd);
	ga.data = test_desc_packed(va_x, ARES_DTYPE_I32, 2, sx);
	ga.indices = test_desc_packed(va_i, ARES_DTYPE_I64, 1, six);
	ga.y = test_desc_packed(va_g, ARES_DTYPE_I32, 2, sg);
	fl.y = test_desc_packed(va_f, ARES_DTYPE_I32, 1, sf1);
	fe.y = test_desc_packed(va_f, ARES_DTYPE_I32, 3, sf); /* empty: writes nothing */
	cs_put(&c, &cp);
	cs_put(&c, &pad);
	cs_put(&c, &ga);
	cs_put(&c, &fe);
	cs_put(&c, &fl);
	run(&c, ARES_JOB_OK, 0);

	e2e_va_read(&E, ASID, va_t, t, sizeof(t));
	for (i = 0; i < 5; i++)
		for (j = 0; j < 3; j++)
			ck_assert_msg(t[i * 3 + j] == x[j * 5 + i], "transpose[%d][%d]", i, j);
	e2e_va_read(&E, ASID, va_p, pd, sizeof(pd));
	for (i = 0; i < 4; i++)
		for (j = 0; j < 12; j++) {
			int in = i >= 1 && j >= 3 && j < 8;

			ck_assert_msg(pd[i * 12 + j] == (in ? x[(i - 1) * 5 + j - 3] : -1),
				      "pad[%d][%d]: got %d", i, j, pd[i * 12 + j]);
		}
	e2e_va_read(&E, ASID, va_g, g, sizeof(g));
	for (i = 0; i < 3; i++)
		for (j = 0; j < 5; j++)
			ck_assert_msg(g[i * 5 + j] == x[(idx[i] < 0 ? idx[i] + 3 : idx[i]) * 5 + j],
				      "gather[%d][%d]", i, j);
	e2e_va_read(&E, ASID, va_f - 4, f, sizeof(f));
	ck_assert_int_eq(f[0], -5);
	for (i = 1; i < 8; i++)
		ck_assert_msg(f[i] == 0x12345678, "fill[%d]: got 0x%x", i - 1, f[i]);
	ck_assert_int_eq(f[8], -5);

	/* An index out of range is a job error found by the engine; the next job runs. */
	idx[1] = 3;
	e2e_va_write(&E, ASID, va_i, idx, sizeof(idx));
	cs_put(&c, &ga);
	run(&c, ARES_JOB_INVALID_CMD, 0);
	cs_put(&c, &fl);
	run(&c, ARES_JOB_OK, 0);
	stop_clean();
}
END_TEST

/* ---- tiling (hw-spec §12.11) ---- */

START_TEST(test_commands_larger_than_sram_split_into_correct_tiles)
{
	/*
	 * y[1024][64] = op(a) . b with a stored transposed ([256][1024], 1 MiB):
	 * the firmware slices a along its second dimension. Then a broadcast
	 * add over [1024][256] (1 MiB in, 1 MiB out) sliced along rows.
	 */
	enum { M = 1024, K = 256, N = 64 };
	const uint64_t big = 0x110000000ull, va_a = big, va_b = big + 0x100000,
		       va_y = big + 0x110000, va_e = big + 0x150000;
	const uint64_t sa[2] = {K, M}, sb[2] = {K, N}, sy[2] = {M, N}, se[2] = {M, K};
	float *a = malloc(sizeof(float) * K * M), *b = malloc(sizeof(float) * K * N),
	      *y = malloc(sizeof(float) * M * N), *e = malloc(sizeof(float) * M * K);
	double *want = malloc(sizeof(double) * M * N);
	struct ares_cmd_matmul m = {.hdr = {ARES_OP_MATMUL, 0, sizeof(m)},
				    .p = {.flags = ARES_MATMUL_TRANS_A, .alpha = F32_1}};
	struct ares_cmd_eltwise add = {.hdr = {ARES_OP_ELTWISE, 0, sizeof(add)},
				       .num_inputs = 2,
				       .p = {.op = ARES_ELT_ADD}};
	uint64_t macs0, busy0;
	struct cs c = {0};
	unsigned int s = 17;
	int i, j, k;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(y);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(want);
	start_booted();
	e2e_map_range(&E, ASID, big, 0x250000, RW);
	for (i = 0; i < K * M; i++)
		a[i] = rnd(&s);
	for (i = 0; i < K * N; i++)
		b[i] = rnd(&s);
	put_f32(va_a, a, K * M);
	put_f32(va_b, b, K * N);
	m.a = test_desc_packed(va_a, ARES_DTYPE_F32, 2, sa);
	m.b = test_desc_packed(va_b, ARES_DTYPE_F32, 2, sb);
	m.y = test_desc_packed(va_y, ARES_DTYPE_F32, 2, sy);
	add.in[0] =
		test_desc_packed(va_a, ARES_DTYPE_F32, 2, se); /* a's bytes seen as [1024][256] */
	add.in[1] = test_desc_packed(va_b, ARES_DTYPE_F32, 2, se);
	add.in[1].stride[0] = 0; /* first 256 floats of b on every row */
	add.out = test_desc_packed(va_e, ARES_DTYPE_F32, 2, se);
	macs0 = e2e_rd64(&E, ARES_REG_PERF_MACS);
	busy0 = e2e_rd64(&E, ARES_REG_PERF_TENSOR_BUSY_NS);
	cs_put(&c, &m);
	cs_put(&c, &add);
	run(&c, ARES_JOB_OK, 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MACS) - macs0, (uint64_t)M * N * K);
	/*
	 * 1280 bytes per row of M next to 64 KiB of b: 768 rows fit the 1 MiB
	 * SRAM, so two tiles, each compute-bound (256 MACs per cycle), each with
	 * its 20-cycle setup.
	 */
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_TENSOR_BUSY_NS) - busy0,
			  (uint64_t)M * N * K / 256 + 2 * 20);

	get_f32(va_y, y, M * N);
	for (i = 0; i < M; i++)
		for (j = 0; j < N; j++) {
			double acc = 0;

			for (k = 0; k < K; k++)
				acc += (double)a[k * M + i] * b[k * N + j];
			want[i * N + j] = acc;
		}
	for (i = 0; i < M * N; i++)
		ck_assert_msg(fabs(y[i] - want[i]) <= 1e-4 * (1.0 + fabs(want[i])),
			      "tiled matmul y[%d][%d]: expected %.7g, got %.7g", i / N, i % N,
			      want[i], y[i]);
	get_f32(va_e, e, M * K);
	for (i = 0; i < M * K; i++)
		ck_assert_msg(e[i] == a[i] + b[i % K], "tiled add [%d][%d]: expected %g, got %g",
			      i / K, i % K, a[i] + b[i % K], e[i]);
	free(want);
	free(e);
	free(y);
	free(b);
	free(a);
	stop_clean();
}
END_TEST

/* ---- malformed commands, faults, the performance model ---- */

START_TEST(test_malformed_descriptors_fail_and_next_job_runs)
{
	const uint64_t sh[2] = {4, 8};
	struct ares_cmd_eltwise ok = {.hdr = {ARES_OP_ELTWISE, 0, sizeof(ok)},
				      .num_inputs = 1,
				      .p = {.op = ARES_ELT_NEG}},
				e;
	float probe[32], x[32];
	struct cs c = {0};
	uint32_t faults;
	int i;

	start_booted();
	for (i = 0; i < 32; i++)
		x[i] = (float)i;
	put_f32(DATA_VA, x, 32);
	ok.in[0] = test_desc_packed(DATA_VA, ARES_DTYPE_F32, 2, sh);
	ok.out = test_desc_packed(DATA_VA + 0x1000, ARES_DTYPE_F32, 2, sh);
	for (i = 0; i < 32; i++)
		probe[i] = 99.0f;
	put_f32(DATA_VA + 0x1000, probe, 32);

	/* Each is rejected before any access: the output keeps its 99s. */
	e = ok;
	e.in[0].dtype = 42; /* bad dtype */
	cs_put(&c, &e);
	run(&c, ARES_JOB_INVALID_CMD, 0);
	e = ok;
	e.out.rank = 7;
	cs_put(&c, &e);
	run(&c, ARES_JOB_INVALID_CMD, 0);
	e = ok;
	e.in[0].stride[0] = 1ull << 62; /* stride overflow */
	cs_put(&c, &e);
	run(&c, ARES_JOB_INVALID_CMD, 0);
	e = ok;
	e.out.va += 2; /* misaligned VA */
	cs_put(&c, &e);
	run(&c, ARES_JOB_INVALID_CMD, 0);
	get_f32(DATA_VA + 0x1000, probe, 32);
	for (i = 0; i < 32; i++)
		ck_assert_msg(probe[i] == 99.0f, "output changed by a rejected command");

	/* An extent past the mapping faults through the MMU with a fault record. */
	faults = e2e_rd32(&E, ARES_REG_FAULT_COUNT);
	e = ok;
	e.in[0].va = DATA_VA + DATA_SZ - 64; /* 128 bytes from 64 before the end */
	cs_put(&c, &e);
	run(&c, ARES_JOB_MMU_FAULT, 0);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_COUNT), faults + 1);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_FAULT_VA), DATA_VA + DATA_SZ);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_ACCESS), ARES_ACCESS_READ);
	ck_assert_uint_eq(e2e_rd32(&E, ARES_REG_FAULT_REASON), ARES_FAULT_UNMAPPED);

	/* The next job is fine. */
	cs_put(&c, &ok);
	run(&c, ARES_JOB_OK, 0);
	get_f32(DATA_VA + 0x1000, probe, 32);
	for (i = 0; i < 32; i++)
		ck_assert_msg(probe[i] == -x[i], "neg[%d]: got %g", i, probe[i]);
	stop_clean();
}
END_TEST

START_TEST(test_modeled_time_grows_with_work_and_counters_track_it)
{
	const uint64_t small[2] = {1, 64}, big[2] = {64, 512};
	struct ares_cmd_eltwise e = {
		.hdr = {ARES_OP_ELTWISE, 0, sizeof(e)}, .num_inputs = 2, .p = {.op = ARES_ELT_MUL}};
	struct ares_profile_record prof[2];
	const struct ares_completion *r;
	uint64_t t_small, t_big, jobs, cmds;
	struct cs c = {0};
	uint32_t result;

	start_booted();
	e.in[0] = test_desc_packed(DATA_VA, ARES_DTYPE_F32, 2, small);
	e.in[1] = test_desc_packed(DATA_VA + 0x20000, ARES_DTYPE_F32, 2, small);
	e.out = test_desc_packed(DATA_VA + 0x40000, ARES_DTYPE_F32, 2, small);
	cs_profile(&c, LIN_VA);
	cs_put(&c, &e);
	cs_profile(&c, LIN_VA + 16);
	r = run(&c, ARES_JOB_OK, 0);
	t_small = r->modeled_ns;
	e2e_va_read(&E, ASID, LIN_VA, prof, sizeof(prof));
	ck_assert_uint_eq(prof[0].modeled_ns, 0);
	/* PROFILE sees the commands before it: its own fixed cost comes after. */
	ck_assert_uint_eq(prof[1].modeled_ns + 100, t_small);
	ck_assert_uint_ge(prof[1].now_ns, prof[0].now_ns);
	/* Two PROFILEs and one tile-sized multiply: 3 x 100 + (20 + max(ops, bytes)). */
	ck_assert_uint_gt(t_small, 300 + 20);

	e.in[0] = test_desc_packed(DATA_VA, ARES_DTYPE_F32, 2, big);
	e.in[1] = test_desc_packed(DATA_VA + 0x20000, ARES_DTYPE_F32, 2, big);
	e.out = test_desc_packed(DATA_VA + 0x40000, ARES_DTYPE_F32, 2, big);
	cs_put(&c, &e);
	r = run(&c, ARES_JOB_OK, 0);
	t_big = r->modeled_ns;
	ck_assert_msg(t_big > t_small + 1000, "32K-element multiply modeled %llu ns, 64: %llu ns",
		      (unsigned long long)t_big, (unsigned long long)t_small);

	jobs = e2e_rd64(&E, ARES_REG_PERF_JOBS);
	cmds = e2e_rd64(&E, ARES_REG_PERF_CMDS);
	ck_assert_uint_eq(jobs, 2);
	ck_assert_uint_eq(cmds, 4);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MODELED_NS), t_small + t_big);
	ck_assert_uint_ge(e2e_rd64(&E, ARES_REG_PERF_VECTOR_OPS), 64 + 32768);
	ck_assert_uint_gt(e2e_rd64(&E, ARES_REG_PERF_VECTOR_BUSY_NS), 0);
	ck_assert_uint_gt(e2e_rd64(&E, ARES_REG_PERF_DMA_BYTES), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MACS), 0);

	ck_assert_int_eq(e2e_ctrl(&E, ARES_CTRL_RESET, 0, 0, &result), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_JOBS), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MODELED_NS), 0);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_VECTOR_OPS), 0);
	stop_clean();
}
END_TEST

START_TEST(test_v1_gemm_is_modeled_on_the_tensor_engine)
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
	const struct ares_completion *r;
	struct cs c = {0};

	start_booted();
	cs_put(&c, &g);
	r = run(&c, ARES_JOB_OK, 0);
	/* 262144 MACs at 256 per cycle = 1024; 64 KiB moved at 64 B per cycle = 1024. */
	ck_assert_uint_eq(r->modeled_ns, 100 + 20 + 1024);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_MACS), 64 * 64 * 64);
	ck_assert_uint_eq(e2e_rd64(&E, ARES_REG_PERF_TENSOR_BUSY_NS), 20 + 1024);
	stop_clean();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim+firmware compute end to end");
	TCase *t = tcase_create("compute");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_eltwise_add_broadcast_over_scattered_pages);
	tcase_add_test(t, test_gather_buffers_reused_across_commands_and_jobs);
	tcase_add_test(t, test_prelu_through_the_firmware_with_a_broadcast_slope);
	tcase_add_test(t, test_strided_output_keeps_gap_bytes);
	tcase_add_test(t, test_softmax_reduce_pool_norm_resize);
	tcase_add_test(t, test_matmul_f32_transposed_batched_with_bias);
	tcase_add_test(t, test_matmul_integer_is_exact);
	tcase_add_test(t, test_conv2d_padding_stride_bias_relu);
	tcase_add_test(t, test_qlinear_conv_per_channel_is_exact);
	tcase_add_test(t, test_half_precision_inputs_accumulate_in_f32);
	tcase_add_test(t, test_copy_transpose_pad_gather_fill);
	tcase_add_test(t, test_commands_larger_than_sram_split_into_correct_tiles);
	tcase_add_test(t, test_malformed_descriptors_fail_and_next_job_runs);
	tcase_add_test(t, test_modeled_time_grows_with_work_and_counters_track_it);
	tcase_add_test(t, test_v1_gemm_is_modeled_on_the_tensor_engine);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
