// SPDX-License-Identifier: MIT
/*
 * The bias the MatMul+Add fusion gives a MatMul as its third input, added
 * by the MatMul kernel to its product (numpy broadcasting) before the
 * fused activation (rt_apply_act()).
 */
#include <errno.h>
#include <string.h>

#include "cpu/kernels.h"

static int add_bias(struct art_session *s, const struct rt_node *n)
{
	struct rt_value *y = &s->vals[n->out[0]];
	const struct art_tensor *b = &s->vals[n->in[2]].t;
	if (y->t.dtype != ART_FLOAT || b->dtype != ART_FLOAT || b->ndim > y->t.ndim)
		return rt_err(s, -EINVAL,
			      "node '%s': fused bias of type %s does not fit the output", n->name,
			      rt_dtype_name(b->dtype));
	int nd = y->t.ndim, off = nd - b->ndim;
	for (int k = 0; k < b->ndim; k++)
		if (b->dims[k] != 1 && b->dims[k] != y->t.dims[off + k])
			return rt_err(s, -EINVAL,
				      "node '%s': fused bias does not broadcast onto the output",
				      n->name);
	int64_t idx[ART_MAX_DIMS] = {0}, cnt = art_tensor_elems(&y->t);
	float *o = y->buf;
	const float *bd = b->data;
	for (int64_t i = 0; i < cnt; i++) {
		int64_t bo = 0;
		for (int k = 0; k < b->ndim; k++)
			bo = bo * b->dims[k] + (b->dims[k] == 1 ? 0 : idx[off + k]);
		o[i] += bd[bo];
		for (int k = nd - 1; k >= 0; k--) {
			if (++idx[k] < y->t.dims[k])
				break;
			idx[k] = 0;
		}
	}
	return 0;
}

int rt_matmul_bias(struct art_session *s, const struct rt_node *n)
{
	if (n->nout < 1 || n->out[0] < 0 || n->nin < 3 || n->in[2] < 0)
		return 0;
	return add_bias(s, n);
}
