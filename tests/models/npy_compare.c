// SPDX-License-Identifier: MIT
/*
 * npy-compare: checks an output tensor against the reference's.
 *
 *   npy-compare [--atol A] [--rtol R] [--label NAME] EXPECTED ACTUAL
 *
 * Both files are read with libares_rt's loader (.npy or .pb). Types and
 * shapes must be equal; float elements must satisfy
 * |actual - expected| <= atol + rtol * |expected| (NaN only where the
 * reference has NaN), integer and bool elements must be equal. Prints the
 * largest absolute and relative error (relative over the elements whose
 * reference is above atol, where it means something) and exits 1 on a
 * mismatch, 2 on a usage or file error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ares_rt.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: npy-compare [--atol A] [--rtol R] [--label NAME] EXPECTED ACTUAL\n");
	exit(2);
}

static int load(const char *path, struct art_tensor *t)
{
	char err[512];
	int rc = art_tensor_load(path, t, err, sizeof(err));
	if (rc)
		fprintf(stderr, "npy-compare: %s: %s\n", path, err);
	return rc;
}

static double elem(const struct art_tensor *t, int64_t i)
{
	switch (t->dtype) {
	case ART_FLOAT:
		return ((const float *)t->data)[i];
	case ART_DOUBLE:
		return ((const double *)t->data)[i];
	case ART_INT64:
		return (double)((const int64_t *)t->data)[i];
	case ART_INT32:
		return ((const int32_t *)t->data)[i];
	case ART_INT8:
		return ((const int8_t *)t->data)[i];
	default: /* uint8 and bool */
		return ((const uint8_t *)t->data)[i];
	}
}

int main(int argc, char **argv)
{
	double atol = 1e-5, rtol = 1e-3;
	const char *label = NULL, *files[2];
	int nfiles = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--atol") && i + 1 < argc)
			atol = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--rtol") && i + 1 < argc)
			rtol = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--label") && i + 1 < argc)
			label = argv[++i];
		else if (argv[i][0] == '-' || nfiles == 2)
			usage();
		else
			files[nfiles++] = argv[i];
	}
	if (nfiles != 2)
		usage();
	if (!label)
		label = files[1];

	struct art_tensor e, a;
	if (load(files[0], &e))
		return 2;
	if (load(files[1], &a)) {
		art_tensor_free(&e);
		return 2;
	}
	int bad_shape = e.dtype != a.dtype || e.ndim != a.ndim;
	for (int d = 0; d < e.ndim && !bad_shape; d++)
		bad_shape = e.dims[d] != a.dims[d];
	if (bad_shape) {
		fprintf(stderr, "%s: type %d rank %d, expected type %d rank %d (or other dims)\n",
			label, a.dtype, a.ndim, e.dtype, e.ndim);
		printf("%s: FAIL shape or type\n", label);
		art_tensor_free(&e);
		art_tensor_free(&a);
		return 1;
	}
	int is_float = e.dtype == ART_FLOAT || e.dtype == ART_DOUBLE;
	int64_t n = art_tensor_elems(&e), over = 0, worst = -1;
	double max_abs = 0, max_rel = 0;
	for (int64_t i = 0; i < n; i++) {
		double x = elem(&e, i), y = elem(&a, i);
		double d = fabs(y - x);
		int ok;
		if (isnan(x) || isnan(y))
			ok = isnan(x) && isnan(y), d = ok ? 0 : INFINITY;
		else
			ok = is_float ? d <= atol + rtol * fabs(x) : x == y;
		if (d > max_abs)
			max_abs = d;
		if (fabs(x) > atol && d / fabs(x) > max_rel)
			max_rel = d / fabs(x);
		if (!ok && over++ == 0)
			worst = i;
	}
	printf("%s: %s, %lld elements, max abs err %.3g, max rel err %.3g, %lld over atol %g + "
	       "rtol %g\n",
	       label, over ? "FAIL" : "ok", (long long)n, max_abs, max_rel, (long long)over, atol,
	       rtol);
	if (over)
		printf("%s: first mismatch at element %lld: got %.9g, expected %.9g\n", label,
		       (long long)worst, elem(&a, worst), elem(&e, worst));
	art_tensor_free(&e);
	art_tensor_free(&a);
	return over ? 1 : 0;
}
