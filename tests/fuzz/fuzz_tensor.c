/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a .npy or ONNX TensorProto (.pb) file through
 * art_tensor_load(), the loader behind accel-run --input. It must either
 * return a tensor whose element count matches its dims and dtype, or fail
 * with a negative errno and a message; never crash, leak or read out of
 * bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ares_rt.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct art_tensor t = {0};
	char err[256] = "";
	int64_t elems;
	size_t esize;
	int rc;

	rc = art_tensor_load(fuzz_input_path(data, size), &t, err, sizeof(err));
	if (rc < 0) {
		if (!err[0]) {
			fprintf(stderr, "art_tensor_load failed with %d and no message\n", rc);
			abort();
		}
		return 0;
	}
	elems = art_tensor_elems(&t);
	esize = art_dtype_size(t.dtype);
	if (elems < 0 || !esize || t.ndim < 0 || t.ndim > ART_MAX_DIMS) {
		fprintf(stderr, "loaded a tensor with %lld elements of dtype %d, rank %d\n",
			(long long)elems, t.dtype, t.ndim);
		abort();
	}
	/* Every byte the tensor claims must be readable (ASan checks). */
	if (elems) {
		volatile uint8_t sum = 0;
		const uint8_t *p = t.data;

		for (size_t i = 0; i < (size_t)elems * esize; i += 1 + i / 4)
			sum = (uint8_t)(sum + p[i]);
		sum = (uint8_t)(sum + p[(size_t)elems * esize - 1]);
		(void)sum;
	}
	art_tensor_free(&t);
	return 0;
}
