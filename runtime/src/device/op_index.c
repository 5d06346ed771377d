// SPDX-License-Identifier: MIT
/*
 * Index ops composed on the device: Range, the Hann, Hamming and
 * Blackman windows, OneHot, GatherElements and GatherND. Their common
 * piece is an arithmetic sequence built on the device in log2(n) steps
 * (FILL_TENSOR the first element, then each ADD doubles the filled
 * prefix), so no index table crosses from the host.
 * GatherElements and GatherND turn their indices into offsets of the
 * flattened data with GATHERs from such sequences (which also normalise
 * negative indices and stop the job on one out of range, as GATHER
 * does) and ADDs, then run one GATHER. All integer work is I64, exact.
 * Scratch lives in the node's arena block (plan.c). Each op's row of the
 * device table: placement check, output shapes, commands (device/ops.c).
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/half.h"
#include "device/common.h"

/* A bump allocator over the node's scratch block, 8-byte aligned. */
struct scr {
	uint64_t va;
};

static uint64_t scr_take(struct scr *s, uint64_t bytes)
{
	uint64_t va = s->va;
	s->va += (bytes + 7) / 8 * 8;
	return va;
}

static struct scr scr_of(const struct ectx *e)
{
	const struct dev_val *sc = &e->dv[e->s->nvals + (e->n - e->s->nodes)];
	struct scr s = {e->arena_va + sc->off};
	return s;
}

/* A descriptor of RANK dims SHAPE and element strides ST (NULL:
 * row-major) of ARES dtype DT at VA; rank 0 is one element. */
static void vdesc(struct ares_tensor_desc *t, uint64_t va, int dt, int rank, const int64_t *shape,
		  const int64_t *st)
{
	memset(t, 0, sizeof(*t));
	t->va = va;
	t->dtype = (uint16_t)dt;
	t->rank = (uint16_t)(rank ? rank : 1);
	t->shape[0] = 1;
	t->stride[0] = 1;
	int64_t s = 1;
	for (int k = rank - 1; k >= 0; k--) {
		t->shape[k] = (uint64_t)shape[k];
		t->stride[k] = (uint64_t)(st ? st[k] : s);
		s *= shape[k];
	}
}

static int empty(const struct ares_tensor_desc *t)
{
	for (int k = 0; k < t->rank; k++)
		if (!t->shape[k])
			return 1;
	return 0;
}

static int elt(struct ectx *e, uint32_t op, int nin, const struct ares_tensor_desc *a,
	       const struct ares_tensor_desc *b, const struct ares_tensor_desc *c,
	       const struct ares_tensor_desc *y)
{
	if (empty(y))
		return 0;
	struct ares_eltwise_params p = {.op = op};
	const struct ares_tensor_desc *in[3] = {a, b, c};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, (uint32_t)nin, in, y));
}

static int fill1(struct ectx *e, uint64_t va, int dt, uint64_t bits)
{
	struct ares_tensor_desc t;
	vdesc(&t, va, dt, 0, NULL, NULL);
	return dev_done(e, accel_cmdbuf_fill_tensor(e->cb, bits, &t));
}

static int gather(struct ectx *e, uint32_t axis, const struct ares_tensor_desc *data,
		  const struct ares_tensor_desc *idx, const struct ares_tensor_desc *y)
{
	if (empty(y))
		return 0;
	return dev_done(e, accel_cmdbuf_gather(e->cb, axis, data, idx, y));
}

/* The bits of V in ONNX dtype DT (F32, I32 or I64; IV for integers). */
static uint64_t num_bits(int dt, double v, int64_t iv)
{
	if (dt == ART_FLOAT)
		return dev_float_bits((float)v);
	if (dt == ART_INT32)
		return (uint32_t)(int32_t)iv;
	return (uint64_t)iv;
}

/*
 * VA[i] = start + i * step for i < LEN in ONNX dtype DT (F32, I32, I64);
 * INC_VA is one scratch element. Element 0 is a FILL; then each step
 * adds m * step to the first m elements into the next m.
 */
static int arange(struct ectx *e, int dt, uint64_t va, int64_t len, double start, double step,
		  int64_t istart, int64_t istep, uint64_t inc_va)
{
	int adt = dev_dtype(dt);
	uint64_t es = art_dtype_size(dt);
	if (len <= 0)
		return 0;
	int rc = fill1(e, va, adt, num_bits(dt, start, istart));
	for (int64_t m = 1; !rc && m < len; m *= 2) {
		int64_t cnt = len - m < m ? len - m : m, zero = 0;
		struct ares_tensor_desc a, b, y;
		if ((rc = fill1(e, inc_va, adt, num_bits(dt, (double)m * step, m * istep))))
			break;
		vdesc(&a, va, adt, 1, &cnt, NULL);
		vdesc(&b, inc_va, adt, 1, &cnt, &zero);
		vdesc(&y, va + (uint64_t)m * es, adt, 1, &cnt, NULL);
		rc = elt(e, ARES_ELT_ADD, 2, &a, &b, NULL, &y);
	}
	return rc;
}

static uint64_t scratch_floats(uint64_t bytes)
{
	/* Room for the 8-byte alignment of every piece. */
	return (bytes + 256 + 7) / 8 * 2;
}

/* --------------------------------------------------------------- Range */

static const char *range_check(const struct dev_check *c)
{
	if (c->x != ART_FLOAT && c->x != ART_INT32 && c->x != ART_INT64) {
		snprintf(c->buf, c->len, "Range of dtype %s not supported by the device",
			 rt_dtype_name(c->x));
		return c->buf;
	}
	for (int i = 0; i < 3; i++)
		if (!dev_plan_known(c->s, c->n, i))
			return "Range bounds computed on the device";
	return NULL;
}

struct rng {
	int dt;
	double start, delta;
	int64_t istart, idelta, len;
};

static int range_params(struct art_session *s, const struct rt_node *n, struct rng *r)
{
	const struct art_tensor *t[3];
	if (n->nin != 3)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (!dev_host_value(s, n, i))
			return -1;
		t[i] = &s->vals[n->in[i]].t;
		if (art_tensor_elems(t[i]) != 1 || t[i]->dtype != t[0]->dtype)
			return -1;
	}
	r->dt = t[0]->dtype;
	double v[3];
	int64_t iv[3];
	for (int i = 0; i < 3; i++) {
		if (r->dt == ART_FLOAT)
			v[i] = ((const float *)t[i]->data)[0];
		else if (r->dt == ART_INT32)
			v[i] = ((const int32_t *)t[i]->data)[0];
		else if (r->dt == ART_INT64)
			v[i] = (double)((const int64_t *)t[i]->data)[0];
		else
			return -1;
		iv[i] = r->dt == ART_INT64 ? ((const int64_t *)t[i]->data)[0] : (int64_t)v[i];
	}
	if (v[2] == 0)
		return -1;
	/* As the CPU kernel: ceil((limit - start) / delta) in double. */
	double c = ceil((v[1] - v[0]) / v[2]);
	if (!(c < 1e12))
		return -1;
	r->start = v[0];
	r->delta = v[2];
	r->istart = iv[0];
	r->idelta = iv[2];
	r->len = c > 0 ? (int64_t)c : 0;
	return 0;
}

static int range_shapes(const struct dev_shape *c)
{
	struct rng r;
	if (range_params(c->s, c->n, &r))
		return dev_bad(c->s, c->n, "start, limit, delta not three scalars of one dtype");
	dev_set_out(&c->dv[c->n->out[0]], r.dt, 1, &r.len);
	return 0;
}

static uint64_t range_scratch(const struct dev_shape *c)
{
	(void)c;
	return scratch_floats(8);
}

static int range_emit(struct ectx *e)
{
	struct rng r;
	struct scr s = scr_of(e);
	range_params(e->s, e->n, &r);
	return arange(e, r.dt, dev_va_of(e, e->n->out[0]), r.len, r.start, r.delta, r.istart,
		      r.idelta, scr_take(&s, 8));
}

/* ------------------------------------------- Hann, Hamming, Blackman */

/*
 * The windows as the CPU kernel computes them (cpu/kernels_quant.c):
 * x = 2 pi i / N with N the size (periodic) or size - 1, then
 * a0 - a1 cos(x) (+ a2 cos(2x) for Blackman), in f32 on the device from
 * the sequence 0 .. size-1 built as Range builds it. Dispatch on the
 * row's argument.
 */
enum win { WIN_HANN, WIN_HAMMING, WIN_BLACKMAN };

static const char *window_check(const struct dev_check *c)
{
	if (c->x != ART_INT32 && c->x != ART_INT64)
		return "window size is not int32 or int64";
	if (rt_attr_i(c->n, "output_datatype", ART_FLOAT) != ART_FLOAT)
		return "window output_datatype other than float32";
	if (!dev_plan_known(c->s, c->n, 0))
		return "window size computed on the device";
	return NULL;
}

static int64_t window_len(struct art_session *s, const struct rt_node *n)
{
	int64_t len;
	if (dev_const_ints(s, n, 0, &len, 1) != 1 || art_tensor_elems(&s->vals[n->in[0]].t) != 1)
		return -1;
	return len;
}

static int window_shapes(const struct dev_shape *c)
{
	int64_t len = window_len(c->s, c->n);
	if (len < 0)
		return dev_bad(c->s, c->n, "size is not one non-negative integer");
	dev_set_out(&c->dv[c->n->out[0]], ART_FLOAT, 1, &len);
	return 0;
}

static uint64_t window_scratch(const struct dev_shape *c)
{
	int64_t len = window_len(c->s, c->n);
	return len < 0 ? 0 : scratch_floats(8 + 4 * 4 * (uint64_t)len);
}

/* Y = alpha X + beta. */
static int affine(struct ectx *e, float alpha, float beta, const struct ares_tensor_desc *x,
		  const struct ares_tensor_desc *y)
{
	if (empty(y))
		return 0;
	struct ares_eltwise_params p = {.op = ARES_ELT_AFFINE,
					.alpha = dev_float_bits(alpha),
					.beta = dev_float_bits(beta)};
	const struct ares_tensor_desc *in[3] = {x, NULL, NULL};
	return dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, 1, in, y));
}

static int window_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	int64_t len = window_len(e->s, n);
	double N = (double)(rt_attr_i(n, "periodic", 1) ? len : len - 1);
	const int f32 = ARES_DTYPE_F32;
	struct scr s = scr_of(e);
	uint64_t inc = scr_take(&s, 8), bytes = 4 * (uint64_t)len;
	struct ares_tensor_desc ramp, x, c1, x2, c2, y;
	vdesc(&ramp, scr_take(&s, bytes), f32, 1, &len, NULL);
	vdesc(&x, scr_take(&s, bytes), f32, 1, &len, NULL);
	vdesc(&c1, scr_take(&s, bytes), f32, 1, &len, NULL);
	vdesc(&c2, scr_take(&s, bytes), f32, 1, &len, NULL);
	vdesc(&y, dev_va_of(e, n->out[0]), f32, 1, &len, NULL);
	int rc = arange(e, ART_FLOAT, ramp.va, len, 0, 1, 0, 1, inc);
	if (rc || (rc = affine(e, (float)(2 * M_PI / N), 0, &ramp, &x)) ||
	    (rc = elt(e, ARES_ELT_COS, 1, &x, NULL, NULL, &c1)))
		return rc;
	switch (e->d->arg) {
	case WIN_HANN:
		return affine(e, -0.5f, 0.5f, &c1, &y);
	case WIN_HAMMING:
		return affine(e, (float)(-21.0 / 46), (float)(25.0 / 46), &c1, &y);
	default:
		/* 0.42 - 0.5 cos(x) + 0.08 cos(2x); the ramp and x are free
		 * again. */
		x2 = ramp;
		if ((rc = affine(e, 2, 0, &x, &x2)) ||
		    (rc = elt(e, ARES_ELT_COS, 1, &x2, NULL, NULL, &c2)) ||
		    (rc = affine(e, -0.5f, 0.42f, &c1, &x)) || (rc = affine(e, 0.08f, 0, &c2, &c1)))
			return rc;
		return elt(e, ARES_ELT_ADD, 2, &x, &c1, NULL, &y);
	}
}

/* -------------------------------------------------------------- OneHot */

static const char *onehot_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	if (c->x != ART_FLOAT && c->x != ART_INT32 && c->x != ART_INT64) {
		snprintf(c->buf, c->len, "OneHot indices of dtype %s not supported by the device",
			 rt_dtype_name(c->x));
		return c->buf;
	}
	if (n->nin != 3 || !dev_plan_known(c->s, n, 1))
		return "OneHot depth computed on the device";
	return NULL;
}

static int onehot_params(const struct dev_shape *c, int64_t *depth, int *axis)
{
	const struct rt_node *n = c->n;
	struct dev_val *ix = &c->dv[n->in[0]];
	float d;
	if (dev_const_float(c->s, n, 1, &d) || art_tensor_elems(&c->s->vals[n->in[1]].t) != 1)
		return -1;
	*depth = (int64_t)d;
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", -1), ix->ndim + 1);
	*axis = (int)a;
	return *depth >= 1 && a >= 0 && a <= ix->ndim && ix->ndim + 1 <= ARES_MAX_RANK ? 0 : -1;
}

static int onehot_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *ix = &c->dv[n->in[0]], *vals = &c->dv[n->in[2]];
	int64_t depth, od[ART_MAX_DIMS];
	int axis;
	if (onehot_params(c, &depth, &axis))
		return dev_bad(c->s, n, "depth below 1, axis out of range or rank above 5");
	if (dev_prod(vals->dims, 0, vals->ndim) != 2)
		return dev_bad(c->s, n, "values must hold two elements");
	for (int a = 0, j = 0; a <= ix->ndim; a++)
		od[a] = a == axis ? depth : ix->dims[j++];
	dev_set_out(&c->dv[n->out[0]], vals->dtype, ix->ndim + 1, od);
	return 0;
}

static uint64_t onehot_scratch(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *ix = &c->dv[n->in[0]];
	int64_t depth;
	int axis;
	if (onehot_params(c, &depth, &axis))
		return 0;
	uint64_t m = (uint64_t)dev_prod(ix->dims, 0, ix->ndim);
	return scratch_floats(8 * (6 * m + (uint64_t)depth + 4) + m * (uint64_t)depth + 8);
}

/*
 * K = indices as I64 (float ones truncated toward zero, as ONNX casts);
 * N = K < 0 ? K + depth : K; the mask N == arange(depth) broadcast along
 * the axis; Y = mask ? values[1] : values[0].
 */
static int onehot_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *ix = &e->dv[n->in[0]], *ov = &e->dv[n->out[0]];
	int64_t depth;
	int axis;
	struct dev_shape sc = {e->s, n, e->d, e->dv};
	onehot_params(&sc, &depth, &axis);
	int r = ix->ndim, idt = ix->dtype;
	int64_t m = dev_prod(ix->dims, 0, r);
	struct scr s = scr_of(e);
	uint64_t k_va = dev_va_of(e, n->in[0]), z_va = scr_take(&s, 8);
	uint64_t b_va = scr_take(&s, (uint64_t)m);
	struct ares_tensor_desc a, b, c, y;
	int rc = 0;
	int64_t zs[ART_MAX_DIMS] = {0};
	if (idt != ART_INT64) {
		uint64_t kk = scr_take(&s, 8 * (uint64_t)m);
		vdesc(&a, k_va, dev_dtype(idt), r, ix->dims, NULL);
		if (idt == ART_FLOAT) {
			uint64_t c_va = scr_take(&s, 4 * (uint64_t)m),
				 f_va = scr_take(&s, 4 * (uint64_t)m);
			uint64_t w_va = scr_take(&s, 4 * (uint64_t)m);
			rc = fill1(e, z_va, ARES_DTYPE_F32, 0);
			vdesc(&b, z_va, ARES_DTYPE_F32, r, ix->dims, zs);
			vdesc(&y, b_va, ARES_DTYPE_BOOL, r, ix->dims, NULL);
			rc = rc ? rc : elt(e, ARES_ELT_LESS, 2, &a, &b, NULL, &y);
			vdesc(&y, c_va, ARES_DTYPE_F32, r, ix->dims, NULL);
			rc = rc ? rc : elt(e, ARES_ELT_CEIL, 1, &a, NULL, NULL, &y);
			vdesc(&y, f_va, ARES_DTYPE_F32, r, ix->dims, NULL);
			rc = rc ? rc : elt(e, ARES_ELT_FLOOR, 1, &a, NULL, NULL, &y);
			vdesc(&a, b_va, ARES_DTYPE_BOOL, r, ix->dims, NULL);
			vdesc(&b, c_va, ARES_DTYPE_F32, r, ix->dims, NULL);
			vdesc(&c, f_va, ARES_DTYPE_F32, r, ix->dims, NULL);
			vdesc(&y, w_va, ARES_DTYPE_F32, r, ix->dims, NULL);
			rc = rc ? rc : elt(e, ARES_ELT_WHERE, 3, &a, &b, &c, &y);
			a = y;
		}
		vdesc(&y, kk, ARES_DTYPE_I64, r, ix->dims, NULL);
		rc = rc ? rc : elt(e, ARES_ELT_COPY, 1, &a, NULL, NULL, &y);
		k_va = kk;
	}
	uint64_t d_va = scr_take(&s, 8), p_va = scr_take(&s, 8 * (uint64_t)m);
	uint64_t n_va = scr_take(&s, 8 * (uint64_t)m);
	uint64_t ar_va = scr_take(&s, 8 * (uint64_t)depth), inc_va = scr_take(&s, 8);
	uint64_t mask_va = scr_take(&s, (uint64_t)(m * depth));
	struct ares_tensor_desc kd;
	vdesc(&kd, k_va, ARES_DTYPE_I64, r, ix->dims, NULL);
	rc = rc ? rc : fill1(e, z_va, ARES_DTYPE_I64, 0);
	vdesc(&b, z_va, ARES_DTYPE_I64, r, ix->dims, zs);
	vdesc(&y, b_va, ARES_DTYPE_BOOL, r, ix->dims, NULL);
	rc = rc ? rc : elt(e, ARES_ELT_LESS, 2, &kd, &b, NULL, &y);
	rc = rc ? rc : fill1(e, d_va, ARES_DTYPE_I64, (uint64_t)depth);
	vdesc(&b, d_va, ARES_DTYPE_I64, r, ix->dims, zs);
	vdesc(&y, p_va, ARES_DTYPE_I64, r, ix->dims, NULL);
	rc = rc ? rc : elt(e, ARES_ELT_ADD, 2, &kd, &b, NULL, &y);
	vdesc(&a, b_va, ARES_DTYPE_BOOL, r, ix->dims, NULL);
	vdesc(&c, n_va, ARES_DTYPE_I64, r, ix->dims, NULL);
	rc = rc ? rc : elt(e, ARES_ELT_WHERE, 3, &a, &y, &kd, &c);
	rc = rc ? rc : arange(e, ART_INT64, ar_va, depth, 0, 1, 0, 1, inc_va);
	/* N and the sequence seen in the output's dims. */
	int64_t ns[ART_MAX_DIMS] = {0}, as[ART_MAX_DIMS] = {0}, ist[ART_MAX_DIMS] = {0};
	int64_t st = 1;
	for (int k = r - 1; k >= 0; k--) {
		ist[k] = st;
		st *= ix->dims[k];
	}
	for (int k = 0, j = 0; k <= r; k++) {
		ns[k] = k == axis ? 0 : ist[j++];
		as[k] = k == axis ? 1 : 0;
	}
	vdesc(&a, n_va, ARES_DTYPE_I64, r + 1, ov->dims, ns);
	vdesc(&b, ar_va, ARES_DTYPE_I64, r + 1, ov->dims, as);
	vdesc(&y, mask_va, ARES_DTYPE_BOOL, r + 1, ov->dims, NULL);
	rc = rc ? rc : elt(e, ARES_ELT_EQUAL, 2, &a, &b, NULL, &y);
	int vdt = dev_dtype(ov->dtype);
	uint64_t vva = dev_va_of(e, n->in[2]), es = art_dtype_size(ov->dtype);
	int64_t z6[ART_MAX_DIMS] = {0};
	vdesc(&a, mask_va, ARES_DTYPE_BOOL, r + 1, ov->dims, NULL);
	vdesc(&b, vva + es, vdt, r + 1, ov->dims, z6);
	vdesc(&c, vva, vdt, r + 1, ov->dims, z6);
	dev_desc(e, n->out[0], &y);
	return rc ? rc : elt(e, ARES_ELT_WHERE, 3, &a, &b, &c, &y);
}

/* ------------------------------------------------------ GatherElements */

static const char *gather_index_check(const struct dev_check *c)
{
	if (!dev_is_int(c->y))
		return c->n->proto->op_type[6] == 'E'
			       ? "GatherElements indices are not int32 or int64"
			       : "GatherND indices are not int32 or int64";
	return NULL;
}

static int gather_elements_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]], *ix = &c->dv[n->in[1]];
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
	if (a < 0 || a >= x->ndim || ix->ndim != x->ndim)
		return dev_bad(c->s, n, "axis out of range or indices of another rank");
	dev_set_out(&c->dv[n->out[0]], x->dtype, ix->ndim, ix->dims);
	return 0;
}

static uint64_t gather_elements_scratch(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]], *ix = &c->dv[n->in[1]];
	uint64_t m = (uint64_t)dev_prod(ix->dims, 0, ix->ndim), big = 1;
	for (int k = 0; k < x->ndim; k++)
		big += (uint64_t)x->dims[k] + (uint64_t)(k < ix->ndim ? ix->dims[k] : 0);
	return scratch_floats(8 * (2 * m + big + 1));
}

/*
 * The offset of each element in the flattened data: GATHER from the
 * sequence 0, s_a, 2 s_a... (s_a: the axis's stride) by the indices, plus,
 * per other dim k, the sequence 0, s_k, 2 s_k... broadcast along k; then
 * one GATHER of the data seen as 1-D.
 */
static int gather_elements_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *x = &e->dv[n->in[0]], *ix = &e->dv[n->in[1]];
	int r = x->ndim;
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), r), xs[ART_MAX_DIMS];
	int64_t m = dev_prod(ix->dims, 0, r), total = dev_prod(x->dims, 0, r);
	struct scr s = scr_of(e);
	uint64_t big = 1;
	for (int k = 0; k < r; k++)
		big += (uint64_t)x->dims[k] + (uint64_t)ix->dims[k];
	uint64_t inc = scr_take(&s, 8), seq = scr_take(&s, 8 * big);
	uint64_t g[2] = {scr_take(&s, 8 * (uint64_t)m), scr_take(&s, 8 * (uint64_t)m)};
	struct ares_tensor_desc d, i, y, b;
	int cur = 0, rc;
	if (!m)
		return 0;
	int64_t st = 1;
	for (int k = r - 1; k >= 0; k--) {
		xs[k] = st;
		st *= x->dims[k];
	}
	rc = arange(e, ART_INT64, seq, x->dims[a], 0, 0, 0, xs[a], inc);
	vdesc(&d, seq, ARES_DTYPE_I64, 1, &x->dims[a], NULL);
	dev_desc(e, n->in[1], &i);
	vdesc(&y, g[cur], ARES_DTYPE_I64, r, ix->dims, NULL);
	rc = rc ? rc : gather(e, 0, &d, &i, &y);
	for (int k = 0; k < r && !rc; k++) {
		if (k == a || ix->dims[k] == 1)
			continue;
		int64_t bs[ART_MAX_DIMS] = {0};
		bs[k] = 1;
		rc = arange(e, ART_INT64, seq, ix->dims[k], 0, 0, 0, xs[k], inc);
		vdesc(&i, g[cur], ARES_DTYPE_I64, r, ix->dims, NULL);
		vdesc(&b, seq, ARES_DTYPE_I64, r, ix->dims, bs);
		vdesc(&y, g[!cur], ARES_DTYPE_I64, r, ix->dims, NULL);
		rc = rc ? rc : elt(e, ARES_ELT_ADD, 2, &i, &b, NULL, &y);
		cur = !cur;
	}
	dev_desc_dims(e, n->in[0], 1, &total, &d);
	vdesc(&i, g[cur], ARES_DTYPE_I64, r, ix->dims, NULL);
	dev_desc(e, n->out[0], &y);
	return rc ? rc : gather(e, 0, &d, &i, &y);
}

/* ------------------------------------------------------------ GatherND */

static int gather_nd_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]], *ix = &c->dv[n->in[1]];
	int64_t bd = rt_attr_i(n, "batch_dims", 0), od[ART_MAX_DIMS];
	if (ix->ndim < 1 || bd < 0 || bd >= ix->ndim || bd >= x->ndim)
		return dev_bad(c->s, n, "batch_dims out of range");
	int64_t q = ix->dims[ix->ndim - 1];
	if (q < 1 || bd + q > x->ndim)
		return dev_bad(c->s, n, "index depth out of range");
	for (int k = 0; k < bd; k++)
		if (ix->dims[k] != x->dims[k])
			return dev_bad(c->s, n, "batch dims of data and indices differ");
	int r = 0;
	for (int k = 0; k < ix->ndim - 1; k++)
		od[r++] = ix->dims[k];
	for (int k = (int)(bd + q); k < x->ndim; k++)
		od[r++] = x->dims[k];
	if (r > ARES_MAX_RANK || 1 + x->ndim - bd - q > ARES_MAX_RANK)
		return dev_bad(c->s, n, "result rank above 6");
	dev_set_out(&c->dv[n->out[0]], x->dtype, r, od);
	return 0;
}

static uint64_t gather_nd_scratch(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]], *ix = &c->dv[n->in[1]];
	uint64_t m = (uint64_t)dev_prod(ix->dims, 0, ix->ndim), big = 1;
	for (int k = 0; k < x->ndim; k++)
		big += (uint64_t)x->dims[k];
	return scratch_floats(8 * (3 * m + big + 2));
}

/*
 * Data seen as [rows, rest...] with rows the batch dims and the q indexed
 * ones; each row's number is the sum over the index's components j of a
 * GATHER from 0, R_j, 2 R_j... (R_j: rows per step of dim j) by component
 * j, plus each batch dim's sequence broadcast along it; one GATHER of rows.
 */
static int gather_nd_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *x = &e->dv[n->in[0]], *ix = &e->dv[n->in[1]];
	int64_t bd = rt_attr_i(n, "batch_dims", 0), q = ix->dims[ix->ndim - 1];
	int lr = ix->ndim - 1, nrow = (int)(bd + q);
	int64_t ld[ART_MAX_DIMS], lst[ART_MAX_DIMS], rs[ART_MAX_DIMS];
	int64_t m = dev_prod(ix->dims, 0, lr), one = 1;
	int rl = lr ? lr : 1;
	if (!lr)
		ld[0] = 1;
	for (int k = 0; k < lr; k++)
		ld[k] = ix->dims[k];
	if (!m)
		return 0;
	/* Strides of the index's leading dims, in index elements. */
	int64_t st = q;
	for (int k = lr - 1; k >= 0; k--) {
		lst[k] = st;
		st *= ix->dims[k];
	}
	if (!lr)
		lst[0] = q;
	st = 1;
	for (int k = nrow - 1; k >= 0; k--) {
		rs[k] = st;
		st *= x->dims[k];
	}
	int64_t rows = st;
	struct scr s = scr_of(e);
	uint64_t inc = scr_take(&s, 8), big = 0;
	for (int k = 0; k < x->ndim; k++)
		big += (uint64_t)x->dims[k];
	uint64_t seq = scr_take(&s, 8 * (big + 1)), t = scr_take(&s, 8 * (uint64_t)m);
	uint64_t g[2] = {scr_take(&s, 8 * (uint64_t)m), scr_take(&s, 8 * (uint64_t)m)};
	struct ares_tensor_desc d, i, y, b;
	int cur = 0, rc = 0;
	uint64_t iva = dev_va_of(e, n->in[1]), ies = art_dtype_size(ix->dtype);
	int idt = dev_dtype(ix->dtype);
	for (int64_t j = 0; j < q && !rc; j++) {
		int64_t dim = x->dims[bd + j];
		rc = arange(e, ART_INT64, seq, dim, 0, 0, 0, rs[bd + j], inc);
		vdesc(&d, seq, ARES_DTYPE_I64, 1, &dim, NULL);
		vdesc(&i, iva + (uint64_t)j * ies, idt, rl, ld, lst);
		vdesc(&y, j ? t : g[cur], ARES_DTYPE_I64, rl, ld, NULL);
		rc = rc ? rc : gather(e, 0, &d, &i, &y);
		if (j && !rc) {
			vdesc(&i, g[cur], ARES_DTYPE_I64, rl, ld, NULL);
			vdesc(&b, t, ARES_DTYPE_I64, rl, ld, NULL);
			vdesc(&y, g[!cur], ARES_DTYPE_I64, rl, ld, NULL);
			rc = elt(e, ARES_ELT_ADD, 2, &i, &b, NULL, &y);
			cur = !cur;
		}
	}
	for (int k = 0; k < bd && !rc; k++) {
		int64_t bs[ART_MAX_DIMS] = {0};
		bs[k] = 1;
		rc = arange(e, ART_INT64, seq, x->dims[k], 0, 0, 0, rs[k], inc);
		vdesc(&i, g[cur], ARES_DTYPE_I64, rl, ld, NULL);
		vdesc(&b, seq, ARES_DTYPE_I64, rl, ld, bs);
		vdesc(&y, g[!cur], ARES_DTYPE_I64, rl, ld, NULL);
		rc = rc ? rc : elt(e, ARES_ELT_ADD, 2, &i, &b, NULL, &y);
		cur = !cur;
	}
	/* data [rows, rest...] -> y [leading index dims, rest...] */
	int64_t dd[ART_MAX_DIMS], yd[ART_MAX_DIMS];
	int dr = 0, yr = 0;
	dd[dr++] = rows;
	for (int k = 0; k < rl; k++)
		yd[yr++] = ld[k];
	for (int k = nrow; k < x->ndim; k++)
		dd[dr++] = yd[yr++] = x->dims[k];
	(void)one;
	dev_desc_dims(e, n->in[0], dr, dd, &d);
	vdesc(&i, g[cur], ARES_DTYPE_I64, rl, ld, NULL);
	dev_desc_dims(e, n->out[0], yr, yd, &y);
	return rc ? rc : gather(e, 0, &d, &i, &y);
}

static const struct dev_form dev_form_range = {
	.check = range_check,
	.shapes = range_shapes,
	.emit = range_emit,
	.operands = 0u,
	.scratch = range_scratch,
};

static const struct dev_form dev_form_onehot = {
	.check = onehot_check,
	.shapes = onehot_shapes,
	.emit = onehot_emit,
	.operands = 5u,
	.scratch = onehot_scratch,
};

static const struct dev_form dev_form_gather_elements = {
	.check = gather_index_check,
	.shapes = gather_elements_shapes,
	.emit = gather_elements_emit,
	.operands = 3u,
	.scratch = gather_elements_scratch,
};

static const struct dev_form dev_form_gather_nd = {
	.check = gather_index_check,
	.shapes = gather_nd_shapes,
	.emit = gather_nd_emit,
	.operands = 3u,
	.scratch = gather_nd_scratch,
};

static const struct dev_form dev_form_window = {
	.check = window_check,
	.shapes = window_shapes,
	.emit = window_emit,
	.operands = 0u,
	.scratch = window_scratch,
};

static const struct dev_op index_ops[] = {
	{"GatherElements", DK_MOVE, 0, &dev_form_gather_elements},
	{"GatherND", DK_MOVE, 0, &dev_form_gather_nd},
	{"OneHot", DK_MOVE, 0, &dev_form_onehot},
	{"Range", DK_MOVE, 0, &dev_form_range},
	{"HannWindow", DK_MOVE, WIN_HANN, &dev_form_window},
	{"HammingWindow", DK_MOVE, WIN_HAMMING, &dev_form_window},
	{"BlackmanWindow", DK_MOVE, WIN_BLACKMAN, &dev_form_window},
};

const struct dev_op_family dev_ops_index = DEV_OP_FAMILY(index_ops);
