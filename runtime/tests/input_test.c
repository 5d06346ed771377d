// SPDX-License-Identifier: MIT
/*
 * Graph inputs checked at the API boundary (host, CPU path), on the model
 * input_models.py writes: a wrong element type, rank or static dim fails
 * art_session_set_input() and art_run_set_input() with -EINVAL and a
 * message naming the input, what the model declares and what was given,
 * and leaves the input as it was; a dim_param given two sizes by two
 * inputs fails the run; an undeclared rank takes any rank; a tensor over
 * the size limit fails with -E2BIG in both setters. Also the dtype
 * names and dim names of the public API, and outputs handed over to the
 * caller (art_session_take_output, art_run_take_output).
 * Usage: art-input-test MODEL.onnx
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ares_rt.h"
#include "test_check.h"

enum { IN_X, IN_Y, IN_K, IN_Z };

static const float data[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static struct art_tensor tensor(int dtype, int ndim, int64_t d0, int64_t d1, int64_t d2)
{
	struct art_tensor t = {.dtype = dtype, .ndim = ndim, .data = data};
	t.dims[0] = d0;
	t.dims[1] = d1;
	t.dims[2] = d2;
	return t;
}

/* RC is -EINVAL and the session's message is MSG exactly. */
static void expect_refused(art_session *s, int rc, const char *what, const char *msg)
{
	CHECK(rc == -EINVAL, "%s: rc %d, expected -EINVAL", what, rc);
	CHECK(!strcmp(art_session_errmsg(s), msg), "%s: message \"%s\", expected \"%s\"", what,
	      art_session_errmsg(s), msg);
}

static void set_good_inputs(art_session *s, int64_t batch)
{
	struct art_tensor x = tensor(ART_FLOAT, 2, batch, 3, 0),
			  y = tensor(ART_FLOAT, 2, batch, 2, 0);
	struct art_tensor k = tensor(ART_INT64, 1, 2, 0, 0), z = tensor(ART_FLOAT, 0, 0, 0, 0);
	CHECK(!art_session_set_input(s, IN_X, &x), "x [%lld,3]: %s", (long long)batch,
	      art_session_errmsg(s));
	CHECK(!art_session_set_input(s, IN_Y, &y), "y [%lld,2]: %s", (long long)batch,
	      art_session_errmsg(s));
	CHECK(!art_session_set_input(s, IN_K, &k), "k [2]: %s", art_session_errmsg(s));
	CHECK(!art_session_set_input(s, IN_Z, &z), "z scalar: %s", art_session_errmsg(s));
}

static void test_session_refuses_mismatches(art_session *s)
{
	struct art_tensor t;

	set_good_inputs(s, 2);
	t = tensor(ART_INT64, 2, 2, 3, 0);
	expect_refused(s, art_session_set_input(s, IN_X, &t), "x as int64",
		       "input 'x': expected element type float, got int64");
	t = tensor(ART_FLOAT, 3, 2, 3, 1);
	expect_refused(s, art_session_set_input(s, IN_X, &t), "x of rank 3",
		       "input 'x': expected rank 2 (declared [batch,3]), got rank 3 "
		       "(shape [2,3,1])");
	t = tensor(ART_FLOAT, 2, 2, 4, 0);
	expect_refused(s, art_session_set_input(s, IN_X, &t), "x [2,4]",
		       "input 'x': dim 1 must be 3 (declared [batch,3]), got 4 (shape [2,4])");
	t = tensor(ART_FLOAT, 1, 3, 0, 0);
	expect_refused(s, art_session_set_input(s, IN_K, &t), "k as float",
		       "input 'k': expected element type int64, got float");
	t = tensor(99, 1, 2, 0, 0);
	expect_refused(s, art_session_set_input(s, IN_K, &t), "k of type 99",
		       "input 'k': element type unknown (99) is not supported");

	t = tensor(ART_FLOAT, 2, 2, (int64_t)1 << 40, 0);
	CHECK(art_session_set_input(s, IN_Y, &t) == -E2BIG,
	      "y [2,2^40] over the size limit: expected -E2BIG, message \"%s\"",
	      art_session_errmsg(s));

	/* The refused inputs changed nothing: the run sees the good ones. */
	CHECK(!art_session_run(s), "run after refusals: %s", art_session_errmsg(s));
	struct art_tensor o;
	CHECK(!art_session_get_output(s, IN_X, &o) && o.ndim == 2 && o.dims[0] == 2 &&
		      o.dims[1] == 3 && o.dtype == ART_FLOAT && !memcmp(o.data, data, 6 * 4),
	      "output xo is not the x set before the refusals");

	/* An undeclared rank takes any rank. */
	t = tensor(ART_FLOAT, 3, 1, 2, 2);
	CHECK(!art_session_set_input(s, IN_Z, &t), "z of rank 3: %s", art_session_errmsg(s));
}

static void test_session_dim_param_agrees(art_session *s)
{
	struct art_tensor y = tensor(ART_FLOAT, 2, 3, 2, 0);

	set_good_inputs(s, 2);
	CHECK(!art_session_set_input(s, IN_Y, &y), "y [3,2] alone is fine: %s",
	      art_session_errmsg(s));
	expect_refused(s, art_session_run(s), "run with batch 2 and 3",
		       "input 'y': dim 0 ('batch') is 3, but input 'x' dim 0 gave 'batch' the "
		       "size 2");
	struct art_tensor x = tensor(ART_FLOAT, 2, 3, 3, 0);
	CHECK(!art_session_set_input(s, IN_X, &x), "x [3,3]: %s", art_session_errmsg(s));
	CHECK(!art_session_run(s), "run with batch 3 in both: %s", art_session_errmsg(s));
}

static void test_run_checks_too(art_session *s)
{
	art_run *r;
	struct art_tensor t;

	if (art_run_create(s, &r)) {
		CHECK(0, "art_run_create: %s", art_session_errmsg(s));
		return;
	}
	t = tensor(ART_FLOAT, 1, 3, 0, 0);
	expect_refused(s, art_run_set_input(r, IN_X, &t), "run: x of rank 1",
		       "input 'x': expected rank 2 (declared [batch,3]), got rank 1 (shape [3])");
	t = tensor(ART_FLOAT, 2, 2, (int64_t)1 << 40, 0);
	CHECK(art_run_set_input(r, IN_Y, &t) == -E2BIG,
	      "run: y [2,2^40] over the size limit: expected -E2BIG, message \"%s\"",
	      art_session_errmsg(s));
	struct art_tensor x = tensor(ART_FLOAT, 2, 1, 3, 0), y = tensor(ART_FLOAT, 2, 2, 5, 0);
	struct art_tensor k = tensor(ART_INT64, 1, 2, 0, 0), z = tensor(ART_FLOAT, 0, 0, 0, 0);
	CHECK(!art_run_set_input(r, IN_X, &x) && !art_run_set_input(r, IN_Y, &y) &&
		      !art_run_set_input(r, IN_K, &k) && !art_run_set_input(r, IN_Z, &z),
	      "run: setting inputs: %s", art_session_errmsg(s));
	expect_refused(s, art_run_submit(r), "run: submit with batch 1 and 2",
		       "input 'y': dim 0 ('batch') is 2, but input 'x' dim 0 gave 'batch' the "
		       "size 1");
	y.dims[0] = 1;
	CHECK(!art_run_set_input(r, IN_Y, &y) && !art_run_submit(r) && !art_run_wait(r, -1),
	      "run: batch 1 in both: %s", art_session_errmsg(s));
	art_run_destroy(r);
}

static void test_names(art_session *s)
{
	static const struct {
		int dtype;
		const char *name;
	} names[] = {{ART_FLOAT, "float"},	 {ART_INT64, "int64"}, {ART_FLOAT16, "float16"},
		     {ART_BFLOAT16, "bfloat16"}, {ART_BOOL, "bool"},   {ART_UINT8, "uint8"},
		     {0, "undefined"},		 {-1, "unknown"},      {99, "unknown"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(!strcmp(art_dtype_name(names[i].dtype), names[i].name),
		      "art_dtype_name(%d) is \"%s\", expected \"%s\"", names[i].dtype,
		      art_dtype_name(names[i].dtype), names[i].name);
	const char *n = art_session_input_dim_name(s, IN_Y, 1);
	CHECK(n && !strcmp(n, "len"), "dim 1 of y is named \"%s\", expected \"len\"",
	      n ? n : "(null)");
	CHECK(!art_session_input_dim_name(s, IN_X, 1), "static dim 1 of x has a name");
	CHECK(!art_session_input_dim_name(s, IN_Z, 0), "z (no shape) has a dim name");
	CHECK(!art_session_input_dim_name(s, 9, 0), "input 9 (out of range) has a dim name");
}

/* Outputs handed over: the caller owns the data, the session and the run
 * say -ENOENT until their next run, and the graph inputs the outputs pass
 * through are copied out, not taken from under the next run. */
static void test_outputs_handed_over(art_session *s)
{
	struct art_tensor t, again;
	art_run *r;

	set_good_inputs(s, 2);
	for (int round = 0; round < 2; round++) {
		CHECK(!art_session_run(s), "run %d: %s", round, art_session_errmsg(s));
		CHECK(!art_session_take_output(s, IN_X, &t), "take xo: %s", art_session_errmsg(s));
		CHECK(t.dtype == ART_FLOAT && t.ndim == 2 && t.dims[0] == 2 && t.dims[1] == 3 &&
			      t.data && !memcmp(t.data, data, 6 * sizeof(float)),
		      "run %d: xo handed over as given", round);
		CHECK(art_session_take_output(s, IN_X, &again) == -ENOENT,
		      "xo taken twice: expected -ENOENT");
		CHECK(art_session_get_output(s, IN_X, &again) == -ENOENT,
		      "xo read after the take: expected -ENOENT");
		CHECK(!art_session_get_output(s, IN_Y, &again), "yo is still the session's");
		art_tensor_free(&t);
	}
	CHECK(art_session_take_output(s, 9, &t) == -EINVAL, "no output 9: expected -EINVAL");
	if (art_run_create(s, &r)) {
		CHECK(0, "art_run_create: %s", art_session_errmsg(s));
		return;
	}
	struct art_tensor x = tensor(ART_FLOAT, 2, 1, 3, 0), y = tensor(ART_FLOAT, 2, 1, 5, 0);
	struct art_tensor k = tensor(ART_INT64, 1, 2, 0, 0), z = tensor(ART_FLOAT, 0, 0, 0, 0);
	CHECK(art_run_take_output(r, 0, &t) == -EINVAL, "take before any run: expected -EINVAL");
	CHECK(!art_run_set_input(r, IN_X, &x) && !art_run_set_input(r, IN_Y, &y) &&
		      !art_run_set_input(r, IN_K, &k) && !art_run_set_input(r, IN_Z, &z),
	      "run: setting inputs: %s", art_session_errmsg(s));
	for (int round = 0; round < 2; round++) {
		CHECK(!art_run_submit(r) && !art_run_wait(r, -1), "run %d: %s", round,
		      art_session_errmsg(s));
		CHECK(!art_run_take_output(r, IN_K, &t) && t.dtype == ART_INT64 && t.data &&
			      !memcmp(t.data, data, 2 * sizeof(int64_t)),
		      "run %d: ko handed over as given", round);
		CHECK(art_run_take_output(r, IN_K, &again) == -ENOENT &&
			      art_run_get_output(r, IN_K, &again) == -ENOENT,
		      "run %d: ko after the take: expected -ENOENT", round);
		art_tensor_free(&t);
	}
	art_run_destroy(r);
}

int main(int argc, char **argv)
{
	art_session *s;

	if (argc != 2) {
		fprintf(stderr, "usage: art-input-test MODEL.onnx\n");
		return 2;
	}
	if (art_session_create(argv[1], ART_CPU_ONLY, &s)) {
		printf("FAIL: loading %s: %s\n", argv[1], s ? art_session_errmsg(s) : "no memory");
		art_session_destroy(s);
		return 1;
	}
	test_session_refuses_mismatches(s);
	test_session_dim_param_agrees(s);
	test_run_checks_too(s);
	test_names(s);
	test_outputs_handed_over(s);
	art_session_destroy(s);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
