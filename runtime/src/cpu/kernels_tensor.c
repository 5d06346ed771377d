// SPDX-License-Identifier: MIT
/* CPU reference kernels: shape and layout ops, which move bytes without
 * arithmetic, plus Constant. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"

/* Identity and Dropout at inference are copies (Dropout's mask is all true);
 * Identity copies a sequence too. */
static int k_identity(struct art_session *s, const struct rt_node *n)
{
	struct rt_seq *q = rt_in_seq(s, n, 0);
	if (q && !strcmp(n->proto->op_type, "Identity")) {
		struct rt_seq *c = rt_seq_dup(q);
		if (!c)
			return rt_err(s, -ENOMEM, "node '%s': out of memory copying a sequence",
				      n->name);
		return rt_out_seq(s, n, 0, c);
	}
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
		NEED(!d || known <= INT64_MAX / d, "node '%s' (Reshape): shape overflows int64",
		     n->name);
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
	rc = rt_dnnl_transpose(s, n);
	if (rc != RT_CPU_DECLINED)
		return rc;
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

/* Constant from value_float(s) / value_int(s): a scalar or a 1-D list. */
static int constant_scalars(struct art_session *s, const struct rt_node *n)
{
	const Onnx__AttributeProto *a;
	void *o;
	int rc;
	int64_t len;
	if ((a = rt_attr(n, "value_float"))) {
		rc = rt_alloc_out(s, n, 0, ART_FLOAT, 0, NULL, &o);
		if (!rc)
			*(float *)o = a->f;
	} else if ((a = rt_attr(n, "value_int"))) {
		rc = rt_alloc_out(s, n, 0, ART_INT64, 0, NULL, &o);
		if (!rc)
			*(int64_t *)o = a->i;
	} else if ((a = rt_attr(n, "value_floats"))) {
		len = (int64_t)a->n_floats;
		rc = rt_alloc_out(s, n, 0, ART_FLOAT, 1, &len, &o);
		if (!rc && len)
			memcpy(o, a->floats, (size_t)len * sizeof(float));
	} else if ((a = rt_attr(n, "value_ints"))) {
		len = (int64_t)a->n_ints;
		rc = rt_alloc_out(s, n, 0, ART_INT64, 1, &len, &o);
		if (!rc && len)
			memcpy(o, a->ints, (size_t)len * sizeof(int64_t));
	} else {
		rc = rt_err(s, -ENOTSUP,
			    "node '%s' (Constant): needs a value, value_float(s) or value_int(s) "
			    "attribute",
			    n->name);
	}
	return rc;
}

static int k_constant(struct art_session *s, const struct rt_node *n)
{
	const Onnx__AttributeProto *a = rt_attr(n, "value");
	if (!a || !a->t)
		return constant_scalars(s, n);
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

/* Reads up to MAX integers of T (int32 or int64); their count, or -1. */
static int ints_of(const struct art_tensor *t, int64_t *out, int max)
{
	if (!t || (t->dtype != ART_INT64 && t->dtype != ART_INT32) || art_tensor_elems(t) > max)
		return -1;
	int c = (int)art_tensor_elems(t);
	for (int i = 0; i < c; i++)
		out[i] = t->dtype == ART_INT64 ? ((const int64_t *)t->data)[i]
					       : ((const int32_t *)t->data)[i];
	return c;
}

/* Output 0 element i comes from input element SRC(i) (byte copies). */
static int gather_copy(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		       int nd, const int64_t *od, const int64_t *start, const int64_t *step)
{
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	int rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, (void **)&o);
	if (rc || !o) /* an omitted output (Split's) needs no data */
		return rc;
	int64_t st[ART_MAX_DIMS], acc = 1, idx[ART_MAX_DIMS] = {0}, cnt = rt_shape_elems(od, nd);
	for (int i = x->ndim - 1; i >= 0; i--) {
		st[i] = acc;
		acc *= x->dims[i];
	}
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, od, nd)) {
		int64_t off = 0;
		for (int d = 0; d < nd; d++)
			off += (start[d] + idx[d] * step[d]) * st[d];
		memcpy(o + (size_t)i * es, (const uint8_t *)x->data + (size_t)off * es, es);
	}
	return 0;
}

/* Slice: starts/ends/axes attributes before opset 10, inputs (with steps)
 * after; out-of-range bounds clamp as the spec says for each step sign. */
static int k_slice(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t st[ART_MAX_DIMS], en[ART_MAX_DIMS], ax[ART_MAX_DIMS], sp[ART_MAX_DIMS];
	int ns, ne, na, nst;
	if (s->opset < 10) {
		ns = rt_attr_ints(n, "starts", st, ART_MAX_DIMS);
		ne = rt_attr_ints(n, "ends", en, ART_MAX_DIMS);
		na = rt_attr_ints(n, "axes", ax, ART_MAX_DIMS);
		nst = -1;
	} else {
		rc = rt_need_inputs(s, n, 3);
		if (rc)
			return rc;
		ns = ints_of(rt_in(s, n, 1), st, ART_MAX_DIMS);
		ne = ints_of(rt_in(s, n, 2), en, ART_MAX_DIMS);
		na = rt_in(s, n, 3) ? ints_of(rt_in(s, n, 3), ax, ART_MAX_DIMS) : -1;
		nst = rt_in(s, n, 4) ? ints_of(rt_in(s, n, 4), sp, ART_MAX_DIMS) : -1;
	}
	NEED(ns >= 0 && ns == ne && (na < 0 || na == ns) && (nst < 0 || nst == ns) && ns <= x->ndim,
	     "node '%s' (Slice): starts, ends, axes and steps must be int lists of one length "
	     "<= rank",
	     n->name);
	int64_t od[ART_MAX_DIMS], begin[ART_MAX_DIMS], step[ART_MAX_DIMS];
	int seen[ART_MAX_DIMS] = {0};
	for (int d = 0; d < x->ndim; d++) {
		od[d] = x->dims[d];
		begin[d] = 0;
		step[d] = 1;
	}
	for (int i = 0; i < ns; i++) {
		int a = rt_axis(na < 0 ? i : ax[i], x->ndim);
		NEED(a >= 0 && !seen[a], "node '%s' (Slice): axis out of range or repeated",
		     n->name);
		seen[a] = 1;
		int64_t d = x->dims[a], k = nst < 0 ? 1 : sp[i], b = st[i], e = en[i];
		NEED(k != 0, "node '%s' (Slice): step 0", n->name);
		b = b < 0 ? b + d : b;
		e = e < 0 ? e + d : e;
		if (k > 0) {
			b = b < 0 ? 0 : b > d ? d : b;
			e = e < 0 ? 0 : e > d ? d : e;
		} else {
			b = b < 0 ? 0 : b > d - 1 ? d - 1 : b;
			e = e < -1 ? -1 : e > d - 1 ? d - 1 : e;
		}
		int64_t len = k > 0 ? (e - b + k - 1) / k : (b - e - k - 1) / -k;
		od[a] = len > 0 ? len : 0;
		begin[a] = b;
		step[a] = k;
	}
	return gather_copy(s, n, x, x->ndim, od, begin, step);
}

/* Pad: pads/mode/value attributes before opset 11, inputs pads and
 * constant_value after. Negative pads crop. */
static int k_pad(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *cv = rt_in(s, n, 2);
	int64_t pads[2 * ART_MAX_DIMS], axes[ART_MAX_DIMS];
	int np = s->opset < 11 ? rt_attr_ints(n, "pads", pads, 2 * ART_MAX_DIMS)
			       : ints_of(rt_in(s, n, 1), pads, 2 * ART_MAX_DIMS);
	int na = rt_in(s, n, 3) ? ints_of(rt_in(s, n, 3), axes, ART_MAX_DIMS) : -1;
	int nax = na < 0 ? x->ndim : na;
	NEED(np == 2 * nax, "node '%s' (Pad): %d pads for %d axes", n->name, np, nax);
	int mode = rt_attr_is(n, "mode", "reflect", 0) ? 1
		   : rt_attr_is(n, "mode", "edge", 0)  ? 2
		   : rt_attr_is(n, "mode", "wrap", 0)  ? 3
						       : 0;
	NEED(mode || rt_attr_is(n, "mode", "constant", 1), "node '%s' (Pad): unknown mode",
	     n->name);
	double value = cv && art_tensor_elems(cv) ? rt_get_d(cv, 0) : rt_attr_f(n, "value", 0.0f);
	int64_t pb[ART_MAX_DIMS] = {0}, od[ART_MAX_DIMS];
	for (int i = 0; i < nax; i++) {
		int a = na < 0 ? i : rt_axis(axes[i], x->ndim);
		NEED(a >= 0, "node '%s' (Pad): axis out of range", n->name);
		pb[a] = pads[i];
		od[a] = x->dims[a] + pads[i] + pads[nax + i];
	}
	for (int a = 0; a < x->ndim; a++) {
		if (na >= 0) {
			int in = 0;
			for (int i = 0; i < na; i++)
				in |= rt_axis(axes[i], x->ndim) == a;
			if (!in)
				od[a] = x->dims[a];
		}
		NEED(od[a] >= 0, "node '%s' (Pad): negative output dim", n->name);
		NEED(mode == 0 || x->dims[a] > 0 || od[a] == 0,
		     "node '%s' (Pad): cannot reflect or replicate an empty dim", n->name);
		NEED(mode != 1 || od[a] == x->dims[a] ||
			     (pb[a] < x->dims[a] && od[a] - x->dims[a] - pb[a] < x->dims[a]),
		     "node '%s' (Pad): reflect pads must be smaller than the dim", n->name);
	}
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, od, (void **)&o);
	if (rc)
		return rc;
	int64_t idx[ART_MAX_DIMS] = {0}, cnt = rt_shape_elems(od, x->ndim);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, od, x->ndim)) {
		int64_t off = 0, inside = 1;
		for (int a = 0; a < x->ndim; a++) {
			int64_t d = x->dims[a], c = idx[a] - pb[a];
			if (c < 0 || c >= d) {
				if (mode == 0) {
					inside = 0;
					break;
				} else if (mode == 2) {
					c = c < 0 ? 0 : d - 1;
				} else if (mode == 3) {
					c = ((c % d) + d) % d;
				} else {
					int64_t per = 2 * (d - 1);
					c = per ? ((c % per) + per) % per : 0;
					c = c >= d ? per - c : c;
				}
			}
			off = off * d + c;
		}
		if (inside)
			memcpy(o + (size_t)i * es, (const uint8_t *)x->data + (size_t)off * es, es);
		else
			rt_put_d(o, x->dtype, i, value);
	}
	return 0;
}

static int k_constant_of_shape(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	int64_t od[ART_MAX_DIMS];
	int nd = ints_of(rt_in(s, n, 0), od, ART_MAX_DIMS);
	NEED(nd >= 0 && rt_in(s, n, 0)->ndim == 1,
	     "node '%s' (ConstantOfShape): input must be a 1-D int64 shape of rank <= %d", n->name,
	     ART_MAX_DIMS);
	for (int i = 0; i < nd; i++)
		NEED(od[i] >= 0, "node '%s' (ConstantOfShape): negative dim", n->name);
	const Onnx__AttributeProto *a = rt_attr(n, "value");
	struct art_tensor t = {.dtype = ART_FLOAT};
	void *buf = NULL;
	float zero = 0;
	if (a && a->t) {
		rc = rt_tensor_from_proto(a->t, ".", &t, &buf, s->err, sizeof(s->err));
		if (rc)
			return rc;
		if (art_tensor_elems(&t) != 1) {
			free(buf);
			return rt_err(s, -EINVAL,
				      "node '%s' (ConstantOfShape): value must hold one "
				      "element",
				      n->name);
		}
	}
	size_t es = art_dtype_size(t.dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, t.dtype, nd, od, (void **)&o);
	int64_t cnt = rt_shape_elems(od, nd);
	for (int64_t i = 0; !rc && i < cnt; i++)
		memcpy(o + (size_t)i * es, buf ? buf : &zero, es);
	free(buf);
	return rc;
}

/* Split into the outputs along AXIS: sizes from input 1 (opset 13+), the
 * split attribute, num_outputs (18+), or equal parts. */
static int k_split(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int axis = rt_axis(rt_attr_i(n, "axis", 0), x->ndim);
	NEED(axis >= 0, "node '%s' (Split): axis out of range", n->name);
	int64_t *sizes = calloc((size_t)n->nout + 1, sizeof(int64_t));
	NEED(sizes, "node '%s' (Split): out of memory", n->name);
	int ns = rt_in(s, n, 1) ? ints_of(rt_in(s, n, 1), sizes, n->nout)
				: rt_attr_ints(n, "split", sizes, n->nout);
	int64_t d = x->dims[axis], sum = 0;
	if (ns < 0) {
		int64_t k = n->nout, part = (d + k - 1) / k;
		for (int i = 0; i < k; i++) {
			sizes[i] = d - sum < part ? d - sum : part;
			sum += sizes[i];
		}
	} else {
		for (int i = 0; i < ns && i < n->nout; i++)
			sum += sizes[i];
	}
	if ((ns >= 0 && ns != n->nout) || sum != d) {
		free(sizes);
		return rt_err(s, -EINVAL, "node '%s' (Split): parts do not add up to dim %lld",
			      n->name, (long long)d);
	}
	int64_t begin[ART_MAX_DIMS] = {0}, step[ART_MAX_DIMS], od[ART_MAX_DIMS];
	for (int i = 0; i < x->ndim; i++) {
		step[i] = 1;
		od[i] = x->dims[i];
	}
	/* gather_copy writes output 0: shift the node's outputs for each part. */
	struct rt_node part = *n;
	for (int k = 0; k < n->nout && !rc; k++) {
		od[axis] = sizes[k];
		part.out = n->out + k;
		part.nout = 1;
		rc = gather_copy(s, &part, x, x->ndim, od, begin, step);
		begin[axis] += sizes[k];
	}
	free(sizes);
	return rc;
}

static int k_tile(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t rep[ART_MAX_DIMS], od[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	NEED(ints_of(rt_in(s, n, 1), rep, ART_MAX_DIMS) == x->ndim,
	     "node '%s' (Tile): repeats must have one int64 per dim", n->name);
	for (int a = 0; a < x->ndim; a++) {
		NEED(rep[a] >= 0, "node '%s' (Tile): negative repeat", n->name);
		od[a] = x->dims[a] * rep[a];
	}
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, od, (void **)&o);
	if (rc)
		return rc;
	int64_t cnt = rt_shape_elems(od, x->ndim);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, od, x->ndim)) {
		int64_t off = 0;
		for (int a = 0; a < x->ndim; a++)
			off = off * x->dims[a] + idx[a] % x->dims[a];
		memcpy(o + (size_t)i * es, (const uint8_t *)x->data + (size_t)off * es, es);
	}
	return 0;
}

static int k_expand(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	struct art_tensor sh = {0};
	int64_t od[ART_MAX_DIMS], idx[ART_MAX_DIMS] = {0};
	sh.ndim = ints_of(rt_in(s, n, 1), sh.dims, ART_MAX_DIMS);
	NEED(sh.ndim >= 0, "node '%s' (Expand): shape must be 1-D int64", n->name);
	int nd = rt_broadcast_shape(x, &sh, od);
	NEED(nd >= 0, "node '%s' (Expand): shape does not broadcast", n->name);
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, nd, od, (void **)&o);
	if (rc)
		return rc;
	int64_t cnt = rt_shape_elems(od, nd);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, od, nd))
		memcpy(o + (size_t)i * es,
		       (const uint8_t *)x->data + (size_t)rt_bcast_offset(x, idx, nd) * es, es);
	return 0;
}

static int k_range(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *a = rt_in(s, n, 0), *l = rt_in(s, n, 1), *d = rt_in(s, n, 2);
	NEED(art_tensor_elems(a) == 1 && art_tensor_elems(l) == 1 && art_tensor_elems(d) == 1 &&
		     a->dtype == l->dtype && a->dtype == d->dtype,
	     "node '%s' (Range): start, limit and delta must be scalars of one type", n->name);
	double start = rt_get_d(a, 0), delta = rt_get_d(d, 0);
	NEED(delta != 0, "node '%s' (Range): delta is 0", n->name);
	double c = ceil((rt_get_d(l, 0) - start) / delta);
	NEED(!(c > (double)RT_MAX_TENSOR_BYTES), "node '%s' (Range): %g elements", n->name, c);
	int64_t cnt = c > 0 ? (int64_t)c : 0;
	void *o;
	rc = rt_alloc_out(s, n, 0, a->dtype, 1, &cnt, &o);
	for (int64_t i = 0; !rc && i < cnt; i++)
		rt_put_d(o, a->dtype, i, start + (double)i * delta);
	return rc;
}

static int k_size(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	int64_t *o;
	rc = rt_alloc_out(s, n, 0, ART_INT64, 0, NULL, (void **)&o);
	if (!rc)
		*o = art_tensor_elems(rt_in(s, n, 0));
	return rc;
}

/* DepthToSpace (DCR or CRD order) and SpaceToDepth on NCHW. */
static int depth_space(struct art_session *s, const struct rt_node *n, int to_space)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	int64_t b = rt_attr_i(n, "blocksize", 0);
	const char *op = n->proto->op_type;
	NEED(x->ndim == 4 && b >= 1, "node '%s' (%s): needs a 4-D input and blocksize >= 1",
	     n->name, op);
	int crd = rt_attr_is(n, "mode", "CRD", 0);
	int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3], od[4];
	if (to_space) {
		NEED(C % (b * b) == 0, "node '%s' (%s): channels not divisible by blocksize^2",
		     n->name, op);
		od[0] = N, od[1] = C / (b * b), od[2] = H * b, od[3] = W * b;
	} else {
		NEED(H % b == 0 && W % b == 0, "node '%s' (%s): H, W not divisible by blocksize",
		     n->name, op);
		od[0] = N, od[1] = C * b * b, od[2] = H / b, od[3] = W / b;
	}
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, 4, od, (void **)&o);
	if (rc)
		return rc;
	int64_t idx[4] = {0}, cnt = rt_shape_elems(od, 4);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, od, 4)) {
		int64_t nn = idx[0], c = idx[1], h = idx[2], w = idx[3], src;
		if (to_space) {
			int64_t bi = h % b, bj = w % b, cc = od[1];
			int64_t ci = crd ? c * b * b + bi * b + bj : (bi * b + bj) * cc + c;
			src = ((nn * C + ci) * H + h / b) * W + w / b;
		} else {
			int64_t blk = c / C, ci = c % C;
			src = ((nn * C + ci) * H + h * b + blk / b) * W + w * b + blk % b;
		}
		memcpy(o + (size_t)i * es, (const uint8_t *)x->data + (size_t)src * es, es);
	}
	return 0;
}

static int k_depth_to_space(struct art_session *s, const struct rt_node *n)
{
	return depth_space(s, n, 1);
}

static int k_space_to_depth(struct art_session *s, const struct rt_node *n)
{
	return depth_space(s, n, 0);
}

static int k_reverse_sequence(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *sl = rt_in(s, n, 1);
	int ba = rt_axis(rt_attr_i(n, "batch_axis", 1), x->ndim);
	int ta = rt_axis(rt_attr_i(n, "time_axis", 0), x->ndim);
	NEED(x->ndim >= 2 && ba >= 0 && ta >= 0 && ba != ta && art_tensor_elems(sl) == x->dims[ba],
	     "node '%s' (ReverseSequence): bad axes or sequence_lens", n->name);
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, x->dims, (void **)&o);
	if (rc)
		return rc;
	int64_t idx[ART_MAX_DIMS] = {0}, cnt = art_tensor_elems(x);
	for (int64_t i = 0; i < cnt; i++, rt_next_index(idx, x->dims, x->ndim)) {
		int64_t len = (int64_t)rt_get_d(sl, idx[ba]), off = 0;
		for (int a = 0; a < x->ndim; a++) {
			int64_t c = idx[a];
			if (a == ta && c < len)
				c = len - 1 - c;
			off = off * x->dims[a] + c;
		}
		memcpy(o + (size_t)i * es, (const uint8_t *)x->data + (size_t)off * es, es);
	}
	return 0;
}

const struct rt_kernel_entry rt_kernels_tensor[] = {
	{"Concat", k_concat},
	{"Constant", k_constant},
	{"Dropout", k_identity},
	{"Flatten", k_flatten},
	{"Gather", k_gather},
	{"Identity", k_identity},
	{"Reshape", k_reshape},
	{"Shape", k_shape},
	{"Squeeze", k_squeeze},
	{"Transpose", k_transpose},
	{"Unsqueeze", k_unsqueeze},
	{"Slice", k_slice},
	{"Pad", k_pad},
	{"ConstantOfShape", k_constant_of_shape},
	{"Split", k_split},
	{"Tile", k_tile},
	{"Expand", k_expand},
	{"Range", k_range},
	{"Size", k_size},
	{"DepthToSpace", k_depth_to_space},
	{"SpaceToDepth", k_space_to_depth},
	{"ReverseSequence", k_reverse_sequence},
	{NULL, NULL},
};
