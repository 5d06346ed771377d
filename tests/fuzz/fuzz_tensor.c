/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a .npy or ONNX TensorProto (.pb) file through
 * art_tensor_load(), the loader behind accel-run --input, and the same
 * bytes as a SequenceProto through art_sequence_load(). Each must either
 * return tensors whose element count matches their dims and dtype (every
 * string element a readable C string), or fail with a negative errno and
 * a message; never crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ares_rt.h"
#include "fuzz_input.h"

/* Every byte T claims must be readable (ASan checks). */
static void touch(const struct art_tensor *t)
{
	int64_t elems = art_tensor_elems(t);
	size_t esize = art_dtype_size(t->dtype);

	if (elems < 0 || !esize || t->ndim < 0 || t->ndim > ART_MAX_DIMS) {
		fprintf(stderr, "loaded a tensor with %lld elements of dtype %d, rank %d\n",
			(long long)elems, t->dtype, t->ndim);
		abort();
	}
	if (!elems)
		return;
	volatile uint8_t sum = 0;
	const uint8_t *p = t->data;

	for (size_t i = 0; i < (size_t)elems * esize; i += 1 + i / 4)
		sum = (uint8_t)(sum + p[i]);
	sum = (uint8_t)(sum + p[(size_t)elems * esize - 1]);
	for (int64_t i = 0; t->dtype == ART_STRING && i < elems; i++)
		sum = (uint8_t)(sum + strlen(((const char *const *)t->data)[i]));
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct art_tensor t = {0};
	struct art_sequence q;
	char err[256] = "";
	const char *path = fuzz_input_path(data, size);
	int rc;

	rc = art_tensor_load(path, &t, err, sizeof(err));
	if (rc < 0 && !err[0]) {
		fprintf(stderr, "art_tensor_load failed with %d and no message\n", rc);
		abort();
	}
	if (!rc) {
		touch(&t);
		art_tensor_free(&t);
	}
	err[0] = 0;
	rc = art_sequence_load(path, &q, err, sizeof(err));
	if (rc < 0 && !err[0]) {
		fprintf(stderr, "art_sequence_load failed with %d and no message\n", rc);
		abort();
	}
	for (int i = 0; !rc && i < q.count; i++) {
		if (q.items[i].dtype != q.elem_dtype) {
			fprintf(stderr, "sequence item %d is %d, the sequence %d\n", i,
				q.items[i].dtype, q.elem_dtype);
			abort();
		}
		touch(&q.items[i]);
	}
	if (!rc)
		art_sequence_free(&q);
	return 0;
}
