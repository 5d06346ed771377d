// SPDX-License-Identifier: MIT
/*
 * The session's reduced-precision mode (art_session_options.precision):
 * which nodes of an f32 model run with their operands rounded to bfloat16
 * or float16, and the rounding itself. Both the device (device/precision.c)
 * and the CPU path (cpu/precision.c) read the choice made here, so a node
 * means the same thing wherever it runs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/half.h"
#include "core/internal.h"
#include "core/precision.h"

int rt_precision_op(const char *op)
{
	return !strcmp(op, "Conv") || !strcmp(op, "ConvTranspose") || !strcmp(op, "MatMul") ||
	       !strcmp(op, "Gemm");
}

float rt_precision_round(float f, int dtype)
{
	if (dtype == ART_FLOAT16)
		return (float)rt_f16_to_d(rt_f16_from_d(f));
	return (float)rt_bf16_to_d(rt_bf16_from_d(f));
}

uint16_t rt_precision_bits(float f, int dtype)
{
	return dtype == ART_FLOAT16 ? rt_f16_from_d(f) : rt_bf16_from_d(f);
}

/* Why constant V cannot be rounded to DTYPE, in BUF, or NULL: a finite
 * value float16 cannot hold would become infinity. */
static const char *range_note(const struct art_session *s, int v, int dtype, char *buf, size_t len)
{
	const struct art_tensor *t = &s->vals[v].t;
	if (dtype != ART_FLOAT16 || !s->vals[v].is_const || !t->data)
		return NULL;
	const float *f = t->data;
	for (int64_t k = 0; k < art_tensor_elems(t); k++)
		if (isfinite(f[k]) && isinf(rt_precision_round(f[k], dtype))) {
			snprintf(buf, len,
				 "float32 kept: '%s' holds %g, beyond float16's range (65504)",
				 s->vals[v].name, (double)f[k]);
			return buf;
		}
	return NULL;
}

int rt_precision_pick(struct art_session *s)
{
	for (int i = 0; i < s->nnodes && s->precision; i++) {
		struct rt_node *n = &s->nodes[i];
		if (!rt_precision_op(n->proto->op_type) || n->nin < 2 || n->in[0] < 0 ||
		    n->in[1] < 0)
			continue;
		if (rt_known_dtype(s, n->in[0]) != ART_FLOAT ||
		    rt_known_dtype(s, n->in[1]) != ART_FLOAT)
			continue;
		/* Evaluated once at session creation: nothing to gain. */
		if (s->vals[n->in[0]].is_const && s->vals[n->in[1]].is_const)
			continue;
		char buf[160];
		const char *note = range_note(s, n->in[0], s->precision, buf, sizeof(buf));
		if (!note)
			note = range_note(s, n->in[1], s->precision, buf, sizeof(buf));
		if (note) {
			n->precision_note = strdup(note);
			if (!n->precision_note)
				return rt_err(s, -ENOMEM, "out of memory");
			continue;
		}
		n->reduced = s->precision;
	}
	return 0;
}

const char *rt_precision_name(int dtype)
{
	return dtype == ART_FLOAT16 ? "float16" : dtype == ART_BFLOAT16 ? "bfloat16" : NULL;
}
