// SPDX-License-Identifier: MIT
/*
 * The value table: values by name, node inputs and outputs, and the tensor
 * copies the session and runs share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

int rt_value_find(struct art_session *s, const char *name)
{
	for (int i = 0; i < s->nvals; i++)
		if (!strcmp(s->vals[i].name, name))
			return i;
	return -1;
}

int rt_value_get(struct art_session *s, const char *name)
{
	int i = rt_value_find(s, name);
	if (i >= 0)
		return i;
	if (s->nvals == s->capvals) {
		int cap = s->capvals ? s->capvals * 2 : 64;
		struct rt_value *v = realloc(s->vals, (size_t)cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->vals = v;
		s->capvals = cap;
	}
	struct rt_value *v = &s->vals[s->nvals];
	memset(v, 0, sizeof(*v));
	v->dq_src[0] = v->dq_src[1] = v->dq_src[2] = -1;
	v->name = strdup(name);
	if (!v->name)
		return -ENOMEM;
	return s->nvals++;
}

void rt_value_clear(struct rt_value *v)
{
	free(v->buf);
	v->buf = NULL;
	v->t.data = NULL;
	rt_seq_free(v->seq);
	v->seq = NULL;
}

struct art_tensor *rt_in(struct art_session *s, const struct rt_node *n, int i)
{
	if (i >= n->nin || n->in[i] < 0)
		return NULL;
	struct rt_value *v = &s->vals[n->in[i]];
	return v->t.data ? &v->t : NULL;
}

static int alloc_out(struct art_session *s, const struct rt_node *n, int i, int dtype, int ndim,
		     const int64_t *dims, void **data, int zeroed)
{
	if (i >= n->nout || n->out[i] < 0) {
		*data = NULL;
		return 0;
	}
	struct rt_value *v = &s->vals[n->out[i]];
	rt_value_clear(v);
	v->t.dtype = dtype;
	v->t.ndim = ndim;
	for (int d = 0; d < ndim; d++)
		v->t.dims[d] = dims[d];
	int64_t elems = art_tensor_elems(&v->t);
	if (elems < 0 || (uint64_t)elems > s->max_tensor_bytes / art_dtype_size(dtype)) {
		v->t.ndim = 0;
		return rt_err(s, -E2BIG,
			      "node '%s': output %d would have %lld elements (limit %llu bytes)",
			      n->name, i, (long long)elems,
			      (unsigned long long)s->max_tensor_bytes);
	}
	size_t nbytes = (size_t)elems * art_dtype_size(dtype);
	v->buf = zeroed ? calloc(1, nbytes ? nbytes : 1) : malloc(nbytes ? nbytes : 1);
	if (!v->buf)
		return rt_err(s, -ENOMEM, "node '%s': out of memory for output %d", n->name, i);
	v->t.data = v->buf;
	*data = v->buf;
	return 0;
}

int rt_alloc_out(struct art_session *s, const struct rt_node *n, int i, int dtype, int ndim,
		 const int64_t *dims, void **data)
{
	return alloc_out(s, n, i, dtype, ndim, dims, data, 1);
}

int rt_alloc_out_raw(struct art_session *s, const struct rt_node *n, int i, int dtype, int ndim,
		     const int64_t *dims, void **data)
{
	return alloc_out(s, n, i, dtype, ndim, dims, data, 0);
}

int rt_value_set(struct art_session *s, int v, const struct art_tensor *t)
{
	struct rt_value *val = &s->vals[v];
	struct art_tensor copy;
	char what[300];
	snprintf(what, sizeof(what), "value '%s'", val->name);
	int rc = rt_tensor_dup_err(s, what, t, &copy);
	if (rc)
		return rc;
	rt_value_clear(val);
	val->t = copy;
	val->buf = (void *)copy.data;
	return 0;
}

int rt_alloc_out_strings(struct art_session *s, const struct rt_node *n, int i, int ndim,
			 const int64_t *dims, size_t text_bytes, char ***elems, char **text)
{
	void *ptrs;
	int rc = rt_alloc_out(s, n, i, ART_STRING, ndim, dims, &ptrs);
	if (rc || !ptrs)
		return rc;
	struct rt_value *v = &s->vals[n->out[i]];
	int64_t count = art_tensor_elems(&v->t);
	char **p = rt_strings_alloc(count, text_bytes, text);
	if (!p)
		return rt_err(s, -ENOMEM, "node '%s': out of memory for %zu bytes of text", n->name,
			      text_bytes);
	free(v->buf);
	v->buf = p;
	v->t.data = p;
	*elems = p;
	return 0;
}

const Onnx__ValueInfoProto *rt_declared(const struct art_session *s, const char *name)
{
	const Onnx__GraphProto *g = s->model->graph;
	Onnx__ValueInfoProto **lists[3] = {g->input, g->value_info, g->output};
	size_t counts[3] = {g->n_input, g->n_value_info, g->n_output};
	for (int l = 0; l < 3; l++)
		for (size_t i = 0; i < counts[l]; i++)
			if (!strcmp(lists[l][i]->name, name))
				return lists[l][i];
	return NULL;
}

int rt_known_dtype(const struct art_session *s, int v)
{
	const struct rt_value *val = &s->vals[v];
	if (val->t.data && val->is_const)
		return val->t.dtype;
	if (val->info.dtype)
		return val->info.dtype;
	const Onnx__ValueInfoProto *vi = rt_declared(s, val->name);
	if (vi && vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		return vi->type->tensor_type->elem_type;
	return 0;
}

/* Sequence values (the sequences themselves: core/sequence.c). */
struct rt_seq *rt_in_seq(struct art_session *s, const struct rt_node *n, int i)
{
	if (i >= n->nin || n->in[i] < 0)
		return NULL;
	return s->vals[n->in[i]].seq;
}

int rt_out_seq(struct art_session *s, const struct rt_node *n, int i, struct rt_seq *q)
{
	if (i >= n->nout || n->out[i] < 0) {
		rt_seq_free(q);
		return 0;
	}
	struct rt_value *v = &s->vals[n->out[i]];
	rt_value_clear(v);
	memset(&v->t, 0, sizeof(v->t));
	v->seq = q;
	return 0;
}
