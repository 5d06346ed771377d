// SPDX-License-Identifier: MIT
/*
 * The device execution provider end to end (in the guest, through ares.ko
 * and the emulated device): a small CNN (Conv+Relu, MaxPool, Flatten,
 * Gemm+Relu) written here as an ONNX file, placed wholly on the device as
 * one partition, checked against a reference computed here:
 *   - synchronous runs: one device submit per run, one plan for all runs;
 *   - four runs in flight on one session (submitted before any wait);
 *   - two sessions on one device, their runs interleaved;
 *   - zero-copy: a run's input and output bound to buffers the test
 *     allocates on its own libaccel handle and passes as dma-bufs.
 * Usage: art-device-test DIR (where the model file is written)
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <accel.h>
#include <unistd.h>

#include "ares_rt.h"
#include "test_check.h"
#include "onnx.pb-c.h"

#define C_IN  3
#define HW    12
#define C_OUT 8
#define PHW   (HW / 2)
#define FEAT  (C_OUT * PHW * PHW)
#define NCLS  10
#define NRUNS 4

static float w1[C_OUT][C_IN][3][3], b1[C_OUT], w2[NCLS][FEAT], b2[NCLS];

static float lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static void reference(const float *x, float *y)
{
	static float c[C_OUT][HW][HW], p[FEAT];
	for (int m = 0; m < C_OUT; m++)
		for (int h = 0; h < HW; h++)
			for (int w = 0; w < HW; w++) {
				float acc = b1[m];
				for (int ci = 0; ci < C_IN; ci++)
					for (int kh = 0; kh < 3; kh++)
						for (int kw = 0; kw < 3; kw++) {
							int ih = h + kh - 1, iw = w + kw - 1;
							if (ih < 0 || iw < 0 || ih >= HW ||
							    iw >= HW)
								continue;
							acc += x[(ci * HW + ih) * HW + iw] *
							       w1[m][ci][kh][kw];
						}
				c[m][h][w] = acc > 0 ? acc : 0;
			}
	for (int m = 0; m < C_OUT; m++)
		for (int h = 0; h < PHW; h++)
			for (int w = 0; w < PHW; w++) {
				float v = c[m][2 * h][2 * w];
				v = fmaxf(v, c[m][2 * h][2 * w + 1]);
				v = fmaxf(v, c[m][2 * h + 1][2 * w]);
				v = fmaxf(v, c[m][2 * h + 1][2 * w + 1]);
				p[(m * PHW + h) * PHW + w] = v;
			}
	for (int k = 0; k < NCLS; k++) {
		float acc = b2[k];
		for (int i = 0; i < FEAT; i++)
			acc += p[i] * w2[k][i];
		y[k] = acc > 0 ? acc : 0;
	}
}

/* ---- writing the model with the generated protobuf-c code ---- */

static Onnx__TensorProto *tensor(const char *name, int rank, const int64_t *dims, float *data)
{
	Onnx__TensorProto *t = calloc(1, sizeof(*t));
	onnx__tensor_proto__init(t);
	t->name = (char *)name;
	t->n_dims = (size_t)rank;
	t->dims = (int64_t *)dims;
	t->has_data_type = 1;
	t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	size_t n = 1;
	for (int i = 0; i < rank; i++)
		n *= (size_t)dims[i];
	t->n_float_data = n;
	t->float_data = data;
	return t;
}

static Onnx__AttributeProto *attr_ints(const char *name, int n, const int64_t *v)
{
	Onnx__AttributeProto *a = calloc(1, sizeof(*a));
	onnx__attribute_proto__init(a);
	a->name = (char *)name;
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
	a->n_ints = (size_t)n;
	a->ints = (int64_t *)v;
	return a;
}

static Onnx__AttributeProto *attr_int(const char *name, int64_t v)
{
	Onnx__AttributeProto *a = calloc(1, sizeof(*a));
	onnx__attribute_proto__init(a);
	a->name = (char *)name;
	a->has_type = 1;
	a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
	a->has_i = 1;
	a->i = v;
	return a;
}

static Onnx__NodeProto *node(const char *op, int nin, const char **in, const char *out, int nattr,
			     Onnx__AttributeProto **attrs)
{
	Onnx__NodeProto *n = calloc(1, sizeof(*n));
	onnx__node_proto__init(n);
	n->op_type = (char *)op;
	n->name = (char *)out;
	n->n_input = (size_t)nin;
	n->input = (char **)in;
	n->n_output = 1;
	n->output = calloc(1, sizeof(char *));
	n->output[0] = (char *)out;
	n->n_attribute = (size_t)nattr;
	n->attribute = attrs;
	return n;
}

static Onnx__ValueInfoProto *value_info(const char *name, int rank, const int64_t *dims)
{
	Onnx__ValueInfoProto *vi = calloc(1, sizeof(*vi));
	Onnx__TypeProto *ty = calloc(1, sizeof(*ty));
	Onnx__TypeProto__Tensor *tt = calloc(1, sizeof(*tt));
	Onnx__TensorShapeProto *sh = calloc(1, sizeof(*sh));
	onnx__value_info_proto__init(vi);
	onnx__type_proto__init(ty);
	onnx__type_proto__tensor__init(tt);
	onnx__tensor_shape_proto__init(sh);
	sh->n_dim = (size_t)rank;
	sh->dim = calloc((size_t)rank, sizeof(*sh->dim));
	for (int i = 0; i < rank; i++) {
		sh->dim[i] = calloc(1, sizeof(**sh->dim));
		onnx__tensor_shape_proto__dimension__init(sh->dim[i]);
		sh->dim[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		sh->dim[i]->dim_value = dims[i];
	}
	tt->has_elem_type = 1;
	tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	tt->shape = sh;
	ty->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	ty->tensor_type = tt;
	vi->name = (char *)name;
	vi->type = ty;
	return vi;
}

static int write_model(const char *path)
{
	static const int64_t dw1[] = {C_OUT, C_IN, 3, 3}, db1[] = {C_OUT}, dw2[] = {NCLS, FEAT},
			     db2[] = {NCLS}, dx[] = {1, C_IN, HW, HW}, dy[] = {1, NCLS};
	static const int64_t pads[] = {1, 1, 1, 1}, k3[] = {3, 3}, k2[] = {2, 2};
	static const char *conv_in[] = {"x", "w1", "b1"}, *relu_in[] = {"c"}, *pool_in[] = {"r"},
			  *flat_in[] = {"p"}, *gemm_in[] = {"f", "w2", "b2"}, *out_in[] = {"g"};
	Onnx__AttributeProto *conv_a[] = {attr_ints("pads", 4, pads),
					  attr_ints("kernel_shape", 2, k3)};
	Onnx__AttributeProto *pool_a[] = {attr_ints("kernel_shape", 2, k2),
					  attr_ints("strides", 2, k2)};
	Onnx__AttributeProto *gemm_a[] = {attr_int("transB", 1)};
	Onnx__NodeProto *nodes[] = {node("Conv", 3, conv_in, "c", 2, conv_a),
				    node("Relu", 1, relu_in, "r", 0, NULL),
				    node("MaxPool", 1, pool_in, "p", 2, pool_a),
				    node("Flatten", 1, flat_in, "f", 0, NULL),
				    node("Gemm", 3, gemm_in, "g", 1, gemm_a),
				    node("Relu", 1, out_in, "y", 0, NULL)};
	Onnx__TensorProto *inits[] = {tensor("w1", 4, dw1, &w1[0][0][0][0]),
				      tensor("b1", 1, db1, b1), tensor("w2", 2, dw2, &w2[0][0]),
				      tensor("b2", 1, db2, b2)};
	Onnx__ValueInfoProto *ins[] = {value_info("x", 4, dx)}, *outs[] = {value_info("y", 2, dy)};
	Onnx__GraphProto g;
	onnx__graph_proto__init(&g);
	g.name = "cnn";
	g.n_node = 6;
	g.node = nodes;
	g.n_initializer = 4;
	g.initializer = inits;
	g.n_input = 1;
	g.input = ins;
	g.n_output = 1;
	g.output = outs;
	Onnx__OperatorSetIdProto op;
	onnx__operator_set_id_proto__init(&op);
	op.domain = "";
	op.has_version = 1;
	op.version = 13;
	Onnx__OperatorSetIdProto *ops[] = {&op};
	Onnx__ModelProto m;
	onnx__model_proto__init(&m);
	m.has_ir_version = 1;
	m.ir_version = 8;
	m.n_opset_import = 1;
	m.opset_import = ops;
	m.graph = &g;
	size_t len = onnx__model_proto__get_packed_size(&m);
	uint8_t *buf = malloc(len);
	onnx__model_proto__pack(&m, buf);
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(buf, 1, len, f) == len;
	if (f)
		fclose(f);
	free(buf);
	return ok ? 0 : -EIO;
}

/* ---- checks ---- */

static void compare(const char *what, const struct art_tensor *got, const float *want)
{
	CHECK(got->dtype == ART_FLOAT && got->ndim == 2 && got->dims[0] == 1 &&
		      got->dims[1] == NCLS,
	      "%s: expected float [1, %d], got type %d rank %d", what, NCLS, got->dtype, got->ndim);
	if (got->ndim != 2)
		return;
	for (int k = 0; k < NCLS; k++) {
		float g = ((const float *)got->data)[k];
		if (fabsf(g - want[k]) > 1e-4f + 1e-4f * fabsf(want[k])) {
			CHECK(0, "%s: y[%d] = %.7g, expected %.7g", what, k, g, want[k]);
			return;
		}
	}
}

/*
 * A session with submit option SUBMIT runs X right; *USER_QUEUE gets the
 * path its jobs took. 0, or the session's error.
 */
static int run_submit_path(const char *path, int submit, const float *x, const float *want,
			   int *user_queue)
{
	struct art_session_options o = {
		.flags = ART_NO_FALLBACK, .device_index = 0, .submit = submit};
	struct art_session_stats st;
	art_session *s;
	struct art_tensor y;
	int rc = art_session_create_opts(path, &o, &s);
	for (int r = 0; !rc && r < 3; r++) {
		struct art_tensor t = {.dtype = ART_FLOAT, .ndim = 4, .dims = {1, C_IN, HW, HW}};
		t.data = x;
		rc = art_session_set_input(s, 0, &t);
		rc = rc ? rc : art_session_run(s);
		if (!rc && !art_session_get_output(s, 0, &y))
			compare(submit == ART_SUBMIT_IOCTL ? "submit ioctl" : "submit user-queue",
				&y, want);
	}
	if (rc)
		printf("submit %d: %s\n", submit, art_session_errmsg(s));
	art_session_get_stats(s, &st);
	*user_queue = st.user_queue;
	art_session_destroy(s);
	return rc;
}

static void make_input(float *x, uint32_t seed)
{
	for (int i = 0; i < C_IN * HW * HW; i++)
		x[i] = lcg(&seed);
}

static struct art_tensor input_tensor(const float *x)
{
	struct art_tensor t = {.dtype = ART_FLOAT, .ndim = 4, .dims = {1, C_IN, HW, HW}, .data = x};
	return t;
}

int main(int argc, char **argv)
{
	char path[4096];
	uint32_t seed = 7;
	if (argc != 2) {
		fprintf(stderr, "usage: art-device-test DIR\n");
		return 2;
	}
	for (float *p = &w1[0][0][0][0]; p < &w1[0][0][0][0] + sizeof(w1) / 4; p++)
		*p = lcg(&seed) * 0.5f;
	for (int i = 0; i < C_OUT; i++)
		b1[i] = lcg(&seed) * 0.1f;
	for (float *p = &w2[0][0]; p < &w2[0][0] + sizeof(w2) / 4; p++)
		*p = lcg(&seed) * 0.1f;
	for (int i = 0; i < NCLS; i++)
		b2[i] = lcg(&seed) * 0.1f;
	snprintf(path, sizeof(path), "%s/cnn.onnx", argv[1]);
	if (write_model(path)) {
		printf("FAIL: cannot write %s\n", path);
		return 1;
	}

	/* Synchronous: all on the device, one submit per run, one plan. */
	struct art_session_options o = {.flags = ART_NO_FALLBACK, .device_index = 0};
	art_session *s1, *s2;
	int rc = art_session_create_opts(path, &o, &s1);
	if (rc) {
		printf("FAIL: session on device 0 with no fallback: %s\n", art_session_errmsg(s1));
		return 1;
	}
	static float x[NRUNS][C_IN * HW * HW], want[NRUNS][NCLS];
	for (int r = 0; r < NRUNS; r++) {
		make_input(x[r], 100 + (uint32_t)r);
		reference(x[r], want[r]);
	}
	for (int r = 0; r < 3; r++) {
		struct art_tensor t = input_tensor(x[r]), y;
		rc = art_session_set_input(s1, 0, &t);
		if (!rc)
			rc = art_session_run(s1);
		CHECK(!rc, "sync run %d: %s", r, art_session_errmsg(s1));
		if (!rc && !art_session_get_output(s1, 0, &y))
			compare("sync run", &y, want[r]);
	}
	struct art_session_stats st;
	art_session_get_stats(s1, &st);
	/* Graph optimisation fuses both Relus: Conv+Relu, MaxPool, Flatten,
	 * Gemm+Relu, the activations applied by the device's commands. */
	CHECK(st.partitions == 1 && st.device_nodes == 4 && st.cpu_nodes == 0 &&
		      st.loaded_nodes == 6,
	      "placement: expected 1 partition, 4 device nodes (6 loaded), 0 CPU nodes; got %d, "
	      "%d (%d), %d",
	      st.partitions, st.device_nodes, st.loaded_nodes, st.cpu_nodes);
	CHECK(st.runs == 3 && st.device_submits == 3 && st.compiles == 1,
	      "3 sync runs: expected 3 submits and 1 plan, got runs %llu submits %llu plans %llu",
	      (unsigned long long)st.runs, (unsigned long long)st.device_submits,
	      (unsigned long long)st.compiles);
	printf("sync: 3 runs, %llu submits, %llu plan(s)\n", (unsigned long long)st.device_submits,
	       (unsigned long long)st.compiles);

	/* Several runs in flight on one session. */
	art_run *runs[NRUNS];
	for (int r = 0; r < NRUNS; r++) {
		rc = art_run_create(s1, &runs[r]);
		if (rc) {
			printf("FAIL: art_run_create %d: %s\n", r, art_session_errmsg(s1));
			return 1;
		}
		CHECK(art_run_is_async(runs[r]), "run %d: expected an asynchronous run", r);
		struct art_tensor t = input_tensor(x[r]);
		rc = art_run_set_input(runs[r], 0, &t);
		CHECK(!rc, "art_run_set_input %d: %s", r, art_session_errmsg(s1));
	}
	/* The run's and the session's input setters share one check: a shape
	 * with a negative dim, or a static dim other than the model's, is
	 * refused by both and leaves the input set above (the runs' outputs
	 * are checked below). The size limit is tested on the host
	 * (art-input-test), on a model whose dims are symbolic. */
	struct art_tensor bad = input_tensor(x[0]);
	bad.dims[2] = -HW;
	CHECK(art_run_set_input(runs[0], 0, &bad) == -EINVAL,
	      "art_run_set_input with a negative dim: expected -EINVAL");
	CHECK(art_session_set_input(s1, 0, &bad) == -EINVAL,
	      "art_session_set_input with a negative dim: expected -EINVAL");
	bad.dims[2] = (int64_t)1 << 40;
	CHECK(art_run_set_input(runs[0], 0, &bad) == -EINVAL,
	      "art_run_set_input with dim 2 not the model's: expected -EINVAL");
	CHECK(art_session_set_input(s1, 0, &bad) == -EINVAL,
	      "art_session_set_input with dim 2 not the model's: expected -EINVAL");
	for (int r = 0; r < NRUNS; r++) {
		rc = art_run_submit(runs[r]);
		CHECK(!rc, "art_run_submit %d: %s", r, art_session_errmsg(s1));
	}
	CHECK(art_run_submit(runs[0]) == -EBUSY, "a second submit of a run in flight: expected "
						 "-EBUSY");
	for (int r = NRUNS - 1; r >= 0; r--) {
		struct art_tensor y;
		rc = art_run_wait(runs[r], -1);
		CHECK(!rc, "art_run_wait %d: %s", r, art_session_errmsg(s1));
		if (!rc && !art_run_get_output(runs[r], 0, &y))
			compare("async run", &y, want[r]);
	}
	art_session_get_stats(s1, &st);
	CHECK(st.device_submits == 3 + NRUNS && st.compiles == 1,
	      "async: expected %d submits and 1 plan, got %llu and %llu", 3 + NRUNS,
	      (unsigned long long)st.device_submits, (unsigned long long)st.compiles);
	printf("async: %d runs in flight, all matched\n", NRUNS);

	/* Two sessions on one device, runs interleaved. */
	rc = art_session_create_opts(path, &o, &s2);
	if (rc) {
		printf("FAIL: second session: %s\n", art_session_errmsg(s2));
		return 1;
	}
	CHECK(art_session_device(s2) == art_session_device(s1), "both sessions on device %d",
	      art_session_device(s1));
	art_run *r2;
	rc = art_run_create(s2, &r2);
	if (rc) {
		printf("FAIL: art_run_create on the second session: %s\n", art_session_errmsg(s2));
		return 1;
	}
	for (int k = 0; k < 3; k++) {
		struct art_tensor t1 = input_tensor(x[k]), t2 = input_tensor(x[k + 1]), y;
		art_run_set_input(runs[0], 0, &t1);
		art_run_set_input(r2, 0, &t2);
		rc = art_run_submit(runs[0]);
		if (!rc)
			rc = art_run_submit(r2);
		CHECK(!rc, "interleaved submit %d: %s / %s", k, art_session_errmsg(s1),
		      art_session_errmsg(s2));
		if (!art_run_wait(r2, -1) && !art_run_get_output(r2, 0, &y))
			compare("session 2", &y, want[k + 1]);
		if (!art_run_wait(runs[0], -1) && !art_run_get_output(runs[0], 0, &y))
			compare("session 1", &y, want[k]);
	}
	printf("two sessions on device %d: 3 interleaved rounds\n", art_session_device(s1));

	/* Zero-copy: the caller's own buffers, shared as dma-bufs. */
	accel_device *dev;
	accel_bo *bx, *by;
	void *mx, *my;
	int fx = -1, fy = -1;
	char err[256];
	rc = accel_device_open_index(0, &dev, err, sizeof(err));
	if (rc) {
		printf("FAIL: accel_device_open_index(0): %s\n", err);
		return 1;
	}
	rc = accel_bo_alloc(dev, 8192, 0, &bx);
	rc = rc ? rc : accel_bo_alloc(dev, 4096, 0, &by);
	rc = rc ? rc : accel_bo_map(bx, &mx);
	rc = rc ? rc : accel_bo_map(by, &my);
	rc = rc ? rc : accel_bo_export(bx, &fx);
	rc = rc ? rc : accel_bo_export(by, &fy);
	if (rc) {
		printf("FAIL: caller buffers: %s\n", accel_device_last_error(dev));
		return 1;
	}
	struct art_tensor shape = input_tensor(NULL), y;
	CHECK(art_run_bind_input_dmabuf(runs[1], 0, fx, 8192 - 4, &shape) == 0,
	      "binding an input that overruns the buffer is refused at submit, not at bind");
	CHECK(art_run_submit(runs[1]) == -EINVAL, "submit with an overrunning input binding: "
						  "expected -EINVAL");
	for (int k = 0; k < 2; k++) {
		memcpy((char *)mx + 256, x[k + 2], sizeof(x[k + 2]));
		memset(my, 0xff, 4096);
		rc = art_run_bind_input_dmabuf(runs[1], 0, fx, 256, &shape);
		rc = rc ? rc : art_run_bind_output_dmabuf(runs[1], 0, fy, 64);
		rc = rc ? rc : art_run_submit(runs[1]);
		rc = rc ? rc : art_run_wait(runs[1], -1);
		CHECK(!rc, "zero-copy run %d: %s", k, art_session_errmsg(s1));
		if (rc)
			break;
		CHECK(!art_run_get_output(runs[1], 0, &y) && !y.data && y.ndim == 2,
		      "a bound output reports its shape and no host data");
		struct art_tensor in_buf = {
			.dtype = ART_FLOAT, .ndim = 2, .dims = {1, NCLS}, .data = (char *)my + 64};
		compare("zero-copy output in the caller's buffer", &in_buf, want[k + 2]);
	}
	art_run_unbind(runs[1]);
	printf("zero-copy: input and output in the caller's dma-bufs\n");
	close(fx);
	close(fy);
	accel_bo_free(bx);
	accel_bo_free(by);
	accel_device_close(dev);
	art_run_destroy(r2);
	for (int r = 0; r < NRUNS; r++)
		art_run_destroy(runs[r]);
	art_session_destroy(s2);
	art_session_destroy(s1);

	/* Either submit path gives the same outputs; a forced one is kept or fails. */
	int uq = -1, has_uq = 0;
	rc = run_submit_path(path, ART_SUBMIT_IOCTL, x[0], want[0], &uq);
	CHECK(!rc && uq == 0,
	      "submit ioctl: expected a run on the kernel context, got rc %d, "
	      "user_queue %d",
	      rc, uq);
	rc = run_submit_path(path, ART_SUBMIT_AUTO, x[1], want[1], &has_uq);
	CHECK(!rc, "submit auto: expected the runs to pass, got %d", rc);
	rc = run_submit_path(path, ART_SUBMIT_USER_QUEUE, x[2], want[2], &uq);
	if (has_uq)
		CHECK(!rc && uq == 1,
		      "submit user-queue: expected a run on a user queue, got rc %d, "
		      "user_queue %d",
		      rc, uq);
	else
		CHECK(rc == -EOPNOTSUPP,
		      "submit user-queue on a device without user queues: "
		      "expected -EOPNOTSUPP, got %d",
		      rc);
	printf("submit paths: ioctl and %s give the same outputs\n",
	       has_uq ? "user-queue (auto took it)" : "auto (no user queue on this device)");
	struct art_session_options badopt = {.device_index = 0, .submit = 7};
	art_session *sb;
	CHECK(art_session_create_opts(path, &badopt, &sb) == -EINVAL &&
		      strstr(art_session_errmsg(sb), "submit 7"),
	      "submit 7: expected -EINVAL naming it, got '%s'", art_session_errmsg(sb));
	art_session_destroy(sb);
	setenv("ART_SUBMIT", "fast", 1);
	badopt.submit = 0;
	CHECK(art_session_create_opts(path, &badopt, &sb) == -EINVAL &&
		      strstr(art_session_errmsg(sb), "ART_SUBMIT='fast'"),
	      "ART_SUBMIT=fast: expected -EINVAL naming it, got '%s'", art_session_errmsg(sb));
	art_session_destroy(sb);
	unsetenv("ART_SUBMIT");
	printf("%s\n", failures ? "device_test: FAILED" : "device_test: ok");
	return failures ? 1 : 0;
}
