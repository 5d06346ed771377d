// SPDX-License-Identifier: MIT
/*
 * Data movement composed from the DMA engine's COPY and FILL_TENSOR (and,
 * for scatter reductions, ELTWISE): Split, DepthToSpace, SpaceToDepth,
 * Tile, Expand, Trilu, EyeLike, ConstantOfShape, Dropout's mask,
 * ScatterElements/ScatterND, MaxUnpool, ReverseSequence and Compress.
 * Each is a choice of strides (zero strides repeat a source, a stride of
 * row + 1 walks a diagonal) over contiguous values; the parameters these
 * ops take as inputs (split sizes, repeats, shape, k, scatter and unpool
 * indices, sequence lengths, the condition) are read on the host when the
 * partition is planned and are part of the plan's key. Each op's row of
 * the device table: placement check, output shapes, commands
 * (device/ops.c).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares/op_table.h>

#include "core/half.h"
#include "device/common.h"

/* Most commands one node may emit: a form that would need more refuses
 * the run's shapes at plan time (the partition runs on the CPU). */
#define MOVE_MAX_CMDS 1024

/*
 * COPY of a view of RANK (up to 2 * ART_MAX_DIMS) dims SHAPE from X_VA to
 * Y_VA with signed element strides XS and YS, both of dtype DT (ARES_*).
 * The contract's strides are unsigned and its rank at most 6: dims of
 * size 1 are dropped, and dims with a negative stride, then the outermost
 * ones past rank 6, become loops of one COPY per index. With CB NULL only
 * counts the commands into *COUNT.
 */
static int copy_loops(struct ectx *e, int dt, uint64_t x_va, uint64_t y_va, int rank,
		      const int64_t *shape, const int64_t *xs, const int64_t *ys, int64_t *count)
{
	int64_t sh[2 * ART_MAX_DIMS], sx[2 * ART_MAX_DIMS], sy[2 * ART_MAX_DIMS];
	int r = 0;
	for (int k = 0; k < rank; k++) {
		if (shape[k] == 0)
			return 0;
		if (shape[k] == 1)
			continue;
		sh[r] = shape[k];
		sx[r] = xs[k];
		sy[r] = ys[k];
		r++;
	}
	/* The first dim that must be a loop: a negative stride, or the
	 * outermost when more than six remain. */
	int loop = -1;
	for (int k = 0; k < r && loop < 0; k++)
		if (sx[k] < 0 || sy[k] < 0)
			loop = k;
	if (loop < 0 && r > ARES_MAX_RANK)
		loop = 0;
	uint64_t es = (uint64_t)ares_dtype_size((uint32_t)dt);
	if (loop >= 0) {
		int64_t rest_sh[2 * ART_MAX_DIMS], rest_x[2 * ART_MAX_DIMS],
			rest_y[2 * ART_MAX_DIMS];
		int nr = 0;
		for (int k = 0; k < r; k++)
			if (k != loop) {
				rest_sh[nr] = sh[k];
				rest_x[nr] = sx[k];
				rest_y[nr] = sy[k];
				nr++;
			}
		for (int64_t i = 0; i < sh[loop]; i++) {
			int rc = copy_loops(e, dt, x_va + (uint64_t)(i * sx[loop]) * es,
					    y_va + (uint64_t)(i * sy[loop]) * es, nr, rest_sh,
					    rest_x, rest_y, count);
			if (rc)
				return rc;
		}
		return 0;
	}
	(*count)++;
	if (!e)
		return 0;
	struct ares_tensor_desc x = {0}, y = {0};
	x.va = x_va;
	y.va = y_va;
	x.dtype = y.dtype = (uint16_t)dt;
	x.rank = y.rank = (uint16_t)(r ? r : 1);
	x.shape[0] = y.shape[0] = 1;
	for (int k = 0; k < r; k++) {
		x.shape[k] = y.shape[k] = (uint64_t)sh[k];
		x.stride[k] = (uint64_t)sx[k];
		y.stride[k] = (uint64_t)sy[k];
	}
	return dev_done(e, accel_cmdbuf_copy(e->cb, &x, &y));
}

int dev_copy_signed(struct ectx *e, int dt, uint64_t x_va, uint64_t y_va, int rank,
		    const int64_t *shape, const int64_t *xs, const int64_t *ys)
{
	int64_t count = 0;
	return copy_loops(e, dt, x_va, y_va, rank, shape, xs, ys, &count);
}

int64_t dev_copy_signed_count(int rank, const int64_t *shape, const int64_t *xs, const int64_t *ys)
{
	int64_t count = 0;
	copy_loops(NULL, ARES_DTYPE_U8, 0, 0, rank, shape, xs, ys, &count);
	return count;
}

/* Row-major element strides of DIMS. */
static void row_major(int rank, const int64_t *dims, int64_t *st)
{
	int64_t s = 1;
	for (int k = rank - 1; k >= 0; k--) {
		st[k] = s;
		s *= dims[k];
	}
}

static int fill(struct ectx *e, uint64_t value, struct ares_tensor_desc *y)
{
	for (int k = 0; k < y->rank; k++)
		if (!y->shape[k])
			return 0;
	return dev_done(e, accel_cmdbuf_fill_tensor(e->cb, value, y));
}

/* The pattern of 1 in dtype DT (ONNX), for FILL_TENSOR. */
static uint64_t one_bits(int dt)
{
	switch (dt) {
	case ART_FLOAT:
		return F32_BITS(1.0f);
	case ART_FLOAT16:
		return rt_f16_from_d(1.0);
	case ART_BFLOAT16:
		return rt_bf16_from_d(1.0);
	default:
		return 1;
	}
}

/* ------------------------------------------------------------- Split */

/* Part sizes along AXIS of a dim D into NOUT outputs: input 1, the split
 * attribute, or equal parts (the last smaller), as the CPU kernel. */
static int split_sizes(struct art_session *s, const struct rt_node *n, int64_t d, int64_t *sizes)
{
	int ns = n->nin > 1 && n->in[1] >= 0 ? dev_const_ints(s, n, 1, sizes, n->nout)
					     : rt_attr_ints_capped(n, "split", sizes, n->nout);
	int64_t sum = 0;
	if (n->nin > 1 && n->in[1] >= 0 && ns < 0)
		return -1;
	if (ns < 0) {
		int64_t k = n->nout, part = (d + k - 1) / k;
		for (int i = 0; i < k; i++) {
			sizes[i] = d - sum < part ? d - sum : part;
			sum += sizes[i];
		}
		return 0;
	}
	for (int i = 0; i < ns; i++) {
		if (sizes[i] < 0)
			return -1;
		sum += sizes[i];
	}
	return ns == n->nout && sum == d ? 0 : -1;
}

static const char *split_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	if (n->nout > 64)
		return "Split into more than 64 outputs";
	for (int j = 0; j < n->nout; j++)
		if (n->out[j] < 0)
			return "Split with an unused output";
	if (!dev_plan_known(c->s, n, 1))
		return "Split sizes computed on the device";
	return NULL;
}

static int split_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), x->ndim);
	int64_t sizes[64];
	if (a < 0 || a >= x->ndim)
		return dev_bad(c->s, n, "axis out of range");
	if (split_sizes(c->s, n, x->dims[a], sizes))
		return dev_bad(c->s, n, "split sizes do not add up to the axis");
	for (int j = 0; j < n->nout; j++) {
		int64_t dims[ART_MAX_DIMS];
		memcpy(dims, x->dims, sizeof(dims));
		dims[a] = sizes[j];
		dev_set_out(&c->dv[n->out[j]], x->dtype, x->ndim, dims);
	}
	return 0;
}

static int split_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *xv = &e->dv[n->in[0]];
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), xv->ndim), at = 0;
	int64_t sizes[64];
	split_sizes(e->s, n, xv->dims[a], sizes);
	struct ares_tensor_desc x, y;
	for (int j = 0; j < n->nout; j++) {
		dev_desc(e, n->in[0], &x);
		dev_desc(e, n->out[j], &y);
		x.va += (uint64_t)at * x.stride[a] * art_dtype_size(xv->dtype);
		x.shape[a] = (uint64_t)sizes[j];
		at += sizes[j];
		int rc = dev_emit_copy_view(e, &x, &y);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---------------------------------------- DepthToSpace, SpaceToDepth */

static const char *depth_space_check(const struct dev_check *c)
{
	if (rt_attr_i(c->n, "blocksize", 0) < 1)
		return "blocksize below 1";
	return NULL;
}

static int depth_space_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int64_t b = rt_attr_i(n, "blocksize", 0), od[4];
	int to_space = !strcmp(n->proto->op_type, "DepthToSpace");
	if (x->ndim != 4 || b < 1)
		return dev_bad(c->s, n, "needs a 4-D input and blocksize >= 1");
	int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
	if (to_space) {
		if (C % (b * b))
			return dev_bad(c->s, n, "channels not divisible by blocksize^2");
		od[0] = N, od[1] = C / (b * b), od[2] = H * b, od[3] = W * b;
	} else {
		if (H % b || W % b)
			return dev_bad(c->s, n, "H, W not divisible by blocksize");
		od[0] = N, od[1] = C * b * b, od[2] = H / b, od[3] = W / b;
	}
	dev_set_out(&c->dv[n->out[0]], x->dtype, 4, od);
	return 0;
}

/* One COPY between 6-D views: DepthToSpace reads X's channels as
 * (block row, block column, C') (DCR) or (C', block row, block column)
 * (CRD) into Y seen as [N, C', H, b, W, b]; SpaceToDepth reads X seen as
 * [N, C, H/b, b, W/b, b] into Y's channels (b, b, C). */
static int depth_space_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *xv = &e->dv[n->in[0]];
	int64_t b = rt_attr_i(n, "blocksize", 0);
	int64_t N = xv->dims[0], C = xv->dims[1], H = xv->dims[2], W = xv->dims[3];
	int64_t shape[6], xs[6], ys[6];
	if (!strcmp(n->proto->op_type, "DepthToSpace")) {
		int64_t Co = C / (b * b), HW = H * W;
		int crd = rt_attr_is(n, "mode", "CRD", 0);
		int64_t d[6] = {N, Co, H, b, W, b};
		memcpy(shape, d, sizeof(d));
		row_major(6, shape, ys);
		xs[0] = C * HW;
		xs[1] = crd ? b * b * HW : HW;
		xs[2] = W;
		xs[3] = crd ? b * HW : b * Co * HW;
		xs[4] = 1;
		xs[5] = crd ? HW : Co * HW;
	} else {
		int64_t Hb = H / b, Wb = W / b;
		int64_t d[6] = {N, b, b, C, Hb, Wb};
		memcpy(shape, d, sizeof(d));
		row_major(6, shape, ys);
		xs[0] = C * H * W;
		xs[1] = W;
		xs[2] = 1;
		xs[3] = H * W;
		xs[4] = b * W;
		xs[5] = b;
	}
	return dev_copy_signed(e, dev_dtype(xv->dtype), dev_va_of(e, n->in[0]),
			       dev_va_of(e, n->out[0]), 6, shape, xs, ys);
}

/* -------------------------------------------------------- Tile, Expand */

static const char *repeat_check(const struct dev_check *c)
{
	if (!dev_plan_known(c->s, c->n, 1))
		return c->n->proto->op_type[0] == 'T' ? "Tile repeats computed on the device"
						      : "Expand shape computed on the device";
	return NULL;
}

static int tile_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int64_t rep[ART_MAX_DIMS], od[ART_MAX_DIMS];
	if (dev_const_ints(c->s, n, 1, rep, ART_MAX_DIMS) != x->ndim)
		return dev_bad(c->s, n, "repeats must have one value per dim");
	for (int k = 0; k < x->ndim; k++) {
		if (rep[k] < 0)
			return dev_bad(c->s, n, "negative repeat");
		od[k] = x->dims[k] * rep[k];
	}
	int64_t shape[2 * ART_MAX_DIMS], xs[2 * ART_MAX_DIMS], ys[2 * ART_MAX_DIMS];
	for (int k = 0; k < x->ndim; k++) {
		shape[2 * k] = rep[k];
		shape[2 * k + 1] = x->dims[k];
		xs[2 * k] = ys[2 * k] = ys[2 * k + 1] = 0;
		xs[2 * k + 1] = 1;
	}
	if (dev_copy_signed_count(2 * x->ndim, shape, xs, ys) > MOVE_MAX_CMDS)
		return dev_bad(c->s, n, "repeats past rank 6 need too many copies");
	dev_set_out(&c->dv[n->out[0]], x->dtype, x->ndim, od);
	return 0;
}

/* Y seen as [rep0, d0, rep1, d1, ...] reads X with stride 0 on every
 * repeat. */
static int tile_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *xv = &e->dv[n->in[0]];
	int64_t rep[ART_MAX_DIMS], xst[ART_MAX_DIMS], shape[2 * ART_MAX_DIMS];
	int64_t xs[2 * ART_MAX_DIMS], ys[2 * ART_MAX_DIMS];
	int r = xv->ndim;
	dev_const_ints(e->s, n, 1, rep, ART_MAX_DIMS);
	row_major(r, xv->dims, xst);
	for (int k = 0; k < r; k++) {
		shape[2 * k] = rep[k];
		shape[2 * k + 1] = xv->dims[k];
		xs[2 * k] = 0;
		xs[2 * k + 1] = xst[k];
	}
	row_major(2 * r, shape, ys);
	return dev_copy_signed(e, dev_dtype(xv->dtype), dev_va_of(e, n->in[0]),
			       dev_va_of(e, n->out[0]), 2 * r, shape, xs, ys);
}

static int expand_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int64_t sh[ART_MAX_DIMS], od[ART_MAX_DIMS];
	int ns = dev_const_ints(c->s, n, 1, sh, ART_MAX_DIMS);
	if (ns < 0)
		return dev_bad(c->s, n, "shape is not 1-D int64 of at most 8 dims");
	int r = ns > x->ndim ? ns : x->ndim;
	for (int k = 0; k < r; k++) {
		int i = k - (r - x->ndim), j = k - (r - ns);
		int64_t a = i >= 0 ? x->dims[i] : 1, b = j >= 0 ? sh[j] : 1;
		if (a != b && a != 1 && b != 1)
			return dev_bad(c->s, n, "shape does not broadcast");
		od[k] = a == 1 ? b : a;
	}
	dev_set_out(&c->dv[n->out[0]], x->dtype, r, od);
	return 0;
}

static int expand_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *ov = &e->dv[n->out[0]];
	struct ares_tensor_desc x, y;
	dev_desc_bcast(e, n->in[0], ov->ndim, ov->dims, &x);
	dev_desc(e, n->out[0], &y);
	return dev_emit_copy_view(e, &x, &y);
}

/* --------------------------------------------------------------- Trilu */

static const char *trilu_check(const struct dev_check *c)
{
	if (!dev_plan_known(c->s, c->n, 1))
		return "Trilu k computed on the device";
	return NULL;
}

static int trilu_k(struct art_session *s, const struct rt_node *n, int64_t *k)
{
	*k = 0;
	if (n->nin < 2 || n->in[1] < 0)
		return 0;
	return dev_const_ints(s, n, 1, k, 1) == 1 ? 0 : -1;
}

/* Columns [*lo, *hi) of row R that Trilu keeps. */
static void trilu_span(const struct rt_node *n, int64_t k, int64_t r, int64_t cols, int64_t *lo,
		       int64_t *hi)
{
	int64_t a = 0, b = cols;
	if (rt_attr_i(n, "upper", 1))
		a = r + k;
	else
		b = r + k + 1;
	*lo = a < 0 ? 0 : a > cols ? cols : a;
	*hi = b < *lo ? *lo : b > cols ? cols : b;
}

static int trilu_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int64_t k;
	if (x->ndim < 2)
		return dev_bad(c->s, n, "input rank below 2");
	if (trilu_k(c->s, n, &k))
		return dev_bad(c->s, n, "k is not one integer");
	if (x->dims[x->ndim - 2] + 1 > MOVE_MAX_CMDS)
		return dev_bad(c->s, n, "more rows than the device form copies one by one");
	dev_set_out(&c->dv[n->out[0]], x->dtype, x->ndim, x->dims);
	return 0;
}

/* Zeros, then one COPY per row of its kept columns (across the batch). */
static int trilu_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *xv = &e->dv[n->in[0]];
	int r = xv->ndim;
	int64_t k, rows = xv->dims[r - 2], cols = xv->dims[r - 1];
	trilu_k(e->s, n, &k);
	struct ares_tensor_desc x, y;
	dev_desc(e, n->out[0], &y);
	int rc = fill(e, 0, &y);
	if (rc)
		return rc;
	uint64_t es = art_dtype_size(xv->dtype);
	for (int64_t i = 0; i < rows; i++) {
		int64_t lo, hi;
		trilu_span(n, k, i, cols, &lo, &hi);
		if (hi == lo)
			continue;
		dev_desc(e, n->in[0], &x);
		dev_desc(e, n->out[0], &y);
		uint64_t off = ((uint64_t)i * (uint64_t)cols + (uint64_t)lo) * es;
		x.va += off;
		y.va += off;
		/* Drop the row dim: [batch..., kept columns]. */
		x.shape[r - 2] = y.shape[r - 2] = (uint64_t)(hi - lo);
		x.stride[r - 2] = y.stride[r - 2] = 1;
		x.shape[r - 1] = y.shape[r - 1] = 0;
		x.stride[r - 1] = y.stride[r - 1] = 0;
		x.rank = y.rank = (uint16_t)(r - 1);
		if ((rc = dev_emit_copy_view(e, &x, &y)))
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------- EyeLike */

static int eyelike_dtype(const struct rt_node *n, int x)
{
	return (int)rt_attr_i(n, "dtype", x);
}

static const char *eyelike_check(const struct dev_check *c)
{
	int dt = eyelike_dtype(c->n, c->x);
	if (dev_dtype(dt) < 0) {
		snprintf(c->buf, c->len, "EyeLike to dtype %s", rt_dtype_name(dt));
		return c->buf;
	}
	return NULL;
}

static int eyelike_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	if (x->ndim != 2)
		return dev_bad(c->s, n, "input must be 2-D");
	dev_set_out(&c->dv[n->out[0]], eyelike_dtype(n, x->dtype), 2, x->dims);
	return 0;
}

/* Zeros, then ones on the diagonal: a 1-D view of stride cols + 1. */
static int eyelike_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *ov = &e->dv[n->out[0]];
	int64_t rows = ov->dims[0], cols = ov->dims[1], k = rt_attr_i(n, "k", 0);
	struct ares_tensor_desc y;
	dev_desc(e, n->out[0], &y);
	int rc = fill(e, 0, &y);
	if (rc)
		return rc;
	int64_t r0 = k < 0 ? -k : 0, c0 = k < 0 ? 0 : k;
	int64_t len = rows - r0 < cols - c0 ? rows - r0 : cols - c0;
	if (len <= 0)
		return 0;
	y.va += (uint64_t)(r0 * cols + c0) * art_dtype_size(ov->dtype);
	y.rank = 1;
	y.shape[0] = (uint64_t)len;
	y.stride[0] = (uint64_t)cols + 1;
	y.shape[1] = y.stride[1] = 0;
	return fill(e, one_bits(ov->dtype), &y);
}

/* ----------------------------------------------------- ConstantOfShape */

/* The fill element's dtype and bits (float 0 without a value). */
static int cos_value(const struct rt_node *n, int *dt, uint64_t *bits)
{
	const Onnx__AttributeProto *a = rt_attr(n, "value");
	*dt = ART_FLOAT;
	*bits = 0;
	if (!a || !a->t)
		return 0;
	struct art_tensor t = {0};
	void *buf = NULL;
	char err[160];
	if (rt_tensor_from_proto(a->t, ".", &t, &buf, err, sizeof(err)))
		return -1;
	int rc = art_tensor_elems(&t) == 1 && art_dtype_size(t.dtype) <= 8 ? 0 : -1;
	if (!rc) {
		*dt = t.dtype;
		memcpy(bits, buf, art_dtype_size(t.dtype));
	}
	free(buf);
	return rc;
}

static const char *cos_check(const struct dev_check *c)
{
	int dt;
	uint64_t bits;
	if (cos_value(c->n, &dt, &bits))
		return "ConstantOfShape value is not one element";
	if (dev_dtype(dt) < 0) {
		snprintf(c->buf, c->len, "ConstantOfShape of dtype %s", rt_dtype_name(dt));
		return c->buf;
	}
	if (!dev_plan_known(c->s, c->n, 0))
		return "ConstantOfShape shape computed on the device";
	return NULL;
}

static int cos_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	int64_t od[ART_MAX_DIMS];
	int dt;
	uint64_t bits;
	int nd = dev_const_ints(c->s, n, 0, od, ART_MAX_DIMS);
	if (nd < 0 || nd > ARES_MAX_RANK || cos_value(n, &dt, &bits))
		return dev_bad(c->s, n, "shape is not 1-D int64 of at most 6 dims");
	for (int k = 0; k < nd; k++)
		if (od[k] < 0)
			return dev_bad(c->s, n, "negative dim");
	dev_set_out(&c->dv[n->out[0]], dt, nd, od);
	return 0;
}

static int cos_emit(struct ectx *e)
{
	int dt;
	uint64_t bits;
	struct ares_tensor_desc y;
	cos_value(e->n, &dt, &bits);
	dev_desc(e, e->n->out[0], &y);
	if (!y.rank) {
		y.rank = 1;
		y.shape[0] = y.stride[0] = 1;
	}
	return fill(e, bits, &y);
}

/* ------------------------------------------------------ Dropout's mask */

static const char *dropout_check(const struct dev_check *c)
{
	if (c->n->nout > 1 && !dev_plan_known(c->s, c->n, 2))
		return "Dropout training_mode computed on the device";
	return NULL;
}

/* Y is a view of X (inference: the identity); the mask, when asked for,
 * is all true. */
static int dropout_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	struct dev_val *o = &c->dv[n->out[0]];
	int64_t train = 0;
	if (n->nin > 2 && n->in[2] >= 0 && dev_const_ints(c->s, n, 2, &train, 1) != 1)
		return dev_bad(c->s, n, "training_mode is not one value");
	if (train && n->nout > 1 && n->out[1] >= 0)
		return dev_bad(c->s, n, "training mode (a random mask) on the device");
	dev_set_out(o, x->dtype, x->ndim, x->dims);
	o->root = x->root;
	if (n->nout > 1 && n->out[1] >= 0)
		dev_set_out(&c->dv[n->out[1]], ART_BOOL, x->ndim, x->dims);
	return 0;
}

static int dropout_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct ares_tensor_desc y;
	if (n->nout < 2 || n->out[1] < 0)
		return 0;
	dev_desc(e, n->out[1], &y);
	if (!y.rank) {
		y.rank = 1;
		y.shape[0] = y.stride[0] = 1;
	}
	return fill(e, 1, &y);
}

/* --------------------------------------- ScatterElements, ScatterND */

/* ELTWISE op of a reduction attribute (0: none), or -1 when the device
 * form has none. */
static int scatter_reduction(const struct rt_node *n)
{
	if (rt_attr_is(n, "reduction", "none", 1))
		return 0;
	if (rt_attr_is(n, "reduction", "add", 0))
		return ARES_ELT_ADD;
	if (rt_attr_is(n, "reduction", "mul", 0))
		return ARES_ELT_MUL;
	return -1;
}

static const char *scatter_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	int red = scatter_reduction(n);
	if (n->nin != 3)
		return "Scatter without updates";
	if (!dev_is_int(c->y))
		return "Scatter indices are not int32 or int64";
	if (red < 0)
		return "Scatter reduction other than none, add or mul";
	/* Integer ELTWISE arithmetic is exact only in I32 and I64. */
	if (red && !dev_is_float(c->x) && !dev_is_int(c->x)) {
		snprintf(c->buf, c->len,
			 "Scatter reduction on dtype %s not supported by the device",
			 rt_dtype_name(c->x));
		return c->buf;
	}
	if (!dev_plan_known(c->s, n, 1))
		return "Scatter indices computed on the device (each update is a COPY "
		       "placed when the plan is built)";
	return NULL;
}

/* Element I of an int32 or int64 index tensor. */
static int64_t index_at(const struct art_tensor *t, int64_t i)
{
	return t->dtype == ART_INT32 ? ((const int32_t *)t->data)[i]
				     : ((const int64_t *)t->data)[i];
}

/* The row-major successor of IDX within DIMS. */
static void next_index(int64_t *idx, const int64_t *dims, int nd)
{
	for (int k = nd - 1; k >= 0; k--) {
		if (++idx[k] < dims[k])
			return;
		idx[k] = 0;
	}
}

/* Element offset in the output of each update run of LEN elements: with
 * OFF NULL, only checks and counts the runs (-1: bad indices). */
static int64_t scatter_runs(struct art_session *s, const struct rt_node *n, const struct dev_val *x,
			    const struct dev_val *up, int64_t *off, int64_t *len)
{
	const struct art_tensor *ix = &s->vals[n->in[1]].t;
	int64_t cnt = art_tensor_elems(ix), st[ART_MAX_DIMS];
	row_major(x->ndim, x->dims, st);
	if (!strcmp(n->proto->op_type, "ScatterND")) {
		int64_t q = ix->ndim ? ix->dims[ix->ndim - 1] : 0;
		if (ix->ndim < 1 || q < 1 || q > x->ndim)
			return -1;
		int64_t tuples = cnt / q, slice = dev_prod(x->dims, (int)q, x->ndim);
		if (dev_prod(up->dims, 0, up->ndim) != tuples * slice)
			return -1;
		*len = slice;
		for (int64_t t = 0; t < tuples; t++) {
			int64_t o = 0;
			for (int64_t k = 0; k < q; k++) {
				int64_t v = index_at(ix, t * q + k), d = x->dims[k];
				v = v < 0 ? v + d : v;
				if (v < 0 || v >= d)
					return -1;
				o += v * st[k];
			}
			if (off)
				off[t] = o;
		}
		return tuples;
	}
	int64_t a = dev_norm_axis(rt_attr_i(n, "axis", 0), x->ndim), idx[ART_MAX_DIMS] = {0};
	if (a < 0 || a >= x->ndim || ix->ndim != x->ndim || up->ndim != ix->ndim ||
	    memcmp(up->dims, ix->dims, sizeof(int64_t) * (size_t)ix->ndim))
		return -1;
	for (int k = 0; k < x->ndim; k++)
		if (k != a && ix->dims[k] > x->dims[k])
			return -1;
	*len = 1;
	for (int64_t i = 0; i < cnt; i++, next_index(idx, ix->dims, ix->ndim)) {
		int64_t o = 0;
		for (int k = 0; k < x->ndim; k++) {
			int64_t v = idx[k];
			if (k == a) {
				v = index_at(ix, i);
				v = v < 0 ? v + x->dims[k] : v;
				if (v < 0 || v >= x->dims[k])
					return -1;
			}
			o += v * st[k];
		}
		if (off)
			off[i] = o;
	}
	return cnt;
}

static int scatter_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]], *up = &c->dv[n->in[2]];
	int64_t len;
	if (!dev_host_value(c->s, n, 1))
		return dev_bad(c->s, n, "indices not known when planning");
	int64_t runs = scatter_runs(c->s, n, x, up, NULL, &len);
	if (runs < 0 || up->dtype != x->dtype)
		return dev_bad(c->s, n, "indices out of range or shapes that do not match");
	if (runs * (scatter_reduction(n) ? 2 : 1) + 1 > MOVE_MAX_CMDS)
		return dev_bad(c->s, n, "more updates than the device form copies one by one");
	dev_set_out(&c->dv[n->out[0]], x->dtype, x->ndim, x->dims);
	return 0;
}

static uint64_t scatter_scratch(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]], *up = &c->dv[n->in[2]];
	int64_t len = 0;
	if (!scatter_reduction(n) || scatter_runs(c->s, n, x, up, NULL, &len) < 0)
		return 0;
	return ((uint64_t)len * art_dtype_size(x->dtype) + 7) / 4 + 2;
}

/* Y = X; then each update run is a COPY into Y (in order, so the last of
 * duplicates wins as on the CPU), or with a reduction an ELTWISE of Y's
 * run and the update into scratch and a COPY back. */
static int scatter_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *x = &e->dv[n->in[0]], *up = &e->dv[n->in[2]];
	int op = scatter_reduction(n);
	int64_t len, runs = scatter_runs(e->s, n, x, up, NULL, &len);
	int64_t *off = malloc(sizeof(int64_t) * (size_t)(runs + 1));
	struct ares_tensor_desc a, y;
	if (!off)
		return -ENOMEM;
	scatter_runs(e->s, n, x, up, off, &len);
	dev_desc(e, n->in[0], &a);
	dev_desc(e, n->out[0], &y);
	int rc = dev_emit_copy_view(e, &a, &y);
	uint64_t es = art_dtype_size(x->dtype), yva = dev_va_of(e, n->out[0]);
	uint64_t uva = dev_va_of(e, n->in[2]);
	uint64_t tmp = e->arena_va + e->dv[e->s->nvals + (n - e->s->nodes)].off;
	for (int64_t i = 0; i < runs && !rc && len; i++) {
		struct ares_tensor_desc u, t, o;
		dev_desc_dims(e, n->in[2], 1, &len, &u);
		u.va = uva + (uint64_t)(i * len) * es;
		dev_desc_dims(e, n->out[0], 1, &len, &o);
		o.va = yva + (uint64_t)off[i] * es;
		if (!op) {
			rc = dev_done(e, accel_cmdbuf_copy(e->cb, &u, &o));
			continue;
		}
		struct ares_eltwise_params p = {.op = (uint32_t)op};
		t = o;
		t.va = tmp;
		const struct ares_tensor_desc *in[2] = {&o, &u};
		rc = dev_done(e, accel_cmdbuf_eltwise(e->cb, &p, 2, in, &t));
		rc = rc ? rc : dev_done(e, accel_cmdbuf_copy(e->cb, &t, &o));
	}
	free(off);
	return rc;
}

/* ---------------------------------------------------------- MaxUnpool */

static const char *unpool_check(const struct dev_check *c)
{
	const struct rt_node *n = c->n;
	if (!dev_is_int(c->y))
		return "MaxUnpool indices are not int32 or int64";
	if (!dev_plan_known(c->s, n, 1))
		return "MaxUnpool indices computed on the device (each element is a COPY "
		       "placed when the plan is built)";
	if (!dev_plan_known(c->s, n, 2))
		return "MaxUnpool output_shape computed on the device";
	return NULL;
}

/* As the CPU kernel (cpu/kernels_unpool.c): the shape the window
 * attributes imply (DEF), over which the indices count, and the output's
 * (OD: output_shape when given, at least DEF). -1 when they do not fit. */
static int unpool_dims(struct art_session *s, const struct rt_node *n, const struct dev_val *x,
		       int64_t *def, int64_t *od)
{
	int64_t ks[ART_MAX_DIMS], st[ART_MAX_DIMS], pads[2 * ART_MAX_DIMS];
	int nsp = rt_attr_ints(n, "kernel_shape", ks, ART_MAX_DIMS);
	if (nsp < 1 || x->ndim != nsp + 2)
		return -1;
	for (int i = 0; i < nsp; i++) {
		st[i] = 1;
		pads[i] = pads[nsp + i] = 0;
	}
	int c = rt_attr_ints(n, "strides", st, nsp), p = rt_attr_ints(n, "pads", pads, 2 * nsp);
	if ((c >= 0 && c != nsp) || (p >= 0 && p != 2 * nsp))
		return -1;
	def[0] = od[0] = x->dims[0];
	def[1] = od[1] = x->dims[1];
	for (int i = 0; i < nsp; i++) {
		if (ks[i] < 1 || st[i] < 1 || pads[i] < 0 || pads[nsp + i] < 0)
			return -1;
		def[2 + i] = od[2 + i] =
			(x->dims[2 + i] - 1) * st[i] + ks[i] - pads[i] - pads[nsp + i];
	}
	if (n->nin > 2 && n->in[2] >= 0) {
		const struct art_tensor *os = &s->vals[n->in[2]].t;
		if (!os->data || os->dtype != ART_INT64 || art_tensor_elems(os) != x->ndim)
			return -1;
		for (int i = 0; i < x->ndim; i++)
			od[i] = ((const int64_t *)os->data)[i];
	}
	for (int i = 0; i < x->ndim; i++)
		if (def[i] < 0 || od[i] < def[i])
			return -1;
	return 0;
}

/* Output element offset of input element I; -1 when its index is out of
 * range. */
static int64_t unpool_at(const struct art_tensor *ix, int64_t i, int nd, const int64_t *def,
			 const int64_t *od)
{
	int64_t at = index_at(ix, i), to = 0, stride = 1;
	if (at < 0 || at >= dev_prod(def, 0, nd))
		return -1;
	for (int d = nd - 1; d >= 0; d--) {
		to += at % def[d] * stride;
		at /= def[d];
		stride *= od[d];
	}
	return to;
}

static int unpool_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int64_t def[ART_MAX_DIMS], od[ART_MAX_DIMS];
	if (!dev_host_value(c->s, n, 1))
		return dev_bad(c->s, n, "indices not known when planning");
	const struct art_tensor *it = &c->s->vals[n->in[1]].t;
	if (unpool_dims(c->s, n, x, def, od) || it->ndim != x->ndim ||
	    memcmp(it->dims, x->dims, sizeof(int64_t) * (size_t)x->ndim))
		return dev_bad(c->s, n, "attributes, indices or output_shape do not fit the input");
	int64_t cnt = art_tensor_elems(it);
	if (cnt + 1 > MOVE_MAX_CMDS)
		return dev_bad(c->s, n, "more elements than the device form copies one by one");
	for (int64_t i = 0; i < cnt; i++)
		if (unpool_at(it, i, x->ndim, def, od) < 0)
			return dev_bad(c->s, n, "an index outside the unpooled output");
	dev_set_out(&c->dv[n->out[0]], x->dtype, x->ndim, od);
	return 0;
}

/* Y = 0; then each input element is a COPY to its index (in order, so
 * the last of duplicates wins as on the CPU). */
static int unpool_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *x = &e->dv[n->in[0]];
	const struct art_tensor *it = &e->s->vals[n->in[1]].t;
	int64_t def[ART_MAX_DIMS], od[ART_MAX_DIMS], one = 1;
	unpool_dims(e->s, n, x, def, od);
	struct ares_tensor_desc y;
	dev_desc(e, n->out[0], &y);
	int rc = fill(e, 0, &y);
	uint64_t es = art_dtype_size(x->dtype), xva = dev_va_of(e, n->in[0]);
	uint64_t yva = dev_va_of(e, n->out[0]);
	for (int64_t i = 0, cnt = art_tensor_elems(it); i < cnt && !rc; i++) {
		struct ares_tensor_desc u, o;
		dev_desc_dims(e, n->in[0], 1, &one, &u);
		u.va = xva + (uint64_t)i * es;
		dev_desc_dims(e, n->out[0], 1, &one, &o);
		o.va = yva + (uint64_t)unpool_at(it, i, x->ndim, def, od) * es;
		rc = dev_done(e, accel_cmdbuf_copy(e->cb, &u, &o));
	}
	return rc;
}

/* ----------------------------------------------------- ReverseSequence */

static const char *revseq_check(const struct dev_check *c)
{
	if (!dev_plan_known(c->s, c->n, 1))
		return "ReverseSequence lengths computed on the device";
	return NULL;
}

/* The time and batch axes, and each batch's length (NULL: check only). */
static int revseq_params(struct art_session *s, const struct rt_node *n, const struct dev_val *x,
			 int64_t *ta, int64_t *ba, int64_t *lens)
{
	*ba = dev_norm_axis(rt_attr_i(n, "batch_axis", 1), x->ndim);
	*ta = dev_norm_axis(rt_attr_i(n, "time_axis", 0), x->ndim);
	if (x->ndim < 2 || *ba < 0 || *ta < 0 || *ba >= x->ndim || *ta >= x->ndim || *ba == *ta ||
	    !dev_host_value(s, n, 1))
		return -1;
	const struct art_tensor *t = &s->vals[n->in[1]].t;
	if (art_tensor_elems(t) != x->dims[*ba] || (t->dtype != ART_INT32 && t->dtype != ART_INT64))
		return -1;
	for (int64_t b = 0; b < x->dims[*ba]; b++) {
		int64_t l = index_at(t, b);
		if (l < 0 || l > x->dims[*ta])
			return -1;
		if (lens)
			lens[b] = l;
	}
	return 0;
}

static int revseq_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int64_t ta, ba;
	if (revseq_params(c->s, n, x, &ta, &ba, NULL))
		return dev_bad(c->s, n, "bad axes, or lengths not in [0, time steps]");
	if (x->dims[ta] * x->dims[ba] + 1 > MOVE_MAX_CMDS)
		return dev_bad(c->s, n, "more steps than the device form copies one by one");
	dev_set_out(&c->dv[n->out[0]], x->dtype, x->ndim, x->dims);
	return 0;
}

/* Y = X, then each batch's first len steps again in reverse (a negative
 * stride: one COPY per step). */
static int revseq_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *x = &e->dv[n->in[0]];
	int64_t ta, ba, st[ART_MAX_DIMS], shape[ART_MAX_DIMS], xs[ART_MAX_DIMS], ys[ART_MAX_DIMS];
	struct ares_tensor_desc a, y;
	revseq_params(e->s, n, x, &ta, &ba, NULL);
	int64_t *lens = malloc(sizeof(int64_t) * (size_t)(x->dims[ba] + 1));
	if (!lens)
		return -ENOMEM;
	revseq_params(e->s, n, x, &ta, &ba, lens);
	dev_desc(e, n->in[0], &a);
	dev_desc(e, n->out[0], &y);
	int rc = dev_emit_copy_view(e, &a, &y);
	row_major(x->ndim, x->dims, st);
	uint64_t es = art_dtype_size(x->dtype), xva = dev_va_of(e, n->in[0]);
	uint64_t yva = dev_va_of(e, n->out[0]);
	for (int64_t b = 0; b < x->dims[ba] && !rc; b++) {
		if (lens[b] < 2)
			continue;
		for (int k = 0; k < x->ndim; k++) {
			shape[k] = x->dims[k];
			xs[k] = ys[k] = st[k];
		}
		shape[ba] = 1;
		shape[ta] = lens[b];
		xs[ta] = -st[ta];
		uint64_t base = (uint64_t)(b * st[ba]) * es;
		rc = dev_copy_signed(e, dev_dtype(x->dtype),
				     xva + base + (uint64_t)((lens[b] - 1) * st[ta]) * es,
				     yva + base, x->ndim, shape, xs, ys);
	}
	free(lens);
	return rc;
}

/* ------------------------------------------------------------ Compress */

static const char *compress_check(const struct dev_check *c)
{
	if (!dev_plan_known(c->s, c->n, 1))
		return "Compress condition computed on the device (its output shape "
		       "depends on it)";
	return NULL;
}

static int cond_at(const struct art_tensor *t, int64_t i)
{
	switch (t->dtype) {
	case ART_BOOL:
	case ART_UINT8:
	case ART_INT8:
		return ((const uint8_t *)t->data)[i] != 0;
	case ART_INT32:
	case ART_FLOAT:
		return (((const uint32_t *)t->data)[i] &
			(t->dtype == ART_FLOAT ? 0x7fffffffu : ~0u)) != 0;
	case ART_INT64:
		return ((const int64_t *)t->data)[i] != 0;
	default:
		return -1;
	}
}

/* The length along the compressed axis (or of the flattened data) and
 * how many it keeps; -1 when the condition cannot be read. */
static int compress_params(struct art_session *s, const struct rt_node *n, const struct dev_val *x,
			   int64_t *axis, int64_t *len, int64_t *keep, int64_t *runs)
{
	const Onnx__AttributeProto *aa = rt_attr(n, "axis");
	*axis = aa ? dev_norm_axis(aa->i, x->ndim) : -1;
	if (aa && (*axis < 0 || *axis >= x->ndim))
		return -1;
	if (!dev_host_value(s, n, 1))
		return -1;
	const struct art_tensor *t = &s->vals[n->in[1]].t;
	int64_t nc = art_tensor_elems(t);
	*len = aa ? x->dims[*axis] : dev_prod(x->dims, 0, x->ndim);
	*keep = *runs = 0;
	for (int64_t i = 0, prev = 0; i < nc && i < *len; i++) {
		int c = cond_at(t, i);
		if (c < 0)
			return -1;
		*keep += c;
		*runs += c && !prev;
		prev = c;
	}
	return 0;
}

static int compress_shapes(const struct dev_shape *c)
{
	const struct rt_node *n = c->n;
	struct dev_val *x = &c->dv[n->in[0]];
	int64_t axis, len, keep, runs, od[ART_MAX_DIMS];
	if (compress_params(c->s, n, x, &axis, &len, &keep, &runs))
		return dev_bad(c->s, n, "axis out of range or condition of an unknown dtype");
	if (runs > MOVE_MAX_CMDS)
		return dev_bad(c->s, n, "more kept runs than the device form copies one by one");
	if (axis < 0) {
		dev_set_out(&c->dv[n->out[0]], x->dtype, 1, &keep);
		return 0;
	}
	memcpy(od, x->dims, sizeof(od));
	od[axis] = keep;
	dev_set_out(&c->dv[n->out[0]], x->dtype, x->ndim, od);
	return 0;
}

/* One COPY per run of kept indices along the axis (or of the flattened
 * data). */
static int compress_emit(struct ectx *e)
{
	const struct rt_node *n = e->n;
	struct dev_val *x = &e->dv[n->in[0]];
	int64_t axis, len, keep, runs;
	compress_params(e->s, n, x, &axis, &len, &keep, &runs);
	const struct art_tensor *t = &e->s->vals[n->in[1]].t;
	int64_t nc = art_tensor_elems(t), at = 0, total = dev_prod(x->dims, 0, x->ndim);
	int r = axis < 0 ? 1 : x->ndim;
	int64_t a = axis < 0 ? 0 : axis;
	const int64_t *dims = axis < 0 ? &total : x->dims;
	int rc = 0;
	for (int64_t i = 0; i < nc && i < len && !rc;) {
		if (!cond_at(t, i)) {
			i++;
			continue;
		}
		int64_t j = i;
		while (j < nc && j < len && cond_at(t, j))
			j++;
		struct ares_tensor_desc xd, yd;
		dev_desc_dims(e, n->in[0], r, dims, &xd);
		dev_desc(e, n->out[0], &yd);
		if (axis < 0)
			yd.stride[0] = 1;
		xd.va += (uint64_t)i * xd.stride[a] * art_dtype_size(x->dtype);
		xd.shape[a] = (uint64_t)(j - i);
		yd.va += (uint64_t)at * yd.stride[a] * art_dtype_size(x->dtype);
		yd.shape[a] = (uint64_t)(j - i);
		rc = dev_emit_copy_view(e, &xd, &yd);
		at += j - i;
		i = j;
	}
	return rc;
}

static const struct dev_form dev_form_revseq = {
	.check = revseq_check,
	.shapes = revseq_shapes,
	.emit = revseq_emit,
	.operands = 1u,
};

static const struct dev_form dev_form_compress = {
	.check = compress_check,
	.shapes = compress_shapes,
	.emit = compress_emit,
	.operands = 1u,
};

static const struct dev_form dev_form_scatter = {
	.check = scatter_check,
	.shapes = scatter_shapes,
	.emit = scatter_emit,
	.operands = 5u,
	.scratch = scatter_scratch,
};

static const struct dev_form dev_form_dropout = {
	.check = dropout_check,
	.shapes = dropout_shapes,
	.emit = dropout_emit,
	.operands = 1u,
	.all_outputs = 1,
};

static const struct dev_form dev_form_split = {
	.check = split_check,
	.shapes = split_shapes,
	.emit = split_emit,
	.operands = 1u,
	.all_outputs = 1,
};

static const struct dev_form dev_form_depth_space = {
	.check = depth_space_check,
	.shapes = depth_space_shapes,
	.emit = depth_space_emit,
	.operands = 1u,
};

static const struct dev_form dev_form_tile = {
	.check = repeat_check,
	.shapes = tile_shapes,
	.emit = tile_emit,
	.operands = 1u,
};

static const struct dev_form dev_form_expand = {
	.check = repeat_check,
	.shapes = expand_shapes,
	.emit = expand_emit,
	.operands = 1u,
};

static const struct dev_form dev_form_trilu = {
	.check = trilu_check,
	.shapes = trilu_shapes,
	.emit = trilu_emit,
	.operands = 1u,
};

static const struct dev_form dev_form_eyelike = {
	.check = eyelike_check,
	.shapes = eyelike_shapes,
	.emit = eyelike_emit,
	.operands = 1u,
};

static const struct dev_form dev_form_constant_of_shape = {
	.check = cos_check,
	.shapes = cos_shapes,
	.emit = cos_emit,
	.operands = 0u,
};

static const struct dev_form dev_form_unpool = {
	.check = unpool_check,
	.shapes = unpool_shapes,
	.emit = unpool_emit,
	.operands = 1u,
};

static const struct dev_op move_ops[] = {
	{"Compress", DK_MOVE, 0, &dev_form_compress},
	{"ConstantOfShape", DK_MOVE, 0, &dev_form_constant_of_shape},
	{"DepthToSpace", DK_MOVE, 0, &dev_form_depth_space},
	{"Dropout", DK_VIEW, 0, &dev_form_dropout},
	{"Expand", DK_MOVE, 0, &dev_form_expand},
	{"EyeLike", DK_MOVE, 0, &dev_form_eyelike},
	{"ReverseSequence", DK_MOVE, 0, &dev_form_revseq},
	{"Scatter", DK_MOVE, 0, &dev_form_scatter},
	{"ScatterElements", DK_MOVE, 0, &dev_form_scatter},
	{"ScatterND", DK_MOVE, 0, &dev_form_scatter},
	{"SpaceToDepth", DK_MOVE, 0, &dev_form_depth_space},
	{"Split", DK_MOVE, 0, &dev_form_split},
	{"Tile", DK_MOVE, 0, &dev_form_tile},
	{"Trilu", DK_MOVE, 0, &dev_form_trilu},
	{"MaxUnpool", DK_MOVE, 0, &dev_form_unpool},
};

const struct dev_op_family dev_ops_move = DEV_OP_FAMILY(move_ops);
