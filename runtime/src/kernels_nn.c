// SPDX-License-Identifier: MIT
/* CPU reference kernels: neural-network ops (normalisation, softmax). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* Softmax: opset 13 normalises along AXIS only; before 13 the input is seen
 * as 2-D [prod(dims[:axis]), prod(dims[axis:])] and each row is normalised. */
static int k_softmax(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x->dtype == ART_FLOAT, "node '%s' (Softmax): only float", n->name);
	int new_style = s->opset >= 13;
	int64_t axis = rt_attr_i(n, "axis", new_style ? -1 : 1);
	if (axis < 0)
		axis += x->ndim;
	NEED(axis >= 0 && axis < (x->ndim ? x->ndim : 1), "node '%s' (Softmax): axis out of range",
	     n->name);
	int64_t outer = 1, len = 1, inner = 1;
	for (int i = 0; i < x->ndim; i++) {
		if (i < axis)
			outer *= x->dims[i];
		else if (i == axis || !new_style)
			len *= x->dims[i];
		else
			inner *= x->dims[i];
	}
	float *o;
	rc = rt_alloc_out(s, n, 0, ART_FLOAT, x->ndim, x->dims, (void **)&o);
	if (rc)
		return rc;
	const float *in = x->data;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t c = 0; c < inner; c++) {
			const float *p = in + a * len * inner + c;
			float *q = o + a * len * inner + c;
			float mx = -INFINITY;
			for (int64_t k = 0; k < len; k++)
				mx = p[k * inner] > mx ? p[k * inner] : mx;
			double sum = 0;
			for (int64_t k = 0; k < len; k++)
				sum += exp((double)p[k * inner] - mx);
			for (int64_t k = 0; k < len; k++)
				q[k * inner] = (float)(exp((double)p[k * inner] - mx) / sum);
		}
	return 0;
}

const struct rt_kernel_entry rt_kernels_nn[] = {
	{"Softmax", k_softmax},
	{NULL, NULL},
};
