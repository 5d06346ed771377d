// SPDX-License-Identifier: MIT
/*
 * What the device op files (device/op_*.c) share: dtypes and constants as
 * placement sees them, attribute and constant-input readers, output shapes,
 * and the descriptors and command accounting of emission.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/half.h"
#include "device/common.h"

int dev_dtype(int onnx_dtype)
{
	switch (onnx_dtype) {
	case ART_FLOAT:
		return ARES_DTYPE_F32;
	case ART_FLOAT16:
		return ARES_DTYPE_F16;
	case ART_BFLOAT16:
		return ARES_DTYPE_BF16;
	case ART_UINT8:
		return ARES_DTYPE_U8;
	case ART_INT8:
		return ARES_DTYPE_I8;
	case ART_INT32:
		return ARES_DTYPE_I32;
	case ART_INT64:
		return ARES_DTYPE_I64;
	case ART_BOOL:
		return ARES_DTYPE_BOOL;
	default:
		return -1;
	}
}

int dev_is_const(const struct art_session *s, int v)
{
	return v >= 0 && s->vals[v].is_const && s->vals[v].t.data;
}

/* The contract takes these parameters in F32 only (hw-spec §12.2, §12.3),
 * and widening is exact, so a 16-bit model's biases cost nothing in
 * accuracy. A value another op also reads keeps its own dtype. */
int dev_widened_param(const struct art_session *s, int v)
{
	if (!dev_is_const(s, v) ||
	    (s->vals[v].t.dtype != ART_FLOAT16 && s->vals[v].t.dtype != ART_BFLOAT16))
		return 0;
	int readers = 0;
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		const char *op = n->proto->op_type;
		int param = !strcmp(op, "Conv") || !strcmp(op, "Gemm") || !strcmp(op, "MatMul");
		for (int j = 0; j < n->nin; j++)
			if (n->in[j] == v) {
				if (!param || j != 2)
					return 0;
				readers++;
			}
	}
	for (int o = 0; o < s->noutputs; o++)
		if (s->outputs[o] == v)
			return 0;
	return readers > 0;
}

int dev_is_plan_time(const struct art_session *s, int v)
{
	if (v < 0)
		return 0;
	for (int i = 0; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nout; j++)
			if (s->nodes[i].out[j] == v)
				return s->nodes[i].plan_time;
	return 0;
}

static int dev_producer(const struct art_session *s, int v)
{
	for (int i = 0; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nout; j++)
			if (s->nodes[i].out[j] == v)
				return i;
	return -1;
}

/* Dtype propagation for values analysis left unknown: enough of ONNX's
 * type rules to place the nodes that follow. */
static int dev_dtype_depth(struct art_session *s, int v, int depth)
{
	if (v < 0 || depth > 64)
		return 0;
	int known = rt_known_dtype(s, v);
	if (known)
		return known;
	int p = dev_producer(s, v);
	if (p < 0)
		return 0;
	const struct rt_node *n = &s->nodes[p];
	const char *op = n->proto->op_type;
	static const char *const to_bool[] = {
		"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not",
		"And",	 "Or",	 "Xor",	    "IsNaN",	   "IsInf"};
	for (size_t i = 0; i < sizeof(to_bool) / sizeof(to_bool[0]); i++)
		if (!strcmp(op, to_bool[i]))
			return ART_BOOL;
	if (!strcmp(op, "Shape") || !strcmp(op, "Size") || !strcmp(op, "ArgMax") ||
	    !strcmp(op, "ArgMin") || !strcmp(op, "NonZero"))
		return ART_INT64;
	if (!strcmp(op, "Cast"))
		return (int)rt_attr_i(n, "to", 0);
	if (!strcmp(op, "CastLike"))
		return n->nin > 1 ? dev_dtype_depth(s, n->in[1], depth + 1) : 0;
	if (!strcmp(op, "ConvInteger") || !strcmp(op, "MatMulInteger"))
		return ART_INT32;
	if (!strcmp(op, "DequantizeLinear"))
		return ART_FLOAT;
	/* The quantised output's dtype is its zero point's, else uint8. */
	int zin = -1;
	if (!strcmp(op, "QuantizeLinear"))
		zin = 2;
	if (!strcmp(op, "QLinearConv") || !strcmp(op, "QLinearMatMul"))
		zin = 7;
	if (zin >= 0)
		return zin < n->nin && n->in[zin] >= 0 ? dev_dtype_depth(s, n->in[zin], depth + 1)
						       : ART_UINT8;
	if (!strcmp(op, "Where"))
		return n->nin > 1 ? dev_dtype_depth(s, n->in[1], depth + 1) : 0;
	if (!strcmp(op, "ConstantOfShape")) {
		const Onnx__AttributeProto *a = rt_attr(n, "value");
		return a && a->t ? a->t->data_type : ART_FLOAT;
	}
	if (!strcmp(op, "If") || !strcmp(op, "Loop") || !strcmp(op, "Scan") || n->nin == 0)
		return 0;
	return dev_dtype_depth(s, n->in[0], depth + 1);
}

int dev_value_dtype(struct art_session *s, int v)
{
	return dev_dtype_depth(s, v, 0);
}

/* The device's float dtypes: F32, F16 and BF16 (hw-spec §12.1); engines
 * compute in f32 and round once to a 16-bit output. */
int dev_is_float(int d)
{
	return d == ART_FLOAT || d == ART_FLOAT16 || d == ART_BFLOAT16;
}

int dev_is_int(int d)
{
	return d == ART_INT32 || d == ART_INT64;
}

const char *dev_attr_s(const struct rt_node *n, const char *name, const char *def, char *buf,
		       size_t len)
{
	const Onnx__AttributeProto *a = rt_attr(n, name);
	if (!a || !a->has_s)
		return def;
	size_t l = a->s.len < len - 1 ? a->s.len : len - 1;
	memcpy(buf, a->s.data, l);
	buf[l] = 0;
	return buf;
}

/* Input IN of N is absent, a constant known now, or known when the
 * partition is planned. */
int dev_const_or_absent(struct art_session *s, const struct rt_node *n, int in)
{
	return in >= n->nin || n->in[in] < 0 || dev_is_const(s, n->in[in]) ||
	       dev_is_plan_time(s, n->in[in]);
}

/* Input IN of N is known on the host when the partition is planned: absent,
 * constant, plan-time, a graph input or the output of a CPU node. Such
 * values are part of the plan's key (device/plan.c). */
int dev_plan_known(struct art_session *s, const struct rt_node *n, int in)
{
	if (dev_const_or_absent(s, n, in))
		return 1;
	int v = n->in[in];
	for (int i = 0; i < s->nnodes; i++)
		for (int j = 0; j < s->nodes[i].nout; j++)
			if (s->nodes[i].out[j] == v)
				return !s->nodes[i].on_device;
	return 1;
}

uint32_t dev_float_bits(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	return u;
}

void dev_f32_view(struct ares_tensor_desc *t, uint64_t va, int rank, const int64_t *shape,
		  const int64_t *stride)
{
	memset(t, 0, sizeof(*t));
	t->va = va;
	t->dtype = ARES_DTYPE_F32;
	t->rank = (uint32_t)rank;
	for (int k = 0; k < rank; k++) {
		t->shape[k] = (uint64_t)shape[k];
		t->stride[k] = (uint64_t)stride[k];
	}
}

int64_t dev_norm_axis(int64_t a, int rank)
{
	return a < 0 ? a + rank : a;
}

/* Input IN of N holds data on the host: placement admits only values
 * known on the host at plan time where this is asked. */
int dev_host_value(struct art_session *s, const struct rt_node *n, int in)
{
	return in < n->nin && n->in[in] >= 0 && s->vals[n->in[in]].t.data;
}

/* Reads constant input IN of N as integers; returns the count or -1. */
int dev_const_ints(struct art_session *s, const struct rt_node *n, int in, int64_t *out, int max)
{
	if (!dev_host_value(s, n, in))
		return -1;
	return rt_tensor_ints(&s->vals[n->in[in]].t, out, max);
}

int dev_const_float(struct art_session *s, const struct rt_node *n, int in, float *out)
{
	if (!dev_host_value(s, n, in))
		return -1;
	const struct art_tensor *t = &s->vals[n->in[in]].t;
	if (art_tensor_elems(t) < 1)
		return -1;
	if (t->dtype == ART_FLOAT)
		*out = ((const float *)t->data)[0];
	else if (t->dtype == ART_FLOAT16)
		*out = (float)rt_f16_to_d(((const uint16_t *)t->data)[0]);
	else if (t->dtype == ART_BFLOAT16)
		*out = (float)rt_bf16_to_d(((const uint16_t *)t->data)[0]);
	else if (t->dtype == ART_INT64)
		*out = (float)((const int64_t *)t->data)[0];
	else if (t->dtype == ART_INT32)
		*out = (float)((const int32_t *)t->data)[0];
	else if (t->dtype == ART_INT8)
		*out = (float)((const int8_t *)t->data)[0];
	else if (t->dtype == ART_UINT8)
		*out = (float)((const uint8_t *)t->data)[0];
	else
		return -1;
	return 0;
}

void dev_set_out(struct dev_val *o, int dtype, int ndim, const int64_t *dims)
{
	o->dtype = dtype;
	o->ndim = ndim;
	for (int i = 0; i < ndim; i++)
		o->dims[i] = dims[i];
}

int64_t dev_prod(const int64_t *d, int a, int b)
{
	int64_t p = 1;
	for (int i = a; i < b; i++)
		p *= d[i];
	return p;
}

int dev_bad(struct art_session *s, const struct rt_node *n, const char *what)
{
	return rt_err(s, -EINVAL, "node '%s' (%s): %s", n->name, n->proto->op_type, what);
}

uint64_t dev_va_of(const struct ectx *e, int v)
{
	int root = e->dv[v].root;
	const struct dev_val *r = &e->dv[root];
	if (e->ext_va && e->ext_va[root])
		return e->ext_va[root];
	return (r->loc == DL_WEIGHTS ? e->weights_va : e->arena_va) + r->off;
}

/* A contiguous view of value V with the given rank and dims. */
void dev_desc_dims(const struct ectx *e, int v, int rank, const int64_t *dims,
		   struct ares_tensor_desc *t)
{
	memset(t, 0, sizeof(*t));
	t->va = dev_va_of(e, v);
	t->dtype = (uint16_t)dev_dtype(e->dv[v].dtype);
	t->rank = (uint16_t)rank;
	uint64_t st = 1;
	for (int k = rank - 1; k >= 0; k--) {
		t->shape[k] = (uint64_t)dims[k];
		t->stride[k] = st;
		st *= (uint64_t)dims[k];
	}
	for (int k = 0; k < e->nsub; k++)
		if (e->sub_v[k] == v) {
			t->va = e->sub_va[k];
			t->dtype = (uint16_t)e->sub_dtype;
		}
}

void dev_desc(const struct ectx *e, int v, struct ares_tensor_desc *t)
{
	dev_desc_dims(e, v, e->dv[v].ndim, e->dv[v].dims, t);
}

/* Value V broadcast to RANK dims DIMS: aligned right, stride 0 where V has
 * a 1 (or no dimension). */
void dev_desc_bcast(const struct ectx *e, int v, int rank, const int64_t *dims,
		    struct ares_tensor_desc *t)
{
	const struct dev_val *x = &e->dv[v];
	struct ares_tensor_desc own;
	dev_desc(e, v, &own);
	memset(t, 0, sizeof(*t));
	t->va = own.va;
	t->dtype = own.dtype;
	t->rank = (uint16_t)rank;
	for (int k = 0; k < rank; k++) {
		int j = k - (rank - x->ndim);
		t->shape[k] = (uint64_t)dims[k];
		t->stride[k] = j >= 0 && x->dims[j] != 1 ? own.stride[j] : 0;
	}
}

/* Called after each command: counts it and, when profiling, records the
 * device clock and modeled time after it. */
int dev_done(struct ectx *e, int rc)
{
	if (rc)
		return rc;
	(*e->ncmds)++;
	if (e->prof_va)
		return accel_cmdbuf_profile(e->cb, e->prof_va + 16ull * (uint64_t)*e->ncmds);
	return 0;
}

int dev_emit_copy_view(struct ectx *e, struct ares_tensor_desc *x, struct ares_tensor_desc *y)
{
	for (int k = 0; k < y->rank; k++)
		if (!y->shape[k])
			return 0;
	return dev_done(e, accel_cmdbuf_copy(e->cb, x, y));
}

const char *dev_float_only(const struct dev_check *c)
{
	snprintf(c->buf, c->len, "%s on dtype %s not supported by the device", c->op,
		 rt_dtype_name(c->x));
	return c->buf;
}

uint64_t dev_ramp_consts(void *dst, int64_t len, int64_t hole, int wide)
{
	uint8_t *p = dst;
	if (len < 0)
		len = 0;
	if (p) {
		float zero = 0.0f, one = 1.0f;
		memcpy(p, &zero, 4);
		memcpy(p + 4, &one, 4);
		for (int64_t c = 0; c < len; c++) {
			int64_t v = c == hole ? -1 : c;
			int32_t v32 = (int32_t)v;
			if (wide)
				memcpy(p + DEV_RAMP_AT + 8 * c, &v, 8);
			else
				memcpy(p + DEV_RAMP_AT + 4 * c, &v32, 4);
		}
	}
	return DEV_RAMP_AT + (uint64_t)len * (wide ? 8 : 4);
}
