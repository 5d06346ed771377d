// SPDX-License-Identifier: MIT
/* CPU reference kernels: object-detection post-processing
 * (NonMaxSuppression). Its output size depends on the data, so the kernel
 * sizes the output as it runs and shape inference leaves it dynamic. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

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

const struct rt_kernel_entry rt_kernels_detect[] = {
	{"NonMaxSuppression", k_nms},
	{NULL, NULL},
};

const struct rt_check_entry rt_checks_detect[] = {
	{"NonMaxSuppression", check_nms},
	{NULL, NULL},
};
