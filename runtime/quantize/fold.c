// SPDX-License-Identifier: MIT
/*
 * Before anything is measured or quantized: a Conv followed by a Mul or
 * Add of a constant that varies at most along the output channel (a
 * BatchNormalization exported as an affine pair, as paddle2onnx writes
 * PP-OCR), or by an inference BatchNormalization with constant
 * parameters (PP-OCRv4 det's head), is folded into the Conv's weight and
 * bias, as libares_rt's graph passes fold it on the f32 path. Quantized first, the pair would sit
 * behind the Conv's requantisation, where nothing folds it: the int8 model
 * would run it in float between a DequantizeLinear and a QuantizeLinear,
 * and the activation after it could no longer be fused into the layer.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

static int only_reader(const Onnx__GraphProto *g, const char *name)
{
	int r = -1;
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t j = 0; j < g->node[i]->n_input; j++)
			if (!strcmp(g->node[i]->input[j], name)) {
				if (r >= 0)
					return -1;
				r = (int)i;
			}
	return aq_has_output(g, name) ? -1 : r;
}

/* C's values when it broadcasts along dimension 1 only of a rank-RANK
 * output with M channels (a scalar, or [M, 1, ..] aligned to dimension 1),
 * one per channel; NULL otherwise. */
static float *per_channel(const Onnx__TensorProto *c, int rank, int64_t m)
{
	if (!c || (int)c->n_dims > rank)
		return NULL;
	int64_t count;
	float *v = aq_tensor_floats(c, &count);
	if (!v)
		return NULL;
	int ok = count == 1;
	if (count == m && m > 1) {
		ok = 1;
		for (size_t d = 0; d < c->n_dims; d++) {
			int at = rank - (int)c->n_dims + (int)d;
			ok &= c->dims[d] == (at == 1 ? m : 1);
		}
	}
	float *per = ok ? malloc((size_t)m * sizeof(float)) : NULL;
	for (int64_t i = 0; per && i < m; i++)
		per[i] = v[count == 1 ? 0 : i];
	free(v);
	return per;
}

/* Replaces input J of N by a new initializer holding V (DIMS like OLD's, or
 * [M] for a new bias). */
static int set_constant(Onnx__GraphProto *g, struct aq_names *ns, Onnx__NodeProto *n, size_t j,
			const float *v, int ndim, const int64_t *dims, int64_t count)
{
	const char *name = aq_names_make(ns, n->output[0], j == 1 ? "_folded_w" : "_folded_b");
	if (!name)
		return -ENOMEM;
	int rc = aq_add_initializer(g, aq_new_tensor(name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
						     ndim, dims, v, (size_t)count * sizeof(float)));
	if (rc)
		return rc;
	if (j == n->n_input)
		return aq_add_input(n, name);
	char *s = aq_strdup(name);
	if (!s)
		return -ENOMEM;
	free(n->input[j]);
	n->input[j] = s;
	return 0;
}

/* An inference BatchNormalization OP over M channels as the affine pair
 * y = x * A + B it is: A = scale / sqrt(var + epsilon), B = bias - mean *
 * A (in double, rounded once). 0 when its parameters are not M constants
 * each, or it has the training outputs. */
static int bn_affine(const Onnx__GraphProto *g, const Onnx__NodeProto *op, int64_t m, float **a,
		     float **b)
{
	*a = *b = NULL;
	if (strcmp(op->op_type, "BatchNormalization") || op->n_input != 5 || op->n_output != 1 ||
	    aq_attr_i(op, "training_mode", 0))
		return 0;
	float *v[4] = {NULL, NULL, NULL, NULL};
	int ok = 1;
	for (int k = 0; k < 4; k++) {
		int64_t count = 0;
		const Onnx__TensorProto *t = aq_find_constant(g, op->input[1 + k]);
		v[k] = t ? aq_tensor_floats(t, &count) : NULL;
		ok &= v[k] && count == m;
	}
	double eps = aq_attr_f(op, "epsilon", 1e-5f);
	if (ok) {
		*a = malloc((size_t)m * sizeof(float));
		*b = malloc((size_t)m * sizeof(float));
	}
	for (int64_t c = 0; ok && *a && *b && c < m; c++) {
		double sc = v[0][c] / sqrt((double)v[3][c] + eps);
		(*a)[c] = (float)sc;
		(*b)[c] = (float)(v[1][c] - v[2][c] * sc);
	}
	for (int k = 0; k < 4; k++)
		free(v[k]);
	if (!ok || !*a || !*b) {
		free(*a);
		free(*b);
		*a = *b = NULL;
		return 0;
	}
	return 1;
}

static void remove_node(Onnx__GraphProto *g, int r)
{
	onnx__node_proto__free_unpacked(g->node[r], NULL);
	memmove(g->node + r, g->node + r + 1, (g->n_node - (size_t)r - 1) * sizeof(*g->node));
	g->n_node--;
}

/* Folds the pairs after Conv node I; the number folded, or -ENOMEM. */
static int fold_after(Onnx__GraphProto *g, struct aq_names *ns, size_t i)
{
	Onnx__NodeProto *n = g->node[i];
	if (strcmp(n->op_type, "Conv") || n->n_input < 2 || n->n_output != 1)
		return 0;
	const Onnx__TensorProto *wt = aq_find_constant(g, n->input[1]);
	const Onnx__TensorProto *bt =
		n->n_input > 2 && n->input[2][0] ? aq_find_constant(g, n->input[2]) : NULL;
	if (!wt || wt->n_dims < 3 || wt->dims[0] < 1 || (n->n_input > 2 && n->input[2][0] && !bt))
		return 0;
	int rank = (int)wt->n_dims;
	int64_t m = wt->dims[0], wn, bn = 0;
	float *w = aq_tensor_floats(wt, &wn), *b = bt ? aq_tensor_floats(bt, &bn) : NULL;
	if (!w || (bt && (!b || bn != m))) {
		free(w);
		free(b);
		return 0;
	}
	if (!b)
		b = calloc((size_t)m, sizeof(float));
	int folded = 0, rc = b ? 0 : -ENOMEM;
	for (;;) {
		int r = rc ? -1 : only_reader(g, n->output[0]);
		if (r <= (int)i)
			break;
		Onnx__NodeProto *op = g->node[r];
		int mul = !strcmp(op->op_type, "Mul");
		float *c = NULL, *d = NULL;
		if (!bn_affine(g, op, m, &c, &d)) {
			if ((!mul && strcmp(op->op_type, "Add")) || op->n_input != 2 ||
			    op->n_output != 1)
				break;
			int other = !strcmp(op->input[0], n->output[0]) ? 1 : 0;
			c = per_channel(aq_find_constant(g, op->input[other]), rank, m);
			if (!c)
				break;
		}
		int64_t per = wn / m;
		for (int64_t k = 0; k < m; k++) {
			if (mul || d) {
				for (int64_t t = 0; t < per; t++)
					w[k * per + t] *= c[k];
				b[k] *= c[k];
			}
			if (d)
				b[k] += d[k];
			else if (!mul)
				b[k] += c[k];
		}
		free(c);
		free(d);
		char *out = aq_strdup(op->output[0]);
		if (!out) {
			rc = -ENOMEM;
			break;
		}
		free(n->output[0]);
		n->output[0] = out;
		remove_node(g, r);
		folded++;
	}
	if (!rc && folded) {
		int64_t bdim = m;
		rc = set_constant(g, ns, n, 1, w, rank, wt->dims, wn);
		if (!rc)
			rc = set_constant(g, ns, n, 2, b, 1, &bdim, m);
	}
	free(w);
	free(b);
	return rc ? rc : folded;
}

int aq_fold_affine(Onnx__ModelProto *m, int *folded, struct aq_err *e)
{
	Onnx__GraphProto *g = m->graph;
	struct aq_names ns;
	*folded = 0;
	if (aq_names_init(&ns, g))
		return aq_fail(e, -ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < g->n_node && rc >= 0; i++) {
		rc = fold_after(g, &ns, i);
		if (rc > 0)
			*folded += rc;
	}
	aq_names_free(&ns);
	if (rc < 0)
		return aq_fail(e, rc, "out of memory folding Mul/Add/BatchNormalization into Conv");
	aq_prune_constants(g);
	return 0;
}
