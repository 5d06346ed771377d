/* SPDX-License-Identifier: MIT */
/*
 * Writes seed command streams for fuzz_device into DIR, one file per
 * command kind, built with libaccel's command-buffer builder and aimed at
 * the fuzz target's address space (data at 0x200000, 64 KiB), so the fuzzer
 * starts from streams the firmware accepts and mutates from there.
 *
 *   fuzz-device-seeds DIR
 */
#include <ares/ops.h>
#include <ares/tensor.h>
#include <stdio.h>
#include <stdlib.h>

#include "accel.h"

#define DATA_VA 0x200000ull
#define SZ	0x1000ull /* 1024 f32 per operand slot */

static const char *dir;
static int nseeds;

static void emit(accel_cmdbuf *cb, const char *name)
{
	char path[512];
	FILE *f;

	if (accel_cmdbuf_error(cb)) {
		fprintf(stderr, "fuzz-device-seeds: building %s: %s\n", name,
			accel_strerror(accel_cmdbuf_error(cb)));
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f ||
	    fwrite(accel_cmdbuf_data(cb), 1, accel_cmdbuf_size(cb), f) != accel_cmdbuf_size(cb) ||
	    fclose(f)) {
		perror(path);
		exit(1);
	}
	accel_cmdbuf_reset(cb);
	nseeds++;
}

static struct ares_tensor_desc t4(unsigned slot, uint32_t dtype, uint64_t n, uint64_t c, uint64_t h,
				  uint64_t w)
{
	struct ares_tensor_desc t;
	const uint64_t shape[4] = {n, c, h, w};

	accel_tensor_desc_init(&t, DATA_VA + slot * SZ, dtype, 4, shape);
	return t;
}

int main(int argc, char **argv)
{
	accel_cmdbuf *cb;

	if (argc != 2) {
		fprintf(stderr, "usage: fuzz-device-seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	if (accel_cmdbuf_create(&cb))
		return 1;

	accel_cmdbuf_nop(cb, 16);
	accel_cmdbuf_fence_write(cb, DATA_VA, 42);
	accel_cmdbuf_timestamp(cb, DATA_VA + 8);
	emit(cb, "v1-nop-fence-timestamp");
	accel_cmdbuf_fill(cb, DATA_VA, 2 * SZ, 0x3f800000);
	accel_cmdbuf_dma_copy(cb, DATA_VA, DATA_VA + 2 * SZ, 2 * SZ);
	emit(cb, "v1-fill-copy");
	{
		struct accel_gemm g = {.m = 16,
				       .n = 16,
				       .k = 16,
				       .a_va = DATA_VA,
				       .b_va = DATA_VA + SZ,
				       .c_va = DATA_VA + 2 * SZ,
				       .lda = 16,
				       .ldb = 16,
				       .ldc = 16};
		accel_cmdbuf_gemm(cb, &g);
		emit(cb, "v1-gemm");
	}
	{
		struct ares_conv2d_params p = {.stride_h = 1,
					       .stride_w = 1,
					       .pad_top = 1,
					       .pad_left = 1,
					       .pad_bottom = 1,
					       .pad_right = 1,
					       .dilation_h = 1,
					       .dilation_w = 1,
					       .groups = 1,
					       .activation = ARES_ACT_NONE};
		struct ares_tensor_desc x = t4(0, ARES_DTYPE_F32, 1, 2, 8, 8);
		struct ares_tensor_desc w = t4(1, ARES_DTYPE_F32, 2, 2, 3, 3);
		struct ares_tensor_desc y = t4(2, ARES_DTYPE_F32, 1, 2, 8, 8);
		accel_cmdbuf_conv2d(cb, &p, &x, &w, NULL, &y);
		emit(cb, "conv2d");
		p.groups = 2;
		w = t4(1, ARES_DTYPE_F32, 2, 1, 3, 3);
		accel_cmdbuf_conv2d(cb, &p, &x, &w, NULL, &y);
		emit(cb, "conv2d-depthwise");
	}
	{
		struct ares_matmul_params p = {.alpha = 0x3f800000};
		struct ares_tensor_desc a = t4(0, ARES_DTYPE_F32, 1, 2, 8, 4);
		struct ares_tensor_desc b = t4(1, ARES_DTYPE_F32, 1, 2, 4, 8);
		struct ares_tensor_desc y = t4(2, ARES_DTYPE_F32, 1, 2, 8, 8);
		accel_cmdbuf_matmul(cb, &p, &a, &b, NULL, &y);
		emit(cb, "matmul");
		a = t4(0, ARES_DTYPE_I8, 1, 2, 8, 4);
		b = t4(1, ARES_DTYPE_I8, 1, 2, 4, 8);
		y = t4(2, ARES_DTYPE_I32, 1, 2, 8, 8);
		accel_cmdbuf_matmul(cb, &p, &a, &b, NULL, &y);
		emit(cb, "matmul-i8");
	}
	{
		struct ares_eltwise_params p = {.op = ARES_ELT_ADD};
		struct ares_tensor_desc a = t4(0, ARES_DTYPE_F32, 1, 2, 8, 8);
		struct ares_tensor_desc b = t4(1, ARES_DTYPE_F32, 1, 2, 1, 8);
		struct ares_tensor_desc y = t4(2, ARES_DTYPE_F32, 1, 2, 8, 8);
		const struct ares_tensor_desc *in[2] = {&a, &b};
		b.stride[2] = 0; /* broadcast along H */
		b.shape[2] = 8;
		accel_cmdbuf_eltwise(cb, &p, 2, in, &y);
		emit(cb, "eltwise-add-broadcast");
		p.op = ARES_ELT_RELU;
		accel_cmdbuf_eltwise(cb, &p, 1, in, &y);
		emit(cb, "eltwise-relu");
	}
	{
		struct ares_pool_params p = {.op = ARES_POOL_MAX,
					     .kernel_h = 2,
					     .kernel_w = 2,
					     .stride_h = 2,
					     .stride_w = 2,
					     .dilation_h = 1,
					     .dilation_w = 1};
		struct ares_tensor_desc x = t4(0, ARES_DTYPE_F32, 1, 2, 8, 8);
		struct ares_tensor_desc y = t4(2, ARES_DTYPE_F32, 1, 2, 4, 4);
		accel_cmdbuf_pool(cb, &p, &x, &y);
		emit(cb, "pool-max");
	}
	{
		struct ares_softmax_params p = {.axis = 3};
		struct ares_tensor_desc x = t4(0, ARES_DTYPE_F32, 1, 2, 8, 8);
		struct ares_tensor_desc y = t4(2, ARES_DTYPE_F32, 1, 2, 8, 8);
		accel_cmdbuf_softmax(cb, &p, &x, &y);
		emit(cb, "softmax");
		accel_cmdbuf_copy(cb, &x, &y);
		emit(cb, "copy");
		accel_cmdbuf_fill_tensor(cb, 0x3f800000, &y);
		emit(cb, "fill-tensor");
	}
	{
		struct ares_tensor_desc d = t4(0, ARES_DTYPE_F32, 1, 1, 16, 8);
		struct ares_tensor_desc i, y = t4(2, ARES_DTYPE_F32, 1, 1, 4, 8);
		const uint64_t four = 4;
		accel_tensor_desc_init(&i, DATA_VA + SZ, ARES_DTYPE_I64, 1, &four);
		accel_cmdbuf_gather(cb, 2, &d, &i, &y);
		emit(cb, "gather");
	}
	{
		struct ares_tensor_desc x = t4(0, ARES_DTYPE_F32, 1, 2, 8, 8);
		struct ares_tensor_desc sl = t4(1, ARES_DTYPE_F32, 1, 2, 8, 8);
		struct ares_tensor_desc y = t4(2, ARES_DTYPE_F32, 1, 2, 8, 8);
		sl.stride[2] = sl.stride[3] = 0; /* one slope per channel */
		accel_cmdbuf_prelu(cb, &x, &sl, &y);
		emit(cb, "prelu");
	}
	accel_cmdbuf_destroy(cb);
	printf("fuzz-device-seeds: %d seeds in %s\n", nseeds, dir);
	return 0;
}
