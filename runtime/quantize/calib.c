// SPDX-License-Identifier: MIT
/* ares-quantize: calibration samples, model runs, activation ranges. */
#include "calib.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define AQ_BINS 4096 /* histogram bins per tensor, between its min and max */

static int is_initializer(const Onnx__GraphProto *g, const char *name)
{
	for (size_t i = 0; i < g->n_initializer; i++)
		if (g->initializer[i]->name && !strcmp(g->initializer[i]->name, name))
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *dir, const char *name, const char *ext)
{
	size_t l = strlen(dir) + strlen(name) + strlen(ext) + 2;
	char *p = malloc(l);
	if (p)
		snprintf(p, l, "%s/%s%s", dir, name, ext);
	return p;
}

static int file_exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The sample folders of DIR: DIR itself when it holds FIRST_INPUT's file. */
static int list_samples(const char *dir, const char *first_input, char ***out, int *n,
			struct aq_err *e)
{
	char *a = join(dir, first_input, ".npy"), *b = join(dir, first_input, ".pb");
	int flat = a && b && (file_exists(a) || file_exists(b));
	free(a);
	free(b);
	*n = 0;
	*out = NULL;
	if (flat) {
		*out = malloc(sizeof(char *));
		if (!*out || !((*out)[0] = aq_strdup(dir)))
			return aq_fail(e, -ENOMEM, "out of memory");
		*n = 1;
		return 0;
	}
	DIR *d = opendir(dir);
	if (!d)
		return aq_fail(e, -errno, "calibration folder %s: %s", dir, strerror(errno));
	int rc = 0, cap = 0;
	struct dirent *de;
	while (!rc && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p = join(dir, de->d_name, "");
		struct stat st;
		if (!p) {
			rc = aq_fail(e, -ENOMEM, "out of memory");
		} else if (stat(p, &st) || !S_ISDIR(st.st_mode)) {
			free(p);
		} else {
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				char **v = realloc(*out, (size_t)cap * sizeof(char *));
				if (!v) {
					free(p);
					rc = aq_fail(e, -ENOMEM, "out of memory");
					break;
				}
				*out = v;
			}
			(*out)[(*n)++] = p;
		}
	}
	closedir(d);
	if (!rc && !*n)
		rc = aq_fail(e, -ENOENT,
			     "calibration folder %s: no %s.npy or %s.pb, and no sample folders",
			     dir, first_input, first_input);
	if (!rc)
		qsort(*out, (size_t)*n, sizeof(char *), cmp_str);
	return rc;
}

static int check_shape(const Onnx__ValueInfoProto *vi, const struct art_tensor *t, const char *path,
		       struct aq_err *e)
{
	const Onnx__TypeProto__Tensor *tt = vi->type ? vi->type->tensor_type : NULL;
	if (!tt)
		return 0;
	if (tt->has_elem_type && tt->elem_type != t->dtype)
		return aq_fail(e, -EINVAL, "%s: element type %d, but input '%s' is declared %d",
			       path, t->dtype, vi->name, tt->elem_type);
	if (!tt->shape)
		return 0;
	if ((int)tt->shape->n_dim != t->ndim)
		return aq_fail(e, -EINVAL, "%s: rank %d, but input '%s' has rank %zu", path,
			       t->ndim, vi->name, tt->shape->n_dim);
	for (int i = 0; i < t->ndim; i++) {
		const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
		if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
		    d->dim_value != t->dims[i])
			return aq_fail(e, -EINVAL,
				       "%s: dim %d is %lld, but input '%s' has %lld there", path, i,
				       (long long)t->dims[i], vi->name, (long long)d->dim_value);
	}
	return 0;
}

static int load_one(const char *sdir, const Onnx__ValueInfoProto *vi, struct art_tensor *t,
		    struct aq_err *e)
{
	char *npy = join(sdir, vi->name, ".npy"), *pb = join(sdir, vi->name, ".pb");
	int rc = 0;
	if (!npy || !pb) {
		rc = aq_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	const char *path = file_exists(npy) ? npy : file_exists(pb) ? pb : NULL;
	if (!path) {
		rc = aq_fail(e, -ENOENT, "calibration sample %s: no %s.npy or %s.pb for input '%s'",
			     sdir, vi->name, vi->name, vi->name);
		goto out;
	}
	char msg[512];
	rc = art_tensor_load(path, t, msg, sizeof(msg));
	if (rc)
		rc = aq_fail(e, rc, "calibration sample: %s", msg);
	else if ((rc = check_shape(vi, t, path, e)))
		art_tensor_free(t);
out:
	free(npy);
	free(pb);
	return rc;
}

int aq_samples_load(const char *dir, const Onnx__GraphProto *g, int max, struct aq_samples *ss,
		    struct aq_err *e)
{
	memset(ss, 0, sizeof(*ss));
	const Onnx__ValueInfoProto *ins[64];
	int nin = 0;
	for (size_t i = 0; i < g->n_input; i++) {
		if (!g->input[i]->name || is_initializer(g, g->input[i]->name))
			continue;
		if (nin == 64)
			return aq_fail(e, -ENOTSUP, "the model has more than 64 inputs");
		ins[nin++] = g->input[i];
	}
	if (!nin)
		return aq_fail(e, -EINVAL, "the model has no inputs to calibrate with");
	char **dirs;
	int nd, rc = list_samples(dir, ins[0]->name, &dirs, &nd, e);
	if (rc)
		return rc;
	if (max > 0 && nd > max)
		nd = max;
	ss->nin = nin;
	ss->in_names = calloc((size_t)nin, sizeof(char *));
	ss->t = calloc((size_t)nd * (size_t)nin, sizeof(*ss->t));
	if (!ss->in_names || !ss->t)
		rc = aq_fail(e, -ENOMEM, "out of memory");
	for (int i = 0; !rc && i < nin; i++)
		if (!(ss->in_names[i] = aq_strdup(ins[i]->name)))
			rc = aq_fail(e, -ENOMEM, "out of memory");
	for (int k = 0; !rc && k < nd; k++) {
		for (int i = 0; !rc && i < nin; i++)
			rc = load_one(dirs[k], ins[i], &ss->t[k * nin + i], e);
		if (!rc)
			ss->n++;
	}
	for (int k = 0; k < nd; k++)
		free(dirs[k]);
	free(dirs);
	if (rc)
		aq_samples_free(ss);
	return rc;
}

void aq_samples_free(struct aq_samples *ss)
{
	for (int k = 0; ss->t && k < ss->n; k++)
		for (int i = 0; i < ss->nin; i++)
			art_tensor_free(&ss->t[k * ss->nin + i]);
	for (int i = 0; ss->in_names && i < ss->nin; i++)
		free(ss->in_names[i]);
	free(ss->in_names);
	free(ss->t);
	memset(ss, 0, sizeof(*ss));
}

/* Calibration measures number ranges: sequences and text have none, so a
 * model taking or giving them is refused, naming the first such value. */
static int numeric_tensors_only(art_session *s, struct aq_err *e)
{
	for (int io = 0; io < 2; io++) {
		int n = io ? art_session_output_count(s) : art_session_input_count(s);
		for (int i = 0; i < n; i++) {
			const char *name;
			struct art_tensor info;
			int kind =
				io ? art_session_output_kind(s, i) : art_session_input_kind(s, i);
			if (io)
				art_session_output_info(s, i, &name, &info);
			else
				art_session_input_info(s, i, &name, &info);
			if (kind != ART_KIND_TENSOR || info.dtype == ART_STRING)
				return aq_fail(e, -ENOTSUP,
					       "%s '%s' is a %s: the quantizer takes models whose "
					       "inputs and outputs are tensors of numbers",
					       io ? "output" : "input", name,
					       kind != ART_KIND_TENSOR ? "sequence"
								       : "string tensor");
		}
	}
	return 0;
}

int aq_run_model(const char *path, const struct aq_samples *ss, int nsamples, int threads,
		 aq_output_fn fn, void *ctx, struct aq_err *e)
{
	struct art_session_options o = {
		.flags = ART_CPU_ONLY, .device_index = -1, .threads = threads};
	art_session *s = NULL;
	int rc = art_session_create_opts(path, &o, &s);
	if (rc) {
		rc = aq_fail(e, rc, "libares_rt cannot load the model (%s)",
			     s ? art_session_errmsg(s) : strerror(-rc));
		goto out;
	}
	rc = numeric_tensors_only(s, e);
	if (rc)
		goto out;
	int map[64];
	for (int i = 0; i < ss->nin; i++) {
		map[i] = -1;
		for (int j = 0; j < art_session_input_count(s); j++) {
			const char *name;
			struct art_tensor info;
			if (!art_session_input_info(s, j, &name, &info) &&
			    !strcmp(name, ss->in_names[i]))
				map[i] = j;
		}
		if (map[i] < 0) {
			rc = aq_fail(e, -EINVAL, "the runtime's session has no input '%s'",
				     ss->in_names[i]);
			goto out;
		}
	}
	int nout = art_session_output_count(s);
	for (int k = 0; !rc && k < nsamples; k++) {
		for (int i = 0; !rc && i < ss->nin; i++)
			rc = art_session_set_input(s, map[i], &ss->t[k * ss->nin + i]);
		if (!rc)
			rc = art_session_run(s);
		if (rc) {
			rc = aq_fail(e, rc, "sample %d: %s", k, art_session_errmsg(s));
			break;
		}
		for (int j = 0; !rc && j < nout; j++) {
			struct art_tensor t;
			rc = art_session_get_output(s, j, &t);
			if (rc)
				rc = aq_fail(e, rc, "sample %d: output %d not produced", k, j);
			else
				rc = fn(ctx, k, j, &t);
		}
	}
out:
	art_session_destroy(s);
	return rc;
}

struct calib_ctx {
	struct aq_ranges *r;
	const int *out_of; /* graph output index of each probed tensor */
	int pass;	   /* 0: min/max and references, 1: histograms */
	uint32_t *hist;	   /* n * AQ_BINS */
	uint64_t *count;
	struct aq_err *e;
};

static int copy_tensor(struct art_tensor *dst, const struct art_tensor *src)
{
	size_t bytes = (size_t)art_tensor_elems(src) * art_dtype_size(src->dtype);
	void *d = malloc(bytes ? bytes : 1);
	if (!d)
		return -ENOMEM;
	memcpy(d, src->data, bytes);
	*dst = *src;
	dst->data = d;
	return 0;
}

static int on_output(void *vctx, int sample, int out, const struct art_tensor *t)
{
	struct calib_ctx *c = vctx;
	struct aq_ranges *r = c->r;
	if (c->pass == 0 && out < r->nout && copy_tensor(&r->ref[sample * r->nout + out], t))
		return aq_fail(c->e, -ENOMEM, "out of memory");
	for (int k = 0; k < r->n; k++) {
		if (c->out_of[k] != out)
			continue;
		int64_t cnt = art_tensor_elems(t);
		const float *v = t->data;
		if (c->pass == 0) {
			r->rank[k] = t->ndim;
			r->dtype[k] = t->dtype;
			for (int64_t i = 0; t->dtype == ART_FLOAT && i < cnt; i++) {
				if (!isfinite(v[i]))
					continue;
				r->lo[k] = v[i] < r->lo[k] ? v[i] : r->lo[k];
				r->hi[k] = v[i] > r->hi[k] ? v[i] : r->hi[k];
			}
			continue;
		}
		if (t->dtype != ART_FLOAT || !(r->hi[k] > r->lo[k]))
			continue;
		uint32_t *h = c->hist + (size_t)k * AQ_BINS;
		double w = (r->hi[k] - r->lo[k]) / AQ_BINS;
		for (int64_t i = 0; i < cnt; i++) {
			if (!isfinite(v[i]))
				continue;
			int b = (int)((v[i] - r->lo[k]) / w);
			h[b < 0 ? 0 : b >= AQ_BINS ? AQ_BINS - 1 : b]++;
		}
		c->count[k] += (uint64_t)cnt;
	}
	return 0;
}

/* The value below which a fraction Q of the histogram's mass lies. */
static float hist_quantile(const uint32_t *h, uint64_t total, double q, float lo, float hi)
{
	double want = q * (double)total, acc = 0, w = (double)(hi - lo) / AQ_BINS;
	for (int b = 0; b < AQ_BINS; b++) {
		if (acc + h[b] >= want && h[b])
			return (float)(lo + w * (b + (want - acc) / h[b]));
		acc += h[b];
	}
	return hi;
}

static int write_probe(const Onnx__ModelProto *m, const char *const *names, int n, const char *path,
		       int *out_of, int *nout, struct aq_err *e)
{
	size_t len = onnx__model_proto__get_packed_size(m);
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return aq_fail(e, -ENOMEM, "out of memory");
	onnx__model_proto__pack(m, buf);
	Onnx__ModelProto *p = aq_unpack(buf, len, "model", e);
	free(buf);
	if (!p)
		return -EINVAL;
	int rc = 0;
	*nout = (int)p->graph->n_output;
	for (int k = 0; !rc && k < n; k++) {
		out_of[k] = -1;
		for (size_t j = 0; j < p->graph->n_output; j++)
			if (!strcmp(p->graph->output[j]->name, names[k]))
				out_of[k] = (int)j;
		if (out_of[k] < 0) {
			out_of[k] = (int)p->graph->n_output;
			if (aq_add_output(p->graph, names[k]))
				rc = aq_fail(e, -ENOMEM, "out of memory");
		}
	}
	if (!rc)
		rc = aq_write_model(p, path, e);
	onnx__model_proto__free_unpacked(p, NULL);
	return rc;
}

int aq_calibrate(const Onnx__ModelProto *m, const char *const *names, int n,
		 const struct aq_samples *ss, enum aq_calib_method method, double percentile,
		 int threads, const char *tmpdir, struct aq_ranges *r, struct aq_err *e)
{
	memset(r, 0, sizeof(*r));
	struct calib_ctx c = {.r = r, .e = e};
	int *out_of = calloc((size_t)n + 1, sizeof(int));
	char *path = join(tmpdir, "calibration", ".onnx");
	r->n = n;
	r->lo = calloc((size_t)n + 1, sizeof(float));
	r->hi = calloc((size_t)n + 1, sizeof(float));
	r->rank = calloc((size_t)n + 1, sizeof(int));
	r->dtype = calloc((size_t)n + 1, sizeof(int));
	int rc = 0;
	if (!out_of || !path || !r->lo || !r->hi || !r->rank || !r->dtype) {
		rc = aq_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	for (int k = 0; k < n; k++)
		r->rank[k] = -1;
	rc = write_probe(m, names, n, path, out_of, &r->nout, e);
	if (rc)
		goto out;
	r->ref = calloc((size_t)ss->n * (size_t)r->nout + 1, sizeof(*r->ref));
	r->nsamples = ss->n;
	if (!r->ref) {
		rc = aq_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	c.out_of = out_of;
	rc = aq_run_model(path, ss, ss->n, threads, on_output, &c, e);
	if (rc || method != AQ_PERCENTILE)
		goto out;
	c.pass = 1;
	c.hist = calloc((size_t)n * AQ_BINS + 1, sizeof(uint32_t));
	c.count = calloc((size_t)n + 1, sizeof(uint64_t));
	if (!c.hist || !c.count) {
		rc = aq_fail(e, -ENOMEM, "out of memory");
		goto out;
	}
	rc = aq_run_model(path, ss, ss->n, threads, on_output, &c, e);
	for (int k = 0; !rc && k < n; k++) {
		if (!c.count[k])
			continue;
		const uint32_t *h = c.hist + (size_t)k * AQ_BINS;
		float lo = hist_quantile(h, c.count[k], 1 - percentile / 100, r->lo[k], r->hi[k]);
		float hi = hist_quantile(h, c.count[k], percentile / 100, r->lo[k], r->hi[k]);
		r->lo[k] = lo < 0 ? lo : 0;
		r->hi[k] = hi > 0 ? hi : 0;
	}
out:
	if (path)
		remove(path);
	free(path);
	free(out_of);
	free(c.hist);
	free(c.count);
	if (rc)
		aq_ranges_free(r);
	return rc;
}

void aq_ranges_free(struct aq_ranges *r)
{
	free(r->lo);
	free(r->hi);
	free(r->rank);
	free(r->dtype);
	for (int i = 0; r->ref && i < r->nsamples * r->nout; i++)
		free((void *)r->ref[i].data);
	free(r->ref);
	memset(r, 0, sizeof(*r));
}
