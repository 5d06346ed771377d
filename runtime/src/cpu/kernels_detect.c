// SPDX-License-Identifier: MIT
/* CPU reference kernels: object-detection ops. NonMaxSuppression's output
 * size depends on the data, so the kernel sizes the output as it runs and
 * shape inference leaves it dynamic; RoiAlign pools each box of a feature
 * map into a fixed grid of bilinear samples. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"

/* A box as its corners, whatever order or format the model gave them in. */
struct box {
	double x0, y0, x1, y1;
};

static struct box box_at(const struct art_tensor *b, int64_t at, int center)
{
	double v[4];
	for (int i = 0; i < 4; i++)
		v[i] = rt_get_d(b, at + i);
	if (center)
		return (struct box){v[0] - v[2] / 2, v[1] - v[3] / 2, v[0] + v[2] / 2,
				    v[1] + v[3] / 2};
	/* Corners may come flipped: [y1, x1, y2, x2] of any diagonal. */
	return (struct box){fmin(v[1], v[3]), fmin(v[0], v[2]), fmax(v[1], v[3]), fmax(v[0], v[2])};
}

/* Whether A and B overlap by more than THRESHOLD (intersection over union);
 * empty boxes never suppress. */
static int suppresses(const struct box *a, const struct box *b, double threshold)
{
	double w = fmin(a->x1, b->x1) - fmax(a->x0, b->x0);
	double h = fmin(a->y1, b->y1) - fmax(a->y0, b->y0);
	if (w <= 0 || h <= 0)
		return 0;
	double inter = w * h, aa = (a->x1 - a->x0) * (a->y1 - a->y0),
	       ab = (b->x1 - b->x0) * (b->y1 - b->y0), uni = aa + ab - inter;
	if (aa <= 0 || ab <= 0 || uni <= 0)
		return 0;
	return inter / uni > threshold;
}

struct cand {
	double score;
	int64_t idx;
};

/* Highest score first; equal scores keep box order, as a stable sort would. */
static int by_score(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static double scalar_or(const struct art_tensor *t, double def)
{
	return t && art_tensor_elems(t) > 0 ? rt_get_d(t, 0) : def;
}

static int check_nms(struct art_session *s, const struct rt_node *n)
{
	int64_t center = rt_attr_i(n, "center_point_box", 0);
	NEED(center == 0 || center == 1,
	     "node '%s' (NonMaxSuppression): center_point_box %lld (0 or 1)", n->name,
	     (long long)center);
	NEED(n->nin >= 2 && n->nin <= 5 && n->nout == 1,
	     "node '%s' (NonMaxSuppression): 2 to 5 inputs and one output", n->name);
	return 0;
}

static int k_nms(struct art_session *s, const struct rt_node *n)
{
	int rc = check_nms(s, n);
	if (!rc)
		rc = rt_need_inputs(s, n, 2);
	if (rc)
		return rc;
	const struct art_tensor *bx = rt_in(s, n, 0), *sc = rt_in(s, n, 1);
	const struct art_tensor *mo = rt_in(s, n, 2), *it = rt_in(s, n, 3), *st = rt_in(s, n, 4);
	int64_t center = rt_attr_i(n, "center_point_box", 0);
	NEED(bx->ndim == 3 && bx->dims[2] == 4 && sc->ndim == 3 && sc->dims[0] == bx->dims[0] &&
		     sc->dims[2] == bx->dims[1],
	     "node '%s' (NonMaxSuppression): needs boxes [B, N, 4] and scores [B, C, N]", n->name);
	NEED((!mo || art_tensor_elems(mo) <= 1) && (!it || art_tensor_elems(it) <= 1) &&
		     (!st || art_tensor_elems(st) <= 1),
	     "node '%s' (NonMaxSuppression): max_output_boxes_per_class, iou_threshold and "
	     "score_threshold must be scalars",
	     n->name);
	int64_t B = bx->dims[0], N = bx->dims[1], C = sc->dims[1];
	int64_t max_out = mo && art_tensor_elems(mo) ? rt_get_i(mo, 0) : 0;
	double iou = scalar_or(it, 0);
	NEED(iou >= 0 && iou <= 1, "node '%s' (NonMaxSuppression): iou_threshold %g outside [0, 1]",
	     n->name, iou);
	if (max_out < 0)
		max_out = 0;
	int64_t per = max_out < N ? max_out : N, cap = B * C * per, count = 0;
	struct cand *cs = malloc(sizeof(*cs) * (size_t)(N + 1));
	struct box *kept = malloc(sizeof(*kept) * (size_t)(per + 1));
	int64_t *sel = malloc(sizeof(int64_t) * (size_t)(3 * cap + 1));
	if (!cs || !kept || !sel) {
		free(cs);
		free(kept);
		free(sel);
		return rt_err(s, -ENOMEM, "node '%s' (NonMaxSuppression): out of memory", n->name);
	}
	for (int64_t b = 0; b < B; b++)
		for (int64_t c = 0; c < C; c++) {
			int64_t nc = 0, nk = 0;
			for (int64_t i = 0; i < N; i++) {
				double v = rt_get_d(sc, (b * C + c) * N + i);
				if (!st || !art_tensor_elems(st) || v > rt_get_d(st, 0))
					cs[nc++] = (struct cand){v, i};
			}
			qsort(cs, (size_t)nc, sizeof(*cs), by_score);
			for (int64_t i = 0; i < nc && nk < per; i++) {
				struct box cb = box_at(bx, (b * N + cs[i].idx) * 4, (int)center);
				int drop = 0;
				for (int64_t k = 0; k < nk && !drop; k++)
					drop = suppresses(&kept[k], &cb, iou);
				if (drop)
					continue;
				kept[nk++] = cb;
				sel[3 * count] = b;
				sel[3 * count + 1] = c;
				sel[3 * count + 2] = cs[i].idx;
				count++;
			}
		}
	int64_t od[2] = {count, 3};
	void *o;
	rc = rt_alloc_out(s, n, 0, ART_INT64, 2, od, &o);
	if (!rc && count)
		memcpy(o, sel, sizeof(int64_t) * (size_t)(3 * count));
	free(cs);
	free(kept);
	free(sel);
	return rc;
}

/* RoiAlign's attributes; -EINVAL naming the node when one is out of range.
 * Before opset 16 there is no coordinate_transformation_mode and boxes
 * behave as output_half_pixel; from 16 half_pixel is the default. */
static int roi_attrs(struct art_session *s, const struct rt_node *n, int *is_max, int *half)
{
	*is_max = rt_attr_is(n, "mode", "max", 0);
	NEED(*is_max || rt_attr_is(n, "mode", "avg", 1),
	     "node '%s' (RoiAlign): unknown mode (avg or max)", n->name);
	*half = rt_attr_is(n, "coordinate_transformation_mode", "half_pixel", s->opset >= 16);
	NEED(*half || !rt_attr(n, "coordinate_transformation_mode") ||
		     rt_attr_is(n, "coordinate_transformation_mode", "output_half_pixel", 0),
	     "node '%s' (RoiAlign): unknown coordinate_transformation_mode (half_pixel or "
	     "output_half_pixel)",
	     n->name);
	NEED(rt_attr_i(n, "output_height", 1) >= 1 && rt_attr_i(n, "output_width", 1) >= 1 &&
		     rt_attr_i(n, "sampling_ratio", 0) >= 0,
	     "node '%s' (RoiAlign): output_height/width must be positive, sampling_ratio not "
	     "negative",
	     n->name);
	NEED(n->nin == 3 && n->nout == 1, "node '%s' (RoiAlign): three inputs and one output",
	     n->name);
	return 0;
}

static int check_roi_align(struct art_session *s, const struct rt_node *n)
{
	int is_max, half;
	return roi_attrs(s, n, &is_max, &half);
}

/* The four taps and weights of a bilinear sample at (Y, X), clamped to the
 * plane; all weights 0 when the point lies more than a pixel outside. */
static void roi_taps(double y, double x, int64_t H, int64_t W, int64_t *at, double *w)
{
	/* NaN coordinates (from NaN boxes) sample nothing, like far-away ones. */
	if (!(y >= -1.0 && y <= (double)H && x >= -1.0 && x <= (double)W)) {
		for (int i = 0; i < 4; i++) {
			at[i] = 0;
			w[i] = 0;
		}
		return;
	}
	y = y <= 0 ? 0 : y;
	x = x <= 0 ? 0 : x;
	int64_t y0 = (int64_t)y, x0 = (int64_t)x, y1, x1;
	if (y0 >= H - 1) {
		y0 = y1 = H - 1;
		y = (double)y0;
	} else {
		y1 = y0 + 1;
	}
	if (x0 >= W - 1) {
		x0 = x1 = W - 1;
		x = (double)x0;
	} else {
		x1 = x0 + 1;
	}
	double ly = y - (double)y0, lx = x - (double)x0, hy = 1 - ly, hx = 1 - lx;
	at[0] = y0 * W + x0;
	at[1] = y0 * W + x1;
	at[2] = y1 * W + x0;
	at[3] = y1 * W + x1;
	w[0] = hy * hx;
	w[1] = hy * lx;
	w[2] = ly * hx;
	w[3] = ly * lx;
}

static int k_roi_align(struct art_session *s, const struct rt_node *n)
{
	int is_max, half;
	int rc = roi_attrs(s, n, &is_max, &half);
	if (!rc)
		rc = rt_need_inputs(s, n, 3);
	if (rc)
		return rc;
	const struct art_tensor *x = rt_in(s, n, 0), *r = rt_in(s, n, 1), *bi = rt_in(s, n, 2);
	NEED(x->ndim == 4 && (x->dtype == ART_FLOAT || x->dtype == ART_DOUBLE) && r->ndim == 2 &&
		     r->dims[1] == 4 && r->dtype == x->dtype && bi->ndim == 1 &&
		     bi->dims[0] == r->dims[0] &&
		     (bi->dtype == ART_INT64 || bi->dtype == ART_INT32),
	     "node '%s' (RoiAlign): needs float X [N, C, H, W], rois [R, 4] of its type and int "
	     "batch_indices [R]",
	     n->name);
	int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3], R = r->dims[0];
	int64_t PH = rt_attr_i(n, "output_height", 1), PW = rt_attr_i(n, "output_width", 1);
	int64_t ratio = rt_attr_i(n, "sampling_ratio", 0);
	double scale = rt_attr_f(n, "spatial_scale", 1.0f), off = half ? 0.5 : 0;
	for (int64_t i = 0; i < R; i++)
		NEED(rt_get_i(bi, i) >= 0 && rt_get_i(bi, i) < N,
		     "node '%s' (RoiAlign): batch index %lld outside [0, %lld)", n->name,
		     (long long)rt_get_i(bi, i), (long long)N);
	NEED((H > 0 && W > 0) || !R || !C, "node '%s' (RoiAlign): empty image", n->name);
	int64_t od[4] = {R, C, PH, PW};
	void *o;
	rc = rt_alloc_out(s, n, 0, x->dtype, 4, od, &o);
	if (rc)
		return rc;
	for (int64_t k = 0; k < R; k++) {
		double x0 = rt_get_d(r, k * 4) * scale - off,
		       y0 = rt_get_d(r, k * 4 + 1) * scale - off;
		double rw = rt_get_d(r, k * 4 + 2) * scale - off - x0,
		       rh = rt_get_d(r, k * 4 + 3) * scale - off - y0;
		if (!half) {
			rw = rw > 1 ? rw : 1;
			rh = rh > 1 ? rh : 1;
		}
		double bh = rh / (double)PH, bw = rw / (double)PW;
		int64_t gh = ratio > 0 ? ratio : rt_d2i(ceil(rh / (double)PH), 0, INT32_MAX),
			gw = ratio > 0 ? ratio : rt_d2i(ceil(rw / (double)PW), 0, INT32_MAX);
		/* Bounded work per bin: a NaN or absurd box is an error, not a hang. */
		NEED(gh <= 1 << 12 && gw <= 1 << 12,
		     "node '%s' (RoiAlign): box %lld needs a %lldx%lld sampling grid", n->name,
		     (long long)k, (long long)gh, (long long)gw);
		double count = gh * gw > 0 ? (double)(gh * gw) : 1;
		int64_t b = rt_get_i(bi, k);
		for (int64_t c = 0; c < C; c++) {
			int64_t base = (b * C + c) * H * W;
			for (int64_t ph = 0; ph < PH; ph++)
				for (int64_t pw = 0; pw < PW; pw++) {
					double acc = 0;
					int first = 1;
					for (int64_t iy = 0; iy < gh; iy++)
						for (int64_t ix = 0; ix < gw; ix++) {
							double yy = y0 + (double)ph * bh +
								    ((double)iy + 0.5) * bh /
									    (double)gh;
							double xx = x0 + (double)pw * bw +
								    ((double)ix + 0.5) * bw /
									    (double)gw;
							int64_t at[4];
							double w[4], v = 0;
							roi_taps(yy, xx, H, W, at, w);
							for (int t = 0; t < 4; t++) {
								double p =
									w[t] *
									rt_get_d(x, base + at[t]);
								if (is_max)
									v = t == 0 || p > v ? p : v;
								else
									v += p;
							}
							if (is_max)
								acc = first || v > acc ? v : acc;
							else
								acc += v;
							first = 0;
						}
					rt_put_d(o, x->dtype, ((k * C + c) * PH + ph) * PW + pw,
						 is_max ? acc : acc / count);
				}
		}
	}
	return 0;
}

const struct rt_kernel_entry rt_kernels_detect[] = {
	{"NonMaxSuppression", k_nms},
	{"RoiAlign", k_roi_align},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_detect[] = {
	{"NonMaxSuppression", check_nms},
	{"RoiAlign", check_roi_align},
	{NULL, NULL},
};
