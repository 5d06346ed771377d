// SPDX-License-Identifier: MIT
/*
 * String ops: StringNormalizer (stopword removal and case change), and
 * Cast/CastLike between numbers and text (rt_cast_strings). Text is
 * UTF-8; case rules are Unicode's simple case mapping of glibc's C.UTF-8
 * locale (towlower_l/towupper_l), which is what the en_US locale ONNX
 * Runtime accepts does for these one-to-one mappings. Other locales are
 * refused at session creation rather than silently treated as en_US.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "cpu/kernels.h"

enum { CASE_NONE, CASE_LOWER, CASE_UPPER };

static int case_action(const struct rt_node *n)
{
	if (rt_attr_is(n, "case_change_action", "LOWER", 0))
		return CASE_LOWER;
	if (rt_attr_is(n, "case_change_action", "UPPER", 0))
		return CASE_UPPER;
	if (rt_attr_is(n, "case_change_action", "NONE", 1))
		return CASE_NONE;
	return -1;
}

/* IN with every character mapped to ACTION's case (a malloc'd copy), or
 * NULL: *BAD set when IN is not UTF-8, clear when memory ran out. */
static char *recase(const char *in, int action, locale_t loc, int *bad)
{
	size_t len = strlen(in);
	/* A character's mapping is at most MB_LEN_MAX bytes; never more
	 * characters than bytes. */
	char *out = malloc(len * MB_LEN_MAX + 1), *o = out;
	mbstate_t in_st, out_st;
	memset(&in_st, 0, sizeof(in_st));
	memset(&out_st, 0, sizeof(out_st));
	*bad = 0;
	if (!out)
		return NULL;
	locale_t old = uselocale(loc);
	while (*in) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, in, len, &in_st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			*bad = 1;
			break;
		}
		in += k;
		len -= k;
		if (action == CASE_LOWER)
			wc = (wchar_t)towlower_l((wint_t)wc, loc);
		else if (action == CASE_UPPER)
			wc = (wchar_t)towupper_l((wint_t)wc, loc);
		size_t w = wcrtomb(o, wc, &out_st);
		if (w == (size_t)-1) {
			*bad = 1;
			break;
		}
		o += w;
	}
	uselocale(old);
	if (*bad) {
		free(out);
		return NULL;
	}
	*o = 0;
	return out;
}

static int is_stopword(const struct rt_node *n, const char *word, const char *folded, int sensitive,
		       char **stop_folded)
{
	const Onnx__AttributeProto *a = rt_attr(n, "stopwords");
	for (size_t i = 0; a && i < a->n_strings; i++) {
		if (sensitive ? a->strings[i].len == strlen(word) &&
					!memcmp(a->strings[i].data, word, a->strings[i].len)
			      : stop_folded[i] && !strcmp(stop_folded[i], folded))
			return 1;
	}
	return 0;
}

static void free_all(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int k_string_normalizer(struct art_session *s, const struct rt_node *n)
{
	const struct art_tensor *x = rt_in(s, n, 0);
	NEED(x && x->dtype == ART_STRING, "node '%s' (StringNormalizer): X must be a string tensor",
	     n->name);
	NEED(x->ndim == 1 || (x->ndim == 2 && x->dims[0] == 1),
	     "node '%s' (StringNormalizer): X must be [C] or [1, C], got rank %d", n->name,
	     x->ndim);
	int action = case_action(n), sensitive = rt_attr_i(n, "is_case_sensitive", 0) != 0;
	const Onnx__AttributeProto *sw = rt_attr(n, "stopwords");
	size_t nstop = sw ? sw->n_strings : 0;
	int64_t c = x->dims[x->ndim - 1];
	const char *const *in = x->data;
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!loc)
		return rt_err(s, -ENOTSUP, "node '%s' (StringNormalizer): no C.UTF-8 locale",
			      n->name);
	char **stop = calloc(nstop + 1, sizeof(char *)),
	     **kept = calloc((size_t)c + 1, sizeof(char *));
	int rc = stop && kept ? 0 : -ENOMEM, bad = 0;
	int64_t nkept = 0, bad_at = -1;
	/* Case-insensitive matching compares lower-cased forms. */
	for (size_t i = 0; !rc && !sensitive && i < nstop; i++) {
		char *w = strndup((const char *)sw->strings[i].data, sw->strings[i].len);
		stop[i] = w ? recase(w, CASE_LOWER, loc, &bad) : NULL;
		free(w);
		if (!stop[i] && !bad)
			rc = -ENOMEM;
		bad = 0; /* a stopword that is not UTF-8 matches nothing */
	}
	for (int64_t i = 0; !rc && i < c; i++) {
		char *folded = NULL;
		if (!sensitive && !(folded = recase(in[i], CASE_LOWER, loc, &bad))) {
			rc = bad ? -EINVAL : -ENOMEM;
			bad_at = i;
			break;
		}
		int drop = is_stopword(n, in[i], folded, sensitive, stop);
		free(folded);
		if (drop)
			continue;
		if (!(kept[nkept] = recase(in[i], action, loc, &bad))) {
			rc = bad ? -EINVAL : -ENOMEM;
			bad_at = i;
			break;
		}
		nkept++;
	}
	freelocale(loc);
	free_all(stop, nstop);
	if (rc) {
		free_all(kept, (size_t)nkept);
		if (rc == -EINVAL)
			return rt_err(s, rc,
				      "node '%s' (StringNormalizer): element %lld of '%s' is "
				      "not UTF-8",
				      n->name, (long long)bad_at, s->vals[n->in[0]].name);
		return rt_err(s, rc, "node '%s' (StringNormalizer): out of memory", n->name);
	}
	/* ONNX: when every string is a stopword, the output is one empty string. */
	int64_t dims[2] = {1, nkept ? nkept : 1};
	size_t text = 1;
	for (int64_t i = 0; i < nkept; i++)
		text += strlen(kept[i]) + 1;
	char **o, *pool;
	rc = rt_alloc_out_strings(s, n, 0, x->ndim, x->ndim == 2 ? dims : dims + 1, text, &o,
				  &pool);
	for (int64_t i = 0; !rc && i < (nkept ? nkept : 1); i++) {
		const char *w = nkept ? kept[i] : "";
		size_t l = strlen(w) + 1;
		memcpy(pool, w, l);
		o[i] = pool;
		pool += l;
	}
	free_all(kept, (size_t)nkept);
	return rc;
}

static int check_string_normalizer(struct art_session *s, const struct rt_node *n)
{
	NEED(case_action(n) >= 0,
	     "node '%s' (StringNormalizer): case_change_action must be LOWER, UPPER or NONE",
	     n->name);
	const Onnx__AttributeProto *a = rt_attr(n, "locale");
	if (a && a->has_s && a->s.len && !(a->s.len == 5 && !memcmp(a->s.data, "en_US", 5)))
		return rt_err(s, -ENOTSUP,
			      "node '%s' (StringNormalizer): locale '%.*s' is not supported (only "
			      "en_US or none: Unicode's simple case mapping)",
			      n->name, (int)(a->s.len < 64 ? a->s.len : 64),
			      (const char *)a->s.data);
	return 0;
}

/* V, an element of type DTYPE, as the shortest text that reads back as
 * the same value of DTYPE (printf's %g at 1 to 17 digits); NaN and the
 * infinities as ONNX spells them. */
static void number_text(double v, int dtype, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, "%sINF", v < 0 ? "-" : "");
		return;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, len, "%.*g", p, v);
		double back = strtod(buf, NULL);
		int same = dtype == ART_FLOAT	   ? strtof(buf, NULL) == (float)v
			   : dtype == ART_FLOAT16  ? rt_f16_from_d(back) == rt_f16_from_d(v)
			   : dtype == ART_BFLOAT16 ? rt_bf16_from_d(back) == rt_bf16_from_d(v)
						   : back == v;
		if (same)
			return;
	}
}

static int to_text(struct art_session *s, const struct rt_node *n, const struct art_tensor *x)
{
	int64_t cnt = art_tensor_elems(x);
	char(*num)[40] = malloc((size_t)(cnt ? cnt : 1) * sizeof(*num));
	if (!num)
		return rt_err(s, -ENOMEM, "node '%s': out of memory", n->name);
	size_t text = 0;
	for (int64_t i = 0; i < cnt; i++) {
		if (rt_is_float(x->dtype))
			number_text(rt_get_d(x, i), x->dtype, num[i], sizeof(num[i]));
		else if (rt_is_unsigned(x->dtype))
			snprintf(num[i], sizeof(num[i]), "%llu",
				 (unsigned long long)rt_get_i(x, i));
		else
			snprintf(num[i], sizeof(num[i]), "%lld", (long long)rt_get_i(x, i));
		text += strlen(num[i]) + 1;
	}
	char **o, *pool;
	int rc = rt_alloc_out_strings(s, n, 0, x->ndim, x->dims, text, &o, &pool);
	for (int64_t i = 0; !rc && i < cnt; i++) {
		o[i] = strcpy(pool, num[i]);
		pool += strlen(num[i]) + 1;
	}
	free(num);
	return rc;
}

static int from_text(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		     int to)
{
	void *o;
	int rc = rt_alloc_out(s, n, 0, to, x->ndim, x->dims, &o);
	int64_t cnt = art_tensor_elems(x);
	const char *const *in = x->data;
	/* Text naming a number the target cannot hold is refused, not wrapped. */
	int bits = (int)art_dtype_size(to) * 8;
	for (int64_t i = 0; !rc && i < cnt; i++) {
		char *end;
		errno = 0;
		/* strtod reads NaN, INF, +INF, -INF (any case) as ONNX asks;
		 * float parses in one rounding, not through double. */
		if (to == ART_FLOAT) {
			((float *)o)[i] = strtof(in[i], &end);
		} else if (rt_is_float(to)) {
			rt_put_d(o, to, i, strtod(in[i], &end));
		} else if (rt_is_unsigned(to)) {
			unsigned long long v = strtoull(in[i], &end, 10);
			if (strchr(in[i], '-') || (bits < 64 && v >> bits))
				errno = ERANGE;
			rt_put_i(o, to, i, (int64_t)v);
		} else {
			long long v = strtoll(in[i], &end, 10);
			if (bits < 64 && (v < -(1ll << (bits - 1)) || v >= (1ll << (bits - 1))))
				errno = ERANGE;
			rt_put_i(o, to, i, v);
		}
		NEED(end != in[i] && !*end && (rt_is_float(to) || errno != ERANGE),
		     "node '%s' (%s): element %lld \"%.40s\" is not a number of type %s", n->name,
		     n->proto->op_type, (long long)i, in[i], art_dtype_name(to));
	}
	return rc;
}

int rt_cast_strings(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		    int to)
{
	if (x->dtype == ART_STRING && to == ART_STRING)
		return rt_copy_out(s, n, x, x->ndim, x->dims);
	int other = x->dtype == ART_STRING ? to : x->dtype;
	if (other == ART_BOOL || !art_dtype_size(other))
		return rt_err(s, -ENOTSUP,
			      "node '%s' (%s): Cast between %s and string is not supported "
			      "(numbers only)",
			      n->name, n->proto->op_type, art_dtype_name(other));
	return x->dtype == ART_STRING ? from_text(s, n, x, to) : to_text(s, n, x);
}

const struct rt_kernel_entry rt_kernels_string[] = {
	{"StringNormalizer", k_string_normalizer},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_string[] = {
	{"StringNormalizer", check_string_normalizer},
	{NULL, NULL},
};
