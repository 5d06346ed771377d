// SPDX-License-Identifier: MIT
/*
 * Graph inputs at the API boundary: a tensor given as an input is checked
 * against the model's declaration (element type, rank, static dims) and
 * symbolic dims (dim_param) must agree across inputs, so a wrong input
 * fails here, naming the input, rather than deep in a node.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

static const Onnx__TensorShapeProto *declared_shape(const Onnx__ValueInfoProto *vi)
{
	if (!vi || !vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		return NULL;
	return vi->type->tensor_type->shape;
}

void rt_declared_info(const Onnx__ValueInfoProto *vi, struct art_tensor *t)
{
	memset(t, 0, sizeof(*t));
	if (!vi || !vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		return;
	t->dtype = vi->type->tensor_type->elem_type;
	const Onnx__TensorShapeProto *sh = declared_shape(vi);
	if (!sh)
		return;
	t->ndim = sh->n_dim < ART_MAX_DIMS ? (int)sh->n_dim : ART_MAX_DIMS;
	for (int i = 0; i < t->ndim; i++)
		t->dims[i] = sh->dim[i]->value_case ==
					     ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
				     ? sh->dim[i]->dim_value
				     : -1;
}

const char *rt_dim_param(const Onnx__ValueInfoProto *vi, int d)
{
	const Onnx__TensorShapeProto *sh = declared_shape(vi);
	if (!sh || d < 0 || (size_t)d >= sh->n_dim ||
	    sh->dim[d]->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM ||
	    !sh->dim[d]->dim_param || !sh->dim[d]->dim_param[0])
		return NULL;
	return sh->dim[d]->dim_param;
}

/* "[batch,3]": the declared shape, a symbolic dim by its name, "?" unnamed. */
static const char *decl_str(const Onnx__ValueInfoProto *vi, char *buf, size_t len)
{
	const Onnx__TensorShapeProto *sh = declared_shape(vi);
	size_t o = (size_t)snprintf(buf, len, "[");
	for (size_t d = 0; sh && d < sh->n_dim && o < len; d++) {
		const char *p = rt_dim_param(vi, (int)d);
		if (sh->dim[d]->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
			o += (size_t)snprintf(buf + o, len - o, "%s%lld", d ? "," : "",
					      (long long)sh->dim[d]->dim_value);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s", d ? "," : "", p ? p : "?");
	}
	if (o < len)
		snprintf(buf + o, len - o, "]");
	return buf;
}

/* "[1,2,3]": the shape given. */
static const char *given_str(const struct art_tensor *t, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "[");
	for (int d = 0; d < t->ndim && o < len; d++)
		o += (size_t)snprintf(buf + o, len - o, "%s%lld", d ? "," : "",
				      (long long)t->dims[d]);
	if (o < len)
		snprintf(buf + o, len - o, "]");
	return buf;
}

int rt_input_matches_decl(struct art_session *s, int idx, const struct art_tensor *t)
{
	if (idx < 0 || idx >= s->ninputs)
		return rt_err(s, -EINVAL, "input index %d out of range (%d inputs)", idx,
			      s->ninputs);
	const char *name = s->vals[s->inputs[idx]].name;
	if (!art_dtype_size(t->dtype))
		return rt_err(s, -EINVAL, "input '%s': element type %s (%d) is not supported", name,
			      art_dtype_name(t->dtype), t->dtype);
	if (t->ndim < 0 || t->ndim > ART_MAX_DIMS)
		return rt_err(s, -EINVAL, "input '%s': rank %d is outside 0 to %d", name, t->ndim,
			      ART_MAX_DIMS);
	const Onnx__ValueInfoProto *vi = rt_declared(s, name);
	if (rt_declared_kind(vi, NULL) == ART_KIND_SEQUENCE)
		return rt_err(s, -EINVAL,
			      "input '%s' is a sequence (set it with "
			      "art_session_set_input_sequence())",
			      name);
	struct art_tensor decl;
	char want[256], got[256];
	rt_declared_info(vi, &decl);
	if (decl.dtype && t->dtype != decl.dtype)
		return rt_err(s, -EINVAL, "input '%s': expected element type %s, got %s", name,
			      art_dtype_name(decl.dtype), art_dtype_name(t->dtype));
	if (!declared_shape(vi))
		return 0; /* the model leaves the rank open */
	if (t->ndim != decl.ndim)
		return rt_err(s, -EINVAL,
			      "input '%s': expected rank %d (declared %s), got rank %d (shape %s)",
			      name, decl.ndim, decl_str(vi, want, sizeof(want)), t->ndim,
			      given_str(t, got, sizeof(got)));
	for (int d = 0; d < t->ndim; d++)
		if (decl.dims[d] >= 0 && t->dims[d] != decl.dims[d])
			return rt_err(s, -EINVAL,
				      "input '%s': dim %d must be %lld (declared %s), got %lld "
				      "(shape %s)",
				      name, d, (long long)decl.dims[d],
				      decl_str(vi, want, sizeof(want)), (long long)t->dims[d],
				      given_str(t, got, sizeof(got)));
	return 0;
}

int rt_input_check(struct art_session *s, int idx, const struct art_tensor *t, size_t *nbytes)
{
	int rc = rt_input_matches_decl(s, idx, t);
	if (rc)
		return rc;
	const char *name = s->vals[s->inputs[idx]].name;
	size_t es = art_dtype_size(t->dtype);
	int64_t elems = art_tensor_elems(t);
	if (elems < 0)
		return rt_err(s, -EINVAL, "input '%s': bad shape", name);
	if ((uint64_t)elems > s->max_tensor_bytes / es)
		return rt_err(s, -E2BIG, "input '%s': %lld elements exceed the limit of %llu bytes",
			      name, (long long)elems, (unsigned long long)s->max_tensor_bytes);
	*nbytes = (size_t)elems * es;
	if (*nbytes && !t->data)
		return rt_err(s, -EINVAL, "input '%s': no data", name);
	return 0;
}

int rt_inputs_agree(struct art_session *s, const struct art_tensor *const *ts)
{
	for (int i = 0; i < s->ninputs; i++) {
		const Onnx__ValueInfoProto *vi = rt_declared(s, s->vals[s->inputs[i]].name);
		for (int d = 0; ts[i] && d < ts[i]->ndim; d++) {
			const char *p = rt_dim_param(vi, d);
			if (!p)
				continue;
			/* The first use of P, in input order, binds it. */
			for (int j = 0; j <= i; j++) {
				const char *jname = s->vals[s->inputs[j]].name;
				const Onnx__ValueInfoProto *vj =
					j == i ? vi : rt_declared(s, jname);
				int e_end = j == i ? d : (ts[j] ? ts[j]->ndim : 0);
				for (int e = 0; e < e_end; e++) {
					const char *q = rt_dim_param(vj, e);
					if (!q || strcmp(p, q) || ts[j]->dims[e] == ts[i]->dims[d])
						continue;
					return rt_err(
						s, -EINVAL,
						"input '%s': dim %d ('%s') is %lld, but input "
						"'%s' dim %d gave '%s' the size %lld",
						s->vals[s->inputs[i]].name, d, p,
						(long long)ts[i]->dims[d], jname, e, q,
						(long long)ts[j]->dims[e]);
				}
			}
		}
	}
	return 0;
}
