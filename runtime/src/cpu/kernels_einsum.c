// SPDX-License-Identifier: MIT
/* CPU reference kernel: Einsum. The equation names every axis with a
 * label; one loop runs over every combination of label values, output
 * labels outermost, and adds the operands' product into the output
 * element. A label repeated within an operand takes its diagonal, "..."
 * stands for the leading axes the letters leave (broadcast between
 * operands), and without "->" the output is the ellipsis then the letters
 * used once, in ASCII order. Sums run in double. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"

#define LETTERS 52			 /* A-Z then a-z: ASCII order */
#define LABELS	(LETTERS + ART_MAX_DIMS) /* then the ellipsis axes */
#define MAX_OPS 8

static int letter(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return 26 + c - 'a';
	return -1;
}

/* One side of the equation: its labels, one per axis, with ellipsis axes
 * still unexpanded (-1 marks where "..." stood). */
struct term {
	int lab[ART_MAX_DIMS + 1];
	int nlab, ell;
};

static int parse_term(const char *p, const char *end, struct term *t)
{
	t->nlab = 0;
	t->ell = 0;
	while (p < end) {
		if (*p == ' ') {
			p++;
		} else if (end - p >= 3 && !strncmp(p, "...", 3)) {
			if (t->ell || t->nlab >= ART_MAX_DIMS)
				return -1;
			t->ell = 1;
			t->lab[t->nlab++] = -1;
			p += 3;
		} else {
			int l = letter(*p++);
			if (l < 0 || t->nlab >= ART_MAX_DIMS)
				return -1;
			t->lab[t->nlab++] = l;
		}
	}
	return 0;
}

/* Expands T's ellipsis for an operand of rank RANK (ellipsis width E of
 * the widest operand) into LAB; the operand's rank, or -1. */
static int expand(const struct term *t, int rank, int width, int *lab)
{
	int letters = t->nlab - t->ell, e = t->ell ? rank - letters : 0, k = 0;
	if (e < 0 || (!t->ell && rank != t->nlab))
		return -1;
	for (int i = 0; i < t->nlab; i++) {
		if (t->lab[i] >= 0) {
			lab[k++] = t->lab[i];
			continue;
		}
		for (int j = 0; j < e; j++)
			lab[k++] = LETTERS + width - e + j;
	}
	return k;
}

/* The equation's input terms and, after "->", its output term. */
struct equation {
	struct term in[MAX_OPS], out;
	int nin, explicit_out;
};

static int parse_equation(struct art_session *s, const struct rt_node *n, struct equation *q)
{
	const Onnx__AttributeProto *eq = rt_attr(n, "equation");
	NEED(eq && eq->has_s, "node '%s' (Einsum): equation missing", n->name);
	NEED(n->nin >= 1 && n->nin <= MAX_OPS && n->nout == 1,
	     "node '%s' (Einsum): %d inputs (1 to %d) and one output", n->name, n->nin, MAX_OPS);
	const char *e = (const char *)eq->s.data, *end = e + eq->s.len, *arrow = NULL;
	for (const char *p = e; p + 1 < end; p++)
		if (p[0] == '-' && p[1] == '>')
			arrow = p;
	const char *p = e, *lhs_end = arrow ? arrow : end;
	q->nin = 0;
	for (;;) {
		const char *c = memchr(p, ',', (size_t)(lhs_end - p));
		NEED(q->nin < MAX_OPS, "node '%s' (Einsum): more than %d terms", n->name, MAX_OPS);
		NEED(!parse_term(p, c ? c : lhs_end, &q->in[q->nin]),
		     "node '%s' (Einsum): bad term %d in '%.*s' (letters and one '...')", n->name,
		     q->nin, (int)eq->s.len, e);
		q->nin++;
		if (!c)
			break;
		p = c + 1;
	}
	NEED(q->nin == n->nin, "node '%s' (Einsum): equation '%.*s' has %d terms for %d inputs",
	     n->name, (int)eq->s.len, e, q->nin, n->nin);
	q->explicit_out = arrow != NULL;
	if (arrow) {
		NEED(!parse_term(arrow + 2, end, &q->out),
		     "node '%s' (Einsum): bad output term in '%.*s'", n->name, (int)eq->s.len, e);
		for (int i = 0; i < q->out.nlab; i++) {
			int l = q->out.lab[i], found = 0;
			for (int k = 0; k < q->nin; k++)
				for (int j = 0; j < q->in[k].nlab; j++)
					found |= q->in[k].lab[j] == l;
			NEED(found,
			     "node '%s' (Einsum): output term of '%.*s' names a label no "
			     "input has",
			     n->name, (int)eq->s.len, e);
			for (int j = 0; j < i; j++)
				NEED(q->out.lab[j] != l,
				     "node '%s' (Einsum): output term of '%.*s' repeats a label",
				     n->name, (int)eq->s.len, e);
		}
	}
	return 0;
}

static int check_einsum(struct art_session *s, const struct rt_node *n)
{
	struct equation q;
	return parse_equation(s, n, &q);
}

static int k_einsum(struct art_session *s, const struct rt_node *n)
{
	struct equation q;
	int rc = parse_equation(s, n, &q);
	if (rc)
		return rc;
	int nops = q.nin;
	rc = rt_need_inputs(s, n, nops);
	if (rc)
		return rc;
	struct term *terms = q.in, out = q.out;
	const struct art_tensor *x[MAX_OPS];
	int width = 0, dtype = rt_in(s, n, 0)->dtype;
	for (int k = 0; k < nops; k++) {
		x[k] = rt_in(s, n, k);
		NEED(x[k]->dtype == dtype, "node '%s' (Einsum): inputs differ in type", n->name);
		int w = x[k]->ndim - (terms[k].nlab - terms[k].ell);
		if (terms[k].ell && w > width)
			width = w;
	}
	NEED(dtype == ART_FLOAT || dtype == ART_DOUBLE || dtype == ART_INT64 || dtype == ART_INT32,
	     "node '%s' (Einsum): type %s not supported", n->name, rt_dtype_name(dtype));
	int64_t size[LABELS];
	int used[LABELS] = {0};
	for (int l = 0; l < LABELS; l++)
		size[l] = 1;
	int lab[MAX_OPS][ART_MAX_DIMS];
	for (int k = 0; k < nops; k++) {
		NEED(expand(&terms[k], x[k]->ndim, width, lab[k]) == x[k]->ndim,
		     "node '%s' (Einsum): term %d does not match input rank %d", n->name, k,
		     x[k]->ndim);
		for (int i = 0; i < x[k]->ndim; i++) {
			int l = lab[k][i];
			int64_t d = x[k]->dims[i];
			NEED(size[l] == 1 || d == 1 || d == size[l],
			     "node '%s' (Einsum): dimension %lld of input %d disagrees with %lld",
			     n->name, (long long)d, k, (long long)size[l]);
			if (d != 1)
				size[l] = d;
			used[l]++;
		}
	}
	int olab[ART_MAX_DIMS + 1], ond = 0;
	if (q.explicit_out) {
		NEED(!out.ell || out.nlab - 1 + width <= ART_MAX_DIMS,
		     "node '%s' (Einsum): output rank too large", n->name);
		ond = expand(&out, out.nlab - out.ell + width, width, olab);
	} else {
		for (int j = 0; j < width; j++)
			olab[ond++] = LETTERS + j;
		for (int l = 0; l < LETTERS; l++)
			if (used[l] == 1) {
				NEED(ond < ART_MAX_DIMS,
				     "node '%s' (Einsum): output rank too large", n->name);
				olab[ond++] = l;
			}
	}
	/* Loop order: output labels, then every other label in use. */
	int loop[LABELS], nl = 0, is_out[LABELS] = {0};
	for (int i = 0; i < ond; i++) {
		loop[nl++] = olab[i];
		is_out[olab[i]] = 1;
	}
	for (int l = 0; l < LABELS; l++)
		if (used[l] && !is_out[l])
			loop[nl++] = l;
	/* Per operand, the step each loop label moves it by (summed over its
	 * axes, so a repeated label walks the diagonal; 0 where broadcast). */
	int64_t step[MAX_OPS][LABELS] = {{0}};
	for (int k = 0; k < nops; k++) {
		int64_t st = 1;
		for (int i = x[k]->ndim - 1; i >= 0; i--) {
			if (x[k]->dims[i] != 1)
				for (int j = 0; j < nl; j++)
					if (loop[j] == lab[k][i])
						step[k][j] += st;
			st *= x[k]->dims[i];
		}
	}
	int64_t od[ART_MAX_DIMS], ls[LABELS], idx[LABELS] = {0};
	for (int i = 0; i < ond; i++)
		od[i] = size[olab[i]];
	for (int j = 0; j < nl; j++)
		ls[j] = size[loop[j]];
	int64_t ocnt = rt_shape_elems(od, ond), total = rt_shape_elems(ls, nl);
	double *acc = calloc((size_t)ocnt + 1, sizeof(double));
	NEED(acc, "node '%s' (Einsum): out of memory", n->name);
	int64_t inner = total / (ocnt ? ocnt : 1);
	for (int64_t it = 0; ocnt && it < total; it++) {
		double v = 1;
		for (int k = 0; k < nops; k++) {
			int64_t off = 0;
			for (int j = 0; j < nl; j++)
				off += idx[j] * step[k][j];
			v *= rt_get_d(x[k], off);
		}
		acc[it / inner] += v;
		rt_next_index(idx, ls, nl);
	}
	void *o;
	rc = rt_alloc_out(s, n, 0, dtype, ond, od, &o);
	for (int64_t i = 0; !rc && i < ocnt; i++)
		rt_put_d(o, dtype, i, acc[i]);
	free(acc);
	return rc;
}

const struct rt_kernel_entry rt_kernels_einsum[] = {
	{"Einsum", k_einsum},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_einsum[] = {
	{"Einsum", check_einsum},
	{NULL, NULL},
};
