// SPDX-License-Identifier: MIT
/*
 * Sequence values and string tensors on the CPU path (host), on the
 * models and files seqstr_models.py writes into DIR: sequence inputs and
 * outputs through the public API, the sequence kernels with negative and
 * out-of-range positions, split and concat round trips, empty sequences'
 * element type; string tensors copied with their text, StringNormalizer's
 * Unicode case rules; and the refusals: a tensor for a sequence input and
 * the reverse, mixed item types, runs of sequence models, strings in a
 * generic op, a sequence fed to a tensor op, unknown locales, hostile
 * SequenceProto and string TensorProto files.
 * Usage: art-seqstr-test DIR
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ares_rt.h"
#include "test_check.h"

static const char *dir;

static art_session *open_model(const char *name)
{
	char path[4096];
	art_session *s;
	snprintf(path, sizeof(path), "%s/%s.onnx", dir, name);
	if (art_session_create(path, ART_CPU_ONLY, &s)) {
		CHECK(0, "loading %s: %s", path, s ? art_session_errmsg(s) : "no memory");
		art_session_destroy(s);
		return NULL;
	}
	return s;
}

/* Session creation of NAME fails with RC and a message containing MSG. */
static void expect_load_refused(const char *name, int rc, const char *msg)
{
	char path[4096];
	art_session *s;
	snprintf(path, sizeof(path), "%s/%s.onnx", dir, name);
	int got = art_session_create(path, ART_CPU_ONLY, &s);
	CHECK(got == rc, "%s: create rc %d, expected %d", name, got, rc);
	CHECK(s && strstr(art_session_errmsg(s), msg), "%s: message \"%s\", expected \"%s\"", name,
	      s ? art_session_errmsg(s) : "", msg);
	art_session_destroy(s);
}

static void expect_msg(art_session *s, int rc, int want, const char *what, const char *msg)
{
	CHECK(rc == want, "%s: rc %d, expected %d", what, rc, want);
	CHECK(strstr(art_session_errmsg(s), msg), "%s: message \"%s\", expected \"%s\"", what,
	      art_session_errmsg(s), msg);
}

static const float one[4] = {1, 2, 3, 4}, two[4] = {5, 6, 7, 8}, ins[4] = {9, 10, 11, 12};

static struct art_tensor vec(const float *d, int64_t n)
{
	struct art_tensor t = {.dtype = ART_FLOAT, .ndim = 1, .data = d};
	t.dims[0] = n;
	return t;
}

static int set_pos(art_session *s, int64_t *pos, int64_t v)
{
	struct art_tensor p = {.dtype = ART_INT64, .ndim = 0, .data = pos};
	*pos = v;
	return art_session_set_input(s, 2, &p);
}

/* seq.onnx: s, t, pos -> s2 = insert(s, t, pos), n, item = s2[pos], s3 = s2 less its last. */
static void test_sequence_api(void)
{
	art_session *s = open_model("seq");
	if (!s)
		return;
	CHECK(art_session_input_kind(s, 0) == ART_KIND_SEQUENCE &&
		      art_session_input_kind(s, 1) == ART_KIND_TENSOR &&
		      art_session_output_kind(s, 0) == ART_KIND_SEQUENCE &&
		      art_session_output_kind(s, 1) == ART_KIND_TENSOR &&
		      art_session_input_kind(s, 7) == -EINVAL,
	      "input/output kinds");
	const char *name;
	struct art_tensor info;
	CHECK(!art_session_input_info(s, 0, &name, &info) && !strcmp(name, "s") &&
		      info.dtype == ART_FLOAT,
	      "input 0 info: '%s' dtype %d, expected 's' float (its items')", name, info.dtype);
	struct art_tensor items[2] = {vec(one, 4), vec(two, 2)};
	struct art_sequence q = {.elem_dtype = ART_FLOAT, .count = 2, .items = items};
	struct art_tensor t = vec(ins, 3);
	int64_t pos;
	CHECK(!art_session_set_input_sequence(s, 0, &q), "set s: %s", art_session_errmsg(s));
	CHECK(!art_session_set_input(s, 1, &t), "set t: %s", art_session_errmsg(s));
	CHECK(!set_pos(s, &pos, -1), "pos -1: %s", art_session_errmsg(s));
	CHECK(!art_session_run(s), "run with pos -1: %s", art_session_errmsg(s));
	struct art_sequence out;
	CHECK(!art_session_get_output_sequence(s, 0, &out) && out.count == 3 &&
		      out.elem_dtype == ART_FLOAT,
	      "s2: %d items of type %d, expected 3 float", out.count, out.elem_dtype);
	/* -1 inserts before the last item: [one, ins, two]. */
	if (out.count == 3)
		CHECK(out.items[0].dims[0] == 4 && out.items[1].dims[0] == 3 &&
			      out.items[2].dims[0] == 2 &&
			      ((const float *)out.items[1].data)[2] == 11 &&
			      ((const float *)out.items[2].data)[1] == 6,
		      "s2 holds [one, ins, two]");
	struct art_tensor o;
	CHECK(!art_session_get_output(s, 1, &o) && o.dtype == ART_INT64 && o.ndim == 0 &&
		      *(const int64_t *)o.data == 3,
	      "n is 3");
	CHECK(!art_session_get_output(s, 2, &o) && o.dims[0] == 2 &&
		      ((const float *)o.data)[0] == 5,
	      "SequenceAt -1 of s2 is two (its last)");
	CHECK(!art_session_get_output_sequence(s, 3, &out) && out.count == 2 &&
		      out.items[1].dims[0] == 3,
	      "s3 is s2 without its last item");
	/* The two getters refuse each other's outputs. */
	CHECK(art_session_get_output(s, 0, &o) == -EINVAL, "get_output of a sequence output");
	CHECK(art_session_get_output_sequence(s, 1, &out) == -EINVAL,
	      "get_output_sequence of a tensor output");

	/* Position bounds: [-2, 2] for insertion into two items. */
	CHECK(!set_pos(s, &pos, 2) && !art_session_run(s), "pos 2 (append): %s",
	      art_session_errmsg(s));
	set_pos(s, &pos, 3);
	expect_msg(s, art_session_run(s), -EINVAL, "pos 3",
		   "node 'ins' (SequenceInsert): position 3 of 'pos' is out of range [-2, 2] "
		   "for sequence 's' of 2 tensors");
	set_pos(s, &pos, -3);
	expect_msg(s, art_session_run(s), -EINVAL, "pos -3", "position -3 of 'pos'");

	/* Refusals leave the input as it was. */
	expect_msg(s, art_session_set_input(s, 0, &t), -EINVAL, "tensor for s",
		   "input 's' is a sequence (set it with art_session_set_input_sequence())");
	expect_msg(s, art_session_set_input_sequence(s, 1, &q), -EINVAL, "sequence for t",
		   "input 't' is not a sequence");
	struct art_tensor mixed[2] = {vec(one, 4), {.dtype = ART_INT64, .ndim = 1, .data = one}};
	mixed[1].dims[0] = 1;
	struct art_sequence bad = {.elem_dtype = ART_FLOAT, .count = 2, .items = mixed};
	expect_msg(s, art_session_set_input_sequence(s, 0, &bad), -EINVAL, "mixed items",
		   "input 's': item 1 (int64): its element type differs");
	bad.elem_dtype = ART_INT64;
	expect_msg(s, art_session_set_input_sequence(s, 0, &bad), -EINVAL, "int64 sequence",
		   "input 's': expected a sequence of float, got int64");
	bad = (struct art_sequence){.elem_dtype = ART_FLOAT, .count = 1, .items = NULL};
	expect_msg(s, art_session_set_input_sequence(s, 0, &bad), -EINVAL, "no items",
		   "no sequence, or a negative count");
	CHECK(!set_pos(s, &pos, 0) && !art_session_run(s) &&
		      !art_session_get_output_sequence(s, 0, &out) && out.count == 3,
	      "the refusals left s as it was: %s", art_session_errmsg(s));

	/* Runs take tensors only. */
	art_run *r;
	expect_msg(s, art_run_create(s, &r), -ENOTSUP, "art_run_create",
		   "input 's' is a sequence: runs take tensors only");
	art_session_destroy(s);
}

static void test_split_concat(void)
{
	art_session *s = open_model("split_concat");
	if (!s)
		return;
	float x[10];
	for (int i = 0; i < 10; i++)
		x[i] = (float)i;
	struct art_tensor xt = {.dtype = ART_FLOAT, .ndim = 2, .dims = {2, 5}, .data = x}, o;
	int64_t split[2] = {2, 0};
	struct art_tensor sp = {.dtype = ART_INT64, .ndim = 0, .data = split};
	CHECK(!art_session_set_input(s, 0, &xt) && !art_session_set_input(s, 1, &sp) &&
		      !art_session_run(s),
	      "split 2 of 5: %s", art_session_errmsg(s));
	CHECK(!art_session_get_output(s, 1, &o) && *(const int64_t *)o.data == 3,
	      "split 2 of 5 makes 3 pieces");
	CHECK(!art_session_get_output(s, 2, &o) && o.ndim == 2 && o.dims[0] == 2 &&
		      o.dims[1] == 2 && ((const float *)o.data)[2] == 5,
	      "the first piece is x[:, 0:2]");
	CHECK(!art_session_get_output(s, 0, &o) && o.dims[0] == 2 && o.dims[1] == 5 &&
		      !memcmp(o.data, x, sizeof(x)),
	      "concatenated back it is x");
	/* A split that does not add up to the axis is refused by name. */
	split[0] = 2;
	split[1] = 2;
	sp.ndim = 1;
	sp.dims[0] = 2;
	CHECK(!art_session_set_input(s, 1, &sp), "split [2,2]: %s", art_session_errmsg(s));
	expect_msg(s, art_session_run(s), -EINVAL, "split [2,2] of 5",
		   "node 'split' (SplitToSequence): split sums to 4, axis 1 has 5");
	art_session_destroy(s);

	if (!(s = open_model("unstack_stack")))
		return;
	struct art_tensor x3 = {.dtype = ART_FLOAT, .ndim = 2, .dims = {3, 2}, .data = x};
	CHECK(!art_session_set_input(s, 0, &x3) && !art_session_run(s), "unstack/stack: %s",
	      art_session_errmsg(s));
	CHECK(!art_session_get_output(s, 0, &o) && o.ndim == 2 && o.dims[0] == 3 &&
		      o.dims[1] == 2 && !memcmp(o.data, x, 6 * sizeof(float)),
	      "rows split without their axis stack back into x");
	CHECK(!art_session_get_output(s, 1, &o) && o.ndim == 1 && o.dims[0] == 2 &&
		      ((const float *)o.data)[0] == 4,
	      "row -1 is x[2] of rank 1");
	art_session_destroy(s);
}

static void test_empty_sequences(void)
{
	art_session *s = open_model("empty");
	if (!s)
		return;
	int32_t v[2] = {7, 8};
	struct art_tensor x = {.dtype = ART_INT32, .ndim = 1, .dims = {2}, .data = v};
	struct art_sequence q;
	CHECK(!art_session_set_input(s, 0, &x) && !art_session_run(s), "empty: %s",
	      art_session_errmsg(s));
	CHECK(!art_session_get_output_sequence(s, 0, &q) && q.count == 0 &&
		      q.elem_dtype == ART_INT32,
	      "SequenceEmpty(dtype int32) is an empty int32 sequence (%d, %d)", q.count,
	      q.elem_dtype);
	CHECK(!art_session_get_output_sequence(s, 1, &q) && q.count == 1 &&
		      ((const int32_t *)q.items[0].data)[1] == 8,
	      "inserting into it appends");
	x.dtype = ART_FLOAT;
	art_session_destroy(s);

	if (!(s = open_model("erase_empty")))
		return;
	float f = 1;
	struct art_tensor xf = {.dtype = ART_FLOAT, .ndim = 0, .data = &f};
	CHECK(!art_session_set_input(s, 0, &xf), "erase_empty x: %s", art_session_errmsg(s));
	expect_msg(s, art_session_run(s), -EINVAL, "erase from empty",
		   "node 'erase' (SequenceErase): sequence 'e' is empty");
	art_session_destroy(s);
}

static void test_strings(void)
{
	art_session *s = open_model("strnorm");
	if (!s)
		return;
	char a[] = "Monday", b[] = "émile", c[] = "été", d[] = "Tuesday";
	const char *words[4] = {a, b, c, d};
	struct art_tensor x = {.dtype = ART_STRING, .ndim = 1, .dims = {4}, .data = words}, o;
	CHECK(!art_session_set_input(s, 0, &x), "strings in: %s", art_session_errmsg(s));
	/* The session copied the text: changing the caller's changes nothing. */
	a[0] = 'X';
	CHECK(!art_session_run(s), "strnorm run: %s", art_session_errmsg(s));
	CHECK(!art_session_get_output(s, 0, &o) && o.dtype == ART_STRING && o.ndim == 1 &&
		      o.dims[0] == 2,
	      "y: two words left of four (dims[0] %lld)", (long long)o.dims[0]);
	if (o.dims[0] == 2) {
		const char *const *y = o.data;
		CHECK(!strcmp(y[0], "ÉMILE") && !strcmp(y[1], "TUESDAY"),
		      "y is [\"%s\", \"%s\"], expected [\"ÉMILE\", \"TUESDAY\"] (Monday and été "
		      "are stopwords, matched without case)",
		      y[0], y[1]);
	}
	CHECK(!art_session_get_output(s, 1, &o) && o.dims[0] == 4 &&
		      !strcmp(((const char *const *)o.data)[0], "Monday"),
	      "Identity copied the strings as set");
	/* A NULL element and text that is not UTF-8 are refused by name. */
	words[1] = NULL;
	expect_msg(s, art_session_set_input(s, 0, &x), -EINVAL, "NULL element",
		   "input 'x': string element 1 is NULL");
	char latin1[] = "caf\xe9";
	words[1] = latin1;
	CHECK(!art_session_set_input(s, 0, &x), "latin-1 set: %s", art_session_errmsg(s));
	expect_msg(s, art_session_run(s), -EINVAL, "latin-1 text",
		   "node 'norm' (StringNormalizer): element 1 of 'x' is not UTF-8");
	art_session_destroy(s);

	expect_load_refused("strnorm_locale", -ENOTSUP,
			    "node 'norm' (StringNormalizer): locale 'de_DE' is not supported");
	/* Shape inference knows x is text: refused before any run. */
	expect_load_refused("string_transpose", -ENOTSUP,
			    "node 'tr' (Transpose): element type string not supported by the CPU "
			    "kernel");
	if ((s = open_model("seq_to_relu"))) {
		struct art_tensor t = vec(one, 2);
		CHECK(!art_session_set_input(s, 0, &t), "relu in: %s", art_session_errmsg(s));
		expect_msg(s, art_session_run(s), -ENOTSUP, "Relu of a sequence",
			   "node 'relu' (Relu): input 's' is a sequence; the op takes tensors");
		art_session_destroy(s);
	}
}

static void test_cast_text(void)
{
	art_session *s = open_model("cast_text");
	if (!s)
		return;
	const char *nums[3] = {"42", "-7", "2147483648"};
	/* float16 0.1 is 0.0999755859375: the shortest text reading back as it. */
	uint16_t halves[3] = {0x2e66, 0x7c00, 0x7e00};
	struct art_tensor x = {.dtype = ART_STRING, .ndim = 1, .dims = {2}, .data = nums}, o;
	struct art_tensor f = {.dtype = ART_FLOAT16, .ndim = 1, .dims = {3}, .data = halves};
	CHECK(!art_session_set_input(s, 0, &x) && !art_session_set_input(s, 1, &f) &&
		      !art_session_run(s),
	      "cast_text: %s", art_session_errmsg(s));
	CHECK(!art_session_get_output(s, 0, &o) && o.dtype == ART_STRING &&
		      !strcmp(((const char *const *)o.data)[1], "-7"),
	      "\"-7\" to int32 and back");
	CHECK(!art_session_get_output(s, 1, &o) && o.dims[0] == 3 &&
		      !strcmp(((const char *const *)o.data)[0], "0.1") &&
		      !strcmp(((const char *const *)o.data)[1], "INF") &&
		      !strcmp(((const char *const *)o.data)[2], "NaN"),
	      "float16 as text: \"%s\" \"%s\" \"%s\", expected 0.1 INF NaN",
	      ((const char *const *)o.data)[0], ((const char *const *)o.data)[1],
	      ((const char *const *)o.data)[2]);
	x.dims[0] = 3;
	CHECK(!art_session_set_input(s, 0, &x), "3 numbers: %s", art_session_errmsg(s));
	expect_msg(s, art_session_run(s), -EINVAL, "2^31 to int32",
		   "node 'to_int' (Cast): element 2 \"2147483648\" is not a number of type int32");
	nums[2] = "12abc";
	CHECK(!art_session_set_input(s, 0, &x), "12abc: %s", art_session_errmsg(s));
	expect_msg(s, art_session_run(s), -EINVAL, "12abc", "element 2 \"12abc\" is not a number");
	art_session_destroy(s);

	if (!(s = open_model("cast_bool_text")))
		return;
	uint8_t b[1] = {1};
	struct art_tensor bt = {.dtype = ART_BOOL, .ndim = 1, .dims = {1}, .data = b};
	CHECK(!art_session_set_input(s, 0, &bt), "bool in: %s", art_session_errmsg(s));
	expect_msg(s, art_session_run(s), -ENOTSUP, "bool to text",
		   "node 'b_text' (Cast): Cast between bool and string is not supported");
	art_session_destroy(s);
}

static void expect_file_refused(const char *file, int seq, int rc, const char *msg)
{
	char path[4096], err[512] = "";
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	struct art_sequence q;
	struct art_tensor t;
	int got = seq ? art_sequence_load(path, &q, err, sizeof(err))
		      : art_tensor_load(path, &t, err, sizeof(err));
	CHECK(got == rc, "%s: rc %d, expected %d (%s)", file, got, rc, err);
	CHECK(strstr(err, msg), "%s: message \"%s\", expected \"%s\"", file, err, msg);
	if (!got)
		seq ? art_sequence_free(&q) : art_tensor_free(&t);
}

static void test_files(void)
{
	char path[4096], err[512] = "";
	struct art_sequence q;
	struct art_tensor t;
	snprintf(path, sizeof(path), "%s/good_seq.pb", dir);
	CHECK(!art_sequence_load(path, &q, err, sizeof(err)) && q.count == 2 &&
		      q.elem_dtype == ART_FLOAT && q.items[1].ndim == 2 && q.items[1].dims[1] == 3,
	      "good_seq.pb: %s", err);
	art_sequence_free(&q);
	CHECK(!q.items && !q.count, "art_sequence_free clears the sequence");
	snprintf(path, sizeof(path), "%s/strings.pb", dir);
	CHECK(!art_tensor_load(path, &t, err, sizeof(err)) && t.dtype == ART_STRING &&
		      t.dims[0] == 2 && !strcmp(((const char *const *)t.data)[1], "défi"),
	      "strings.pb: %s", err);
	art_tensor_free(&t);
	expect_file_refused("mixed_seq.pb", 1, -EINVAL,
			    "sequence 'mixed': item 1 is int64, item 0 is float (a sequence holds "
			    "one element type)");
	expect_file_refused("nested_seq.pb", 1, -ENOTSUP,
			    "sequence 'nested': only sequences of dense tensors are supported "
			    "(elem_type sequences, 1 nested sequences");
	expect_file_refused("truncated_seq.pb", 1, -EINVAL,
			    "not a valid SequenceProto (malformed or truncated)");
	expect_file_refused("long_string.pb", 0, -EINVAL, "neither .npy nor a valid TensorProto");
	expect_file_refused("nul_string.pb", 0, -ENOTSUP,
			    "tensor 'nul': string 0 holds a NUL byte");
	expect_file_refused("no_such.pb", 1, -ENOENT, "No such file");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: art-seqstr-test DIR\n");
		return 2;
	}
	dir = argv[1];
	test_sequence_api();
	test_split_concat();
	test_empty_sequences();
	test_strings();
	test_cast_text();
	test_files();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
