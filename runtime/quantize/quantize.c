// SPDX-License-Identifier: MIT
/* libares_quant's entry point: check the model, calibrate, upgrade the
 * opset, measure each layer's sensitivity, write the QDQ model. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ares_quant.h"
#include "calib.h"
#include "fold.h"
#include "model.h"
#include "opset.h"
#include "qdq.h"

static const char *const quant_ops[] = {
	"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
	"QLinearConv",	  "QLinearMatMul",    "ConvInteger",
	"MatMulInteger",  "QLinearAdd",	      "QLinearMul",
};

static const char *node_label(const Onnx__NodeProto *n)
{
	return n->name && n->name[0] ? n->name : n->n_output ? n->output[0] : "?";
}

/* Only f32 models: no quantization ops, no half or double weights. */
static int check_f32(const Onnx__GraphProto *g, const char *path, struct aq_err *e)
{
	for (size_t i = 0; i < g->n_node; i++)
		for (size_t k = 0; k < sizeof(quant_ops) / sizeof(quant_ops[0]); k++)
			if (!strcmp(g->node[i]->op_type, quant_ops[k]))
				return aq_fail(e, -EINVAL,
					       "%s: node '%s' is %s: the model is already "
					       "quantized",
					       path, node_label(g->node[i]), quant_ops[k]);
	for (size_t i = 0; i < g->n_initializer; i++) {
		int dt = g->initializer[i]->data_type;
		if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 ||
		    dt == ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16 ||
		    dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE)
			return aq_fail(e, -EINVAL,
				       "%s: initializer '%s' has element type %d: not an f32 "
				       "model",
				       path,
				       g->initializer[i]->name ? g->initializer[i]->name : "?", dt);
	}
	return 0;
}

struct rank_ctx {
	const char *const *names;
	const struct aq_ranges *r;
};

static int rank_of(void *vctx, const char *name)
{
	const struct rank_ctx *c = vctx;
	for (int i = 0; i < c->r->n; i++)
		if (!strcmp(c->names[i], name))
			return c->r->rank[i];
	return -1;
}

struct err_ctx {
	const struct aq_ranges *r;
	double *sum; /* per output: relative error summed over samples */
	struct aq_err *e;
};

static int on_variant_output(void *vctx, int sample, int out, const struct art_tensor *t)
{
	struct err_ctx *c = vctx;
	if (out >= c->r->nout)
		return 0;
	const struct art_tensor *f = &c->r->ref[sample * c->r->nout + out];
	if (f->dtype != ART_FLOAT)
		return 0;
	int64_t n = art_tensor_elems(f);
	if (t->dtype != ART_FLOAT || art_tensor_elems(t) != n)
		return aq_fail(c->e, -EINVAL,
			       "output %d of sample %d changed type or size when quantized", out,
			       sample);
	const float *a = f->data, *b = t->data;
	double num = 0, den = 0;
	for (int64_t i = 0; i < n; i++) {
		num += ((double)b[i] - a[i]) * ((double)b[i] - a[i]);
		den += (double)a[i] * a[i];
	}
	c->sum[out] += den > 0 ? sqrt(num / den) : sqrt(num);
	return 0;
}

struct job {
	const char *in_path;
	Onnx__ModelProto *m; /* the f32 model, upgraded */
	uint8_t *base;	     /* M packed */
	size_t base_len;
	struct aq_layer *l;
	int nl;
	struct aq_elt *elts; /* requantized between layers when both sides are */
	int nelts;
	struct aq_ranges r;
	struct aq_samples ss;
	char tmpdir[64];
	const struct aq_options *o;
	struct aq_err *e;
};

/* M with the layers ON[] quantized, written to PATH. */
static int write_variant(struct job *j, const int *on, const char *path)
{
	Onnx__ModelProto *v = aq_unpack(j->base, j->base_len, j->in_path, j->e);
	if (!v)
		return -EINVAL;
	int rc = aq_rewrite(v, j->l, j->nl, on, j->elts, j->nelts, &j->r, j->e);
	if (!rc)
		rc = aq_write_model(v, path, j->e);
	onnx__model_proto__free_unpacked(v, NULL);
	return rc;
}

/* The relative output error of the model with layers ON[] quantized. */
static int variant_error(struct job *j, const int *on, int nsamples, double *err)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/variant.onnx", j->tmpdir);
	int rc = write_variant(j, on, path);
	double *sum = calloc((size_t)j->r.nout + 1, sizeof(double));
	if (!rc && !sum)
		rc = aq_fail(j->e, -ENOMEM, "out of memory");
	struct err_ctx c = {.r = &j->r, .sum = sum, .e = j->e};
	if (!rc)
		rc = aq_run_model(path, &j->ss, nsamples, j->o->threads, on_variant_output, &c,
				  j->e);
	*err = 0;
	for (int k = 0; !rc && k < j->r.nout; k++)
		*err = fmax(*err, sum[k] / nsamples);
	free(sum);
	remove(path);
	return rc;
}

static int sensitivity(struct job *j, double threshold, int nsamples)
{
	int *on = calloc((size_t)j->nl + 1, sizeof(int));
	if (!on)
		return aq_fail(j->e, -ENOMEM, "out of memory");
	int rc = 0;
	for (int i = 0; !rc && i < j->nl; i++) {
		if (j->r.dtype[j->l[i].r_in] != ART_FLOAT)
			continue; /* its input never reached the calibration run */
		on[i] = 1;
		rc = variant_error(j, on, nsamples, &j->l[i].error);
		on[i] = 0;
		j->l[i].quantize = !rc && isfinite(j->l[i].error) &&
				   (threshold < 0 || j->l[i].error <= threshold);
	}
	free(on);
	return rc;
}

static void report(const struct job *j, const struct aq_result *res, double threshold, int nsens)
{
	FILE *f = j->o->report;
	if (!f)
		return;
	fprintf(f,
		"ares-quantize: %s: opset %d -> %lld, %d layers, %s calibration over %d "
		"samples",
		j->in_path, res->opset_before, (long long)aq_default_opset(j->m), j->nl,
		j->o->calibration == AQ_CALIB_PERCENTILE ? "percentile" : "min-max", j->ss.n);
	if (threshold < 0)
		fprintf(f, ", no sensitivity check\n");
	else
		fprintf(f, ", sensitivity over %d samples, threshold %g\n", nsens, threshold);
	if (res->folded)
		fprintf(f,
			"folded %d Mul/Add/BatchNormalization node(s) with per-channel "
			"constants into their Conv\n",
			res->folded);
	fprintf(f, "%-5s %-40s %-7s %-10s %s\n", "layer", "node", "op", "error", "kept as");
	for (int i = 0; i < j->nl; i++) {
		const Onnx__NodeProto *n = j->m->graph->node[j->l[i].node];
		fprintf(f, "%-5d %-40s %-7s %-10.6f %s\n", i, node_label(n), n->op_type,
			j->l[i].error, j->l[i].quantize ? "int8" : "float");
	}
	fprintf(f, "quantized %d of %d layers; output error of the written model %.6f\n",
		res->quantized, res->layers, res->error);
}

static int check_options(const struct aq_options *o, struct aq_err *e)
{
	if (o->calibration != AQ_CALIB_MINMAX && o->calibration != AQ_CALIB_PERCENTILE)
		return aq_fail(e, -EINVAL, "calibration %d: neither min-max nor percentile",
			       o->calibration);
	if (o->percentile && !(o->percentile > 50 && o->percentile <= 100))
		return aq_fail(e, -EINVAL, "percentile %g is not in (50, 100]", o->percentile);
	if (o->max_samples < 0 || o->sens_samples < 0 || o->threads < 0 || o->threads > 1024)
		return aq_fail(e, -EINVAL,
			       "sample counts and threads must not be negative "
			       "(threads at most 1024)");
	if (isnan(o->threshold))
		return aq_fail(e, -EINVAL, "threshold is not a number");
	return 0;
}

static int prepare(struct job *j, const char *calib_dir, struct aq_result *res)
{
	uint8_t *data;
	size_t len;
	int rc = aq_read_file(j->in_path, &data, &len, j->e);
	if (rc)
		return rc;
	j->m = aq_unpack(data, len, j->in_path, j->e);
	free(data);
	if (!j->m)
		return -EINVAL;
	res->opset_before = (int)aq_default_opset(j->m);
	if (res->opset_before < 0)
		return aq_fail(j->e, -EINVAL, "%s: no default-domain opset import", j->in_path);
	rc = check_f32(j->m->graph, j->in_path, j->e);
	if (!rc)
		rc = aq_fold_affine(j->m, &res->folded, j->e);
	if (rc)
		return rc;
	const char **names;
	int nnames;
	rc = aq_find_layers(j->m->graph, &j->l, &j->nl, &names, &nnames, j->e);
	if (rc)
		return rc;
	if ((rc = aq_find_elts(j->m->graph, &j->elts, &j->nelts, &names, &nnames, j->e))) {
		free(names);
		return rc;
	}
	if (!j->nl) {
		free(names);
		return aq_fail(j->e, -EINVAL,
			       "%s: no Conv, MatMul or Gemm with an f32 constant weight to "
			       "quantize",
			       j->in_path);
	}
	/* The opset upgrade needs the rank of each Softmax's input. */
	for (size_t i = 0; i < j->m->graph->n_node; i++) {
		const Onnx__NodeProto *n = j->m->graph->node[i];
		if (!aq_opset_needs_rank(n, res->opset_before) || !n->n_input)
			continue;
		const char **v = realloc(names, (size_t)(nnames + 1) * sizeof(char *));
		if (!v) {
			free(names);
			return aq_fail(j->e, -ENOMEM, "out of memory");
		}
		names = v;
		names[nnames++] = n->input[0];
	}
	rc = aq_samples_load(calib_dir, j->m->graph, j->o->max_samples, &j->ss, j->e);
	if (!rc)
		rc = aq_calibrate(j->m, names, nnames, &j->ss,
				  j->o->calibration == AQ_CALIB_PERCENTILE ? AQ_PERCENTILE
									   : AQ_MINMAX,
				  j->o->percentile ? j->o->percentile : AQ_DEFAULT_PERCENTILE,
				  j->o->threads, j->tmpdir, &j->r, j->e);
	struct rank_ctx rk = {.names = names, .r = &j->r};
	if (!rc)
		rc = aq_opset_upgrade(j->m, rank_of, &rk, j->e);
	free(names);
	if (rc)
		return rc;
	j->base_len = onnx__model_proto__get_packed_size(j->m);
	j->base = malloc(j->base_len ? j->base_len : 1);
	if (!j->base)
		return aq_fail(j->e, -ENOMEM, "out of memory");
	onnx__model_proto__pack(j->m, j->base);
	return 0;
}

int aq_quantize(const char *model_in, const char *calib_dir, const char *model_out,
		const struct aq_options *opts, struct aq_result *result, char *err, size_t errlen)
{
	struct aq_err e = {err, errlen};
	struct aq_options dflt = {0};
	struct aq_result res = {0};
	struct job j = {.in_path = model_in, .o = opts ? opts : &dflt, .e = &e};
	if (err && errlen)
		err[0] = 0;
	if (!model_in || !calib_dir || !model_out)
		return aq_fail(&e, -EINVAL,
			       "a model, a calibration folder and an output are "
			       "needed");
	int rc = check_options(j.o, &e);
	if (rc)
		return rc;
	const char *tmp = getenv("TMPDIR");
	snprintf(j.tmpdir, sizeof(j.tmpdir), "%s/ares-quantize-XXXXXX",
		 tmp && tmp[0] && strlen(tmp) < 32 ? tmp : "/tmp");
	if (!mkdtemp(j.tmpdir))
		return aq_fail(&e, -errno, "%s: %s", j.tmpdir, strerror(errno));
	rc = prepare(&j, calib_dir, &res);
	double threshold = j.o->threshold ? j.o->threshold : AQ_DEFAULT_THRESHOLD;
	int nsens = j.o->sens_samples && j.o->sens_samples < j.ss.n ? j.o->sens_samples : j.ss.n;
	if (!rc && threshold >= 0)
		rc = sensitivity(&j, threshold, nsens);
	for (int i = 0; !rc && threshold < 0 && i < j.nl; i++)
		j.l[i].quantize = j.r.dtype[j.l[i].r_in] == ART_FLOAT;
	int *on = rc ? NULL : calloc((size_t)j.nl + 1, sizeof(int));
	if (!rc && !on)
		rc = aq_fail(&e, -ENOMEM, "out of memory");
	res.layers = j.nl;
	for (int i = 0; !rc && i < j.nl; i++) {
		on[i] = j.l[i].quantize;
		res.quantized += on[i];
	}
	if (!rc)
		rc = variant_error(&j, on, j.ss.n, &res.error);
	if (!rc && (rc = write_variant(&j, on, model_out)))
		remove(model_out);
	if (!rc) {
		report(&j, &res, threshold, nsens);
		if (result)
			*result = res;
	}
	free(on);
	rmdir(j.tmpdir);
	free(j.base);
	free(j.l);
	free(j.elts);
	aq_ranges_free(&j.r);
	aq_samples_free(&j.ss);
	if (j.m)
		onnx__model_proto__free_unpacked(j.m, NULL);
	return rc;
}
