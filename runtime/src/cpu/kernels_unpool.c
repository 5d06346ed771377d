// SPDX-License-Identifier: MIT
/* CPU reference kernel: MaxUnpool, the inverse of MaxPool with Indices:
 * a zero tensor with each input element written at its index, which
 * counts over the whole output tensor (batch and channel included), as
 * MaxPool's Indices output does. The output shape is output_shape when
 * given, else what the window attributes imply. */
#include <errno.h>
#include <string.h>

#include "cpu/kernels.h"

static int check_unpool(struct art_session *s, const struct rt_node *n)
{
	int64_t v[ART_MAX_DIMS * 2];
	int k = rt_attr_ints(n, "kernel_shape", v, ART_MAX_DIMS);
	NEED(k >= 1 && k <= ART_MAX_DIMS - 2, "node '%s' (MaxUnpool): kernel_shape missing",
	     n->name);
	for (int i = 0; i < k; i++)
		NEED(v[i] >= 1, "node '%s' (MaxUnpool): kernel_shape must be positive", n->name);
	int c = rt_attr_ints(n, "strides", v, ART_MAX_DIMS);
	NEED(c < 0 || c == k, "node '%s' (MaxUnpool): %d strides for %d kernel dims", n->name, c,
	     k);
	for (int i = 0; i < c; i++)
		NEED(v[i] >= 1, "node '%s' (MaxUnpool): strides must be positive", n->name);
	c = rt_attr_ints(n, "pads", v, 2 * ART_MAX_DIMS);
	NEED(c < 0 || c == 2 * k, "node '%s' (MaxUnpool): %d pads for %d kernel dims", n->name, c,
	     k);
	for (int i = 0; i < c; i++)
		NEED(v[i] >= 0, "node '%s' (MaxUnpool): pads must not be negative", n->name);
	return 0;
}

static int k_max_unpool(struct art_session *s, const struct rt_node *n)
{
	int rc = check_unpool(s, n);
	if (!rc)
		rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *ix = rt_in(s, n, 1), *os = rt_in(s, n, 2);
	int64_t ks[ART_MAX_DIMS], st[ART_MAX_DIMS], pads[2 * ART_MAX_DIMS], od[ART_MAX_DIMS];
	int nsp = rt_attr_ints(n, "kernel_shape", ks, ART_MAX_DIMS);
	NEED(x->ndim == nsp + 2 && ix->ndim == x->ndim &&
		     !memcmp(ix->dims, x->dims, sizeof(int64_t) * (size_t)x->ndim) &&
		     (ix->dtype == ART_INT64 || ix->dtype == ART_INT32),
	     "node '%s' (MaxUnpool): needs X [N, C, %d spatial dims] and int indices of its shape",
	     n->name, nsp);
	for (int i = 0; i < nsp; i++) {
		st[i] = 1;
		pads[i] = pads[nsp + i] = 0;
	}
	rt_attr_ints(n, "strides", st, nsp);
	rt_attr_ints(n, "pads", pads, 2 * nsp);
	/* Indices count over the shape the window attributes imply (DEF); a
	 * larger output_shape keeps each element at the same coordinates. */
	int64_t def[ART_MAX_DIMS];
	def[0] = od[0] = x->dims[0];
	def[1] = od[1] = x->dims[1];
	for (int i = 0; i < nsp; i++)
		def[2 + i] = od[2 + i] =
			(x->dims[2 + i] - 1) * st[i] + ks[i] - pads[i] - pads[nsp + i];
	if (os) {
		NEED(os->ndim == 1 && os->dims[0] == x->ndim && os->dtype == ART_INT64,
		     "node '%s' (MaxUnpool): output_shape must be int64 [%d]", n->name, x->ndim);
		for (int i = 0; i < x->ndim; i++)
			od[i] = rt_get_i(os, i);
	}
	for (int i = 0; i < x->ndim; i++)
		NEED(def[i] >= 0 && od[i] >= def[i],
		     "node '%s' (MaxUnpool): output dim %d is %lld, the unpooled size %lld",
		     n->name, i, (long long)od[i], (long long)def[i]);
	int64_t total = rt_shape_elems(def, x->ndim), cnt = art_tensor_elems(x);
	for (int64_t i = 0; i < cnt; i++) {
		int64_t at = rt_get_i(ix, i);
		NEED(at >= 0 && at < total,
		     "node '%s' (MaxUnpool): index %lld outside the %lld outputs", n->name,
		     (long long)at, (long long)total);
	}
	size_t es = art_dtype_size(x->dtype);
	uint8_t *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, x->ndim, od, (void **)&o);
	for (int64_t i = 0; !rc && i < cnt; i++) {
		int64_t at = rt_get_i(ix, i), to = 0, stride = 1;
		for (int d = x->ndim - 1; d >= 0; d--) {
			to += at % def[d] * stride;
			at /= def[d];
			stride *= od[d];
		}
		memcpy(o + (size_t)to * es, (const uint8_t *)x->data + (size_t)i * es, es);
	}
	return rc;
}

const struct rt_kernel_entry rt_kernels_unpool[] = {
	{"MaxUnpool", k_max_unpool},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_unpool[] = {
	{"MaxUnpool", check_unpool},
	{NULL, NULL},
};
