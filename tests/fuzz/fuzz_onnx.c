/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: an ONNX model file through art_session_create() on the
 * CPU path (protobuf parsing, graph building, shape inference, constant
 * folding, fusions), then, for a model that loads with small inputs, one
 * run on zero-filled inputs. Whatever the bytes, the runtime must either
 * succeed or fail with a negative errno and a message; never crash, leak
 * or read out of bounds (ASan, UBSan and LeakSanitizer watch).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ares_rt.h"
#include "fuzz_input.h"

/* A run on a fuzzed model is worth its time only when it is small. */
#define RUN_MAX_ELEMS (1 << 16)

static void fail_without_message(const char *what, int rc)
{
	fprintf(stderr, "%s failed with %d and no error message\n", what, rc);
	abort();
}

static void try_run(art_session *s)
{
	int n = art_session_input_count(s);
	void *bufs[64] = {0};
	int rc, i;

	if (n < 0 || n > 64)
		return;
	for (i = 0; i < n; i++) {
		struct art_tensor t = {0};
		const char *name;
		int64_t elems = 1;

		if (art_session_input_info(s, i, &name, &t) < 0)
			goto out;
		if (t.ndim < 0 || t.ndim > ART_MAX_DIMS)
			goto out;
		for (int d = 0; d < t.ndim; d++) {
			if (t.dims[d] < 0)
				t.dims[d] = 1; /* a dynamic dimension: bind it to 1 */
			if (t.dims[d] > RUN_MAX_ELEMS)
				goto out;
			elems *= t.dims[d];
			if (elems > RUN_MAX_ELEMS)
				goto out;
		}
		if (!art_dtype_size(t.dtype))
			goto out;
		bufs[i] = calloc((size_t)elems, art_dtype_size(t.dtype));
		if (!bufs[i])
			goto out;
		t.data = bufs[i];
		if (art_session_set_input(s, i, &t) < 0)
			goto out;
	}
	rc = art_session_run(s);
	if (rc < 0 && !*art_session_errmsg(s))
		fail_without_message("art_session_run", rc);
out:
	for (i = 0; i < n; i++)
		free(bufs[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* A fuzzed pad or shape can ask for gigabytes legitimately; the
	 * fuzzer checks correctness, so it runs under an operator's cap. */
	setenv("ART_MAX_TENSOR_BYTES", "67108864", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	art_session *s = NULL;
	int rc;

	rc = art_session_create(fuzz_input_path(data, size), ART_CPU_ONLY, &s);
	if (rc < 0) {
		/* A failed create still hands out the session for its message. */
		if (s && !*art_session_errmsg(s))
			fail_without_message("art_session_create", rc);
		art_session_destroy(s);
		return 0;
	}
	try_run(s);
	art_session_destroy(s);
	return 0;
}
