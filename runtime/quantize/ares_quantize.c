// SPDX-License-Identifier: MIT
/*
 * ares-quantize: post-training quantization of an f32 ONNX model into QDQ
 * form, over libares_quant (see ares_quant.h and README.md).
 *
 *   ares-quantize [--calibration minmax|percentile] [--percentile P]
 *                 [--threshold T] [--samples N] [--sensitivity-samples N]
 *                 [--threads N] [--quiet] MODEL.onnx CALIB_DIR OUT.onnx
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ares_quant.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: ares-quantize [--calibration minmax|percentile] [--percentile P]\n"
		"                     [--threshold T] [--samples N] [--sensitivity-samples N]\n"
		"                     [--threads N] [--quiet] MODEL.onnx CALIB_DIR OUT.onnx\n");
	return 2;
}

static int parse_num(const char *opt, const char *s, double lo, double hi, double *v)
{
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (errno || end == s || *end || !(*v >= lo && *v <= hi)) {
		fprintf(stderr, "ares-quantize: %s '%s': not a number in [%g, %g]\n", opt, s, lo,
			hi);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct aq_options o = {.report = stdout};
	const char *pos[3];
	int npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		double v;
		if (!strcmp(a, "--quiet")) {
			o.report = NULL;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage();
			return 0;
		} else if (a[0] == '-' && a[1] == '-' && i + 1 < argc) {
			const char *val = argv[++i];
			if (!strcmp(a, "--calibration")) {
				if (!strcmp(val, "minmax"))
					o.calibration = AQ_CALIB_MINMAX;
				else if (!strcmp(val, "percentile"))
					o.calibration = AQ_CALIB_PERCENTILE;
				else {
					fprintf(stderr,
						"ares-quantize: --calibration '%s': minmax or "
						"percentile\n",
						val);
					return 2;
				}
			} else if (!strcmp(a, "--percentile")) {
				if (parse_num(a, val, 50.000001, 100, &o.percentile))
					return 2;
			} else if (!strcmp(a, "--threshold")) {
				/* -1: no sensitivity check */
				if (parse_num(a, val, -1, 1e9, &o.threshold))
					return 2;
			} else if (!strcmp(a, "--samples") || !strcmp(a, "--sensitivity-samples") ||
				   !strcmp(a, "--threads")) {
				if (parse_num(a, val, 1, 1 << 20, &v))
					return 2;
				if (!strcmp(a, "--samples"))
					o.max_samples = (int)v;
				else if (!strcmp(a, "--threads"))
					o.threads = (int)v;
				else
					o.sens_samples = (int)v;
			} else {
				fprintf(stderr, "ares-quantize: unknown option %s\n", a);
				return usage();
			}
		} else if (a[0] == '-' || npos == 3) {
			return usage();
		} else {
			pos[npos++] = a;
		}
	}
	if (npos != 3)
		return usage();
	char err[1024];
	struct aq_result r;
	int rc = aq_quantize(pos[0], pos[1], pos[2], &o, &r, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "ares-quantize: %s\n", err);
		return 1;
	}
	return 0;
}
