/* SPDX-License-Identifier: MIT */
/*
 * The compute engines' glue: every descriptor of a command translated
 * through the MMU into a host view for sim/compute. A view whose pages are
 * physically contiguous is used in place; otherwise its byte extent is
 * gathered into a scratch buffer (outputs too, so bytes between the
 * elements survive the write-back).
 */
#include <stdlib.h>
#include <string.h>

#include <ares/mmu.h>
#include <ares/ops.h>

#include "compute/compute.h"
#include "sim.h"

#define VA_LIMIT (1ull << ARES_VA_BITS)

/* One operand of a command as the kernel sees it, and how to put it back. */
struct sim_view {
	struct compute_tensor t;
	uint8_t *buf; /* scratch copy of the extent; NULL when used in place */
	void *qparams;
	uint64_t va;
	uint64_t bytes;
	int output;
};

static uint64_t esize_of(uint32_t dtype)
{
	static const uint8_t sz[ARES_DTYPE_COUNT] = {
		[ARES_DTYPE_F32] = 4, [ARES_DTYPE_F16] = 2,  [ARES_DTYPE_BF16] = 2,
		[ARES_DTYPE_I8] = 1,  [ARES_DTYPE_U8] = 1,   [ARES_DTYPE_I32] = 4,
		[ARES_DTYPE_I64] = 8, [ARES_DTYPE_BOOL] = 1,
	};

	return dtype < ARES_DTYPE_COUNT ? sz[dtype] : 0;
}

/* The firmware validated the view; recheck what would make the glue misbehave. */
static uint32_t extent(const struct ares_tensor_desc *t, uint64_t *bytes)
{
	uint64_t es = esize_of(t->dtype), last = 0, term, n;
	uint32_t k;

	*bytes = 0;
	if (!es || t->rank > ARES_MAX_RANK || t->va % es)
		return ARES_JOB_INVALID_CMD;
	for (k = 0; k < t->rank; k++)
		if (!t->shape[k])
			return ARES_JOB_OK;
	for (k = 0, n = 1; k < t->rank; k++)
		if (__builtin_mul_overflow(n, t->shape[k], &n) || n > ARES_MAX_ELEMS)
			return ARES_JOB_INVALID_CMD;
	for (k = 0; k < t->rank; k++)
		if (t->shape[k] >= ARES_MAX_DIM ||
		    __builtin_mul_overflow(t->shape[k] - 1, t->stride[k], &term) ||
		    __builtin_mul_overflow(term, es, &term) ||
		    __builtin_add_overflow(last, term, &last))
			return ARES_JOB_INVALID_CMD;
	if (t->va >= VA_LIMIT || last >= VA_LIMIT - t->va || VA_LIMIT - t->va - last < es)
		return ARES_JOB_INVALID_CMD;
	*bytes = last + es;
	return ARES_JOB_OK;
}

static uint32_t view_open(struct sim_dev *d, uint32_t asid, uint32_t q,
			  const struct ares_tensor_desc *t, int output, struct sim_view *v)
{
	static uint8_t empty_data[8];
	uint32_t access = output ? ARES_ACCESS_WRITE : ARES_ACCESS_READ, st, k;
	uint8_t *first = NULL, *expect = NULL, *p;
	uint64_t done = 0, chunk, n;
	int contiguous = 1;

	memset(v, 0, sizeof(*v));
	v->output = output;
	v->t.dtype = t->dtype;
	if (t->dtype == ARES_DTYPE_NONE)
		return ARES_JOB_OK;
	st = extent(t, &v->bytes);
	if (st)
		return st;
	v->va = t->va;
	v->t.rank = t->rank;
	for (k = 0; k < ARES_MAX_RANK; k++) {
		v->t.shape[k] = (int64_t)t->shape[k];
		v->t.stride[k] = (int64_t)t->stride[k];
	}
	v->t.quant = t->quant;
	v->t.quant_axis = t->quant_axis;
	v->t.zero_point = (int32_t)t->zero_point;
	if (t->quant == ARES_QUANT_NONE)
		v->t.scale = 1.0f;
	else
		memcpy(&v->t.scale, &t->scale, sizeof(v->t.scale));
	/*
	 * Translate the whole extent before allocating anything: a descriptor
	 * whose extent runs into unmapped pages faults without the emulator
	 * first reserving a buffer of the size it claims.
	 */
	while (done < v->bytes) {
		st = sim_va_chunk(d, asid, q, t->va + done, v->bytes - done, access, &p, &chunk);
		if (st)
			return st;
		if (!first)
			first = p;
		else if (p != expect)
			contiguous = 0;
		expect = p + chunk;
		done += chunk;
	}
	if (!contiguous) {
		v->buf = malloc(v->bytes);
		if (!v->buf)
			return ARES_JOB_FW_ERROR;
		for (done = 0; done < v->bytes; done += chunk) {
			st = sim_va_chunk(d, asid, q, t->va + done, v->bytes - done, access, &p,
					  &chunk);
			if (st)
				return st;
			memcpy(v->buf + done, p, chunk);
		}
	}
	v->t.data = v->buf ? v->buf : first ? first : empty_data;
	if (t->quant == ARES_QUANT_PER_CHANNEL && t->quant_axis < t->rank &&
	    (n = t->shape[t->quant_axis])) {
		v->qparams = malloc(8 * n);
		if (!v->qparams)
			return ARES_JOB_FW_ERROR;
		st = sim_va_read(d, asid, q, t->qparams_va, v->qparams, 8 * n);
		if (st)
			return st;
		v->t.scales = v->qparams;
		v->t.zero_points = (const int32_t *)((const uint8_t *)v->qparams + 4 * n);
	}
	return ARES_JOB_OK;
}

/* Writes a gathered output back (when @write) and frees the view's buffers. */
static uint32_t view_close(struct sim_dev *d, uint32_t asid, uint32_t q, struct sim_view *v,
			   int write)
{
	uint32_t st = ARES_JOB_OK;

	if (write && v->output && v->buf)
		st = sim_va_write(d, asid, q, v->va, v->buf, v->bytes);
	free(v->buf);
	free(v->qparams);
	v->buf = NULL;
	v->qparams = NULL;
	return st;
}

/* The commands sim/compute executes. */
union sim_tensor_cmd {
	struct ares_cmd_hdr hdr;
	struct ares_cmd_conv2d conv2d;
	struct ares_cmd_matmul matmul;
	struct ares_cmd_eltwise eltwise;
	struct ares_cmd_pool pool;
	struct ares_cmd_reduce reduce;
	struct ares_cmd_softmax softmax;
	struct ares_cmd_norm norm;
	struct ares_cmd_resize resize;
	struct ares_cmd_copy copy;
	struct ares_cmd_pad pad;
	struct ares_cmd_gather gather;
	struct ares_cmd_fill_tensor fill;
};

/* Inputs first, outputs last: a faulting input leaves every output untouched. */
uint32_t sim_engine_tensor(struct sim_dev *d, struct compute_workers *w, uint32_t asid, uint32_t q,
			   const struct ares_cmd_hdr *cmd, uint64_t *modeled_ns)
{
	const union sim_tensor_cmd *c = (const void *)cmd;
	const struct ares_tensor_desc *desc[6];
	struct sim_view v[6];
	struct compute_stats cs = {0};
	struct sim_work work;
	enum sim_engine engine = SIM_ENGINE_VECTOR;
	uint32_t n = 0, n_out = 1, i, st = ARES_JOB_OK, mac_dtype = ARES_DTYPE_NONE;

	switch (c->hdr.opcode) {
	case ARES_OP_CONV2D:
		desc[n++] = &c->conv2d.x, desc[n++] = &c->conv2d.w, desc[n++] = &c->conv2d.b;
		desc[n++] = &c->conv2d.y;
		engine = SIM_ENGINE_TENSOR;
		mac_dtype = c->conv2d.x.dtype;
		break;
	case ARES_OP_MATMUL:
		desc[n++] = &c->matmul.a, desc[n++] = &c->matmul.b, desc[n++] = &c->matmul.c;
		desc[n++] = &c->matmul.y;
		engine = SIM_ENGINE_TENSOR;
		mac_dtype = c->matmul.a.dtype;
		break;
	case ARES_OP_ELTWISE:
		for (i = 0; i < 3; i++)
			desc[n++] = &c->eltwise.in[i];
		desc[n++] = &c->eltwise.out;
		break;
	case ARES_OP_POOL:
		desc[n++] = &c->pool.x, desc[n++] = &c->pool.y;
		break;
	case ARES_OP_REDUCE:
		desc[n++] = &c->reduce.x, desc[n++] = &c->reduce.y;
		break;
	case ARES_OP_SOFTMAX:
		desc[n++] = &c->softmax.x, desc[n++] = &c->softmax.y;
		break;
	case ARES_OP_NORM:
		desc[n++] = &c->norm.x, desc[n++] = &c->norm.scale, desc[n++] = &c->norm.bias;
		desc[n++] = &c->norm.mean, desc[n++] = &c->norm.var, desc[n++] = &c->norm.y;
		break;
	case ARES_OP_RESIZE:
		desc[n++] = &c->resize.x, desc[n++] = &c->resize.y;
		break;
	case ARES_OP_COPY:
		desc[n++] = &c->copy.x, desc[n++] = &c->copy.y;
		engine = SIM_ENGINE_DMA;
		break;
	case ARES_OP_PAD:
		desc[n++] = &c->pad.x, desc[n++] = &c->pad.y;
		engine = SIM_ENGINE_DMA;
		break;
	case ARES_OP_GATHER:
		desc[n++] = &c->gather.data, desc[n++] = &c->gather.indices;
		desc[n++] = &c->gather.y;
		engine = SIM_ENGINE_DMA;
		break;
	case ARES_OP_FILL_TENSOR:
		desc[n++] = &c->fill.y;
		engine = SIM_ENGINE_DMA;
		break;
	default:
		return ARES_JOB_INVALID_CMD;
	}
	memset(v, 0, sizeof(v));
	for (i = 0; i < n && !st; i++)
		st = view_open(d, asid, q, desc[i], i >= n - n_out, &v[i]);
	if (st)
		goto out;
	switch (c->hdr.opcode) {
	case ARES_OP_CONV2D:
		st = compute_conv2d(w, &c->conv2d.p, &v[0].t, &v[1].t, &v[2].t, &v[3].t, &cs);
		break;
	case ARES_OP_MATMUL:
		st = compute_matmul(w, &c->matmul.p, &v[0].t, &v[1].t, &v[2].t, &v[3].t, &cs);
		break;
	case ARES_OP_ELTWISE: {
		struct compute_tensor in[3] = {v[0].t, v[1].t, v[2].t};

		st = compute_eltwise(w, &c->eltwise.p, c->eltwise.num_inputs, in, &v[3].t, &cs);
		break;
	}
	case ARES_OP_POOL:
		st = compute_pool(w, &c->pool.p, &v[0].t, &v[1].t, &cs);
		break;
	case ARES_OP_REDUCE:
		st = compute_reduce(w, &c->reduce.p, &v[0].t, &v[1].t, &cs);
		break;
	case ARES_OP_SOFTMAX:
		st = compute_softmax(w, &c->softmax.p, &v[0].t, &v[1].t, &cs);
		break;
	case ARES_OP_NORM:
		st = compute_norm(w, &c->norm.p, &v[0].t, &v[1].t, &v[2].t, &v[3].t, &v[4].t,
				  &v[5].t, &cs);
		break;
	case ARES_OP_RESIZE:
		st = compute_resize(w, &c->resize.p, &v[0].t, &v[1].t, &cs);
		break;
	case ARES_OP_COPY:
		st = compute_copy(w, &v[0].t, &v[1].t, &cs);
		break;
	case ARES_OP_PAD:
		st = compute_pad(w, &c->pad.p, &v[0].t, &v[1].t, &cs);
		break;
	case ARES_OP_GATHER:
		st = compute_gather(w, c->gather.axis, &v[0].t, &v[1].t, &v[2].t, &cs);
		break;
	default:
		st = compute_fill(w, c->fill.value, &v[0].t, &cs);
		break;
	}
	if (!st) {
		work.macs = cs.macs;
		work.vector_ops = cs.vector_ops;
		work.bytes = cs.bytes;
		sim_perf_tile(d, engine, mac_dtype, &work, modeled_ns);
	}
out:
	/* A kernel that stopped half way still wrote part of its output: write it back. */
	for (i = 0; i < n; i++) {
		uint32_t wst = view_close(d, asid, q, &v[i], !st || st == ARES_JOB_INVALID_CMD);

		if (!st)
			st = wst;
	}
	return st;
}
