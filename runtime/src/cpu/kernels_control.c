// SPDX-License-Identifier: MIT
/* CPU reference kernels: control flow. If runs one branch, Loop runs its
 * body until the trip count or the condition ends it, Scan runs its body
 * once per slice of its scan inputs. Subgraph nodes share
 * the session's value table (session.c builds them), so a branch reads
 * outer-scope values directly. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"

static int run_graph(struct art_session *s, const struct rt_node *owner, const struct rt_graph *g)
{
	/* With a device the session runs the body as a session of its own
	 * (subgraph.c), placed on the device; -ENOSYS: it stays here. */
	if (s->run_subgraph) {
		int rc = s->run_subgraph(s, owner, g);
		if (rc != -ENOSYS)
			return rc;
	}
	for (int i = 0; i < g->nnodes; i++) {
		const struct rt_node *n = &g->nodes[i];
		int rc = rt_kernel_check_dtypes(s, n, 0);
		if (!rc)
			rc = n->fn(s, n);
		if (rc)
			return rc;
	}
	return 0;
}

static const struct art_tensor *value_of(struct art_session *s, int v)
{
	return v >= 0 && s->vals[v].t.data ? &s->vals[v].t : NULL;
}

/* Output I of N becomes a copy of T (strings with their text). */
static int copy_out(struct art_session *s, const struct rt_node *n, int i,
		    const struct art_tensor *t)
{
	void *o;
	int rc = rt_alloc_out(s, n, i, t->dtype, t->ndim, t->dims, &o);
	if (!rc && o && t->dtype == ART_STRING)
		return rt_value_set(s, n->out[i], t);
	if (!rc && o)
		memcpy(o, t->data, (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype));
	return rc;
}

static int k_if(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *c = rt_in(s, n, 0);
	NEED(c && art_tensor_elems(c) == 1, "node '%s' (If): cond must be one value", n->name);
	const struct rt_graph *g = n->sub[rt_get_d(c, 0) != 0 ? 0 : 1];
	NEED(g && g->noutputs == n->nout,
	     "node '%s' (If): branch missing or its output count differs from the node's", n->name);
	int rc = run_graph(s, n, g);
	for (int j = 0; !rc && j < n->nout; j++) {
		const struct rt_seq *q = g->outputs[j] >= 0 ? s->vals[g->outputs[j]].seq : NULL;
		if (q) { /* a branch may yield a sequence: the node's output copies it */
			struct rt_seq *c = rt_seq_dup(q);
			rc = c ? rt_out_seq(s, n, j, c)
			       : rt_err(s, -ENOMEM, "node '%s' (If): out of memory", n->name);
			continue;
		}
		const struct art_tensor *t = value_of(s, g->outputs[j]);
		NEED(t, "node '%s' (If): branch output %d was not computed", n->name, j);
		rc = copy_out(s, n, j, t);
	}
	return rc;
}

/* An owned copy of a tensor. */
static int dup_tensor(const struct art_tensor *t, struct art_tensor *d)
{
	int64_t bad;
	if (t->dtype == ART_STRING)
		return rt_tensor_dup(t, d, &bad);
	size_t nb = (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype);
	void *p = malloc(nb ? nb : 1);
	if (!p)
		return -ENOMEM;
	if (nb)
		memcpy(p, t->data, nb);
	*d = *t;
	d->data = p;
	return 0;
}

struct scan_acc {
	struct art_tensor first; /* shape and type of iteration 0 */
	uint8_t *buf;
	size_t len, cap;
};

/* Loop: inputs M (trip count) and cond, both optional, then the carried
 * values; body inputs (iter, cond, carried...), body outputs (cond,
 * carried..., scan outputs...); scan outputs stack along a new axis 0. */
/* Appends iteration IT's value T of Loop N's scan output K to A; every
 * iteration's must have the first one's dtype and shape. */
static int loop_scan_append(struct art_session *s, const struct rt_node *n, int k, int64_t it,
			    const struct art_tensor *t, struct scan_acc *a)
{
	if (!t)
		return rt_err(s, -EINVAL, "node '%s' (Loop): scan output %d missing", n->name, k);
	if (it == 0) {
		a->first = *t;
		a->first.data = NULL;
	} else if (t->dtype != a->first.dtype || t->ndim != a->first.ndim ||
		   memcmp(t->dims, a->first.dims, sizeof(int64_t) * (size_t)t->ndim)) {
		return rt_err(s, -EINVAL,
			      "node '%s' (Loop): scan output %d changes shape at iteration %lld",
			      n->name, k, (long long)it);
	}
	size_t nb = (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype);
	if (a->len + nb > a->cap) {
		size_t cap = (a->cap + nb) * 2;
		uint8_t *p = realloc(a->buf, cap);
		if (!p)
			return rt_err(s, -ENOMEM, "node '%s' (Loop): out of memory", n->name);
		a->buf = p;
		a->cap = cap;
	}
	memcpy(a->buf + a->len, t->data, nb);
	a->len += nb;
	return 0;
}

static int k_loop(struct art_session *s, const struct rt_node *n)
{
	const struct rt_graph *g = n->sub[0];
	int nexp = (int)n->proto->n_input, ncar = nexp - 2;
	NEED(g && ncar >= 0 && g->ninputs == ncar + 2 && g->noutputs >= ncar + 1 &&
		     n->nout == g->noutputs - 1,
	     "node '%s' (Loop): body inputs/outputs do not match the node's", n->name);
	int nscan = g->noutputs - 1 - ncar;
	const struct art_tensor *mt = rt_in(s, n, 0), *ct = rt_in(s, n, 1);
	NEED((!mt || art_tensor_elems(mt) == 1) && (!ct || art_tensor_elems(ct) == 1),
	     "node '%s' (Loop): trip count and condition must be one value each", n->name);
	int64_t trips = mt ? rt_get_i(mt, 0) : INT64_MAX;
	int cond = ct ? rt_get_d(ct, 0) != 0 : 1, rc = 0;
	struct art_tensor *car = calloc((size_t)ncar + 1, sizeof(*car));
	struct scan_acc *sc = calloc((size_t)nscan + 1, sizeof(*sc));
	if (!car || !sc) {
		free(car);
		free(sc);
		return rt_err(s, -ENOMEM, "node '%s' (Loop): out of memory", n->name);
	}
	for (int k = 0; k < ncar && !rc; k++) {
		const struct art_tensor *t = rt_in(s, n, 2 + k);
		if (!t)
			rc = rt_err(s, -EINVAL, "node '%s' (Loop): carried input %d missing",
				    n->name, k);
		else if (dup_tensor(t, &car[k]))
			rc = rt_err(s, -ENOMEM, "node '%s' (Loop): out of memory", n->name);
	}
	int64_t it = 0;
	for (; !rc && it < trips && cond; it++) {
		int64_t iv = it;
		uint8_t cv = 1;
		struct art_tensor ti = {.dtype = ART_INT64, .ndim = 0, .data = &iv};
		struct art_tensor tc = {.dtype = ART_BOOL, .ndim = 0, .data = &cv};
		rc = rt_value_set(s, g->inputs[0], &ti);
		if (!rc)
			rc = rt_value_set(s, g->inputs[1], &tc);
		for (int k = 0; k < ncar && !rc; k++)
			rc = rt_value_set(s, g->inputs[2 + k], &car[k]);
		if (!rc)
			rc = run_graph(s, n, g);
		if (rc)
			break;
		const struct art_tensor *co = value_of(s, g->outputs[0]);
		if (!co || art_tensor_elems(co) != 1) {
			rc = rt_err(s, -EINVAL, "node '%s' (Loop): body cond output missing",
				    n->name);
			break;
		}
		cond = rt_get_d(co, 0) != 0;
		for (int k = 0; k < ncar && !rc; k++) {
			const struct art_tensor *t = value_of(s, g->outputs[1 + k]);
			struct art_tensor d;
			if (!t || dup_tensor(t, &d)) {
				rc = rt_err(s, -EINVAL,
					    "node '%s' (Loop): carried output %d missing", n->name,
					    k);
				break;
			}
			free((void *)car[k].data);
			car[k] = d;
		}
		for (int k = 0; k < nscan && !rc; k++)
			rc = loop_scan_append(s, n, k, it, value_of(s, g->outputs[1 + ncar + k]),
					      &sc[k]);
	}
	for (int k = 0; k < ncar && !rc; k++)
		rc = copy_out(s, n, k, &car[k]);
	for (int k = 0; k < nscan && !rc; k++) {
		struct art_tensor st = sc[k].first;
		if (st.ndim >= ART_MAX_DIMS) {
			rc = rt_err(s, -EINVAL, "node '%s' (Loop): scan output rank too large",
				    n->name);
			break;
		}
		if (it == 0) /* no iteration: an empty float tensor [0] */
			st = (struct art_tensor){.dtype = ART_FLOAT, .ndim = 0};
		memmove(st.dims + 1, st.dims, sizeof(int64_t) * (size_t)st.ndim);
		st.dims[0] = it;
		st.ndim++;
		st.data = sc[k].buf ? (const void *)sc[k].buf : (const void *)"";
		rc = copy_out(s, n, ncar + k, &st);
	}
	for (int k = 0; k < ncar; k++)
		free((void *)car[k].data);
	for (int k = 0; k < nscan; k++)
		free(sc[k].buf);
	free(car);
	free(sc);
	return rc;
}

/* Slice IDX of T along AXIS (that axis dropped) into D, owned. */
static int take_slice(const struct art_tensor *t, int axis, int64_t idx, struct art_tensor *d)
{
	size_t es = art_dtype_size(t->dtype);
	int64_t outer = rt_shape_elems(t->dims, axis), L = t->dims[axis];
	size_t inner = (size_t)rt_shape_elems(t->dims + axis + 1, t->ndim - axis - 1) * es;
	size_t nb = (size_t)outer * inner;
	uint8_t *p = malloc(nb ? nb : 1);
	if (!p)
		return -ENOMEM;
	for (int64_t o = 0; o < outer; o++)
		memcpy(p + (size_t)o * inner,
		       (const uint8_t *)t->data + (size_t)(o * L + idx) * inner, inner);
	*d = *t;
	d->ndim = t->ndim - 1;
	memmove(d->dims + axis, d->dims + axis + 1, sizeof(int64_t) * (size_t)(d->ndim - axis));
	d->data = p;
	return 0;
}

static int same_shape(const struct art_tensor *a, const struct art_tensor *b)
{
	return a->dtype == b->dtype && a->ndim == b->ndim &&
	       !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->ndim);
}

/* Stacks the L tensors PARTS (one shape, else -EINVAL) along a new axis
 * AXIS into D, owned; REVERSE puts part 0 last. */
static int stack(const struct art_tensor *parts, int64_t L, int axis, int reverse,
		 struct art_tensor *d)
{
	const struct art_tensor *p0 = &parts[0];
	if (p0->ndim >= ART_MAX_DIMS)
		return -E2BIG;
	for (int64_t k = 1; k < L; k++)
		if (!same_shape(&parts[k], p0))
			return -EINVAL;
	size_t es = art_dtype_size(p0->dtype);
	int64_t outer = rt_shape_elems(p0->dims, axis);
	size_t inner = (size_t)rt_shape_elems(p0->dims + axis, p0->ndim - axis) * es;
	size_t nb = (size_t)(outer * L) * inner;
	uint8_t *p = malloc(nb ? nb : 1);
	if (!p)
		return -ENOMEM;
	for (int64_t k = 0; k < L; k++) {
		int64_t at = reverse ? L - 1 - k : k;
		for (int64_t o = 0; o < outer; o++)
			memcpy(p + (size_t)(o * L + at) * inner,
			       (const uint8_t *)parts[k].data + (size_t)o * inner, inner);
	}
	*d = *p0;
	memmove(d->dims + axis + 1, d->dims + axis, sizeof(int64_t) * (size_t)(p0->ndim - axis));
	d->dims[axis] = L;
	d->ndim = p0->ndim + 1;
	d->data = p;
	return 0;
}

/* Axes or directions attribute NAME for COUNT tensors (default 0); -1 on a
 * count mismatch. */
static int scan_attr(const struct rt_node *n, const char *name, int count, int64_t *v)
{
	for (int i = 0; i < count; i++)
		v[i] = 0;
	int c = rt_attr_ints(n, name, v, count);
	return c < 0 || c == count ? 0 : -1;
}

struct scan_io {
	int nst, nin, nout;
	int64_t in_axis[ART_MAX_DIMS * 4], in_dir[ART_MAX_DIMS * 4];
	int64_t out_axis[ART_MAX_DIMS * 4], out_dir[ART_MAX_DIMS * 4];
};

/* One scan over the sequence: ST (nst states, updated in place, owned)
 * and IN (nin scan inputs); SO receives the nout stacked scan outputs. */
static int scan_once(struct art_session *s, const struct rt_node *n, const struct scan_io *io,
		     struct art_tensor *st, const struct art_tensor *const *in,
		     struct art_tensor *so)
{
	const struct rt_graph *g = n->sub[0];
	int64_t L = -1;
	for (int k = 0; k < io->nin; k++) {
		int a = rt_axis(io->in_axis[k], in[k]->ndim);
		NEED(a >= 0 && (L < 0 || in[k]->dims[a] == L),
		     "node '%s' (Scan): scan input %d axis out of range or sequence lengths differ",
		     n->name, k);
		L = in[k]->dims[a];
	}
	NEED(L >= 1, "node '%s' (Scan): empty sequence", n->name);
	struct art_tensor *parts = calloc((size_t)(io->nout * L) + 1, sizeof(*parts));
	NEED(parts, "node '%s' (Scan): out of memory", n->name);
	int rc = 0;
	for (int64_t t = 0; !rc && t < L; t++) {
		for (int k = 0; k < io->nst && !rc; k++)
			rc = rt_value_set(s, g->inputs[k], &st[k]);
		for (int k = 0; k < io->nin && !rc; k++) {
			struct art_tensor sl;
			int a = rt_axis(io->in_axis[k], in[k]->ndim);
			if (take_slice(in[k], a, io->in_dir[k] ? L - 1 - t : t, &sl)) {
				rc = rt_err(s, -ENOMEM, "node '%s' (Scan): out of memory", n->name);
				break;
			}
			rc = rt_value_set(s, g->inputs[io->nst + k], &sl);
			free((void *)sl.data);
		}
		if (!rc)
			rc = run_graph(s, n, g);
		for (int k = 0; k < io->nst && !rc; k++) {
			const struct art_tensor *v = value_of(s, g->outputs[k]);
			struct art_tensor d;
			if (!v || dup_tensor(v, &d)) {
				rc = rt_err(s, -EINVAL, "node '%s' (Scan): state output %d missing",
					    n->name, k);
				break;
			}
			free((void *)st[k].data);
			st[k] = d;
		}
		for (int k = 0; k < io->nout && !rc; k++) {
			const struct art_tensor *v = value_of(s, g->outputs[io->nst + k]);
			if (!v || (t && !same_shape(v, &parts[k * L])))
				rc = rt_err(s, -EINVAL,
					    "node '%s' (Scan): scan output %d missing or changes "
					    "shape",
					    n->name, k);
			else if (dup_tensor(v, &parts[k * L + t]))
				rc = rt_err(s, -ENOMEM, "node '%s' (Scan): out of memory", n->name);
		}
	}
	for (int k = 0; k < io->nout && !rc; k++) {
		int a = rt_axis(io->out_axis[k], parts[k * L].ndim + 1);
		if (a < 0)
			rc = rt_err(s, -EINVAL,
				    "node '%s' (Scan): scan output %d axis out of range", n->name,
				    k);
		else if (stack(&parts[k * L], L, a, (int)io->out_dir[k], &so[k]))
			rc = rt_err(s, -EINVAL,
				    "node '%s' (Scan): scan output %d: out of memory or rank too "
				    "large",
				    n->name, k);
	}
	for (int64_t i = 0; i < io->nout * L; i++)
		free((void *)parts[i].data);
	free(parts);
	return rc;
}

static int check_scan(struct art_session *s, const struct rt_node *n)
{
	const struct rt_graph *g = n->sub[0];
	int v8 = s->opset < 9, nexp = (int)n->proto->n_input - v8;
	int64_t m = rt_attr_i(n, "num_scan_inputs", -1);
	NEED(g && m >= 1 && m <= nexp && m <= ART_MAX_DIMS * 4,
	     "node '%s' (Scan): body or num_scan_inputs missing, or more scan inputs than inputs",
	     n->name);
	int nst = nexp - (int)m, nout = (int)n->nout - nst;
	NEED(g->ninputs == nexp && g->noutputs == (int)n->nout && nout >= 0 &&
		     nout <= ART_MAX_DIMS * 4,
	     "node '%s' (Scan): body inputs/outputs do not match the node's", n->name);
	int64_t v[ART_MAX_DIMS * 4];
	NEED(!scan_attr(n, v8 ? "directions" : "scan_input_directions", (int)m, v) &&
		     (v8 || (!scan_attr(n, "scan_input_axes", (int)m, v) &&
			     !scan_attr(n, "scan_output_axes", nout, v) &&
			     !scan_attr(n, "scan_output_directions", nout, v))),
	     "node '%s' (Scan): an axes or directions attribute has the wrong length", n->name);
	return 0;
}

/* Scan: state variables carried through the body once per element of the
 * scan inputs' sequence axis, per-iteration outputs stacked. Opset 8 adds
 * a batch axis 0 to everything (each batch scanned alone) and an optional
 * sequence_lens input first. */
static int k_scan(struct art_session *s, const struct rt_node *n)
{
	int rc = check_scan(s, n);
	if (rc)
		return rc;
	int v8 = s->opset < 9, nexp = (int)n->proto->n_input - v8;
	struct scan_io io = {.nin = (int)rt_attr_i(n, "num_scan_inputs", 1)};
	io.nst = nexp - io.nin;
	io.nout = n->nout - io.nst;
	scan_attr(n, v8 ? "directions" : "scan_input_directions", io.nin, io.in_dir);
	scan_attr(n, "scan_input_axes", io.nin, io.in_axis);
	scan_attr(n, "scan_output_axes", io.nout, io.out_axis);
	scan_attr(n, "scan_output_directions", io.nout, io.out_dir);
	for (int k = 0; k < nexp; k++)
		NEED(rt_in(s, n, v8 + k), "node '%s' (Scan): input %d missing", n->name, v8 + k);
	const struct art_tensor *in0[ART_MAX_DIMS * 4];
	struct art_tensor *st = calloc((size_t)io.nst + 1, sizeof(*st));
	struct art_tensor *so = calloc((size_t)io.nout + 1, sizeof(*so));
	if (!st || !so) {
		free(st);
		free(so);
		return rt_err(s, -ENOMEM, "node '%s' (Scan): out of memory", n->name);
	}
	if (!v8) {
		for (int k = 0; k < io.nst && !rc; k++)
			if (dup_tensor(rt_in(s, n, k), &st[k]))
				rc = rt_err(s, -ENOMEM, "node '%s' (Scan): out of memory", n->name);
		for (int k = 0; k < io.nin; k++)
			in0[k] = rt_in(s, n, io.nst + k);
		if (!rc)
			rc = scan_once(s, n, &io, st, in0, so);
		for (int k = 0; k < io.nst && !rc; k++)
			rc = copy_out(s, n, k, &st[k]);
		for (int k = 0; k < io.nout && !rc; k++)
			rc = copy_out(s, n, io.nst + k, &so[k]);
		goto out;
	}
	/* Opset 8: every input has the batch on axis 0; scan batch by batch. */
	const struct art_tensor *sl = rt_in(s, n, 0), *first = rt_in(s, n, 1);
	int64_t B = first->ndim >= 1 ? first->dims[0] : 0;
	for (int k = 0; k < nexp; k++)
		if (rt_in(s, n, 1 + k)->ndim < 1 || rt_in(s, n, 1 + k)->dims[0] != B)
			rc = rt_err(s, -EINVAL,
				    "node '%s' (Scan): inputs need a batch axis 0 of one size",
				    n->name);
	struct art_tensor *bst = calloc((size_t)(io.nst * B) + 1, sizeof(*bst));
	struct art_tensor *bso = calloc((size_t)(io.nout * B) + 1, sizeof(*bso));
	struct art_tensor *bin = calloc((size_t)io.nin + 1, sizeof(*bin));
	if (!rc && (!bst || !bso || !bin))
		rc = rt_err(s, -ENOMEM, "node '%s' (Scan): out of memory", n->name);
	for (int64_t b = 0; !rc && b < B; b++) {
		for (int k = 0; k < io.nst && !rc; k++)
			if (take_slice(rt_in(s, n, 1 + k), 0, b, &bst[k * B + b]))
				rc = rt_err(s, -ENOMEM, "node '%s' (Scan): out of memory", n->name);
		for (int k = 0; k < io.nin && !rc; k++) {
			if (take_slice(rt_in(s, n, 1 + io.nst + k), 0, b, &bin[k]))
				rc = rt_err(s, -ENOMEM, "node '%s' (Scan): out of memory", n->name);
			in0[k] = &bin[k];
		}
		int64_t len = !rc && io.nin && bin[0].ndim ? bin[0].dims[0] : 0;
		if (!rc && sl && art_tensor_elems(sl) && rt_get_i(sl, b) != len)
			rc = rt_err(
				s, -ENOTSUP,
				"node '%s' (Scan): sequence_lens shorter than the sequence axis",
				n->name);
		struct art_tensor *stb = calloc((size_t)io.nst + 1, sizeof(*stb));
		struct art_tensor *sob = calloc((size_t)io.nout + 1, sizeof(*sob));
		if (!rc && (!stb || !sob))
			rc = rt_err(s, -ENOMEM, "node '%s' (Scan): out of memory", n->name);
		/* The batch's states move into STB for the scan and back after
		 * it, updated; its scan outputs land in BSO, freed from there. */
		if (!rc) {
			for (int k = 0; k < io.nst; k++)
				stb[k] = bst[k * B + b];
			rc = scan_once(s, n, &io, stb, in0, sob);
			for (int k = 0; k < io.nst; k++)
				bst[k * B + b] = stb[k];
			for (int k = 0; k < io.nout; k++)
				bso[k * B + b] = sob[k];
		}
		for (int k = 0; k < io.nin; k++) {
			free((void *)bin[k].data);
			bin[k].data = NULL;
		}
		free(stb);
		free(sob);
	}
	for (int k = 0; k < io.nst && !rc; k++)
		if (stack(&bst[k * B], B, 0, 0, &st[k]) || copy_out(s, n, k, &st[k]))
			rc = rt_err(s, -EINVAL,
				    "node '%s' (Scan): state %d: out of memory, rank too "
				    "large or batches differ in shape",
				    n->name, k);
	for (int k = 0; k < io.nout && !rc; k++)
		if (stack(&bso[k * B], B, 0, 0, &so[k]) || copy_out(s, n, io.nst + k, &so[k]))
			rc = rt_err(s, -EINVAL,
				    "node '%s' (Scan): scan output %d: out of memory, rank too "
				    "large or batches differ in shape",
				    n->name, k);
	for (int64_t i = 0; bst && i < io.nst * B; i++)
		free((void *)bst[i].data);
	for (int64_t i = 0; bso && i < io.nout * B; i++)
		free((void *)bso[i].data);
	free(bst);
	free(bso);
	free(bin);
out:
	for (int k = 0; k < io.nst; k++)
		free((void *)st[k].data);
	for (int k = 0; k < io.nout; k++)
		free((void *)so[k].data);
	free(st);
	free(so);
	return rc;
}

const struct rt_kernel_entry rt_kernels_control[] = {
	{"If", k_if},
	{"Loop", k_loop},
	{"Scan", k_scan},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_control[] = {
	{"Scan", check_scan},
	{NULL, NULL},
};
