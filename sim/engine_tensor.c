/* SPDX-License-Identifier: MIT */
/*
 * The compute engines' glue: every descriptor of a command translated
 * through the MMU into a host view for sim/compute. A view whose pages are
 * physically contiguous is used in place; otherwise its byte extent is
 * gathered into a scratch buffer (outputs too, so bytes between the
 * elements survive the write-back; an output whose elements cover every
 * byte of its extent is not read in, since the kernel writes all of it).
 * The scratch buffers stay with the thread between commands, one per
 * operand slot: a fresh malloc of a large extent comes from mmap, and its
 * page faults and zeroing cost more than the copy.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <ares/mmu.h>
#include <ares/op_table.h>

#include "compute/compute.h"
#include "sim.h"

/* One operand of a command as the kernel sees it, and how to put it back. */
struct sim_view {
	struct compute_tensor t;
	uint8_t *buf; /* scratch copy of the extent; NULL when used in place */
	void *qparams;
	uint64_t va;
	uint64_t bytes;
	int output;
	int unread; /* an output gathered without reading it in (it covers its extent) */
};

/* Kept between commands: larger buffers are freed after use. */
#define VIEW_BUF_KEEP ((uint64_t)64 << 20)

struct view_bufs {
	uint8_t *p[ARES_MAX_OPERANDS];
	uint64_t size[ARES_MAX_OPERANDS];
};

static pthread_once_t view_bufs_once = PTHREAD_ONCE_INIT;
static pthread_key_t view_bufs_key;

static void view_bufs_free(void *arg)
{
	struct view_bufs *b = arg;

	for (int i = 0; i < ARES_MAX_OPERANDS; i++)
		free(b->p[i]);
	free(b);
}

static void view_bufs_init(void)
{
	if (pthread_key_create(&view_bufs_key, view_bufs_free))
		abort();
}

/* The thread's scratch buffer of operand slot @slot, at least @bytes long. */
static uint8_t *view_buf(uint32_t slot, uint64_t bytes)
{
	struct view_bufs *b;

	if (bytes > VIEW_BUF_KEEP)
		return malloc(bytes);
	pthread_once(&view_bufs_once, view_bufs_init);
	b = pthread_getspecific(view_bufs_key);
	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return NULL;
		if (pthread_setspecific(view_bufs_key, b)) {
			free(b);
			return NULL;
		}
	}
	if (b->size[slot] < bytes) {
		free(b->p[slot]);
		b->p[slot] = malloc(bytes);
		b->size[slot] = b->p[slot] ? bytes : 0;
	}
	return b->p[slot];
}

static void view_buf_release(const struct sim_view *v)
{
	if (v->bytes > VIEW_BUF_KEEP)
		free(v->buf);
}

/*
 * Whether @t's elements fill every byte of their extent: its dimensions,
 * ordered by stride, are laid out densely (each stride the product of the
 * shorter-strided shapes). Only then may an output's old bytes go unread.
 */
static int view_dense(const struct compute_tensor *t)
{
	int64_t want = 1;
	uint32_t used = 0;

	for (uint32_t k = 0; k < t->rank; k++)
		if (t->shape[k] == 0)
			return 0;
	for (;;) {
		uint32_t best = ARES_MAX_RANK;

		for (uint32_t k = 0; k < t->rank; k++)
			if (!(used >> k & 1) && t->shape[k] > 1 &&
			    (best == ARES_MAX_RANK || t->stride[k] < t->stride[best]))
				best = k;
		if (best == ARES_MAX_RANK)
			return 1;
		if (t->stride[best] != want)
			return 0;
		want *= t->shape[best];
		used |= 1u << best;
	}
}

static uint32_t view_open(struct sim_dev *d, uint32_t asid, uint32_t q,
			  const struct ares_tensor_desc *t, int output, uint32_t slot,
			  struct sim_view *v)
{
	static uint8_t empty_data[8];
	uint32_t access = output ? ARES_ACCESS_WRITE : ARES_ACCESS_READ, st, k;
	uint8_t *first = NULL, *expect = NULL, *p;
	uint64_t done = 0, chunk, n;
	__u64 bytes;
	int contiguous = 1;

	memset(v, 0, sizeof(*v));
	v->output = output;
	v->t.dtype = t->dtype;
	if (t->dtype == ARES_DTYPE_NONE)
		return ARES_JOB_OK;
	/* The firmware validated the view; recheck what would make the glue misbehave. */
	if (!ares_desc_check(t, 0, &bytes))
		return ARES_JOB_INVALID_CMD;
	v->bytes = bytes;
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
		v->buf = view_buf(slot, v->bytes);
		if (!v->buf)
			return ARES_JOB_FW_ERROR;
		v->unread = output && view_dense(&v->t);
		for (done = 0; done < v->bytes && !v->unread; done += chunk) {
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
	if (v->buf)
		view_buf_release(v);
	free(v->qparams);
	v->buf = NULL;
	v->qparams = NULL;
	return st;
}

/* The compute kernel of each tensor opcode; a row without one does not compile or link. */
#define SIM_KERNEL_ROW(NAME, name, code, type, engine, tiling)                                     \
	[ARES_OP_##NAME] = compute_cmd_##name,
static compute_cmd_fn *const sim_kernels[ARES_OP_SLOTS] = {ARES_TENSOR_OP_TABLE(SIM_KERNEL_ROW)};
#undef SIM_KERNEL_ROW

static const enum sim_engine sim_engine_of[] = {
	[ARES_ENGINE_DMA] = SIM_ENGINE_DMA,
	[ARES_ENGINE_TENSOR] = SIM_ENGINE_TENSOR,
	[ARES_ENGINE_VECTOR] = SIM_ENGINE_VECTOR,
};

/* Inputs first, outputs last: a faulting input leaves every output untouched. */
uint32_t sim_engine_tensor(struct sim_dev *d, struct compute_workers *w, uint32_t asid, uint32_t q,
			   const struct ares_cmd_hdr *cmd, uint64_t *modeled_ns)
{
	const struct ares_op_info *op = ares_op_info(cmd->opcode);
	struct compute_tensor t[ARES_MAX_OPERANDS];
	struct sim_view v[ARES_MAX_OPERANDS];
	struct compute_stats cs = {0};
	struct sim_work work;
	uint32_t n, i, st = ARES_JOB_OK, mac_dtype = ARES_DTYPE_NONE;

	if (!op || !sim_kernels[cmd->opcode] || cmd->size != op->size)
		return ARES_JOB_INVALID_CMD;
	n = op->n_operands;
	memset(v, 0, sizeof(v));
	for (i = 0; i < n && !st; i++)
		st = view_open(d, asid, q, ares_operand_desc(cmd, op, i),
			       !!(op->operands[i].role & ARES_OPND_OUT), i, &v[i]);
	if (st)
		goto out;
	for (i = 0; i < n; i++)
		t[i] = v[i].t;
	if (op->engine == ARES_ENGINE_TENSOR)
		mac_dtype = t[0].dtype;
	st = sim_kernels[cmd->opcode](w, cmd, t, &cs);
	if (!st) {
		work.macs = cs.macs;
		work.vector_ops = cs.vector_ops;
		work.bytes = cs.bytes;
		sim_perf_tile(d, sim_engine_of[op->engine], mac_dtype, &work, modeled_ns);
	}
out:
	/*
	 * A kernel that stopped half way still wrote part of its output: write
	 * it back, unless the output was never read in (its other bytes would
	 * be the scratch's leftovers; then the output keeps its old bytes).
	 */
	for (i = 0; i < n; i++) {
		uint32_t wst = view_close(d, asid, q, &v[i],
					  !st || (st == ARES_JOB_INVALID_CMD && !v[i].unread));

		if (!st)
			st = wst;
	}
	return st;
}
