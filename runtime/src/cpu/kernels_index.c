// SPDX-License-Identifier: MIT
/* CPU reference kernels: ops that select or place elements by index or
 * mask (GatherElements, GatherND, ScatterElements, ScatterND, OneHot,
 * NonZero, Compress, Trilu, EyeLike). Indices may be negative (counted
 * from the end) and are range-checked before anything is written. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"

static int is_index(const struct art_tensor *t)
{
	return t->dtype == ART_INT64 || t->dtype == ART_INT32;
}

static int64_t strides_of(const int64_t *dims, int nd, int64_t *st)
{
	int64_t acc = 1;
	for (int i = nd - 1; i >= 0; i--) {
		st[i] = acc;
		acc *= dims[i];
	}
	return acc;
}

static int k_gather_elements(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *ix = rt_in(s, n, 1);
	int axis = rt_axis(rt_attr_i(n, "axis", 0), x->ndim);
	NEED(axis >= 0 && is_index(ix) && ix->ndim == x->ndim,
	     "node '%s' (GatherElements): needs int indices of the data's rank and a valid axis",
	     n->name);
	for (int a = 0; a < x->ndim; a++)
		NEED(a == axis || ix->dims[a] <= x->dims[a],
		     "node '%s' (GatherElements): indices dim %d is %lld, data's only %lld",
		     n->name, a, (long long)ix->dims[a], (long long)x->dims[a]);
	int64_t st[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0}, cnt = art_tensor_elems(ix);
	strides_of(x->dims, x->ndim, st);
	for (int64_t i = 0; i < cnt; i++) {
		int64_t v = rt_get_i(ix, i), d = x->dims[axis];
		NEED(v >= -d && v < d, "node '%s' (GatherElements): index %lld out of range",
		     n->name, (long long)v);
	}
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, ix->ndim, ix->dims, (void **)&o);
	if (rc)
		return rc;
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, ix->dims, ix->ndim)) {
		int64_t off = 0;
		for (int a = 0; a < x->ndim; a++) {
			int64_t c = idx[a];
			if (a == axis) {
				c = rt_get_i(ix, i);
				c = c < 0 ? c + x->dims[a] : c;
			}
			off += c * st[a];
		}
		memcpy(o + (size_t)i * es, (const uint8_t *)x->data + (size_t)off * es, es);
	}
	return 0;
}

enum reduction { RD_NONE, RD_ADD, RD_MUL, RD_MAX, RD_MIN };

static int parse_reduction(struct art_session *s, const struct rt_node *n, enum reduction *r)
{
	static const char *const names[] = {"none", "add", "mul", "max", "min"};
	*r = RD_NONE;
	for (int i = 0; i < 5; i++)
		if (rt_attr_is(n, "reduction", names[i], 0))
			*r = (enum reduction)i;
	NEED(*r != RD_NONE || rt_attr_is(n, "reduction", "none", 1),
	     "node '%s' (%s): unknown reduction", n->name, n->proto->op_type);
	return 0;
}

/* Writes update element U of UPD at output element AT, with reduction R. */
static void place(void *o, int dtype, int64_t at, const struct art_tensor *upd, int64_t u,
		  enum reduction r)
{
	size_t es = art_dtype_size(dtype);
	if (r == RD_NONE) {
		memcpy((uint8_t *)o + (size_t)at * es, (const uint8_t *)upd->data + (size_t)u * es,
		       es);
		return;
	}
	struct art_tensor ot = {.dtype = dtype, .data = o};
	double a = rt_get_d(&ot, at), b = rt_get_d(upd, u);
	double v = r == RD_ADD	 ? a + b
		   : r == RD_MUL ? a * b
		   : r == RD_MAX ? fmax(a, b)
				 : fmin(a, b);
	rt_put_d(o, dtype, at, v);
}

/* ScatterElements (and the older Scatter): a copy of data with updates
 * written at the indexed positions along AXIS. */
static int k_scatter_elements(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *ix = rt_in(s, n, 1), *up = rt_in(s, n, 2);
	int axis = rt_axis(rt_attr_i(n, "axis", 0), x->ndim);
	NEED(axis >= 0 && is_index(ix) && ix->ndim == x->ndim && up->dtype == x->dtype &&
		     up->ndim == ix->ndim &&
		     !memcmp(up->dims, ix->dims, sizeof(int64_t) * (size_t)ix->ndim),
	     "node '%s' (%s): indices and updates must match in shape, data in rank and type",
	     n->name, n->proto->op_type);
	for (int a = 0; a < x->ndim; a++)
		NEED(a == axis || ix->dims[a] <= x->dims[a],
		     "node '%s' (%s): indices dim %d is %lld, data's only %lld", n->name,
		     n->proto->op_type, a, (long long)ix->dims[a], (long long)x->dims[a]);
	enum reduction r;
	rc = parse_reduction(s, n, &r);
	if (rc)
		return rc;
	int64_t st[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0}, cnt = art_tensor_elems(ix);
	strides_of(x->dims, x->ndim, st);
	for (int64_t i = 0; i < cnt; i++) {
		int64_t v = rt_get_i(ix, i), d = x->dims[axis];
		NEED(v >= -d && v < d, "node '%s' (%s): index %lld out of range", n->name,
		     n->proto->op_type, (long long)v);
	}
	void *o;
	rc = rt_copy_out(s, n, x, x->ndim, x->dims);
	if (rc)
		return rc;
	o = (void *)s->vals[n->out[0]].t.data;
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, ix->dims, ix->ndim)) {
		int64_t off = 0;
		for (int a = 0; a < x->ndim; a++) {
			int64_t c = idx[a];
			if (a == axis) {
				c = rt_get_i(ix, i);
				c = c < 0 ? c + x->dims[a] : c;
			}
			off += c * st[a];
		}
		place(o, x->dtype, off, up, i, r);
	}
	return 0;
}

/* Offset of the slice addressed by index tuple K (length Q) within batch
 * element B of data X; -1 when out of range. */
static int64_t nd_offset(const struct art_tensor *x, const struct art_tensor *ix, int64_t tuple,
			 int q, int bd, int64_t b, const int64_t *st)
{
	int64_t off = 0, rem = b;
	for (int a = bd - 1; a >= 0; a--) {
		off += (rem % x->dims[a]) * st[a];
		rem /= x->dims[a];
	}
	for (int k = 0; k < q; k++) {
		int64_t v = rt_get_i(ix, tuple * q + k), d = x->dims[bd + k];
		v = v < 0 ? v + d : v;
		if (v < 0 || v >= d)
			return -1;
		off += v * st[bd + k];
	}
	return off;
}

static int k_gather_nd(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *ix = rt_in(s, n, 1);
	int bd = (int)rt_attr_i(n, "batch_dims", 0);
	NEED(is_index(ix) && ix->ndim >= 1 && bd >= 0 && bd < ix->ndim && bd < x->ndim,
	     "node '%s' (GatherND): bad indices or batch_dims", n->name);
	int q = (int)ix->dims[ix->ndim - 1];
	NEED(q >= 1 && bd + q <= x->ndim, "node '%s' (GatherND): index tuples too long", n->name);
	int64_t od[ART_MAX_DIMS], st[ART_MAX_DIMS];
	int nd = 0;
	for (int a = 0; a < ix->ndim - 1; a++)
		od[nd++] = ix->dims[a];
	for (int a = bd + q; a < x->ndim; a++)
		od[nd++] = x->dims[a];
	NEED(nd <= ART_MAX_DIMS, "node '%s' (GatherND): output rank too large", n->name);
	strides_of(x->dims, x->ndim, st);
	int64_t slice = rt_shape_elems(x->dims + bd + q, x->ndim - bd - q);
	int64_t tuples = art_tensor_elems(ix) / q, per_batch = tuples;
	int64_t batches = rt_shape_elems(x->dims, bd);
	per_batch = batches ? tuples / batches : 0;
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, (void **)&o);
	if (rc)
		return rc;
	for (int64_t t = 0; t < tuples; t++) {
		int64_t off = nd_offset(x, ix, t, q, bd, per_batch ? t / per_batch : 0, st);
		NEED(off >= 0, "node '%s' (GatherND): index out of range", n->name);
		memcpy(o + (size_t)(t * slice) * es, (const uint8_t *)x->data + (size_t)off * es,
		       (size_t)slice * es);
	}
	return 0;
}

static int k_scatter_nd(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *ix = rt_in(s, n, 1), *up = rt_in(s, n, 2);
	NEED(is_index(ix) && ix->ndim >= 1 && up->dtype == x->dtype,
	     "node '%s' (ScatterND): bad indices or update type", n->name);
	int q = (int)ix->dims[ix->ndim - 1];
	NEED(q >= 1 && q <= x->ndim, "node '%s' (ScatterND): index tuples too long", n->name);
	enum reduction r;
	rc = parse_reduction(s, n, &r);
	if (rc)
		return rc;
	int64_t st[ART_MAX_DIMS], slice = rt_shape_elems(x->dims + q, x->ndim - q);
	int64_t tuples = art_tensor_elems(ix) / q;
	NEED(art_tensor_elems(up) == tuples * slice,
	     "node '%s' (ScatterND): updates have %lld values, need %lld", n->name,
	     (long long)art_tensor_elems(up), (long long)(tuples * slice));
	strides_of(x->dims, x->ndim, st);
	for (int64_t t = 0; t < tuples; t++)
		NEED(nd_offset(x, ix, t, q, 0, 0, st) >= 0,
		     "node '%s' (ScatterND): index out of range", n->name);
	rc = rt_copy_out(s, n, x, x->ndim, x->dims);
	if (rc)
		return rc;
	void *o = (void *)s->vals[n->out[0]].t.data;
	for (int64_t t = 0; t < tuples; t++) {
		int64_t off = nd_offset(x, ix, t, q, 0, 0, st);
		for (int64_t k = 0; k < slice; k++)
			place(o, x->dtype, off + k, up, t * slice + k, r);
	}
	return 0;
}

static int k_onehot(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *ix = rt_in(s, n, 0), *dp = rt_in(s, n, 1), *vals = rt_in(s, n, 2);
	NEED(art_tensor_elems(dp) == 1 && art_tensor_elems(vals) == 2 && ix->ndim < ART_MAX_DIMS,
	     "node '%s' (OneHot): depth must be one value and values two", n->name);
	int64_t depth = rt_d2i(rt_get_d(dp, 0), INT64_MIN, INT64_MAX);
	NEED(depth >= 1, "node '%s' (OneHot): depth %lld < 1", n->name, (long long)depth);
	int axis = rt_axis(rt_attr_i(n, "axis", -1), ix->ndim + 1);
	NEED(axis >= 0, "node '%s' (OneHot): axis out of range", n->name);
	int64_t od[ART_MAX_DIMS], outer = 1, inner = 1;
	for (int a = 0, j = 0; a <= ix->ndim; a++) {
		od[a] = a == axis ? depth : ix->dims[j++];
		if (a < axis)
			outer *= od[a];
		else if (a > axis)
			inner *= od[a];
	}
	size_t es = art_dtype_size(vals->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, vals->dtype, ix->ndim + 1, od, (void **)&o);
	if (rc)
		return rc;
	const uint8_t *off = vals->data, *on = off + es;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t d = 0; d < depth; d++)
			for (int64_t c = 0; c < inner; c++) {
				double v = rt_get_d(ix, a * inner + c);
				int64_t k = (int64_t)v;
				k = k < 0 ? k + depth : k;
				memcpy(o + (size_t)((a * depth + d) * inner + c) * es,
				       k == d ? on : off, es);
			}
	return 0;
}

static int k_nonzero(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t cnt = art_tensor_elems(x), nz = 0, idx[ART_MAX_DIMS] = {0};
	for (int64_t i = 0; i < cnt; i++)
		nz += rt_get_d(x, i) != 0;
	int rank = x->ndim ? x->ndim : 1;
	int64_t od[2] = {rank, nz};
	int64_t *o;
	rc = rt_alloc_out(s, n, 0, ART_INT64, 2, od, (void **)&o);
	if (rc)
		return rc;
	for (int64_t i = 0, k = 0; i < cnt; i++, rt_next_index(idx, x->dims, x->ndim)) {
		if (rt_get_d(x, i) == 0)
			continue;
		for (int a = 0; a < x->ndim; a++)
			o[a * nz + k] = idx[a];
		if (!x->ndim)
			o[k] = 0;
		k++;
	}
	return 0;
}

static int k_compress(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *c = rt_in(s, n, 1);
	const Onnx__AttributeProto *aa = rt_attr(n, "axis");
	int axis = aa ? rt_axis(aa->i, x->ndim) : -1;
	NEED(!aa || axis >= 0, "node '%s' (Compress): axis out of range", n->name);
	int64_t len = aa ? x->dims[axis] : art_tensor_elems(x), outer = 1, inner = 1, keep = 0;
	int64_t nc = art_tensor_elems(c);
	for (int64_t i = 0; i < nc && i < len; i++)
		keep += rt_get_d(c, i) != 0;
	int64_t od[ART_MAX_DIMS];
	int nd = 1;
	if (aa) {
		memcpy(od, x->dims, sizeof(od));
		od[axis] = keep;
		nd = x->ndim;
		for (int a = 0; a < x->ndim; a++) {
			if (a < axis)
				outer *= x->dims[a];
			else if (a > axis)
				inner *= x->dims[a];
		}
	} else {
		od[0] = keep;
	}
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, (void **)&o);
	if (rc)
		return rc;
	size_t row = (size_t)inner * es;
	for (int64_t a = 0, k = 0; a < outer; a++)
		for (int64_t i = 0; i < len && i < nc; i++)
			if (rt_get_d(c, i) != 0)
				memcpy(o + (size_t)k++ * row,
				       (const uint8_t *)x->data + (size_t)(a * len + i) * row, row);
	return 0;
}

/* Trilu: keep the upper (or lower) triangle of each matrix from diagonal K. */
static int k_trilu(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *kt = rt_in(s, n, 1);
	NEED(x->ndim >= 2, "node '%s' (Trilu): input rank %d < 2", n->name, x->ndim);
	NEED(!kt || art_tensor_elems(kt) == 1, "node '%s' (Trilu): k must be one value", n->name);
	int64_t k = kt ? rt_get_i(kt, 0) : 0, R = x->dims[x->ndim - 2], C = x->dims[x->ndim - 1];
	int upper = (int)rt_attr_i(n, "upper", 1);
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, (void **)&o);
	if (rc)
		return rc;
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; i < cnt; i++) {
		int64_t c = i % C, r = i / C % R;
		int keep = upper ? c - r >= k : c - r <= k;
		if (keep)
			memcpy(o + (size_t)i * es, (const uint8_t *)x->data + (size_t)i * es, es);
	}
	return 0;
}

static int k_eyelike(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->ndim == 2, "node '%s' (EyeLike): input must be 2-D", n->name);
	int dt = (int)rt_attr_i(n, "dtype", x->dtype);
	NEED(art_dtype_size(dt), "node '%s' (EyeLike): dtype %s not supported", n->name,
	     rt_dtype_name(dt));
	int64_t k = rt_attr_i(n, "k", 0);
	void *o;
	rc = rt_alloc_out(s, n, 0, dt, 2, x->dims, &o);
	for (int64_t r = 0; !rc && r < x->dims[0]; r++)
		if (r + k >= 0 && r + k < x->dims[1])
			rt_put_d(o, dt, r * x->dims[1] + r + k, 1);
	return rc;
}

const struct rt_kernel_entry rt_kernels_index[] = {
	{"Compress", k_compress},
	{"EyeLike", k_eyelike},
	{"GatherElements", k_gather_elements},
	{"GatherND", k_gather_nd},
	{"NonZero", k_nonzero},
	{"OneHot", k_onehot},
	{"Scatter", k_scatter_elements},
	{"ScatterElements", k_scatter_elements},
	{"ScatterND", k_scatter_nd},
	{"Trilu", k_trilu},
	{NULL, NULL},
};
