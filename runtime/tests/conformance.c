// SPDX-License-Identifier: MIT
/*
 * Conformance runner: runs every test of the ONNX backend suite below each
 * directory given on the CPU path and prints pass/fail/skip counts per
 * directory. A test is skipped when the model uses an op or opset the
 * runtime does not support (session creation says -ENOTSUP); any other
 * error or a mismatch beyond rtol 1e-3 / atol 1e-5 is a failure. Every
 * element type compares as a double: float16 and bfloat16 widened exactly,
 * at the same tolerance (bfloat16's unit in the last place is 2^-7
 * relative, so its results must match to the bit). Strings compare
 * exactly; sequences (SequenceProto files where the model declares a
 * sequence) item by item.
 *
 * Usage: conformance [-v] [--device N] [--expect FILE] [--xfail FILE] DIR...
 * With --expect, each line "NAME PASS" of FILE is a floor: the run fails if
 * directory NAME passes fewer tests.
 * With --xfail, each line "TEST REASON" of FILE names a test known to fail
 * (and why); any other failure fails the run, and so does a listed test
 * that passes (its line must go).
 *
 * --device N runs every model with the device execution provider on
 * accelN (-1: the first Ares device) and CPU fallback for what the device
 * does not take; a test none of whose nodes lands on the device is
 * skipped, so the counts are of tests the device really computed.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ares_rt.h"

#define RTOL 1e-3
#define ATOL 1e-5

static int verbose;
static int device = -2; /* -2: CPU only */

/* float16 and bfloat16 bits widened exactly (binary formats with EBITS
 * exponent and MBITS fraction bits). */
static double widen(uint16_t h, int ebits, int mbits)
{
	int bias = (1 << (ebits - 1)) - 1, e = (h >> mbits) & ((1 << ebits) - 1);
	int m = h & ((1 << mbits) - 1);
	double v = e == (1 << ebits) - 1 ? (m ? NAN : INFINITY)
		   : e == 0		 ? ldexp(m, 1 - bias - mbits)
					 : ldexp(m | (1 << mbits), e - bias - mbits);
	return h >> 15 ? -v : v;
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
	case ART_UINT64:
		return (double)((const uint64_t *)t->data)[i];
	case ART_INT32:
		return ((const int32_t *)t->data)[i];
	case ART_UINT32:
		return ((const uint32_t *)t->data)[i];
	case ART_INT16:
		return ((const int16_t *)t->data)[i];
	case ART_UINT16:
		return ((const uint16_t *)t->data)[i];
	case ART_FLOAT16:
		return widen(((const uint16_t *)t->data)[i], 5, 10);
	case ART_BFLOAT16:
		return widen(((const uint16_t *)t->data)[i], 8, 7);
	case ART_INT8:
		return ((const int8_t *)t->data)[i];
	default:
		return ((const uint8_t *)t->data)[i];
	}
}

/* numpy has no bfloat16, so the suite's generator (onnx 1.12) stored
 * bfloat16 tensors as uint16 tensors of the same bits: read them as the
 * bfloat16 the model declares. */
static void bf16_from_uint16(struct art_tensor *t, int declared)
{
	if (t->dtype == ART_UINT16 && declared == ART_BFLOAT16)
		t->dtype = ART_BFLOAT16;
}

static int compare(const struct art_tensor *got, struct art_tensor *want, char *why, size_t len)
{
	bf16_from_uint16(want, got->dtype);
	if (got->dtype != want->dtype) {
		snprintf(why, len, "type %d, expected %d", got->dtype, want->dtype);
		return -1;
	}
	if (got->ndim != want->ndim ||
	    memcmp(got->dims, want->dims, sizeof(int64_t) * (size_t)got->ndim)) {
		snprintf(why, len, "shape differs (rank %d, expected %d)", got->ndim, want->ndim);
		return -1;
	}
	int64_t n = art_tensor_elems(want);
	for (int64_t i = 0; got->dtype == ART_STRING && i < n; i++) {
		const char *g = ((const char *const *)got->data)[i];
		const char *w = ((const char *const *)want->data)[i];
		if (strcmp(g, w)) {
			snprintf(why, len, "element %lld = \"%.100s\", expected \"%.100s\"",
				 (long long)i, g, w);
			return -1;
		}
	}
	for (int64_t i = 0; got->dtype != ART_STRING && i < n; i++) {
		double g = elem(got, i), w = elem(want, i);
		if (isnan(g) && isnan(w))
			continue;
		if (g == w)
			continue;
		if (!(fabs(g - w) <= ATOL + RTOL * fabs(w))) {
			snprintf(why, len, "element %lld = %.9g, expected %.9g", (long long)i, g,
				 w);
			return -1;
		}
	}
	return 0;
}

/* Sequences compare item by item, each as a tensor. */
static int compare_seq(const struct art_sequence *got, struct art_sequence *want, char *why,
		       size_t len)
{
	if (got->count != want->count) {
		snprintf(why, len, "sequence of %d tensors, expected %d", got->count, want->count);
		return -1;
	}
	if (got->elem_dtype != want->elem_dtype && want->count == 0) {
		snprintf(why, len, "empty sequence of type %d, expected %d", got->elem_dtype,
			 want->elem_dtype);
		return -1;
	}
	for (int i = 0; i < got->count; i++) {
		struct art_tensor w = want->items[i];
		char item[768];
		if (compare(&got->items[i], &w, item, sizeof(item))) {
			snprintf(why, len, "sequence item %d: %s", i, item);
			return -1;
		}
	}
	return 0;
}

/* Input I of S from PATH: a TensorProto, or a SequenceProto where the
 * model declares a sequence. */
static int set_input(art_session *s, int i, const char *path, char *why, size_t len)
{
	int rc;
	if (art_session_input_kind(s, i) == ART_KIND_SEQUENCE) {
		struct art_sequence q;
		rc = art_sequence_load(path, &q, why, len);
		if (rc)
			return rc;
		rc = art_session_set_input_sequence(s, i, &q);
		art_sequence_free(&q);
	} else {
		struct art_tensor t;
		rc = art_tensor_load(path, &t, why, len);
		if (rc)
			return rc;
		const char *name;
		struct art_tensor info;
		if (!art_session_input_info(s, i, &name, &info))
			bf16_from_uint16(&t, info.dtype);
		rc = art_session_set_input(s, i, &t);
		art_tensor_free(&t);
	}
	if (rc)
		snprintf(why, len, "%s", art_session_errmsg(s));
	return rc;
}

/* Output I of S against PATH: 1 when it matches, else 0 or -1 (skip). */
static int check_output(art_session *s, int i, const char *path, char *why, size_t len)
{
	int rc;
	if (art_session_output_kind(s, i) == ART_KIND_SEQUENCE) {
		struct art_sequence want, got;
		rc = art_sequence_load(path, &want, why, len);
		if (rc)
			return rc == -ENOTSUP ? -1 : 0;
		rc = 1;
		if (art_session_get_output_sequence(s, i, &got)) {
			snprintf(why, len, "sequence output %d not produced", i);
			rc = 0;
		} else if (compare_seq(&got, &want, why, len)) {
			rc = 0;
		}
		art_sequence_free(&want);
		return rc;
	}
	struct art_tensor want, got;
	rc = art_tensor_load(path, &want, why, len);
	if (rc)
		return rc == -ENOTSUP ? -1 : 0;
	rc = 1;
	if (art_session_get_output(s, i, &got)) {
		snprintf(why, len, "output %d not produced", i);
		rc = 0;
	} else if (compare(&got, &want, why, len)) {
		rc = 0;
	}
	art_tensor_free(&want);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const char *path, const char *prefix, char ***out)
{
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	int n = 0, cap = 0;
	char **v = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = realloc(v, (size_t)cap * sizeof(*v));
		}
		v[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), name_cmp);
	*out = v;
	return n;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Nodes on the device in S and in the subgraph sessions its last run ran
 * (partitions that fell back to the CPU not counted). */
static int device_nodes(const art_session *s)
{
	int n = 0;
	for (int i = 0; i < art_session_node_count(s); i++) {
		const char *name, *op, *dev, *r;
		art_session_placement(s, i, &name, &op, &dev, &r);
		n += !strcmp(dev, "device");
	}
	for (int k = 0; k < art_session_subgraph_count(s); k++) {
		const art_session *sub;
		uint64_t calls;
		art_session_subgraph(s, k, NULL, &calls, &sub, NULL);
		if (sub && calls)
			n += device_nodes(sub);
	}
	return n;
}

/* 1 pass, 0 fail, -1 skip. */
static int run_test(const char *dir, char *why, size_t len)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/model.onnx", dir);
	art_session *s;
	/* Device mode forces every node the device can run onto it: the
	 * count measures what the device can do, not what pays there. */
	struct art_session_options o = {.flags = device == -2 ? ART_CPU_ONLY : 0,
					.device_index = device,
					.placement = device == -2 ? 0 : ART_PLACEMENT_DEVICE};
	int rc = art_session_create_opts(path, &o, &s);
	if (rc) {
		snprintf(why, len, "%s", art_session_errmsg(s));
		art_session_destroy(s);
		return rc == -ENOTSUP ? -1 : 0;
	}
	if (device != -2 && art_session_device(s) < 0) {
		/* A device run without a device would count nothing. */
		fprintf(stderr,
			"conformance: --device %d: no Ares device, the session runs on the CPU\n",
			device);
		exit(2);
	}
	/* A graph with If, Loop or Scan places its bodies when they first
	 * run: whether a node is on the device is known after the run. */
	int has_subgraphs = 0;
	for (int i = 0; i < art_session_node_count(s); i++) {
		const char *name, *op, *dev, *r;
		art_session_placement(s, i, &name, &op, &dev, &r);
		has_subgraphs |= !strcmp(op, "If") || !strcmp(op, "Loop") || !strcmp(op, "Scan");
	}
	if (device != -2 && !has_subgraphs && device_nodes(s) == 0) {
		snprintf(why, len, "no node on the device");
		art_session_destroy(s);
		return -1;
	}
	char **sets;
	int nsets = list_dir(dir, "test_data_set_", &sets), result = 1;
	if (nsets <= 0) {
		snprintf(why, len, "no test_data_set_*");
		result = 0;
	}
	for (int k = 0; k < nsets && result == 1; k++) {
		for (int i = 0; i < art_session_input_count(s) && result == 1; i++) {
			snprintf(path, sizeof(path), "%s/%s/input_%d.pb", dir, sets[k], i);
			rc = set_input(s, i, path, why, len);
			if (rc)
				result = rc == -ENOTSUP ? -1 : 0;
		}
		if (result != 1)
			break;
		rc = art_session_run(s);
		if (rc) {
			snprintf(why, len, "run: %s", art_session_errmsg(s));
			result = rc == -ENOTSUP ? -1 : 0;
			break;
		}
		for (int i = 0; i < art_session_output_count(s) && result == 1; i++) {
			snprintf(path, sizeof(path), "%s/%s/output_%d.pb", dir, sets[k], i);
			result = check_output(s, i, path, why, len);
		}
	}
	if (nsets > 0)
		free_list(sets, nsets);
	if (device != -2 && result != -1 && device_nodes(s) == 0) {
		snprintf(why, len, "no node on the device%s", result ? "" : " (and it failed)");
		result = -1;
	}
	if (device != -2 && result == 1) {
		struct art_session_stats st;
		art_session_get_stats(s, &st);
		if (st.partitions && st.fallback_partitions == st.partitions) {
			snprintf(why, len, "every device partition fell back to the CPU");
			result = -1;
		}
	}
	art_session_destroy(s);
	return result;
}

struct expect {
	char name[64];
	int pass;
};

static char **xfail;
static int nxfail = -1; /* -1: no --xfail, failures only counted */

static int load_xfail(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	char line[512], name[256];
	nxfail = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || sscanf(line, "%255s", name) != 1)
			continue;
		char **v = realloc(xfail, (size_t)(nxfail + 1) * sizeof(*v));
		if (!v || !(v[nxfail] = strdup(name))) {
			fclose(f);
			return -1;
		}
		xfail = v;
		nxfail++;
	}
	fclose(f);
	return 0;
}

static int is_xfail(const char *test)
{
	for (int i = 0; i < nxfail; i++)
		if (!strcmp(xfail[i], test))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct expect exp[16];
	int nexp = 0, failed = 0;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			device = atoi(argv[++i]);
			if (device < -1) {
				fprintf(stderr, "conformance: --device takes N >= 0, or -1\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--expect") && i + 1 < argc) {
			FILE *f = fopen(argv[++i], "r");
			if (!f) {
				perror(argv[i]);
				return 2;
			}
			char line[256];
			while (fgets(line, sizeof(line), f) && nexp < 16)
				if (line[0] != '#' &&
				    sscanf(line, "%63s %d", exp[nexp].name, &exp[nexp].pass) == 2)
					nexp++;
			fclose(f);
		} else if (!strcmp(argv[i], "--xfail") && i + 1 < argc) {
			if (load_xfail(argv[++i]))
				return 2;
		} else {
			fprintf(stderr, "usage: conformance [-v] [--device N] [--expect FILE] "
					"[--xfail FILE] DIR...\n");
			return 2;
		}
	}
	for (; i < argc; i++) {
		char **tests;
		int n = list_dir(argv[i], "", &tests);
		if (n < 0) {
			fprintf(stderr, "conformance: %s: %s\n", argv[i], strerror(-n));
			return 2;
		}
		int pass = 0, fail = 0, skip = 0;
		for (int t = 0; t < n; t++) {
			char dir[2048], why[1024] = "";
			snprintf(dir, sizeof(dir), "%s/%s", argv[i], tests[t]);
			int r = run_test(dir, why, sizeof(why)), xf = is_xfail(tests[t]);
			pass += r == 1;
			fail += r == 0;
			skip += r == -1;
			if (verbose || r == 0)
				printf("  %s %s%s%s\n",
				       r == 1	? "PASS"
				       : r == 0 ? (xf ? "XFAIL" : "FAIL")
						: "SKIP",
				       tests[t], r == 1 ? "" : ": ", why);
			if (nxfail >= 0 && r == 0 && !xf) {
				printf("conformance: %s fails and is not in the --xfail list\n",
				       tests[t]);
				failed = 1;
			}
			if (r == 1 && xf) {
				printf("conformance: %s passes but is in the --xfail list\n",
				       tests[t]);
				failed = 1;
			}
		}
		const char *base = strrchr(argv[i], '/');
		base = base && base[1] ? base + 1 : argv[i];
		printf("conformance %s %-18s pass %4d  fail %4d  skip %4d  (of %d)\n",
		       device == -2 ? "cpu" : "device", base, pass, fail, skip, n);
		for (int e = 0; e < nexp; e++)
			if (!strcmp(exp[e].name, base) && pass < exp[e].pass) {
				printf("conformance: %s passes %d, expected at least %d\n", base,
				       pass, exp[e].pass);
				failed = 1;
			}
		free_list(tests, n);
	}
	for (int k = 0; k < nxfail; k++)
		free(xfail[k]);
	free(xfail);
	return failed;
}
