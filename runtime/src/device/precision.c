// SPDX-License-Identifier: MIT
/*
 * The reduced-precision mode on the device (core/precision.c chooses the
 * nodes). CONV2D and MATMUL take x and w of one float dtype, y of any and
 * their bias in F32 (hw-spec §12.2, §12.3), so a reduced Conv, MatMul or
 * Gemm of an f32 model is its own command with both operands in bfloat16
 * or float16 and its output in f32:
 * - a constant operand read only by reduced device nodes is rounded once,
 *   at the weight upload (half the bytes of its f32 original);
 * - an operand that another reduced node of the same partition writes,
 *   and that nothing else reads, is written by that node in the reduced
 *   dtype directly (the engine rounds after the fused activation, so this
 *   equals rounding the f32 result);
 * - any other operand is converted by one ELTWISE COPY into the node's
 *   arena scratch before the command.
 * ConvTranspose keeps f32 on the device: its zero-insert buffer is f32.
 */
#include <string.h>

#include "core/precision.h"
#include "device/common.h"

static int reads_only_as_operand(const struct rt_node *n, int v)
{
	int reads = 0;
	for (int j = 0; j < n->nin; j++)
		if (n->in[j] == v) {
			if (j > 1)
				return -1;
			reads = 1;
		}
	return reads;
}

void dev_precision_place(struct rt_node *n)
{
	if (!n->reduced || !n->on_device || strcmp(n->proto->op_type, "ConvTranspose"))
		return;
	n->reduced = 0;
	n->precision_note = strdup("float32 kept: the device's ConvTranspose lowering is f32");
}

int dev_reduced_weight(const struct art_session *s, int v)
{
	if (!s->precision || !dev_is_const(s, v) || s->vals[v].t.dtype != ART_FLOAT)
		return 0;
	int readers = 0;
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		int r = reads_only_as_operand(n, v);
		if (!r || !n->on_device)
			continue;
		if (r < 0 || !n->reduced)
			return 0;
		readers++;
	}
	for (int o = 0; o < s->noutputs; o++)
		if (s->outputs[o] == v)
			return 0;
	return readers > 0;
}

/* Bytes of the reduced copy of value V, 64-byte aligned. */
static uint64_t reduced_bytes(const struct dev_val *v)
{
	uint64_t b = 2;
	for (int k = 0; k < v->ndim; k++)
		b *= (uint64_t)v->dims[k];
	return (b + 63) / 64 * 64;
}

/* Whether operand I of N is converted into scratch (not already reduced). */
static int converted(const struct art_session *s, const struct rt_node *n, const struct dev_val *dv,
		     int i)
{
	if (i == 1 && n->in[1] == n->in[0])
		return 0;
	return dv[n->in[i]].dtype != s->precision;
}

uint64_t dev_reduced_scratch(struct art_session *s, const struct rt_node *n,
			     const struct dev_val *dv)
{
	uint64_t bytes = 0;
	for (int i = 0; i < 2; i++)
		if (converted(s, n, dv, i))
			bytes += reduced_bytes(&dv[n->in[i]]);
	return bytes / 4;
}

void dev_reduced_output(struct art_session *s, const struct dev_partition *p, int i,
			struct dev_val *dv)
{
	const struct rt_node *n = &s->nodes[i];
	int v = n->out[0];
	if (!n->reduced || dv[v].root != v)
		return;
	dv[v].dtype = ART_FLOAT;
	for (int k = 0; k < p->nouts; k++)
		if (p->outs[k] == v)
			return;
	int readers = 0;
	for (int k = 0; k < s->nnodes; k++) {
		const struct rt_node *r = &s->nodes[k];
		int how = reads_only_as_operand(r, v);
		if (!how)
			continue;
		if (how < 0 || !r->reduced || !r->on_device || k <= i || k > p->last)
			return;
		readers++;
	}
	if (readers)
		dv[v].dtype = s->precision;
}

int dev_reduced_emit(struct ectx *e)
{
	struct art_session *s = e->s;
	const struct rt_node *n = e->n;
	const struct dev_val *sc = &e->dv[s->nvals + (n - s->nodes)];
	uint64_t va = e->arena_va + sc->off;
	e->nsub = 0;
	for (int i = 0; i < 2; i++) {
		if (!converted(s, n, e->dv, i))
			continue;
		struct ares_tensor_desc x, y;
		dev_desc(e, n->in[i], &x);
		y = x;
		y.va = va;
		y.dtype = (uint16_t)dev_dtype(s->precision);
		struct ares_eltwise_params p = {.op = ARES_ELT_COPY};
		const struct ares_tensor_desc *in[1] = {&x};
		int rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, 1, in, &y));
		if (rc)
			return rc;
		e->sub_v[e->nsub] = n->in[i];
		e->sub_va[e->nsub++] = va;
		va += reduced_bytes(&e->dv[n->in[i]]);
	}
	e->sub_dtype = dev_dtype(s->precision);
	int rc = e->d->form->emit(e);
	e->nsub = 0;
	return rc;
}
