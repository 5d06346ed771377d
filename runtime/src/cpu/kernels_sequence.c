// SPDX-License-Identifier: MIT
/*
 * The sequence ops (ONNX seq(tensor), core/sequence.c): SequenceEmpty,
 * SequenceConstruct, SequenceInsert, SequenceAt, SequenceErase,
 * SequenceLength, SplitToSequence and ConcatFromSequence. Positions may be
 * negative (counted from the end, as ONNX says); one out of range fails
 * the run naming the node, the position and the sequence. Outputs are
 * copies: a sequence never shares an item with another value.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"

static const char *in_name(const struct art_session *s, const struct rt_node *n, int i)
{
	return i < n->nin && n->in[i] >= 0 ? s->vals[n->in[i]].name : "";
}

/* Input I as a sequence, else -EINVAL naming it. */
static int need_seq(struct art_session *s, const struct rt_node *n, int i, struct rt_seq **q)
{
	*q = rt_in_seq(s, n, i);
	NEED(*q, "node '%s' (%s): input %d '%s' must be a sequence", n->name, n->proto->op_type, i,
	     in_name(s, n, i));
	return 0;
}

/* Input I as a tensor, else -EINVAL naming it (a sequence, or missing). */
static int need_tensor(struct art_session *s, const struct rt_node *n, int i,
		       const struct art_tensor **t)
{
	*t = rt_in(s, n, i);
	NEED(*t, "node '%s' (%s): input %d '%s' must be a tensor%s", n->name, n->proto->op_type, i,
	     in_name(s, n, i), rt_in_seq(s, n, i) ? ", not a sequence" : "");
	return 0;
}

/* Optional position input I into *POS within [-LEN, HI] (HI LEN for
 * insertion, LEN - 1 otherwise), made non-negative; DEF when omitted. */
static int position(struct art_session *s, const struct rt_node *n, int i, int len, int hi, int def,
		    int *pos)
{
	const struct art_tensor *p = rt_in(s, n, i);
	if (!p) {
		*pos = def;
		return 0;
	}
	NEED((p->dtype == ART_INT32 || p->dtype == ART_INT64) && art_tensor_elems(p) == 1,
	     "node '%s' (%s): position '%s' must be one int32 or int64, got %s of %lld elements",
	     n->name, n->proto->op_type, in_name(s, n, i), art_dtype_name(p->dtype),
	     (long long)art_tensor_elems(p));
	int64_t v = p->dtype == ART_INT64 ? *(const int64_t *)p->data : *(const int32_t *)p->data;
	NEED(v >= -(int64_t)len && v <= hi,
	     "node '%s' (%s): position %lld of '%s' is out of range [%d, %d] for sequence '%s' "
	     "of %d tensors",
	     n->name, n->proto->op_type, (long long)v, in_name(s, n, i), -len, hi, in_name(s, n, 0),
	     len);
	*pos = (int)(v < 0 ? v + len : v);
	return 0;
}

/* Sets output 0 to Q, or reports why Q could not be made. */
static int put_seq(struct art_session *s, const struct rt_node *n, struct rt_seq *q, int rc,
		   int64_t bad)
{
	if (!rc)
		return rt_out_seq(s, n, 0, q);
	rt_seq_free(q);
	if (bad >= 0)
		return rt_err(s, rc, "node '%s' (%s): string element %lld is NULL", n->name,
			      n->proto->op_type, (long long)bad);
	return rt_err(s, rc, "node '%s' (%s): out of memory", n->name, n->proto->op_type);
}

static int k_sequence_empty(struct art_session *s, const struct rt_node *n)
{
	struct rt_seq *q = rt_seq_new((int)rt_attr_i(n, "dtype", ART_FLOAT));
	return put_seq(s, n, q, q ? 0 : -ENOMEM, -1);
}

static int k_sequence_construct(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *t;
	int rc = need_tensor(s, n, 0, &t);
	if (rc)
		return rc;
	for (int i = 1; i < n->nin; i++) {
		const struct art_tensor *u;
		if ((rc = need_tensor(s, n, i, &u)))
			return rc;
		NEED(u->dtype == t->dtype,
		     "node '%s' (SequenceConstruct): input %d '%s' is %s, input 0 is %s (a "
		     "sequence holds one element type)",
		     n->name, i, in_name(s, n, i), art_dtype_name(u->dtype),
		     art_dtype_name(t->dtype));
	}
	struct rt_seq *q = rt_seq_new(t->dtype);
	int64_t bad = -1;
	rc = q ? 0 : -ENOMEM;
	for (int i = 0; !rc && i < n->nin; i++)
		rc = rt_seq_insert(q, i, rt_in(s, n, i), &bad);
	return put_seq(s, n, q, rc, bad);
}

static int k_sequence_insert(struct art_session *s, const struct rt_node *n)
{
	struct rt_seq *in;
	const struct art_tensor *t;
	int rc = need_seq(s, n, 0, &in);
	if (!rc)
		rc = need_tensor(s, n, 1, &t);
	if (rc)
		return rc;
	NEED(t->dtype == in->elem,
	     "node '%s' (SequenceInsert): tensor '%s' is %s, sequence '%s' holds %s", n->name,
	     in_name(s, n, 1), art_dtype_name(t->dtype), in_name(s, n, 0),
	     art_dtype_name(in->elem));
	int pos;
	if ((rc = position(s, n, 2, in->n, in->n, in->n, &pos)))
		return rc;
	struct rt_seq *q = rt_seq_dup(in);
	int64_t bad = -1;
	rc = q ? rt_seq_insert(q, pos, t, &bad) : -ENOMEM;
	return put_seq(s, n, q, rc, bad);
}

static int k_sequence_at(struct art_session *s, const struct rt_node *n)
{
	struct rt_seq *in;
	int rc = need_seq(s, n, 0, &in), pos;
	if (rc)
		return rc;
	NEED(rt_in(s, n, 1), "node '%s' (SequenceAt): needs a position", n->name);
	if ((rc = position(s, n, 1, in->n, in->n - 1, 0, &pos)))
		return rc;
	const struct art_tensor *t = &in->items[pos];
	return rt_copy_out(s, n, t, t->ndim, t->dims);
}

static int k_sequence_erase(struct art_session *s, const struct rt_node *n)
{
	struct rt_seq *in;
	int rc = need_seq(s, n, 0, &in), pos;
	if (rc)
		return rc;
	NEED(in->n > 0, "node '%s' (SequenceErase): sequence '%s' is empty", n->name,
	     in_name(s, n, 0));
	if ((rc = position(s, n, 1, in->n, in->n - 1, in->n - 1, &pos)))
		return rc;
	struct rt_seq *q = rt_seq_dup(in);
	if (q)
		rt_seq_erase(q, pos);
	return put_seq(s, n, q, q ? 0 : -ENOMEM, -1);
}

static int k_sequence_length(struct art_session *s, const struct rt_node *n)
{
	struct rt_seq *in;
	int rc = need_seq(s, n, 0, &in);
	if (rc)
		return rc;
	int64_t *o;
	rc = rt_alloc_out(s, n, 0, ART_INT64, 0, NULL, (void **)&o);
	if (!rc)
		*o = in->n;
	return rc;
}

/* A new tensor of X's type and rank with DIMS, rows [B, E) of X along
 * AXIS (OUTER rows before it, INNER bytes after each index). */
static int slice_item(const struct art_tensor *x, int axis, int64_t b, int64_t e, int64_t outer,
		      size_t inner, struct art_tensor *item)
{
	*item = *x;
	item->dims[axis] = e - b;
	size_t chunk = (size_t)(e - b) * inner;
	size_t total = (size_t)outer * chunk;
	uint8_t *d = malloc(total ? total : 1);
	if (!d)
		return -ENOMEM;
	for (int64_t o = 0; o < outer; o++)
		memcpy(d + (size_t)o * chunk,
		       (const uint8_t *)x->data +
			       ((size_t)o * (size_t)x->dims[axis] + (size_t)b) * inner,
		       chunk);
	item->data = d;
	return 0;
}

static int k_split_to_sequence(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x;
	int rc = need_tensor(s, n, 0, &x);
	if (rc)
		return rc;
	int axis = rt_axis(rt_attr_i(n, "axis", 0), x->ndim);
	NEED(axis >= 0, "node '%s' (SplitToSequence): axis %lld out of range for rank %d", n->name,
	     (long long)rt_attr_i(n, "axis", 0), x->ndim);
	int64_t dim = x->dims[axis], outer = rt_shape_elems(x->dims, axis);
	size_t inner = (size_t)rt_shape_elems(x->dims + axis + 1, x->ndim - axis - 1) *
		       art_dtype_size(x->dtype);
	const struct art_tensor *sp = rt_in(s, n, 1);
	int64_t lens[1024];
	int64_t nparts;
	int keep = 1;
	if (!sp) {
		/* Pieces of one, without the axis unless keepdims. */
		nparts = dim;
		keep = rt_attr_i(n, "keepdims", 1) != 0;
	} else {
		NEED(sp->dtype == ART_INT32 || sp->dtype == ART_INT64,
		     "node '%s' (SplitToSequence): split must be int32 or int64, got %s", n->name,
		     art_dtype_name(sp->dtype));
		int64_t c = art_tensor_elems(sp);
		NEED(sp->ndim <= 1, "node '%s' (SplitToSequence): split must be a scalar or 1-D",
		     n->name);
		if (sp->ndim == 0) {
			int64_t len = sp->dtype == ART_INT64 ? *(const int64_t *)sp->data
							     : *(const int32_t *)sp->data;
			NEED(len > 0, "node '%s' (SplitToSequence): split %lld must be positive",
			     n->name, (long long)len);
			nparts = (dim + len - 1) / len;
		} else {
			nparts = c;
		}
		NEED(nparts <= 1024, "node '%s' (SplitToSequence): %lld pieces, at most 1024",
		     n->name, (long long)nparts);
		int64_t sum = 0;
		for (int64_t i = 0; i < nparts; i++) {
			if (sp->ndim == 0) {
				int64_t len = rt_get_i(sp, 0);
				lens[i] = i + 1 < nparts ? len : dim - len * (nparts - 1);
			} else {
				lens[i] = rt_get_i(sp, i);
			}
			NEED(lens[i] >= 0,
			     "node '%s' (SplitToSequence): split[%lld] = %lld is negative", n->name,
			     (long long)i, (long long)lens[i]);
			sum += lens[i];
		}
		NEED(sum == dim,
		     "node '%s' (SplitToSequence): split sums to %lld, axis %d has %lld", n->name,
		     (long long)sum, axis, (long long)dim);
	}
	struct rt_seq *q = rt_seq_new(x->dtype);
	rc = q ? 0 : -ENOMEM;
	int64_t b = 0;
	for (int64_t i = 0; !rc && i < nparts; i++) {
		int64_t len = sp ? lens[i] : 1;
		struct art_tensor item;
		rc = slice_item(x, axis, b, b + len, outer, inner, &item);
		if (!rc && !keep) {
			memmove(item.dims + axis, item.dims + axis + 1,
				(size_t)(x->ndim - axis - 1) * sizeof(int64_t));
			item.ndim--;
		}
		if (!rc && (rc = rt_seq_adopt(q, &item)))
			free((void *)item.data);
		b += len;
	}
	return put_seq(s, n, q, rc, -1);
}

static int k_concat_from_sequence(struct art_session *s, const struct rt_node *n)
{
	struct rt_seq *in;
	int rc = need_seq(s, n, 0, &in);
	if (rc)
		return rc;
	NEED(in->n > 0, "node '%s' (ConcatFromSequence): sequence '%s' is empty", n->name,
	     in_name(s, n, 0));
	const struct art_tensor *x0 = &in->items[0];
	int stack = rt_attr_i(n, "new_axis", 0) != 0, r = x0->ndim + stack;
	int64_t a = rt_attr_i(n, "axis", 0);
	int axis = rt_axis(a, r);
	NEED(axis >= 0, "node '%s' (ConcatFromSequence): axis %lld out of range for rank %d",
	     n->name, (long long)a, r);
	NEED(r <= ART_MAX_DIMS, "node '%s' (ConcatFromSequence): rank %d over %d", n->name, r,
	     ART_MAX_DIMS);
	/* Stacking concatenates items given a new axis of one. */
	int64_t dims[ART_MAX_DIMS], total = 0;
	for (int i = 0; i < in->n; i++) {
		const struct art_tensor *t = &in->items[i];
		int64_t d[ART_MAX_DIMS];
		for (int k = 0, j = 0; k < r; k++)
			d[k] = stack && k == axis ? 1 : t->dims[j++];
		int same = t->ndim == x0->ndim;
		for (int k = 0; same && k < r; k++)
			same = k == axis || d[k] == dims[k] || i == 0;
		NEED(same,
		     "node '%s' (ConcatFromSequence): item %d of '%s' has a shape that differs "
		     "from item 0's off axis %d",
		     n->name, i, in_name(s, n, 0), axis);
		if (i == 0)
			memcpy(dims, d, sizeof(d));
		total += d[axis];
	}
	dims[axis] = total;
	int64_t outer = rt_shape_elems(dims, axis);
	size_t inner =
		(size_t)rt_shape_elems(dims + axis + 1, r - axis - 1) * art_dtype_size(x0->dtype);
	uint8_t *o;
	if ((rc = rt_alloc_out(s, n, 0, x0->dtype, r, dims, (void **)&o)))
		return rc;
	int64_t at = 0;
	for (int i = 0; i < in->n; i++) {
		const struct art_tensor *t = &in->items[i];
		int64_t len = stack ? 1 : t->dims[axis];
		for (int64_t k = 0; k < outer; k++)
			memcpy(o + ((size_t)k * (size_t)total + (size_t)at) * inner,
			       (const uint8_t *)t->data + (size_t)k * (size_t)len * inner,
			       (size_t)len * inner);
		at += len;
	}
	return 0;
}

static int check_sequence_empty(struct art_session *s, const struct rt_node *n)
{
	int64_t dt = rt_attr_i(n, "dtype", ART_FLOAT);
	NEED(dt > 0 && dt < 64 && art_dtype_size((int)dt),
	     "node '%s' (SequenceEmpty): dtype %lld is not an element type the runtime has",
	     n->name, (long long)dt);
	return 0;
}

static int check_concat_from_sequence(struct art_session *s, const struct rt_node *n)
{
	NEED(rt_attr(n, "axis"), "node '%s' (ConcatFromSequence): needs attribute axis", n->name);
	return 0;
}

const struct rt_kernel_entry rt_kernels_sequence[] = {
	{"SequenceEmpty", k_sequence_empty},
	{"SequenceConstruct", k_sequence_construct},
	{"SequenceInsert", k_sequence_insert},
	{"SequenceAt", k_sequence_at},
	{"SequenceErase", k_sequence_erase},
	{"SequenceLength", k_sequence_length},
	{"SplitToSequence", k_split_to_sequence},
	{"ConcatFromSequence", k_concat_from_sequence},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_sequence[] = {
	{"SequenceEmpty", check_sequence_empty},
	{"ConcatFromSequence", check_concat_from_sequence},
	{NULL, NULL},
};

int rt_kernel_is_sequence_op(const char *op)
{
	for (const struct rt_kernel_entry *e = rt_kernels_sequence; e->op; e++)
		if (!strcmp(e->op, op))
			return 1;
	return 0;
}

int rt_value_is_sequence(const struct art_session *s, int v)
{
	if (v < 0)
		return 0;
	if (s->vals[v].seq ||
	    rt_declared_kind(rt_declared(s, s->vals[v].name), NULL) == ART_KIND_SEQUENCE)
		return 1;
	/* Every sequence op but SequenceAt, SequenceLength and
	 * ConcatFromSequence makes one. */
	static const char *const makers[] = {"SequenceEmpty", "SequenceConstruct", "SequenceInsert",
					     "SequenceErase", "SplitToSequence"};
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		for (int j = 0; j < n->nout; j++) {
			if (n->out[j] != v)
				continue;
			for (size_t k = 0; k < sizeof(makers) / sizeof(makers[0]); k++)
				if (!strcmp(n->proto->op_type, makers[k]))
					return 1;
			/* Identity and If pass a sequence on. */
			if (!strcmp(n->proto->op_type, "Identity") && n->nin > 0)
				return rt_value_is_sequence(s, n->in[0]);
			return 0;
		}
	}
	return 0;
}
