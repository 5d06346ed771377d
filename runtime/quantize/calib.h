/* SPDX-License-Identifier: MIT */
/* ares-quantize: the calibration set, runs of a model over it through
 * libares_rt's CPU path, and the activation ranges they give. */
#ifndef AQ_CALIB_H
#define AQ_CALIB_H

#include "ares_rt.h"
#include "model.h"

/* Every graph input (initializers excluded) of every sample. */
struct aq_samples {
	int n, nin;
	char **in_names;      /* nin, owned */
	struct art_tensor *t; /* n * nin, data owned */
};

/* Loads the samples of DIR for the inputs of G: DIR itself holds one file
 * per input (NAME.npy or NAME.pb), or each subfolder of DIR (in name
 * order) does. Each tensor must have its input's declared type, rank and
 * fixed dims. At most MAX samples when MAX > 0. */
int aq_samples_load(const char *dir, const Onnx__GraphProto *g, int max, struct aq_samples *ss,
		    struct aq_err *e);
void aq_samples_free(struct aq_samples *ss);

/* Called with graph output OUT of sample SAMPLE; nonzero stops the run. */
typedef int (*aq_output_fn)(void *ctx, int sample, int out, const struct art_tensor *t);

/* Runs the model file PATH on the CPU over the first NSAMPLES samples. */
int aq_run_model(const char *path, const struct aq_samples *ss, int nsamples, int threads,
		 aq_output_fn fn, void *ctx, struct aq_err *e);

enum aq_calib_method { AQ_MINMAX, AQ_PERCENTILE };

/* The ranges of tensors NAMES[0..n) of M over the samples, and the f32
 * outputs of M (REF[sample * nout + k], data owned) for the sensitivity
 * check. Ranges always include 0; a tensor that is not float gets
 * dtype != ART_FLOAT and no range. */
struct aq_ranges {
	int n;
	float *lo, *hi;
	int *rank, *dtype;
	int nout, nsamples;
	struct art_tensor *ref;
};

int aq_calibrate(const Onnx__ModelProto *m, const char *const *names, int n,
		 const struct aq_samples *ss, enum aq_calib_method method, double percentile,
		 int threads, const char *tmpdir, struct aq_ranges *r, struct aq_err *e);
void aq_ranges_free(struct aq_ranges *r);

#endif
