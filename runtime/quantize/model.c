// SPDX-License-Identifier: MIT
/* ares-quantize: ModelProto helpers (load, save, constants, builders). */
#include "model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aq_fail(struct aq_err *e, int rc, const char *fmt, ...)
{
	if (e && e->buf && e->len) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int aq_read_file(const char *path, uint8_t **data, size_t *len, struct aq_err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return aq_fail(e, -errno, "%s: %s", path, strerror(errno));
	int rc = 0;
	long sz = -1;
	if (fseek(f, 0, SEEK_END) == 0)
		sz = ftell(f);
	if (sz < 0 || fseek(f, 0, SEEK_SET) != 0) {
		rc = aq_fail(e, -EIO, "%s: cannot tell its size", path);
		goto out;
	}
	*data = malloc(sz ? (size_t)sz : 1);
	if (!*data) {
		rc = aq_fail(e, -ENOMEM, "%s: out of memory for %ld bytes", path, sz);
		goto out;
	}
	if (fread(*data, 1, (size_t)sz, f) != (size_t)sz) {
		free(*data);
		*data = NULL;
		rc = aq_fail(e, -EIO, "%s: short read", path);
		goto out;
	}
	*len = (size_t)sz;
out:
	fclose(f);
	return rc;
}

Onnx__ModelProto *aq_unpack(const uint8_t *data, size_t len, const char *what, struct aq_err *e)
{
	Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, data);
	if (!m)
		aq_fail(e, -EINVAL, "%s: not an ONNX model (the ModelProto does not parse)", what);
	else if (!m->graph) {
		aq_fail(e, -EINVAL, "%s: the model has no graph", what);
		onnx__model_proto__free_unpacked(m, NULL);
		m = NULL;
	}
	return m;
}

int aq_write_model(const Onnx__ModelProto *m, const char *path, struct aq_err *e)
{
	size_t len = onnx__model_proto__get_packed_size(m);
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return aq_fail(e, -ENOMEM, "%s: out of memory for %zu bytes", path, len);
	onnx__model_proto__pack(m, buf);
	int rc = 0;
	FILE *f = fopen(path, "wb");
	if (!f) {
		rc = aq_fail(e, -errno, "%s: %s", path, strerror(errno));
	} else {
		if (fwrite(buf, 1, len, f) != len)
			rc = aq_fail(e, -EIO, "%s: short write", path);
		if (fclose(f) && !rc)
			rc = aq_fail(e, -EIO, "%s: %s", path, strerror(errno));
	}
	free(buf);
	return rc;
}

int64_t aq_default_opset(const Onnx__ModelProto *m)
{
	for (size_t i = 0; i < m->n_opset_import; i++) {
		const char *d = m->opset_import[i]->domain;
		if (!d || !d[0] || !strcmp(d, "ai.onnx"))
			return m->opset_import[i]->version;
	}
	return -1;
}

const Onnx__TensorProto *aq_find_constant(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_initializer; i++)
		if (g->initializer[i]->name && !strcmp(g->initializer[i]->name, name))
			return g->initializer[i];
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *n = g->node[i];
		if (strcmp(n->op_type, "Constant") || n->n_output != 1 ||
		    strcmp(n->output[0], name))
			continue;
		const Onnx__AttributeProto *a = aq_attr(n, "value");
		return a && a->t ? a->t : NULL;
	}
	return NULL;
}

int aq_tensor_is_float(const Onnx__TensorProto *t)
{
	return t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT &&
	       t->data_location != ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
}

float *aq_tensor_floats(const Onnx__TensorProto *t, int64_t *count)
{
	if (!aq_tensor_is_float(t))
		return NULL;
	int64_t c = 1;
	for (size_t i = 0; i < t->n_dims; i++) {
		if (t->dims[i] < 0 || (t->dims[i] && c > INT64_MAX / t->dims[i]))
			return NULL;
		c *= t->dims[i];
	}
	size_t have = t->has_raw_data ? t->raw_data.len / sizeof(float) : t->n_float_data;
	if ((t->has_raw_data && t->raw_data.len != (size_t)c * sizeof(float)) || have != (size_t)c)
		return NULL;
	float *v = malloc(c ? (size_t)c * sizeof(float) : 1);
	if (!v)
		return NULL;
	memcpy(v, t->has_raw_data ? (const void *)t->raw_data.data : (const void *)t->float_data,
	       (size_t)c * sizeof(float));
	*count = c;
	return v;
}

const Onnx__AttributeProto *aq_attr(const Onnx__NodeProto *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name))
			return n->attribute[i];
	return NULL;
}

int64_t aq_attr_i(const Onnx__NodeProto *n, const char *name, int64_t dflt)
{
	const Onnx__AttributeProto *a = aq_attr(n, name);
	return a ? a->i : dflt;
}

float aq_attr_f(const Onnx__NodeProto *n, const char *name, float dflt)
{
	const Onnx__AttributeProto *a = aq_attr(n, name);
	return a ? a->f : dflt;
}

void aq_drop_attr(Onnx__NodeProto *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++) {
		if (!n->attribute[i]->name || strcmp(n->attribute[i]->name, name))
			continue;
		onnx__attribute_proto__free_unpacked(n->attribute[i], NULL);
		memmove(n->attribute + i, n->attribute + i + 1,
			(n->n_attribute - i - 1) * sizeof(*n->attribute));
		n->n_attribute--;
		return;
	}
}

char *aq_strdup(const char *s)
{
	size_t l = strlen(s) + 1;
	char *d = malloc(l);
	if (d)
		memcpy(d, s, l);
	return d;
}

Onnx__TensorProto *aq_new_tensor(const char *name, int dtype, int ndim, const int64_t *dims,
				 const void *data, size_t bytes)
{
	Onnx__TensorProto *t = malloc(sizeof(*t));
	if (!t)
		return NULL;
	onnx__tensor_proto__init(t);
	t->name = aq_strdup(name);
	t->dims = malloc(ndim ? (size_t)ndim * sizeof(int64_t) : 1);
	t->raw_data.data = malloc(bytes ? bytes : 1);
	if (!t->name || !t->dims || !t->raw_data.data) {
		onnx__tensor_proto__free_unpacked(t, NULL);
		return NULL;
	}
	t->n_dims = (size_t)ndim;
	memcpy(t->dims, dims, (size_t)ndim * sizeof(int64_t));
	t->has_data_type = 1;
	t->data_type = dtype;
	t->has_raw_data = 1;
	memcpy(t->raw_data.data, data, bytes);
	t->raw_data.len = bytes;
	return t;
}

Onnx__AttributeProto *aq_new_attr_i(const char *name, int64_t v)
{
	Onnx__AttributeProto *a = malloc(sizeof(*a));
	if (!a)
		return NULL;
	onnx__attribute_proto__init(a);
	a->name = aq_strdup(name);
	if (!a->name) {
		free(a);
		return NULL;
	}
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	a->has_i = 1;
	a->i = v;
	return a;
}

static int grow(void **arr, size_t n, size_t elem)
{
	void *p = realloc(*arr, (n + 1) * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	return 0;
}

int aq_add_attr(Onnx__NodeProto *n, Onnx__AttributeProto *a)
{
	if (!a || grow((void **)&n->attribute, n->n_attribute, sizeof(*n->attribute))) {
		if (a)
			onnx__attribute_proto__free_unpacked(a, NULL);
		return -ENOMEM;
	}
	n->attribute[n->n_attribute++] = a;
	return 0;
}

int aq_add_input(Onnx__NodeProto *n, const char *name)
{
	char *s = aq_strdup(name);
	if (!s || grow((void **)&n->input, n->n_input, sizeof(*n->input))) {
		free(s);
		return -ENOMEM;
	}
	n->input[n->n_input++] = s;
	return 0;
}

Onnx__NodeProto *aq_new_node(const char *op, const char *name, int nin, const char *const *in,
			     const char *out)
{
	Onnx__NodeProto *n = malloc(sizeof(*n));
	if (!n)
		return NULL;
	onnx__node_proto__init(n);
	n->op_type = aq_strdup(op);
	n->name = aq_strdup(name);
	n->output = malloc(sizeof(*n->output));
	int ok = n->op_type && n->name && n->output;
	if (n->output) {
		n->output[0] = aq_strdup(out);
		n->n_output = n->output[0] != NULL;
		ok = ok && n->n_output;
	}
	for (int i = 0; ok && i < nin; i++)
		ok = !aq_add_input(n, in[i]);
	if (!ok) {
		onnx__node_proto__free_unpacked(n, NULL);
		return NULL;
	}
	return n;
}

int aq_add_initializer(Onnx__GraphProto *g, Onnx__TensorProto *t)
{
	if (!t || grow((void **)&g->initializer, g->n_initializer, sizeof(*g->initializer))) {
		if (t)
			onnx__tensor_proto__free_unpacked(t, NULL);
		return -ENOMEM;
	}
	g->initializer[g->n_initializer++] = t;
	return 0;
}

int aq_has_output(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_output; i++)
		if (g->output[i]->name && !strcmp(g->output[i]->name, name))
			return 1;
	return 0;
}

int aq_add_output(Onnx__GraphProto *g, const char *name)
{
	Onnx__ValueInfoProto *vi = malloc(sizeof(*vi));
	if (!vi)
		return -ENOMEM;
	onnx__value_info_proto__init(vi);
	vi->name = aq_strdup(name);
	if (!vi->name || grow((void **)&g->output, g->n_output, sizeof(*g->output))) {
		onnx__value_info_proto__free_unpacked(vi, NULL);
		return -ENOMEM;
	}
	g->output[g->n_output++] = vi;
	return 0;
}

static int names_add(struct aq_names *ns, const char *s)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 256;
		char **v = realloc(ns->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n] = aq_strdup(s);
	return ns->v[ns->n] ? (ns->n++, 0) : -ENOMEM;
}

int aq_names_init(struct aq_names *ns, const Onnx__GraphProto *g)
{
	memset(ns, 0, sizeof(*ns));
	int rc = 0;
	for (size_t i = 0; !rc && i < g->n_node; i++) {
		for (size_t j = 0; !rc && j < g->node[i]->n_output; j++)
			rc = names_add(ns, g->node[i]->output[j]);
		if (!rc && g->node[i]->name)
			rc = names_add(ns, g->node[i]->name);
	}
	for (size_t i = 0; !rc && i < g->n_initializer; i++)
		rc = names_add(ns, g->initializer[i]->name ? g->initializer[i]->name : "");
	for (size_t i = 0; !rc && i < g->n_input; i++)
		rc = names_add(ns, g->input[i]->name ? g->input[i]->name : "");
	if (rc)
		aq_names_free(ns);
	return rc;
}

void aq_names_free(struct aq_names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

static int names_has(const struct aq_names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], s))
			return 1;
	return 0;
}

const char *aq_names_make(struct aq_names *ns, const char *base, const char *suffix)
{
	size_t len = strlen(base) + strlen(suffix) + 24;
	char *s = malloc(len);
	if (!s)
		return NULL;
	snprintf(s, len, "%s_%s", base, suffix);
	for (int k = 2; names_has(ns, s); k++)
		snprintf(s, len, "%s_%s_%d", base, suffix, k);
	int rc = names_add(ns, s);
	free(s);
	return rc ? NULL : ns->v[ns->n - 1];
}

static int is_read(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t j = 0; j < g->node[i]->n_input; j++)
			if (!strcmp(g->node[i]->input[j], name))
				return 1;
	return aq_has_output(g, name);
}

static int has_subgraphs(const Onnx__GraphProto *g)
{
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t j = 0; j < g->node[i]->n_attribute; j++)
			if (g->node[i]->attribute[j]->g || g->node[i]->attribute[j]->n_graphs)
				return 1;
	return 0;
}

void aq_prune_constants(Onnx__GraphProto *g)
{
	/* A subgraph may read an outer constant by name: leave them all. */
	if (has_subgraphs(g))
		return;
	size_t k = 0;
	for (size_t i = 0; i < g->n_node; i++) {
		Onnx__NodeProto *n = g->node[i];
		if (!strcmp(n->op_type, "Constant") && n->n_output == 1 &&
		    !is_read(g, n->output[0]))
			onnx__node_proto__free_unpacked(n, NULL);
		else
			g->node[k++] = n;
	}
	g->n_node = k;
	k = 0;
	for (size_t i = 0; i < g->n_initializer; i++) {
		Onnx__TensorProto *t = g->initializer[i];
		if (t->name && is_read(g, t->name)) {
			g->initializer[k++] = t;
			continue;
		}
		for (size_t j = 0; t->name && j < g->n_input; j++) {
			if (!g->input[j]->name || strcmp(g->input[j]->name, t->name))
				continue;
			onnx__value_info_proto__free_unpacked(g->input[j], NULL);
			memmove(g->input + j, g->input + j + 1,
				(g->n_input - j - 1) * sizeof(*g->input));
			g->n_input--;
			break;
		}
		onnx__tensor_proto__free_unpacked(t, NULL);
	}
	g->n_initializer = k;
}
