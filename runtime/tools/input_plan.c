// SPDX-License-Identifier: MIT
/*
 * accel-run's input plan: the shape of each input and where each dim came
 * from. A symbolic dim (dim_param) takes one size across all inputs, as the
 * runtime requires; the first input, in order, that gives it a size (file,
 * --shape, then the defaults) binds it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input_plan.h"

struct binding {
	const char *param;
	int64_t size;
	char by[160];
};

struct planner {
	art_session *s;
	struct binding *b; /* room for every dim of every input */
	int nb;
	char *err;
	size_t errlen;
};

int shape_arg_parse(char *text, struct shape_arg *sa, char *err, size_t errlen)
{
	char *eq = strchr(text, '=');

	memset(sa, 0, sizeof(*sa));
	if (!eq || eq == text) {
		snprintf(err, errlen, "--shape '%s': expected NAME=D0,D1,...", text);
		return -1;
	}
	*eq = 0;
	sa->name = text;
	for (char *p = eq + 1; *p;) {
		char *end;
		if (sa->ndim == ART_MAX_DIMS) {
			snprintf(err, errlen, "--shape %s: more than %d dims", text, ART_MAX_DIMS);
			return -1;
		}
		errno = 0;
		long long v = strtoll(p, &end, 10);
		size_t len = strcspn(p, ",");
		if (end == p || (*end && *end != ',')) {
			snprintf(err, errlen, "--shape %s: dim %d '%.*s' is not a number", text,
				 sa->ndim, (int)len, p);
			return -1;
		}
		if (errno == ERANGE) {
			snprintf(err, errlen, "--shape %s: dim %d '%.*s' overflows", text, sa->ndim,
				 (int)len, p);
			return -1;
		}
		if (v < 1) {
			snprintf(err, errlen, "--shape %s: dim %d is %lld; dims must be at least 1",
				 text, sa->ndim, v);
			return -1;
		}
		sa->dims[sa->ndim++] = v;
		p = *end ? end + 1 : end;
		if (*end && !*p) {
			snprintf(err, errlen, "--shape %s: a comma ends the dims", text);
			return -1;
		}
	}
	return 0;
}

static int find_input(art_session *s, const char *name)
{
	for (int i = 0; i < art_session_input_count(s); i++) {
		const char *n;
		struct art_tensor info;
		if (!art_session_input_info(s, i, &n, &info) && !strcmp(n, name))
			return i;
	}
	return -1;
}

/* Every --input and --shape names an input of the model, once: a typo must
 * not run on random data. */
static int check_names(struct planner *pl, const struct input_args *a)
{
	for (int f = 0; f < a->nin; f++) {
		if (find_input(pl->s, a->in_names[f]) < 0) {
			snprintf(pl->err, pl->errlen, "model has no input named '%s'",
				 a->in_names[f]);
			return -1;
		}
		for (int g = 0; g < f; g++)
			if (!strcmp(a->in_names[f], a->in_names[g])) {
				snprintf(pl->err, pl->errlen, "--input %s given twice",
					 a->in_names[f]);
				return -1;
			}
	}
	for (int f = 0; f < a->nshapes; f++) {
		const char *name = a->shapes[f].name;
		if (find_input(pl->s, name) < 0) {
			snprintf(pl->err, pl->errlen, "--shape: model has no input named '%s'",
				 name);
			return -1;
		}
		for (int g = 0; g < f; g++)
			if (!strcmp(name, a->shapes[g].name)) {
				snprintf(pl->err, pl->errlen, "--shape %s given twice", name);
				return -1;
			}
		for (int g = 0; g < a->nin; g++)
			if (!strcmp(name, a->in_names[g])) {
				snprintf(pl->err, pl->errlen,
					 "--shape %s: input '%s' is read from %s, which gives "
					 "its shape",
					 name, name, a->in_files[g]);
				return -1;
			}
	}
	return 0;
}

static struct binding *find_binding(struct planner *pl, const char *param)
{
	for (int i = 0; i < pl->nb; i++)
		if (!strcmp(pl->b[i].param, param))
			return &pl->b[i];
	return NULL;
}

/* The symbolic dims of input I, sized by T, bind their names (BY says
 * where the size came from); a name already bound to another size fails. */
static int bind_dims(struct planner *pl, int i, const struct art_tensor *t, const char *by)
{
	for (int d = 0; d < t->ndim; d++) {
		const char *p = art_session_input_dim_name(pl->s, i, d);
		if (!p)
			continue;
		struct binding *b = find_binding(pl, p);
		if (b && b->size != t->dims[d]) {
			snprintf(pl->err, pl->errlen,
				 "%s: dim %d ('%s') is %lld, but %s gave '%s' %lld", by, d, p,
				 (long long)t->dims[d], b->by, p, (long long)b->size);
			return -1;
		}
		if (!b) {
			b = &pl->b[pl->nb++];
			b->param = p;
			b->size = t->dims[d];
			snprintf(b->by, sizeof(b->by), "%s", by);
		}
	}
	return 0;
}

/* "[2,batch,64]", for messages. */
static void decl_str(art_session *s, int i, const struct art_tensor *decl, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "[");
	for (int d = 0; d < decl->ndim && o < len; d++) {
		const char *p = art_session_input_dim_name(s, i, d);
		if (decl->dims[d] >= 0)
			o += (size_t)snprintf(buf + o, len - o, "%s%lld", d ? "," : "",
					      (long long)decl->dims[d]);
		else
			o += (size_t)snprintf(buf + o, len - o, "%s%s", d ? "," : "", p ? p : "?");
	}
	if (o < len)
		snprintf(buf + o, len - o, "]");
}

static int apply_shape(struct planner *pl, int i, const struct shape_arg *sa,
		       const struct art_tensor *decl, struct input_plan *ip)
{
	char want[256];

	decl_str(pl->s, i, decl, want, sizeof(want));
	/* Rank 0 is also how an undeclared rank reads: the runtime decides. */
	if (decl->ndim && sa->ndim != decl->ndim) {
		snprintf(pl->err, pl->errlen,
			 "--shape %s: %d dims given, the model declares rank %d %s", sa->name,
			 sa->ndim, decl->ndim, want);
		return -1;
	}
	for (int d = 0; d < sa->ndim && decl->ndim; d++)
		if (decl->dims[d] >= 0 && sa->dims[d] != decl->dims[d]) {
			snprintf(pl->err, pl->errlen,
				 "--shape %s: dim %d is %lld, the model declares %lld %s", sa->name,
				 d, (long long)sa->dims[d], (long long)decl->dims[d], want);
			return -1;
		}
	ip->t.ndim = sa->ndim;
	memcpy(ip->t.dims, sa->dims, sizeof(sa->dims));
	char by[160];
	snprintf(by, sizeof(by), "--shape %s", sa->name);
	return bind_dims(pl, i, &ip->t, by);
}

/* P is the leading dim of some input: a batch. */
static int leading_param(art_session *s, const char *p)
{
	for (int i = 0; i < art_session_input_count(s); i++) {
		const char *q = art_session_input_dim_name(s, i, 0);
		if (q && !strcmp(p, q))
			return 1;
	}
	return 0;
}

/* Sizes the symbolic dims of random input I and says where each dim of
 * its shape came from. */
static int choose_dims(struct planner *pl, int i, int from_shape, struct input_plan *ip)
{
	const char *name;
	struct art_tensor decl;
	size_t o =
		(size_t)snprintf(ip->how, sizeof(ip->how), "random%s", ip->t.ndim ? "; dims:" : "");

	art_session_input_info(pl->s, i, &name, &decl);
	for (int d = 0; d < ip->t.ndim && o < sizeof(ip->how); d++) {
		const char *p = art_session_input_dim_name(pl->s, i, d);
		const char *sep = d ? "," : "";
		char *at = ip->how + o;
		size_t left = sizeof(ip->how) - o;
		struct binding *b = p ? find_binding(pl, p) : NULL;
		int n;

		if (from_shape) {
			n = snprintf(at, left, "%s %lld --shape", sep, (long long)ip->t.dims[d]);
		} else if (decl.dims[d] >= 0) {
			n = snprintf(at, left, "%s %lld model", sep, (long long)ip->t.dims[d]);
		} else if (b) {
			ip->t.dims[d] = b->size;
			n = snprintf(at, left, "%s %lld '%s' from %s", sep, (long long)b->size, p,
				     b->by);
		} else if (p ? leading_param(pl->s, p) : d == 0) {
			ip->t.dims[d] = 1;
			n = snprintf(at, left, "%s 1 %s%s%sleading dim default", sep, p ? "'" : "",
				     p ? p : "", p ? "' " : "");
		} else {
			ip->t.dims[d] = DEFAULT_DIM;
			n = snprintf(at, left, "%s %d %s%s%sdefault", sep, DEFAULT_DIM,
				     p ? "'" : "", p ? p : "", p ? "' " : "");
		}
		o += n > 0 ? (size_t)n : 0;
	}
	char by[160];
	snprintf(by, sizeof(by), "input '%s'", name);
	if (!from_shape && bind_dims(pl, i, &ip->t, by))
		return -1;
	int64_t elems = art_tensor_elems(&ip->t);
	size_t es = art_dtype_size(ip->t.dtype);
	if (elems < 0 || (es && (uint64_t)elems > SIZE_MAX / es)) {
		snprintf(pl->err, pl->errlen,
			 "input '%s': its shape has more elements than fit in memory", name);
		return -1;
	}
	return 0;
}

static int load_file(struct planner *pl, int i, const char *file, struct input_plan *ip)
{
	char err[512], by[160];

	if (art_tensor_load(file, &ip->t, err, sizeof(err))) {
		snprintf(pl->err, pl->errlen, "input '%s': %s", ip->name, err);
		return -1;
	}
	snprintf(ip->how, sizeof(ip->how), "from %s", file);
	snprintf(by, sizeof(by), "--input %s", ip->name);
	return bind_dims(pl, i, &ip->t, by);
}

/* A sequence input: from its --input file only, and no --shape. */
static int plan_sequence(struct planner *pl, const struct input_args *a, struct input_plan *ip)
{
	char err[512];

	ip->is_seq = 1;
	for (int f = 0; f < a->nshapes; f++)
		if (!strcmp(a->shapes[f].name, ip->name)) {
			snprintf(pl->err, pl->errlen,
				 "--shape %s: the input is a sequence (its tensors' shapes come "
				 "from its --input file)",
				 ip->name);
			return -1;
		}
	if (!ip->file) {
		snprintf(pl->err, pl->errlen,
			 "input '%s' is a sequence: accel-run makes no random sequences; give one "
			 "with --input %s=FILE (an ONNX SequenceProto .pb)",
			 ip->name, ip->name);
		return -1;
	}
	if (art_sequence_load(ip->file, &ip->seq, err, sizeof(err))) {
		snprintf(pl->err, pl->errlen, "input '%s': %s", ip->name, err);
		return -1;
	}
	snprintf(ip->how, sizeof(ip->how), "from %s", ip->file);
	return 0;
}

int input_plan_make(art_session *s, const struct input_args *a, struct input_plan *plan, char *err,
		    size_t errlen)
{
	int n = art_session_input_count(s), rc = 0;
	struct planner *pl = calloc(1, sizeof(*pl));

	if (!pl) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pl->b = calloc((size_t)n * ART_MAX_DIMS + 1, sizeof(*pl->b));
	if (!pl->b) {
		free(pl);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pl->s = s;
	pl->err = err;
	pl->errlen = errlen;
	rc = check_names(pl, a);
	/* Files and --shape first: they bind the symbolic dims the random
	 * inputs then follow. */
	for (int i = 0; i < n && !rc; i++) {
		struct input_plan *ip = &plan[i];
		struct art_tensor decl;
		art_session_input_info(s, i, &ip->name, &decl);
		ip->t = decl;
		if (!ip->t.dtype)
			ip->t.dtype = ART_FLOAT;
		for (int f = 0; f < a->nin; f++)
			if (!strcmp(a->in_names[f], ip->name))
				ip->file = a->in_files[f];
		if (art_session_input_kind(s, i) == ART_KIND_SEQUENCE) {
			rc = plan_sequence(pl, a, ip);
			continue;
		}
		if (ip->file) {
			rc = load_file(pl, i, ip->file, ip);
			continue;
		}
		for (int f = 0; f < a->nshapes && !rc; f++)
			if (!strcmp(a->shapes[f].name, ip->name))
				rc = apply_shape(pl, i, &a->shapes[f], &decl, ip);
	}
	for (int i = 0; i < n && !rc; i++) {
		int from_shape = 0;
		for (int f = 0; f < a->nshapes; f++)
			from_shape |= !strcmp(a->shapes[f].name, plan[i].name);
		if (!plan[i].file && !plan[i].is_seq)
			rc = choose_dims(pl, i, from_shape, &plan[i]);
	}
	free(pl->b);
	free(pl);
	if (rc)
		input_plan_free(plan, n);
	return rc;
}

void input_plan_free(struct input_plan *plan, int n)
{
	for (int i = 0; i < n; i++)
		art_sequence_free(&plan[i].seq);
	for (int i = 0; i < n; i++)
		if (plan[i].t.data) {
			art_tensor_free(&plan[i].t);
			plan[i].t.data = NULL;
		}
}
