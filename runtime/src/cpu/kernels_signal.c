// SPDX-License-Identifier: MIT
/* CPU reference kernels: spectral ops (DFT, STFT, MelWeightMatrix).
 * Complex values are a trailing axis of 2 (real, imaginary); a real input
 * has a trailing axis of 1. Transforms are the plain O(n^2) sums in double,
 * twiddles computed per term from the exact phase (k * t mod N). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"

/* K bins of the N-point transform of L samples (zero-padded or cut to N);
 * INVERSE flips the sign of the phase and divides by N. */
static void dft1(const double *re, const double *im, int64_t L, int64_t N, int64_t K, int inverse,
		 double *ore, double *oim)
{
	int64_t T = L < N ? L : N;
	double sign = inverse ? 1 : -1;
	for (int64_t k = 0; k < K; k++) {
		double sr = 0, si = 0;
		for (int64_t t = 0; t < T; t++) {
			double ph = sign * 2 * M_PI * (double)((k * t) % N) / (double)N;
			double c = cos(ph), s = sin(ph);
			sr += re[t] * c - im[t] * s;
			si += re[t] * s + im[t] * c;
		}
		ore[k] = inverse ? sr / (double)N : sr;
		oim[k] = inverse ? si / (double)N : si;
	}
}

static int is_float(const struct art_tensor *t)
{
	return t->dtype == ART_FLOAT || t->dtype == ART_DOUBLE;
}

static int check_dft(struct art_session *s, const struct rt_node *n)
{
	int64_t inv = rt_attr_i(n, "inverse", 0), one = rt_attr_i(n, "onesided", 0);
	NEED((inv == 0 || inv == 1) && (one == 0 || one == 1),
	     "node '%s' (DFT): inverse and onesided must be 0 or 1", n->name);
	NEED(!(inv && one), "node '%s' (DFT): an inverse transform cannot be onesided", n->name);
	return 0;
}

static int k_dft(struct art_session *s, const struct rt_node *n)
{
	int rc = check_dft(s, n);
	if (!rc)
		rc = rt_need_inputs(s, n, 1);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *dl = rt_in(s, n, 1);
	int inverse = (int)rt_attr_i(n, "inverse", 0), onesided = (int)rt_attr_i(n, "onesided", 0);
	NEED(is_float(x) && x->ndim >= 3 &&
		     (x->dims[x->ndim - 1] == 1 || x->dims[x->ndim - 1] == 2),
	     "node '%s' (DFT): needs float input [batch, ..., 1 or 2]", n->name);
	int r = x->ndim, cplx = x->dims[r - 1] == 2;
	/* Opset 20 moved the axis into input 2 (default -2, counted on the
	 * input's rank); before it is an attribute counted the same way. */
	int64_t ax = s->opset >= 20 ? -2 : rt_attr_i(n, "axis", 1);
	const struct art_tensor *at = s->opset >= 20 ? rt_in(s, n, 2) : NULL;
	if (at) {
		NEED(art_tensor_elems(at) == 1 &&
			     (at->dtype == ART_INT64 || at->dtype == ART_INT32),
		     "node '%s' (DFT): axis must be an int scalar", n->name);
		ax = rt_get_i(at, 0);
	}
	int axis = rt_axis(ax, r);
	NEED(axis >= 1 && axis <= r - 2, "node '%s' (DFT): axis %lld is not a signal axis", n->name,
	     (long long)ax);
	int64_t L = x->dims[axis], N = L;
	if (dl) {
		NEED(art_tensor_elems(dl) == 1 &&
			     (dl->dtype == ART_INT64 || dl->dtype == ART_INT32),
		     "node '%s' (DFT): dft_length must be an int scalar", n->name);
		N = rt_get_i(dl, 0);
		NEED(N >= 1, "node '%s' (DFT): dft_length %lld must be positive", n->name,
		     (long long)N);
	}
	NEED(!onesided || !cplx, "node '%s' (DFT): onesided needs a real input", n->name);
	int64_t K = onesided ? N / 2 + 1 : N;
	int64_t od[ART_MAX_DIMS];
	memcpy(od, x->dims, sizeof(int64_t) * (size_t)r);
	od[axis] = K;
	od[r - 1] = 2;
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, r, od, &o);
	if (rc)
		return rc;
	int64_t outer = rt_shape_elems(x->dims, axis),
		inner = rt_shape_elems(x->dims + axis + 1, r - axis - 2);
	int64_t xc = x->dims[r - 1];
	double *buf = malloc(sizeof(double) * (size_t)(2 * L + 2 * K + 2));
	NEED(buf, "node '%s' (DFT): out of memory", n->name);
	double *re = buf, *im = buf + L, *ore = im + L, *oim = ore + K;
	for (int64_t a = 0; a < outer; a++)
		for (int64_t b = 0; b < inner; b++) {
			for (int64_t t = 0; t < L; t++) {
				int64_t e = ((a * L + t) * inner + b) * xc;
				re[t] = rt_get_d(x, e);
				im[t] = cplx ? rt_get_d(x, e + 1) : 0;
			}
			dft1(re, im, L, N, K, inverse, ore, oim);
			for (int64_t k = 0; k < K; k++) {
				int64_t e = ((a * K + k) * inner + b) * 2;
				rt_put_d(o, x->dtype, e, ore[k]);
				rt_put_d(o, x->dtype, e + 1, oim[k]);
			}
		}
	free(buf);
	return 0;
}

static int check_stft(struct art_session *s, const struct rt_node *n)
{
	int64_t one = rt_attr_i(n, "onesided", 1);
	NEED(one == 0 || one == 1, "node '%s' (STFT): onesided must be 0 or 1", n->name);
	return 0;
}

static int k_stft(struct art_session *s, const struct rt_node *n)
{
	int rc = check_stft(s, n);
	if (!rc)
		rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *fs = rt_in(s, n, 1), *win = rt_in(s, n, 2),
				*fl = rt_in(s, n, 3);
	NEED(is_float(x) && x->ndim == 3 && (x->dims[2] == 1 || x->dims[2] == 2),
	     "node '%s' (STFT): needs a float signal [batch, length, 1 or 2]", n->name);
	NEED(art_tensor_elems(fs) == 1 && (fs->dtype == ART_INT64 || fs->dtype == ART_INT32) &&
		     (!fl || (art_tensor_elems(fl) == 1 &&
			      (fl->dtype == ART_INT64 || fl->dtype == ART_INT32))),
	     "node '%s' (STFT): frame_step and frame_length must be int scalars", n->name);
	NEED(!win || (win->ndim == 1 && is_float(win)),
	     "node '%s' (STFT): window must be 1-D float", n->name);
	NEED(win || fl, "node '%s' (STFT): needs a window or a frame_length", n->name);
	int64_t step = rt_get_i(fs, 0), F = fl ? rt_get_i(fl, 0) : win->dims[0];
	int64_t B = x->dims[0], L = x->dims[1], xc = x->dims[2];
	int cplx = xc == 2, onesided = (int)rt_attr_i(n, "onesided", 1);
	NEED(step >= 1 && F >= 1 && F <= L && (!win || win->dims[0] == F),
	     "node '%s' (STFT): frame_step %lld, frame_length %lld, signal length %lld and "
	     "window length disagree",
	     n->name, (long long)step, (long long)F, (long long)L);
	NEED(!onesided || !cplx, "node '%s' (STFT): onesided needs a real signal", n->name);
	int64_t frames = (L - F) / step + 1, K = onesided ? F / 2 + 1 : F;
	int64_t od[4] = {B, frames, K, 2};
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, 4, od, &o);
	if (rc)
		return rc;
	double *buf = malloc(sizeof(double) * (size_t)(2 * F + 2 * K + 2));
	NEED(buf, "node '%s' (STFT): out of memory", n->name);
	double *re = buf, *im = buf + F, *ore = im + F, *oim = ore + K;
	for (int64_t b = 0; b < B; b++)
		for (int64_t f = 0; f < frames; f++) {
			for (int64_t t = 0; t < F; t++) {
				int64_t e = (b * L + f * step + t) * xc;
				double w = win ? rt_get_d(win, t) : 1;
				re[t] = rt_get_d(x, e) * w;
				im[t] = cplx ? rt_get_d(x, e + 1) * w : 0;
			}
			dft1(re, im, F, F, K, 0, ore, oim);
			for (int64_t k = 0; k < K; k++) {
				int64_t e = ((b * frames + f) * K + k) * 2;
				rt_put_d(o, x->dtype, e, ore[k]);
				rt_put_d(o, x->dtype, e + 1, oim[k]);
			}
		}
	free(buf);
	return 0;
}

static double hz_to_mel(double hz)
{
	return 2595 * log10(1 + hz / 700);
}

/* Triangular filters over the bins of a DFT_LENGTH-point spectrum, edges
 * spaced evenly in mel and rounded down to bins, as the spec's function
 * body computes them. */
static int k_mel_weight_matrix(struct art_session *s, const struct rt_node *n)
{
	int rc = rt_need_inputs(s, n, 5);
	if (rc)
		return rc;
	for (int i = 0; i < 5; i++)
		NEED(art_tensor_elems(rt_in(s, n, i)) == 1,
		     "node '%s' (MelWeightMatrix): input %d must be a scalar", n->name, i);
	int64_t bins = rt_get_i(rt_in(s, n, 0), 0), dft = rt_get_i(rt_in(s, n, 1), 0),
		rate = rt_get_i(rt_in(s, n, 2), 0);
	double lo = rt_get_d(rt_in(s, n, 3), 0), hi = rt_get_d(rt_in(s, n, 4), 0);
	int dt = (int)rt_attr_i(n, "output_datatype", ART_FLOAT);
	NEED(dt == ART_FLOAT || dt == ART_DOUBLE, "node '%s' (MelWeightMatrix): output type %s",
	     n->name, rt_dtype_name(dt));
	NEED(bins >= 1 && dft >= 1 && rate >= 1 && lo >= 0 && hi > lo,
	     "node '%s' (MelWeightMatrix): needs positive num_mel_bins, dft_length and "
	     "sample_rate, and 0 <= lower_edge_hertz < upper_edge_hertz",
	     n->name);
	int64_t spec = dft / 2 + 1, od[2] = {spec, bins};
	void *o;
	rc = rt_alloc_out(s, n, 0, dt, 2, od, &o);
	if (rc)
		return rc;
	int64_t *edge = malloc(sizeof(int64_t) * (size_t)(bins + 2));
	NEED(edge, "node '%s' (MelWeightMatrix): out of memory", n->name);
	/* The spec divides the mel range by the edge count (bins + 2), not the
	 * gap count, so the top edge falls short of upper_edge_hertz. */
	double ml = hz_to_mel(lo), step = (hz_to_mel(hi) - ml) / (double)(bins + 2);
	for (int64_t i = 0; i < bins + 2; i++) {
		double hz = 700 * (pow(10, ((double)i * step + ml) / 2595) - 1);
		edge[i] =
			rt_d2i(floor((double)(dft + 1) * hz / (double)rate), INT64_MIN, INT64_MAX);
	}
	for (int64_t i = 0; i < bins; i++) {
		int64_t l = edge[i], c = edge[i + 1], h = edge[i + 2];
		if (c == l) {
			if (c >= 0 && c < spec)
				rt_put_d(o, dt, c * bins + i, 1);
		} else {
			for (int64_t j = l; j <= c; j++)
				if (j >= 0 && j < spec)
					rt_put_d(o, dt, j * bins + i,
						 (double)(j - l) / (double)(c - l));
		}
		for (int64_t j = c; h > c && j < h; j++)
			if (j >= 0 && j < spec)
				rt_put_d(o, dt, j * bins + i, (double)(h - j) / (double)(h - c));
	}
	free(edge);
	return 0;
}

const struct rt_kernel_entry rt_kernels_signal[] = {
	{"DFT", k_dft},
	{"MelWeightMatrix", k_mel_weight_matrix},
	{"STFT", k_stft},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_signal[] = {
	{"DFT", check_dft},
	{"STFT", check_stft},
	{NULL, NULL},
};
