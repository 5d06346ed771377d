// SPDX-License-Identifier: MIT
/*
 * The reduced-precision mode on the CPU path: a node the mode covers
 * (core/precision.c) runs through its own kernel (oneDNN or the loops)
 * on copies of its two operands rounded to bfloat16 or float16 and
 * widened back. The products of two such values are exact in f32, so what
 * is left is the f32 summation, as on the device (and as oneDNN's own
 * bf16 primitives with f32 accumulation); only the order of the sums
 * differs. Constant operands are rounded once, at the node's first run,
 * and keep their address, so oneDNN's cached weight reorder stays valid.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/precision.h"
#include "cpu/precision.h"

static float *rounded_copy(const struct art_tensor *t, int dtype)
{
	int64_t cnt = art_tensor_elems(t);
	float *dst = malloc((size_t)(cnt > 0 ? cnt : 1) * sizeof(float));
	const float *src = t->data;
	for (int64_t k = 0; dst && k < cnt; k++)
		dst[k] = rt_precision_round(src[k], dtype);
	return dst;
}

int rt_cpu_run_reduced(struct art_session *s, struct rt_node *n)
{
	struct art_tensor *t[2] = {NULL, NULL};
	const void *saved[2] = {NULL, NULL};
	float *tmp[2] = {NULL, NULL};
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		t[i] = rt_in(s, n, i);
		if (!t[i] || t[i]->dtype != ART_FLOAT) {
			rc = rt_err(s, -EINVAL, "node '%s' (%s): %s mode on a non-float32 operand",
				    n->name, n->proto->op_type, rt_precision_name(n->reduced));
			goto out;
		}
		if (i == 1 && n->in[1] == n->in[0])
			continue; /* one value: rounded once, restored once */
		saved[i] = t[i]->data;
		float *r;
		if (s->vals[n->in[i]].is_const) {
			if (!n->reduced_w[i])
				n->reduced_w[i] = rounded_copy(t[i], n->reduced);
			r = n->reduced_w[i];
		} else {
			r = tmp[i] = rounded_copy(t[i], n->reduced);
		}
		if (!r) {
			rc = rt_err(s, -ENOMEM, "out of memory");
			goto out;
		}
		t[i]->data = r;
	}
	rc = n->fn(s, n);
out:
	for (int i = 1; i >= 0; i--)
		if (saved[i])
			t[i]->data = saved[i];
	free(tmp[0]);
	free(tmp[1]);
	return rc;
}
