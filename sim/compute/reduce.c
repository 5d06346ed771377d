// SPDX-License-Identifier: MIT
/*
 * REDUCE: Reduce{Sum,Mean,Max,Min,Prod,L1,L2,SumSquare,LogSum,LogSumExp},
 * ArgMax and ArgMin over any set of axes. Each output element walks its
 * reduced sub-space in row-major order (so ties go to the first index),
 * accumulating in double: integer sums stay exact to 2^53.
 */
#include <math.h>
#include <stdlib.h>

#include "internal.h"

#define CHUNK 512

struct rd {
	const struct ares_reduce_params *p;
	const struct compute_tensor *x, *y;
	unsigned int red[ARES_MAX_RANK], nred;
	int64_t count, per_task;
};

static int plain_int(const struct compute_tensor *t)
{
	return t->dtype == ARES_DTYPE_I32 || t->dtype == ARES_DTYPE_I64 ||
	       t->dtype == ARES_DTYPE_BOOL || (ck_is_int8(t->dtype) && t->quant == ARES_QUANT_NONE);
}

/* Calls fn on every chunk of the reduced sub-space of output element @idx. */
static void walk(const struct rd *c, int64_t *idx, void (*fn)(void *, const double *, int64_t),
		 void *arg)
{
	const struct compute_tensor *x = c->x;
	unsigned int last = c->nred ? c->red[c->nred - 1] : 0;
	int64_t len = c->nred ? x->shape[last] : 1, sub[ARES_MAX_RANK] = {0};
	double v[CHUNK];

	if (!c->nred || !x->rank) {
		/* Nothing reduced: the element itself. */
		if (plain_int(x)) {
			int64_t iv;

			ck_load_i64(x->dtype, ck_at(x, idx), 1, 1, &iv);
			v[0] = (double)iv;
		} else {
			float fv;
			struct ck_qrow q;

			ck_qrow_of(x, idx, 0, &q);
			ck_load_f32(x->dtype, ck_at(x, idx), 1, 1, &q, &fv);
			v[0] = fv;
		}
		fn(arg, v, 1);
		return;
	}
	for (unsigned int k = 0; k < c->nred; k++)
		if (!x->shape[c->red[k]])
			return;
	for (;;) {
		for (unsigned int k = 0; k + 1 < c->nred; k++)
			idx[c->red[k]] = sub[k];
		for (int64_t j0 = 0; j0 < len; j0 += CHUNK) {
			int64_t n = len - j0 < CHUNK ? len - j0 : CHUNK;
			const char *p;

			idx[last] = j0;
			p = ck_at(x, idx);
			if (plain_int(x)) {
				int64_t iv[CHUNK];

				ck_load_i64(x->dtype, p, x->stride[last], n, iv);
				for (int64_t i = 0; i < n; i++)
					v[i] = (double)iv[i];
			} else {
				float fv[CHUNK];
				struct ck_qrow q;

				ck_qrow_of(x, idx, last, &q);
				ck_load_f32(x->dtype, p, x->stride[last], n, &q, fv);
				for (int64_t i = 0; i < n; i++)
					v[i] = fv[i];
			}
			fn(arg, v, n);
		}
		/* Odometer over the other reduced dims. */
		int k = (int)c->nred - 2;

		for (; k >= 0; k--) {
			if (++sub[k] < x->shape[c->red[k]])
				break;
			sub[k] = 0;
		}
		if (k < 0)
			break;
	}
	for (unsigned int k = 0; k < c->nred; k++)
		idx[c->red[k]] = 0;
}

struct acc {
	uint32_t op;
	double s, m;
	int64_t pos, best;
	int seen;
};

/* ArgMax/ArgMin: the result is a position. */
static int is_arg(uint32_t op)
{
	return op == ARES_REDUCE_ARGMAX || op == ARES_REDUCE_ARGMIN ||
	       op == ARES_REDUCE_ARGMAX_LAST || op == ARES_REDUCE_ARGMIN_LAST;
}

static void accumulate(void *arg, const double *v, int64_t n)
{
	struct acc *a = arg;

	for (int64_t i = 0; i < n; i++, a->pos++) {
		double x = v[i];

		switch (a->op) {
		case ARES_REDUCE_SUM:
		case ARES_REDUCE_MEAN:
		case ARES_REDUCE_LOG_SUM:
			a->s += x;
			break;
		case ARES_REDUCE_MAX:
			a->s = x > a->s || isnan(x) ? (isnan(a->s) ? a->s : x) : a->s;
			break;
		case ARES_REDUCE_MIN:
			a->s = x < a->s || isnan(x) ? (isnan(a->s) ? a->s : x) : a->s;
			break;
		case ARES_REDUCE_PROD:
			a->s *= x;
			break;
		case ARES_REDUCE_L1:
			a->s += fabs(x);
			break;
		case ARES_REDUCE_L2:
		case ARES_REDUCE_SUM_SQUARE:
			a->s += x * x;
			break;
		case ARES_REDUCE_LOG_SUM_EXP:
			a->s += exp(x - a->m);
			break;
		case ARES_REDUCE_ARGMAX:
			if (!a->seen || x > a->s)
				a->s = x, a->best = a->pos, a->seen = 1;
			break;
		case ARES_REDUCE_ARGMIN:
			if (!a->seen || x < a->s)
				a->s = x, a->best = a->pos, a->seen = 1;
			break;
		case ARES_REDUCE_ARGMAX_LAST:
			if (!a->seen || x >= a->s)
				a->s = x, a->best = a->pos, a->seen = 1;
			break;
		case ARES_REDUCE_ARGMIN_LAST:
			if (!a->seen || x <= a->s)
				a->s = x, a->best = a->pos, a->seen = 1;
			break;
		}
	}
}

static void find_max(void *arg, const double *v, int64_t n)
{
	double *m = arg;

	for (int64_t i = 0; i < n; i++)
		*m = v[i] > *m ? v[i] : *m;
}

static void reduce_task(void *ctx, int64_t t, unsigned int worker)
{
	const struct rd *c = ctx;
	const struct compute_tensor *y = c->y;
	uint32_t op = c->p->op;
	int64_t e0 = t * c->per_task, e1 = e0 + c->per_task, total = ck_numel(y);

	(void)worker;
	if (e1 > total)
		e1 = total;
	for (int64_t e = e0; e < e1; e++) {
		int64_t idx[ARES_MAX_RANK] = {0}, rest = e;
		struct acc a = {.op = op};
		double r;

		for (int d = (int)y->rank - 1; d >= 0; d--) {
			idx[d] = rest % y->shape[d];
			rest /= y->shape[d];
		}
		a.s = op == ARES_REDUCE_PROD  ? 1.0
		      : op == ARES_REDUCE_MAX ? -INFINITY
		      : op == ARES_REDUCE_MIN ? INFINITY
					      : 0.0;
		if (op == ARES_REDUCE_LOG_SUM_EXP) {
			a.m = -INFINITY;
			walk(c, idx, find_max, &a.m);
			if (isinf(a.m))
				a.m = 0.0;
		}
		walk(c, idx, accumulate, &a);
		switch (op) {
		case ARES_REDUCE_MEAN:
			r = a.s / (double)c->count;
			break;
		case ARES_REDUCE_L2:
			r = sqrt(a.s);
			break;
		case ARES_REDUCE_LOG_SUM:
			r = log(a.s);
			break;
		case ARES_REDUCE_LOG_SUM_EXP:
			r = log(a.s) + a.m;
			break;
		case ARES_REDUCE_ARGMAX:
		case ARES_REDUCE_ARGMIN:
		case ARES_REDUCE_ARGMAX_LAST:
		case ARES_REDUCE_ARGMIN_LAST:
			r = (double)a.best;
			break;
		default:
			r = a.s;
		}
		if (plain_int(y)) {
			int64_t iv = is_arg(op)	    ? a.best
				     : isnan(r)	    ? 0
				     : r >= 0x1p63  ? INT64_MAX
				     : r <= -0x1p63 ? INT64_MIN
						    : (int64_t)nearbyint(r);

			ck_store_i64(y->dtype, ck_at(y, idx), 1, 1, &iv);
		} else {
			float f = (float)r;
			struct ck_qrow q;

			ck_qrow_of(y, idx, y->rank ? y->rank - 1 : 0, &q);
			ck_store_f32(y->dtype, ck_at(y, idx), 1, 1, &q, &f);
		}
	}
}

uint32_t compute_reduce(struct compute_workers *w, const struct ares_reduce_params *p,
			const struct compute_tensor *x, const struct compute_tensor *y,
			struct compute_stats *st)
{
	struct rd c = {.p = p, .x = x, .y = y, .count = 1};
	int64_t total;

	if (!ck_tensor_ok(x) || !ck_tensor_ok(y) || x->rank != y->rank ||
	    p->op > ARES_REDUCE_ARGMIN_LAST || p->axes >> x->rank)
		return CK_INVAL;
	for (unsigned int d = 0; d < x->rank; d++) {
		if (p->axes & (1u << d)) {
			if (y->shape[d] != 1)
				return CK_INVAL;
			c.red[c.nred++] = d;
			c.count *= x->shape[d];
		} else if (y->shape[d] != x->shape[d]) {
			return CK_INVAL;
		}
	}
	if (is_arg(p->op)) {
		if (c.nred != 1 || (y->dtype != ARES_DTYPE_I64 && y->dtype != ARES_DTYPE_I32))
			return CK_INVAL;
	}
	total = ck_numel(y);
	if (!total)
		return CK_OK;
	c.per_task = c.count ? (65536 + c.count - 1) / c.count : 65536;
	ck_parallel(w, (total + c.per_task - 1) / c.per_task, reduce_task, &c);
	if (st) {
		st->vector_ops += (uint64_t)ck_numel(x);
		st->bytes += (uint64_t)(ck_numel(x) * compute_dtype_size(x->dtype) +
					total * compute_dtype_size(y->dtype));
	}
	return CK_OK;
}

/* The op table's entry for REDUCE (compute.h). */
uint32_t compute_cmd_reduce(struct compute_workers *w, const struct ares_cmd_hdr *cmd,
			    const struct compute_tensor *v, struct compute_stats *cs)
{
	const struct ares_cmd_reduce *c = (const void *)cmd;

	return compute_reduce(w, &c->p, &v[0], &v[1], cs);
}
