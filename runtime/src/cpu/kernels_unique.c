// SPDX-License-Identifier: MIT
/* CPU reference kernel: Unique, over the flattened input or over slices
 * along an axis. Slices compare element by element (as numbers, so -0 and
 * 0 are one value); sorted output orders them lexicographically, unsorted
 * keeps the order of first occurrence. The output size depends on the
 * data, so shape inference leaves it dynamic. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"

/* What the comparison sees: the input and its geometry around the axis. */
struct slices {
	const struct art_tensor *x;
	int64_t outer, len, inner;
};

/* Compares slices A and B of S lexicographically, outer index first. */
static int slice_cmp(const struct slices *s, int64_t a, int64_t b)
{
	for (int64_t o = 0; o < s->outer; o++)
		for (int64_t i = 0; i < s->inner; i++) {
			int64_t base = o * s->len * s->inner + i;
			int64_t pa = base + a * s->inner, pb = base + b * s->inner;
			if (s->x->dtype == ART_INT64) {
				int64_t va = rt_get_i(s->x, pa), vb = rt_get_i(s->x, pb);
				if (va != vb)
					return va < vb ? -1 : 1;
			} else {
				double va = rt_get_d(s->x, pa), vb = rt_get_d(s->x, pb);
				if (va != vb)
					return va < vb ? -1 : 1;
			}
		}
	return 0;
}

/* qsort has no context argument: the slices being sorted. */
static _Thread_local const struct slices *sorting;

static int by_slice(const void *pa, const void *pb)
{
	int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
	int c = slice_cmp(sorting, a, b);
	return c ? c : (a > b) - (a < b);
}

static int check_unique(struct art_session *s, const struct rt_node *n)
{
	int64_t sorted = rt_attr_i(n, "sorted", 1);
	NEED(sorted == 0 || sorted == 1, "node '%s' (Unique): sorted %lld (0 or 1)", n->name,
	     (long long)sorted);
	NEED(n->nin == 1 && n->nout >= 1 && n->nout <= 4,
	     "node '%s' (Unique): one input and 1 to 4 outputs", n->name);
	return 0;
}

static int k_unique(struct art_session *s, const struct rt_node *n)
{
	int rc = check_unique(s, n);
	if (!rc)
		rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	const Onnx__AttributeProto *ax = rt_attr(n, "axis");
	int sorted = (int)rt_attr_i(n, "sorted", 1);
	NEED(x->dtype == ART_FLOAT || x->dtype == ART_DOUBLE || x->dtype == ART_INT64 ||
		     x->dtype == ART_INT32 || x->dtype == ART_INT8 || x->dtype == ART_UINT8 ||
		     x->dtype == ART_BOOL,
	     "node '%s' (Unique): input type %s not supported", n->name, rt_dtype_name(x->dtype));
	struct slices sl = {.x = x, .outer = 1, .len = art_tensor_elems(x), .inner = 1};
	int axis = -1;
	if (ax) {
		axis = rt_axis(rt_attr_i(n, "axis", 0), x->ndim);
		NEED(axis >= 0, "node '%s' (Unique): axis %lld out of range for rank %d", n->name,
		     (long long)rt_attr_i(n, "axis", 0), x->ndim);
		sl.outer = rt_shape_elems(x->dims, axis);
		sl.len = x->dims[axis];
		sl.inner = rt_shape_elems(x->dims + axis + 1, x->ndim - axis - 1);
	}
	int64_t L = sl.len;
	int64_t *order = malloc(sizeof(int64_t) * (size_t)(L + 1));
	int64_t *first = malloc(sizeof(int64_t) * (size_t)(L + 1));
	int64_t *inv = malloc(sizeof(int64_t) * (size_t)(L + 1));
	int64_t *cnt = calloc((size_t)L + 1, sizeof(int64_t));
	int64_t *rank = malloc(sizeof(int64_t) * (size_t)(L + 1));
	if (!order || !first || !inv || !cnt || !rank) {
		rc = rt_err(s, -ENOMEM, "node '%s' (Unique): out of memory", n->name);
		goto out;
	}
	/* Sorting by value then position puts each group's first occurrence
	 * at its head; groups then get numbered in sorted or first-seen order. */
	for (int64_t i = 0; i < L; i++)
		order[i] = i;
	sorting = &sl;
	qsort(order, (size_t)L, sizeof(int64_t), by_slice);
	int64_t U = 0;
	for (int64_t i = 0; i < L; i++) {
		if (i == 0 || slice_cmp(&sl, order[i - 1], order[i]))
			first[U++] = order[i];
		inv[order[i]] = U - 1;
	}
	/* rank[g]: the output position of group g (sorted order by default). */
	for (int64_t g = 0; g < U; g++)
		rank[g] = g;
	if (!sorted) {
		int64_t *pos = order; /* reused: groups by first occurrence */
		int64_t k = 0;
		for (int64_t i = 0; i < L; i++)
			if (first[inv[i]] == i)
				pos[k++] = inv[i];
		for (int64_t j = 0; j < U; j++)
			rank[pos[j]] = j;
		int64_t *f2 = malloc(sizeof(int64_t) * (size_t)(U + 1));
		if (!f2) {
			rc = rt_err(s, -ENOMEM, "node '%s' (Unique): out of memory", n->name);
			goto out;
		}
		for (int64_t g = 0; g < U; g++)
			f2[rank[g]] = first[g];
		memcpy(first, f2, sizeof(int64_t) * (size_t)U);
		free(f2);
	}
	for (int64_t i = 0; i < L; i++) {
		inv[i] = rank[inv[i]];
		cnt[inv[i]]++;
	}
	int64_t yd[ART_MAX_DIMS];
	int ynd = 1;
	yd[0] = U;
	if (axis >= 0) {
		ynd = x->ndim;
		memcpy(yd, x->dims, sizeof(int64_t) * (size_t)ynd);
		yd[axis] = U;
	}
	void *y, *oi, *ov, *oc;
	size_t es = art_dtype_size(x->dtype);
	int64_t ud = U, ld = L;
	rc = rt_alloc_out(s, n, 0, x->dtype, ynd, yd, &y);
	if (!rc)
		rc = rt_alloc_out(s, n, 1, ART_INT64, 1, &ud, &oi);
	if (!rc)
		rc = rt_alloc_out(s, n, 2, ART_INT64, 1, &ld, &ov);
	if (!rc)
		rc = rt_alloc_out(s, n, 3, ART_INT64, 1, &ud, &oc);
	if (rc)
		goto out;
	for (int64_t o = 0; y && o < sl.outer; o++)
		for (int64_t u = 0; u < U; u++)
			memcpy((uint8_t *)y + (size_t)((o * U + u) * sl.inner) * es,
			       (const uint8_t *)x->data +
				       (size_t)((o * L + first[u]) * sl.inner) * es,
			       (size_t)sl.inner * es);
	if (oi && U)
		memcpy(oi, first, sizeof(int64_t) * (size_t)U);
	if (ov && L)
		memcpy(ov, inv, sizeof(int64_t) * (size_t)L);
	if (oc && U)
		memcpy(oc, cnt, sizeof(int64_t) * (size_t)U);
out:
	free(order);
	free(first);
	free(inv);
	free(cnt);
	free(rank);
	return rc;
}

const struct rt_kernel_entry rt_kernels_unique[] = {
	{"Unique", k_unique},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_unique[] = {
	{"Unique", check_unique},
	{NULL, NULL},
};
