// SPDX-License-Identifier: MIT
/* CPU reference kernels: shape and layout ops, which move bytes without
 * arithmetic, plus Constant. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* Identity and Dropout at inference are copies (Dropout's mask is all true). */
static int k_identity(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	rc = rt_copy_out(s, n, x, x->ndim, x->dims);
	if (rc || n->nout < 2 || n->out[1] < 0)
		return rc;
	uint8_t *m;
	rc = rt_alloc_out(s, n, 1, ART_BOOL, x->ndim, x->dims, (void **)&m);
	if (!rc)
		memset(m, 1, (size_t)art_tensor_elems(x));
	return rc;
}

static int k_reshape(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *sh = rt_in(s, n, 1);
	NEED(sh->dtype == ART_INT64 && sh->ndim == 1 && sh->dims[0] <= ART_MAX_DIMS,
	     "node '%s' (Reshape): shape must be a 1-D int64 tensor of at most %d values", n->name,
	     ART_MAX_DIMS);
	int allowzero = (int)rt_attr_i(n, "allowzero", 0);
	int nd = (int)sh->dims[0], infer = -1;
	int64_t dims[ART_MAX_DIMS], known = 1;
	for (int i = 0; i < nd; i++) {
		int64_t d = ((const int64_t *)sh->data)[i];
		if (d == 0 && !allowzero) {
			NEED(i < x->ndim,
			     "node '%s' (Reshape): 0 at dim %d copies a dim the input lacks",
			     n->name, i);
			d = x->dims[i];
		}
		if (d == -1) {
			NEED(infer < 0, "node '%s' (Reshape): more than one -1", n->name);
			infer = i;
			d = 1;
		}
		NEED(d >= 0, "node '%s' (Reshape): negative dim %lld", n->name, (long long)d);
		dims[i] = d;
		known *= d;
	}
	int64_t total = art_tensor_elems(x);
	if (infer >= 0) {
		NEED(known && total % known == 0, "node '%s' (Reshape): cannot infer -1", n->name);
		dims[infer] = total / known;
		known = total;
	}
	NEED(known == total, "node '%s' (Reshape): %lld elements cannot become %lld", n->name,
	     (long long)total, (long long)known);
	return rt_copy_out(s, n, x, nd, dims);
}

/* Transpose: output dim i is input dim perm[i] (default: reversed). */
static int k_transpose(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	const Onnx__AttributeProto *pa = rt_attr(n, "perm");
	int64_t perm[ART_MAX_DIMS], od[ART_MAX_DIMS], stride[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	int nd = x->ndim, seen = 0;
	NEED(!pa || (int)pa->n_ints == nd,
	     "node '%s' (Transpose): perm has %zu entries for rank %d", n->name,
	     pa ? pa->n_ints : 0, nd);
	for (int i = 0; i < nd; i++) {
		perm[i] = pa ? pa->ints[i] : nd - 1 - i;
		NEED(perm[i] >= 0 && perm[i] < nd && !(seen & (1 << perm[i])),
		     "node '%s' (Transpose): bad perm", n->name);
		seen |= 1 << perm[i];
		od[i] = x->dims[perm[i]];
	}
	int64_t st = 1;
	for (int i = nd - 1; i >= 0; i--) {
		stride[i] = st;
		st *= x->dims[i];
	}
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, (void **)&o);
	if (rc)
		return rc;
	int64_t cnt = art_tensor_elems(x);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, od, nd)) {
		int64_t off = 0;
		for (int d = 0; d < nd; d++)
			off += idx[d] * stride[perm[d]];
		memcpy(o + i * es, (const uint8_t *)x->data + off * es, es);
	}
	return 0;
}

static int k_unsqueeze(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t axes[ART_MAX_DIMS], od[ART_MAX_DIMS];
	int na, nd, is_axis[ART_MAX_DIMS] = {0};
	rc = rt_get_axes(s, n, axes, &na);
	if (rc)
		return rc;
	nd = x->ndim + na;
	NEED(na > 0 && nd <= ART_MAX_DIMS, "node '%s' (Unsqueeze): bad axes", n->name);
	for (int i = 0; i < na; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + nd : axes[i];
		NEED(a >= 0 && a < nd && !is_axis[a],
		     "node '%s' (Unsqueeze): axis %lld out of range or repeated", n->name,
		     (long long)axes[i]);
		is_axis[a] = 1;
	}
	for (int i = 0, j = 0; i < nd; i++)
		od[i] = is_axis[i] ? 1 : x->dims[j++];
	return rt_copy_out(s, n, x, nd, od);
}

static int k_squeeze(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t axes[ART_MAX_DIMS], od[ART_MAX_DIMS];
	int na, nd = 0, drop[ART_MAX_DIMS] = {0};
	rc = rt_get_axes(s, n, axes, &na);
	if (rc)
		return rc;
	for (int i = 0; i < na; i++) {
		int64_t a = axes[i] < 0 ? axes[i] + x->ndim : axes[i];
		NEED(a >= 0 && a < x->ndim && x->dims[a] == 1,
		     "node '%s' (Squeeze): axis %lld is not a dim of size 1", n->name,
		     (long long)axes[i]);
		drop[a] = 1;
	}
	for (int i = 0; i < x->ndim; i++)
		if (!(na ? drop[i] : x->dims[i] == 1))
			od[nd++] = x->dims[i];
	return rt_copy_out(s, n, x, nd, od);
}

static int k_flatten(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t axis = rt_attr_i(n, "axis", 1);
	if (axis < 0)
		axis += x->ndim;
	NEED(axis >= 0 && axis <= x->ndim, "node '%s' (Flatten): axis out of range", n->name);
	int64_t od[2] = {1, 1};
	for (int i = 0; i < x->ndim; i++)
		od[i >= axis] *= x->dims[i];
	return rt_copy_out(s, n, x, 2, od);
}

static int k_shape(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t start = rt_attr_i(n, "start", 0), end = rt_attr_i(n, "end", x->ndim);
	if (start < 0)
		start += x->ndim;
	if (end < 0)
		end += x->ndim;
	start = start < 0 ? 0 : start > x->ndim ? x->ndim : start;
	end = end < start ? start : end > x->ndim ? x->ndim : end;
	int64_t len = end - start;
	int64_t *o;
	rc = rt_alloc_out(s, n, 0, ART_INT64, 1, &len, (void **)&o);
	for (int64_t i = 0; !rc && i < len; i++)
		o[i] = x->dims[start + i];
	return rc;
}

static int k_concat(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x0 = rt_in(s, n, 0);
	int64_t axis = rt_attr_i(n, "axis", 0);
	if (axis < 0)
		axis += x0->ndim;
	NEED(axis >= 0 && axis < x0->ndim, "node '%s' (Concat): axis out of range", n->name);
	int64_t od[ART_MAX_DIMS];
	memcpy(od, x0->dims, sizeof(od));
	od[axis] = 0;
	for (int k = 0; k < n->nin; k++) {
		const struct art_tensor *t = rt_in(s, n, k);
		NEED(t && t->ndim == x0->ndim && t->dtype == x0->dtype,
		     "node '%s' (Concat): input %d differs in rank or type", n->name, k);
		for (int d = 0; d < t->ndim; d++)
			NEED(d == axis || t->dims[d] == x0->dims[d],
			     "node '%s' (Concat): input %d dim %d differs", n->name, k, d);
		od[axis] += t->dims[axis];
	}
	size_t es = art_dtype_size(x0->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x0->dtype, x0->ndim, od, (void **)&o);
	if (rc)
		return rc;
	int64_t outer = 1, inner = (int64_t)es;
	for (int d = 0; d < axis; d++)
		outer *= od[d];
	for (int d = (int)axis + 1; d < x0->ndim; d++)
		inner *= od[d];
	int64_t orow = od[axis] * inner, pos = 0;
	for (int k = 0; k < n->nin; k++) {
		const struct art_tensor *t = rt_in(s, n, k);
		int64_t row = t->dims[axis] * inner;
		for (int64_t a = 0; a < outer; a++)
			memcpy(o + a * orow + pos, (const uint8_t *)t->data + a * row, (size_t)row);
		pos += row;
	}
	return 0;
}

/* Gather along AXIS with int32/int64 indices (negative ones count back). */
static int k_gather(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *ix = rt_in(s, n, 1);
	int64_t axis = rt_attr_i(n, "axis", 0);
	if (axis < 0)
		axis += x->ndim;
	NEED(axis >= 0 && axis < x->ndim, "node '%s' (Gather): axis out of range", n->name);
	NEED(ix->dtype == ART_INT64 || ix->dtype == ART_INT32,
	     "node '%s' (Gather): indices must be int32/int64", n->name);
	NEED(x->ndim - 1 + ix->ndim <= ART_MAX_DIMS, "node '%s' (Gather): output rank too large",
	     n->name);
	int64_t od[ART_MAX_DIMS];
	int nd = 0;
	for (int d = 0; d < axis; d++)
		od[nd++] = x->dims[d];
	for (int d = 0; d < ix->ndim; d++)
		od[nd++] = ix->dims[d];
	for (int d = (int)axis + 1; d < x->ndim; d++)
		od[nd++] = x->dims[d];
	int64_t outer = 1, inner = (int64_t)art_dtype_size(x->dtype), len = x->dims[axis];
	for (int d = 0; d < axis; d++)
		outer *= x->dims[d];
	for (int d = (int)axis + 1; d < x->ndim; d++)
		inner *= x->dims[d];
	int64_t ni = art_tensor_elems(ix);
	for (int64_t k = 0; k < ni; k++) {
		int64_t v = (int64_t)rt_get_d(ix, k);
		NEED(v >= -len && v < len,
		     "node '%s' (Gather): index %lld out of range [%lld, %lld)", n->name,
		     (long long)v, (long long)-len, (long long)len);
	}
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, (void **)&o);
	if (rc)
		return rc;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t k = 0; k < ni; k++) {
			int64_t v = (int64_t)rt_get_d(ix, k);
			v = v < 0 ? v + len : v;
			memcpy(o + (a * ni + k) * inner,
			       (const uint8_t *)x->data + (a * len + v) * inner, (size_t)inner);
		}
	return 0;
}

static int k_constant(struct art_session *s, const struct rt_node *n)
{
	const Onnx__AttributeProto *a = rt_attr(n, "value");
	NEED(a && a->t, "node '%s' (Constant): only the 'value' tensor attribute is supported",
	     n->name);
	struct art_tensor t;
	void *buf;
	int rc = rt_tensor_from_proto(a->t, ".", &t, &buf, s->err, sizeof(s->err));
	if (rc)
		return rc;
	void *o;
	rc = rt_alloc_out(s, n, 0, t.dtype, t.ndim, t.dims, &o);
	if (!rc)
		memcpy(o, buf, (size_t)art_tensor_elems(&t) * art_dtype_size(t.dtype));
	free(buf);
	return rc;
}

const struct rt_kernel_entry rt_kernels_tensor[] = {
	{"Concat", k_concat},	    {"Constant", k_constant},	{"Dropout", k_identity},
	{"Flatten", k_flatten},	    {"Gather", k_gather},	{"Identity", k_identity},
	{"Reshape", k_reshape},	    {"Shape", k_shape},		{"Squeeze", k_squeeze},
	{"Transpose", k_transpose}, {"Unsqueeze", k_unsqueeze}, {NULL, NULL},
};
