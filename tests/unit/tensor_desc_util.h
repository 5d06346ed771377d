/* SPDX-License-Identifier: MIT */
/*
 * Tensor-descriptor builders shared by the host tests (firmware, sim and
 * tests/unit), so each test says what view it wants rather than how the
 * strides of one are computed. Header-only: the tests link no helper
 * library, and the firmware's hosted tests link no libaccel, whose
 * accel_tensor_desc_init() does the same for applications.
 */
#ifndef ARES_TESTS_TENSOR_DESC_UTIL_H
#define ARES_TESTS_TENSOR_DESC_UTIL_H

#include <stdint.h>

#include <ares/tensor.h>

/* A packed row-major view of @rank dimensions at @va (strides in elements). */
static inline struct ares_tensor_desc test_desc_packed(uint64_t va, uint32_t dtype, uint32_t rank,
						       const uint64_t *shape)
{
	struct ares_tensor_desc t = {.va = va, .dtype = (__u16)dtype, .rank = (__u16)rank};
	uint64_t stride = 1;

	for (int k = (int)rank - 1; k >= 0; k--) {
		t.shape[k] = shape[k];
		t.stride[k] = stride;
		stride *= shape[k];
	}
	return t;
}

#endif /* ARES_TESTS_TENSOR_DESC_UTIL_H */
