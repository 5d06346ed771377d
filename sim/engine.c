/* SPDX-License-Identifier: MIT */
/*
 * Copy, fill and tensor engines. Each walks its VA ranges page by page:
 * contiguous device VAs are usually scattered bus pages.
 */
#include <stdlib.h>
#include <string.h>

#include <ares/mmu.h>

#include "sim.h"

uint32_t sim_engine_copy(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t dst_va,
			 uint64_t src_va, uint64_t size)
{
	uint64_t sc, dc, n;
	uint8_t *sp, *dp;
	uint32_t st;

	while (size) {
		st = sim_va_chunk(d, asid, queue, src_va, size, ARES_ACCESS_READ, &sp, &sc);
		if (st)
			return st;
		st = sim_va_chunk(d, asid, queue, dst_va, size, ARES_ACCESS_WRITE, &dp, &dc);
		if (st)
			return st;
		n = sc < dc ? sc : dc;
		/* Distinct VAs may still alias one bus page. */
		memmove(dp, sp, n);
		src_va += n;
		dst_va += n;
		size -= n;
	}
	return ARES_JOB_OK;
}

uint32_t sim_engine_fill(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t dst_va,
			 uint64_t size, uint32_t pattern)
{
	uint64_t chunk, i;
	uint8_t *p;
	uint32_t st;

	/* dst_va is 4-byte aligned, so a 4-byte element never straddles a page. */
	while (size) {
		st = sim_va_chunk(d, asid, queue, dst_va, size, ARES_ACCESS_WRITE, &p, &chunk);
		if (st)
			return st;
		for (i = 0; i < chunk; i += 4)
			memcpy(p + i, &pattern, 4);
		dst_va += chunk;
		size -= chunk;
	}
	return ARES_JOB_OK;
}

/*
 * C += A.B on packed row-major matrices. Tiles of B (GEMM_KB rows x GEMM_NB
 * columns, 128 KiB) stay in cache while every row of A streams past them;
 * inside a tile the i-p-j order vectorises. Each C element still receives
 * its k products in index order, exactly like the textbook loop.
 */
#define GEMM_KB 128u
#define GEMM_NB 256u

void sim_gemm_f32(uint32_t m, uint32_t n, uint32_t k, const float *a, const float *b, float *c)
{
	uint32_t i, p, j, pp, jj, pend, jend;

	for (jj = 0; jj < n; jj += GEMM_NB) {
		jend = n - jj < GEMM_NB ? n : jj + GEMM_NB;
		for (pp = 0; pp < k; pp += GEMM_KB) {
			pend = k - pp < GEMM_KB ? k : pp + GEMM_KB;
			for (i = 0; i < m; i++) {
				float *crow = c + (size_t)i * n;

				for (p = pp; p < pend; p++) {
					const float av = a[(size_t)i * k + p];
					const float *brow = b + (size_t)p * n;

					for (j = jj; j < jend; j++)
						crow[j] += av * brow[j];
				}
			}
		}
	}
}

/* Gathers @rows rows of @cols floats, @ld floats apart, into a packed buffer. */
static uint32_t gather(struct sim_dev *d, uint32_t asid, uint32_t queue, uint64_t va, uint32_t rows,
		       uint32_t cols, uint32_t ld, float *dst)
{
	uint32_t r, st;

	for (r = 0; r < rows; r++) {
		st = sim_va_read(d, asid, queue, va + (uint64_t)r * ld * 4, dst + (size_t)r * cols,
				 (uint64_t)cols * 4);
		if (st)
			return st;
	}
	return ARES_JOB_OK;
}

/*
 * Tiles of the GEMM command: the dims go to 65536, so whole operands
 * could be 16 GiB each, which a guest must not be able to make the
 * emulator allocate. C is done GEMM_TM x GEMM_TN at a time (3.3 MiB of
 * buffers in all), its k blocks in order, so each C element still
 * receives its k products in index order: the same sums as whole
 * operands.
 */
#define GEMM_TM 256u
#define GEMM_TN 1024u
#define GEMM_TK 256u

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

uint32_t sim_engine_gemm(struct sim_dev *d, uint32_t asid, uint32_t queue,
			 const struct ares_cmd_gemm *cmd)
{
	uint32_t m = cmd->m, n = cmd->n, k = cmd->k, i0, j0, p0, tm, tn, tk, r, st = ARES_JOB_OK;
	float *a = malloc((size_t)GEMM_TM * GEMM_TK * sizeof(float));
	float *b = malloc((size_t)GEMM_TK * GEMM_TN * sizeof(float));
	float *c = malloc((size_t)GEMM_TM * GEMM_TN * sizeof(float));

	if (!a || !b || !c) {
		st = ARES_JOB_FW_ERROR;
		goto out;
	}
	for (i0 = 0; i0 < m; i0 += tm) {
		tm = min_u32(GEMM_TM, m - i0);
		for (j0 = 0; j0 < n; j0 += tn) {
			uint64_t c_va = cmd->c_va + ((uint64_t)i0 * cmd->ldc + j0) * 4;

			tn = min_u32(GEMM_TN, n - j0);
			st = gather(d, asid, queue, c_va, tm, tn, cmd->ldc, c);
			for (p0 = 0; !st && p0 < k; p0 += tk) {
				tk = min_u32(GEMM_TK, k - p0);
				st = gather(d, asid, queue,
					    cmd->a_va + ((uint64_t)i0 * cmd->lda + p0) * 4, tm, tk,
					    cmd->lda, a);
				if (!st)
					st = gather(d, asid, queue,
						    cmd->b_va + ((uint64_t)p0 * cmd->ldb + j0) * 4,
						    tk, tn, cmd->ldb, b);
				if (!st)
					sim_gemm_f32(tm, tn, tk, a, b, c);
			}
			for (r = 0; !st && r < tm; r++)
				st = sim_va_write(d, asid, queue, c_va + (uint64_t)r * cmd->ldc * 4,
						  c + (size_t)r * tn, (uint64_t)tn * 4);
			if (st)
				goto out;
		}
	}
out:
	free(c);
	free(b);
	free(a);
	return st;
}
