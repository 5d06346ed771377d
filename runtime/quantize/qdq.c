// SPDX-License-Identifier: MIT
/* ares-quantize: finding the quantizable layers and writing the QDQ form.
 *
 * Weights: int8, symmetric per output channel, range [-127, 127] so that
 * w and -w quantize alike (zero point 0). Activations: uint8 per tensor,
 * asymmetric over the calibrated range (which holds 0, so 0 is exact):
 * ONNX Runtime's default QDQ format (QUInt8 activations, QInt8 weights),
 * the u8 x s8 product that x86 VNNI and the device's int8 engine take, and
 * a whole byte of levels for the non-negative tensors after ReLU. Biases:
 * int32 with scale s_x * s_w[c], zero point 0, the accumulator's scale. */
#include "qdq.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const acts[] = {"Relu",	  "LeakyRelu", "Clip", "Sigmoid",
				   "HardSigmoid", "HardSwish", "Tanh"};

static const char *label(const Onnx__NodeProto *n)
{
	return n->name && n->name[0] ? n->name : n->n_output ? n->output[0] : "?";
}

static int readers(const Onnx__GraphProto *g, const char *name, int *only)
{
	int c = 0;
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t j = 0; j < g->node[i]->n_input; j++)
			if (!strcmp(g->node[i]->input[j], name)) {
				c++;
				*only = (int)i;
			}
	return c;
}

static int dims_of(const Onnx__TensorProto *t, int rank)
{
	return t && aq_tensor_is_float(t) && (int)t->n_dims == rank;
}

/* Index of NAME in the names list, added if new. */
static int name_index(const char ***names, int *n, const char *name)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return i;
	const char **v = realloc(*names, (size_t)(*n + 1) * sizeof(char *));
	if (!v)
		return -1;
	*names = v;
	v[*n] = name;
	return (*n)++;
}

/* Node index of the one reader of NAME (not a graph output) of type OP,
 * or -1. */
static int sole_reader(const Onnx__GraphProto *g, const char *name, const char *op)
{
	int only = -1;
	if (readers(g, name, &only) != 1 || aq_has_output(g, name) ||
	    strcmp(g->node[only]->op_type, op))
		return -1;
	return only;
}

/* Input J of N is a constant holding the one float V. */
static int is_scalar(const Onnx__GraphProto *g, const Onnx__NodeProto *n, size_t j, float v)
{
	const Onnx__TensorProto *t = j < n->n_input ? aq_find_constant(g, n->input[j]) : NULL;
	int64_t count;
	float *d = t ? aq_tensor_floats(t, &count) : NULL;
	int ok = d && count == 1 && d[0] == v;
	free(d);
	return ok;
}

/* The last node of x * Clip(x + 3, 0, 6) / 6, HardSwish as exporters for
 * opsets before 14 write it (paddle2onnx's PP-OCR), which the runtime
 * fuses into the layer like the HardSwish op; -1 when X is not read so. */
static int hardswish_tail(const Onnx__GraphProto *g, const char *x)
{
	int add = -1, mul = -1, cnt = 0;
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t j = 0; j < g->node[i]->n_input; j++) {
			if (strcmp(g->node[i]->input[j], x))
				continue;
			cnt++;
			if (!strcmp(g->node[i]->op_type, "Add"))
				add = (int)i;
			else if (!strcmp(g->node[i]->op_type, "Mul"))
				mul = (int)i;
		}
	if (cnt != 2 || add < 0 || mul < 0 || g->node[add]->n_input != 2 ||
	    !is_scalar(g, g->node[add], strcmp(g->node[add]->input[0], x) ? 0 : 1, 3))
		return -1;
	int clip = sole_reader(g, g->node[add]->output[0], "Clip");
	if (clip < 0)
		return -1;
	const Onnx__NodeProto *c = g->node[clip];
	int bounds = c->n_input >= 3 ? is_scalar(g, c, 1, 0) && is_scalar(g, c, 2, 6)
				     : aq_attr_f(c, "min", -1) == 0 && aq_attr_f(c, "max", -1) == 6;
	const Onnx__NodeProto *m = g->node[mul];
	if (!bounds || sole_reader(g, c->output[0], "Mul") != mul || m->n_input != 2)
		return -1;
	int div = sole_reader(g, m->output[0], "Div");
	if (div >= 0 && g->node[div]->n_input == 2 && is_scalar(g, g->node[div], 1, 6))
		return div;
	int by6 = sole_reader(g, m->output[0], "Mul");
	if (by6 >= 0 && g->node[by6]->n_input == 2 &&
	    (is_scalar(g, g->node[by6], 1, 1.0f / 6) || is_scalar(g, g->node[by6], 0, 1.0f / 6)))
		return by6;
	return -1;
}

static int layer_of(const Onnx__GraphProto *g, int i, struct aq_layer *l)
{
	const Onnx__NodeProto *n = g->node[i];
	memset(l, 0, sizeof(*l));
	l->node = i;
	if ((n->domain && n->domain[0]) || n->n_input < 2 || n->n_output < 1 ||
	    aq_find_constant(g, n->input[0]))
		return 0;
	const Onnx__TensorProto *w = aq_find_constant(g, n->input[1]);
	const Onnx__TensorProto *b =
		n->n_input > 2 && n->input[2][0] ? aq_find_constant(g, n->input[2]) : NULL;
	if (!strcmp(n->op_type, "Conv")) {
		if (!w || !aq_tensor_is_float(w) || w->n_dims < 3)
			return 0;
		l->w_axis = 0;
		l->has_bias = b && dims_of(b, 1) && b->dims[0] == w->dims[0];
		if (n->n_input > 2 && n->input[2][0] && !l->has_bias)
			return 0; /* a bias computed at run time */
	} else if (!strcmp(n->op_type, "MatMul")) {
		if (!dims_of(w, 2))
			return 0;
		l->w_axis = 1;
	} else if (!strcmp(n->op_type, "Gemm")) {
		if (!dims_of(w, 2) || aq_attr_i(n, "transA", 0))
			return 0;
		l->w_axis = aq_attr_i(n, "transB", 0) ? 0 : 1;
		l->has_bias = b && dims_of(b, 1) && b->dims[0] == w->dims[l->w_axis] &&
			      aq_attr_f(n, "alpha", 1) == 1 && aq_attr_f(n, "beta", 1) == 1;
	} else {
		return 0;
	}
	/* Requantize after the activation the runtime fuses into the layer, so
	 * the pair runs as one int8 op. */
	l->tail = i;
	int only = -1;
	if (readers(g, n->output[0], &only) == 1 && !aq_has_output(g, n->output[0])) {
		const Onnx__NodeProto *a = g->node[only];
		for (size_t k = 0; k < sizeof(acts) / sizeof(acts[0]); k++)
			if (!strcmp(a->op_type, acts[k]) && a->n_output >= 1)
				l->tail = only;
	} else if (!aq_has_output(g, n->output[0])) {
		int hs = hardswish_tail(g, n->output[0]);
		if (hs > i)
			l->tail = hs;
	}
	const char *out = g->node[l->tail]->output[0];
	if (aq_has_output(g, out) || readers(g, out, &only) == 0)
		l->tail = -1;
	return 1;
}

int aq_find_layers(const Onnx__GraphProto *g, struct aq_layer **layers, int *n, const char ***names,
		   int *nnames, struct aq_err *e)
{
	*layers = NULL;
	*n = 0;
	*names = NULL;
	*nnames = 0;
	for (size_t i = 0; i < g->n_node; i++) {
		struct aq_layer l;
		if (!layer_of(g, (int)i, &l))
			continue;
		l.r_in = name_index(names, nnames, g->node[i]->input[0]);
		l.r_out = l.tail < 0 ? -1 : name_index(names, nnames, g->node[l.tail]->output[0]);
		struct aq_layer *v = realloc(*layers, (size_t)(*n + 1) * sizeof(*v));
		if (l.r_in < 0 || (l.tail >= 0 && l.r_out < 0) || !v) {
			free(v ? v : *layers);
			free(*names);
			*layers = NULL;
			*names = NULL;
			return aq_fail(e, -ENOMEM, "out of memory");
		}
		*layers = v;
		v[(*n)++] = l;
	}
	return 0;
}

/* Resize N picks input pixels (nearest) rather than mixing them. */
static int nearest_resize(const Onnx__NodeProto *n)
{
	const Onnx__AttributeProto *a = aq_attr(n, "mode");
	return !strcmp(n->op_type, "Resize") && n->n_input >= 1 &&
	       (!a || (a->s.len == 7 && !memcmp(a->s.data, "nearest", 7)));
}

static int elt_of(const Onnx__GraphProto *g, const Onnx__NodeProto *n)
{
	if ((n->domain && n->domain[0]) || n->n_output != 1 || aq_has_output(g, n->output[0]))
		return 0;
	if (nearest_resize(n))
		return !aq_find_constant(g, n->input[0]);
	if (strcmp(n->op_type, "Mul") && strcmp(n->op_type, "Add"))
		return 0;
	return n->n_input == 2 && strcmp(n->input[0], n->input[1]) &&
	       !aq_find_constant(g, n->input[0]) && !aq_find_constant(g, n->input[1]);
}

int aq_find_elts(const Onnx__GraphProto *g, struct aq_elt **elts, int *n, const char ***names,
		 int *nnames, struct aq_err *e)
{
	*elts = NULL;
	*n = 0;
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *node = g->node[i];
		if (!elt_of(g, node))
			continue;
		struct aq_elt t = {(int)i, -1};
		if (!nearest_resize(node))
			t.r_out = name_index(names, nnames, node->output[0]);
		struct aq_elt *v = realloc(*elts, (size_t)(*n + 1) * sizeof(*v));
		if ((!nearest_resize(node) && t.r_out < 0) || !v) {
			free(v ? v : *elts);
			*elts = NULL;
			*n = 0;
			return aq_fail(e, -ENOMEM, "out of memory");
		}
		*elts = v;
		v[(*n)++] = t;
	}
	return 0;
}

/* ---- the rewrite ---- */

struct act_q {
	char *tensor;	/* a copy: the readers' strings are replaced */
	const char *dq; /* name of the dequantized copy (names set's) */
	float scale;
	uint8_t zp;
	int emitted;
	int requant; /* a layer's output: every reader takes the dequantized copy */
};

struct rewrite {
	Onnx__GraphProto *g;
	struct aq_names ns;
	Onnx__NodeProto **out; /* the new node list */
	size_t nout, cap;
	struct act_q *acts;
	int nacts;
	struct aq_err *e;
};

static int emit(struct rewrite *w, Onnx__NodeProto *n)
{
	if (!n)
		return aq_fail(w->e, -ENOMEM, "out of memory");
	if (w->nout == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 256;
		Onnx__NodeProto **v = realloc(w->out, cap * sizeof(*v));
		if (!v) {
			onnx__node_proto__free_unpacked(n, NULL);
			return aq_fail(w->e, -ENOMEM, "out of memory");
		}
		w->out = v;
		w->cap = cap;
	}
	w->out[w->nout++] = n;
	return 0;
}

static int set_input(Onnx__NodeProto *n, size_t j, const char *name)
{
	char *s = aq_strdup(name);
	if (!s)
		return -ENOMEM;
	free(n->input[j]);
	n->input[j] = s;
	return 0;
}

static int add_init(struct rewrite *w, const char *name, int dtype, int ndim, const int64_t *dims,
		    const void *data, size_t bytes)
{
	if (aq_add_initializer(w->g, aq_new_tensor(name, dtype, ndim, dims, data, bytes)))
		return aq_fail(w->e, -ENOMEM, "out of memory");
	return 0;
}

/* X -> QuantizeLinear -> DequantizeLinear -> the act's dq name. */
static int emit_act_qdq(struct rewrite *w, struct act_q *a)
{
	if (a->emitted)
		return 0;
	const char *sc = aq_names_make(&w->ns, a->tensor, "scale");
	const char *zp = sc ? aq_names_make(&w->ns, a->tensor, "zero_point") : NULL;
	const char *q = zp ? aq_names_make(&w->ns, a->tensor, "quantized") : NULL;
	const char *qn = q ? aq_names_make(&w->ns, a->tensor, "QuantizeLinear") : NULL;
	const char *dn = qn ? aq_names_make(&w->ns, a->tensor, "DequantizeLinear") : NULL;
	if (!dn)
		return aq_fail(w->e, -ENOMEM, "out of memory");
	int rc = add_init(w, sc, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, NULL, &a->scale,
			  sizeof(float));
	if (!rc)
		rc = add_init(w, zp, ONNX__TENSOR_PROTO__DATA_TYPE__UINT8, 0, NULL, &a->zp, 1);
	if (!rc)
		rc = emit(w, aq_new_node("QuantizeLinear", qn, 3,
					 (const char *[]){a->tensor, sc, zp}, q));
	if (!rc)
		rc = emit(w, aq_new_node("DequantizeLinear", dn, 3, (const char *[]){q, sc, zp},
					 a->dq));
	a->emitted = !rc;
	return rc;
}

static struct act_q *act_find(struct rewrite *w, const char *tensor)
{
	for (int i = 0; i < w->nacts; i++)
		if (!strcmp(w->acts[i].tensor, tensor))
			return &w->acts[i];
	return NULL;
}

/* A new entry for TENSOR with its dequantized name; the caller sets its
 * grid. NULL when out of memory. */
static struct act_q *act_new(struct rewrite *w, const char *tensor)
{
	struct act_q *a = &w->acts[w->nacts];
	a->tensor = aq_strdup(tensor);
	a->dq = a->tensor ? aq_names_make(&w->ns, tensor, "dequantized") : NULL;
	if (!a->dq) {
		free(a->tensor);
		a->tensor = NULL;
		return NULL;
	}
	w->nacts++;
	return a;
}

static struct act_q *act_add(struct rewrite *w, const char *tensor, float lo, float hi)
{
	struct act_q *a = act_find(w, tensor);
	if (a || !(a = act_new(w, tensor)))
		return a;
	a->scale = (hi - lo) / 255.0f;
	if (!(a->scale > 0) || !isfinite(a->scale))
		a->scale = 1.0f; /* a tensor that was always 0: any scale keeps it 0 */
	double z = nearbyint(-lo / a->scale);
	a->zp = (uint8_t)(z < 0 ? 0 : z > 255 ? 255 : z);
	return a;
}

/* TENSOR requantized at FROM's scale and zero point (a nearest Resize's
 * output: the same values, so the same grid). */
static struct act_q *act_copy(struct rewrite *w, const char *tensor, const struct act_q *from)
{
	struct act_q *a = act_find(w, tensor);
	if (a || !(a = act_new(w, tensor)))
		return a;
	a->scale = from->scale;
	a->zp = from->zp;
	return a;
}

/* Input J of N (a constant) as int8 per channel along AXIS; its scales go
 * to *SCALES (malloc'd) for the bias. */
static int quant_weight(struct rewrite *w, Onnx__NodeProto *n, int axis, float **scales,
			int64_t *nch)
{
	const Onnx__TensorProto *t = aq_find_constant(w->g, n->input[1]);
	int64_t cnt = 0;
	float *v = t ? aq_tensor_floats(t, &cnt) : NULL;
	if (!v)
		return aq_fail(w->e, -EINVAL, "node '%s': weight '%s' has no f32 data in the file",
			       label(n), n->input[1]);
	int64_t ch = t->dims[axis], inner = 1;
	for (size_t d = (size_t)axis + 1; d < t->n_dims; d++)
		inner *= t->dims[d];
	float *s = calloc((size_t)ch + 1, sizeof(float));
	int8_t *q = malloc(cnt ? (size_t)cnt : 1);
	int rc = 0;
	if (!s || !q) {
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
		goto out;
	}
	for (int64_t i = 0; i < cnt; i++) {
		float a = fabsf(v[i]);
		int64_t c = i / inner % ch;
		s[c] = a > s[c] ? a : s[c];
	}
	for (int64_t c = 0; c < ch; c++)
		s[c] = s[c] > 0 ? s[c] / 127.0f : 1.0f;
	for (int64_t i = 0; i < cnt; i++) {
		double x = nearbyint(v[i] / s[i / inner % ch]);
		q[i] = (int8_t)(x < -127 ? -127 : x > 127 ? 127 : x);
	}
	const char *base = n->input[1];
	const char *qn = aq_names_make(&w->ns, base, "quantized");
	const char *sn = qn ? aq_names_make(&w->ns, base, "scale") : NULL;
	const char *zn = sn ? aq_names_make(&w->ns, base, "zero_point") : NULL;
	const char *dn = zn ? aq_names_make(&w->ns, base, "DequantizeLinear") : NULL;
	const char *dq = dn ? aq_names_make(&w->ns, base, "dequantized") : NULL;
	int8_t *zeros = calloc((size_t)ch + 1, 1);
	if (!dq || !zeros) {
		free(zeros);
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
		goto out;
	}
	rc = add_init(w, qn, ONNX__TENSOR_PROTO__DATA_TYPE__INT8, (int)t->n_dims, t->dims, q,
		      (size_t)cnt);
	if (!rc)
		rc = add_init(w, sn, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &ch, s,
			      (size_t)ch * sizeof(float));
	if (!rc)
		rc = add_init(w, zn, ONNX__TENSOR_PROTO__DATA_TYPE__INT8, 1, &ch, zeros,
			      (size_t)ch);
	free(zeros);
	Onnx__NodeProto *d =
		rc ? NULL
		   : aq_new_node("DequantizeLinear", dn, 3, (const char *[]){qn, sn, zn}, dq);
	if (!rc && (!d || aq_add_attr(d, aq_new_attr_i("axis", axis)))) {
		if (d)
			onnx__node_proto__free_unpacked(d, NULL);
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
	}
	if (!rc)
		rc = emit(w, d);
	if (!rc && set_input(n, 1, dq))
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
	if (!rc) {
		*scales = s;
		*nch = ch;
		s = NULL;
	}
out:
	free(v);
	free(s);
	free(q);
	return rc;
}

/* Input 2 of N as int32 at scale SX * SW[c]. */
static int quant_bias(struct rewrite *w, Onnx__NodeProto *n, float sx, const float *sw, int64_t ch)
{
	const Onnx__TensorProto *t = aq_find_constant(w->g, n->input[2]);
	int64_t cnt = 0;
	float *v = t ? aq_tensor_floats(t, &cnt) : NULL;
	if (!v || cnt != ch) {
		free(v);
		return aq_fail(w->e, -EINVAL, "node '%s': bias '%s' is not %lld f32 values",
			       label(n), n->input[2], (long long)ch);
	}
	int32_t *q = malloc((size_t)ch * sizeof(int32_t) + 1);
	float *s = malloc((size_t)ch * sizeof(float) + 1);
	int rc = 0;
	if (!q || !s) {
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
		goto out;
	}
	for (int64_t c = 0; c < ch; c++) {
		s[c] = sx * sw[c];
		double x = nearbyint(v[c] / s[c]);
		q[c] = (int32_t)(x < INT32_MIN ? INT32_MIN : x > INT32_MAX ? INT32_MAX : x);
	}
	const char *base = n->input[2];
	const char *qn = aq_names_make(&w->ns, base, "quantized");
	const char *sn = qn ? aq_names_make(&w->ns, base, "scale") : NULL;
	const char *dn = sn ? aq_names_make(&w->ns, base, "DequantizeLinear") : NULL;
	const char *dq = dn ? aq_names_make(&w->ns, base, "dequantized") : NULL;
	if (!dq) {
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
		goto out;
	}
	rc = add_init(w, qn, ONNX__TENSOR_PROTO__DATA_TYPE__INT32, 1, &ch, q,
		      (size_t)ch * sizeof(int32_t));
	if (!rc)
		rc = add_init(w, sn, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 1, &ch, s,
			      (size_t)ch * sizeof(float));
	Onnx__NodeProto *d =
		rc ? NULL : aq_new_node("DequantizeLinear", dn, 2, (const char *[]){qn, sn}, dq);
	if (!rc && (!d || aq_add_attr(d, aq_new_attr_i("axis", 0)))) {
		if (d)
			onnx__node_proto__free_unpacked(d, NULL);
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
	}
	if (!rc)
		rc = emit(w, d);
	if (!rc && set_input(n, 2, dq))
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
out:
	free(v);
	free(q);
	free(s);
	return rc;
}

static int rewrite_layer(struct rewrite *w, Onnx__NodeProto *n, const struct aq_layer *l,
			 const struct aq_ranges *r)
{
	struct act_q *a = act_add(w, n->input[0], r->lo[l->r_in], r->hi[l->r_in]);
	if (!a)
		return aq_fail(w->e, -ENOMEM, "out of memory");
	int rc = emit_act_qdq(w, a);
	float sx = a->scale;
	if (!rc && set_input(n, 0, a->dq))
		rc = aq_fail(w->e, -ENOMEM, "out of memory");
	float *sw = NULL;
	int64_t ch = 0;
	if (!rc)
		rc = quant_weight(w, n, l->w_axis, &sw, &ch);
	if (!rc && l->has_bias)
		rc = quant_bias(w, n, sx, sw, ch);
	free(sw);
	return rc;
}

/* The act of requantized tensor NAME when it has been written, else NULL. */
static const struct act_q *requantized(struct rewrite *w, const char *name)
{
	const struct act_q *a = name[0] ? act_find(w, name) : NULL;
	return a && a->emitted && a->requant ? a : NULL;
}

/* ELT (node NODE, whose data inputs all were requantized tensors, the
 * first X) gets a QuantizeLinear/DequantizeLinear after it: a Mul/Add at
 * its own range, a nearest Resize at its input's grid. */
static int requant_elt(struct rewrite *w, const Onnx__NodeProto *node, const struct aq_elt *elt,
		       const struct act_q *x, const struct aq_ranges *r)
{
	if (elt->r_out >= 0 && r->dtype[elt->r_out] != ART_FLOAT)
		return 0;
	struct act_q *a =
		elt->r_out >= 0 ? act_add(w, node->output[0], r->lo[elt->r_out], r->hi[elt->r_out])
				: act_copy(w, node->output[0], x);
	if (!a)
		return aq_fail(w->e, -ENOMEM, "out of memory");
	a->requant = 1;
	return emit_act_qdq(w, a);
}

int aq_rewrite(Onnx__ModelProto *m, const struct aq_layer *l, int n, const int *on,
	       const struct aq_elt *elts, int nelts, const struct aq_ranges *r, struct aq_err *e)
{
	Onnx__GraphProto *g = m->graph;
	struct rewrite w = {.g = g, .e = e};
	int rc = aq_names_init(&w.ns, g);
	w.acts = calloc(2 * (size_t)n + (size_t)nelts + 1, sizeof(*w.acts));
	if (rc || !w.acts) {
		rc = aq_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	/* Requantized outputs first, so that every reader finds them. */
	for (int i = 0; i < n; i++) {
		if (!on[i] || l[i].tail < 0 || r->dtype[l[i].r_out] != ART_FLOAT)
			continue;
		struct act_q *a = act_add(&w, g->node[l[i].tail]->output[0], r->lo[l[i].r_out],
					  r->hi[l[i].r_out]);
		if (!a) {
			rc = aq_fail(e, -ENOMEM, "out of memory");
			goto out;
		}
		a->requant = 1;
	}
	const size_t nn = g->n_node;
	for (size_t i = 0; !rc && i < nn; i++) {
		Onnx__NodeProto *node = g->node[i];
		const struct aq_layer *li = NULL;
		for (int k = 0; k < n; k++)
			if (on[k] && l[k].node == (int)i && r->dtype[l[k].r_in] == ART_FLOAT)
				li = &l[k];
		const struct aq_elt *elt = NULL;
		for (int k = 0; k < nelts; k++)
			if (elts[k].node == (int)i)
				elt = &elts[k];
		/* Before the inputs are rewired to the dequantized copies. Not
		 * when an input stays float: the QuantizeLinear would run alone,
		 * not fused. */
		const struct act_q *ex = elt && !li ? requantized(&w, node->input[0]) : NULL;
		if (ex && elt->r_out >= 0 && !requantized(&w, node->input[1]))
			ex = NULL;
		for (size_t j = li ? 1 : 0; !rc && j < node->n_input; j++) {
			struct act_q *a = node->input[j][0] ? act_find(&w, node->input[j]) : NULL;
			if (a && a->emitted && a->requant && set_input(node, j, a->dq))
				rc = aq_fail(e, -ENOMEM, "out of memory");
		}
		if (!rc && li)
			rc = rewrite_layer(&w, node, li, r);
		if (!rc)
			rc = emit(&w, node);
		for (size_t j = 0; !rc && j < node->n_output; j++) {
			struct act_q *a = node->output[j][0] ? act_find(&w, node->output[j]) : NULL;
			int is_tail = 0;
			for (int k = 0; k < n; k++)
				is_tail |= on[k] && l[k].tail == (int)i;
			if (a && is_tail)
				rc = emit_act_qdq(&w, a);
		}
		if (!rc && ex)
			rc = requant_elt(&w, node, elt, ex, r);
	}
	if (rc) {
		/* The original nodes are still G's; only the new ones go. */
		for (size_t i = 0; i < w.nout; i++) {
			int orig = 0;
			for (size_t k = 0; k < nn; k++)
				orig |= w.out[i] == g->node[k];
			if (!orig)
				onnx__node_proto__free_unpacked(w.out[i], NULL);
		}
		goto out;
	}
	free(g->node);
	g->node = w.out;
	g->n_node = w.nout;
	w.out = NULL;
	aq_prune_constants(g);
out:
	free(w.out);
	for (int i = 0; w.acts && i < w.nacts; i++)
		free(w.acts[i].tensor);
	free(w.acts);
	aq_names_free(&w.ns);
	return rc;
}
