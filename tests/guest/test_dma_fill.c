/* SPDX-License-Identifier: MIT */
/*
 * DMA_COPY and FILL write exactly the requested bytes, including ranges
 * that start mid-page and cross page boundaries, and nothing around them.
 */
#include <stdio.h>
#include <string.h>

#include "guest_util.h"

#define BO_SIZE (5 * 4096)

static accel_device *dev;
static accel_ctx *ctx;
static accel_bo *src_bo, *dst_bo;
static uint8_t *src, *dst;

static void copy_case(uint64_t soff, uint64_t doff, uint64_t size)
{
	accel_bo *bos[] = {src_bo, dst_bo};
	accel_cmdbuf *cb = new_cmdbuf();
	uint32_t status;

	memset(dst, 0xcc, BO_SIZE);
	accel_cmdbuf_dma_copy(cb, accel_bo_va(src_bo) + soff, accel_bo_va(dst_bo) + doff, size);
	status = run_job(ctx, dev, cb, bos, 2, 5000);
	if (status != ACCEL_JOB_OK)
		test_fail("DMA_COPY src+%llu dst+%llu size %llu: expected status OK, got %s",
			  (unsigned long long)soff, (unsigned long long)doff,
			  (unsigned long long)size, accel_job_status_name(status));
	for (uint64_t i = 0; i < BO_SIZE; i++) {
		uint8_t want = (i >= doff && i < doff + size) ? src[soff + i - doff] : 0xcc;

		if (dst[i] != want)
			test_fail("DMA_COPY src+%llu dst+%llu size %llu: byte %llu of dst: "
				  "expected 0x%02x, got 0x%02x",
				  (unsigned long long)soff, (unsigned long long)doff,
				  (unsigned long long)size, (unsigned long long)i, want, dst[i]);
	}
	accel_cmdbuf_destroy(cb);
}

static void fill_case(uint64_t off, uint64_t size, uint32_t pattern)
{
	accel_cmdbuf *cb = new_cmdbuf();
	uint32_t status;

	memset(dst, 0xcc, BO_SIZE);
	accel_cmdbuf_fill(cb, accel_bo_va(dst_bo) + off, size, pattern);
	status = run_job(ctx, dev, cb, &dst_bo, 1, 5000);
	if (status != ACCEL_JOB_OK)
		test_fail("FILL +%llu size %llu: expected status OK, got %s",
			  (unsigned long long)off, (unsigned long long)size,
			  accel_job_status_name(status));
	for (uint64_t i = 0; i < BO_SIZE; i++) {
		uint8_t want = 0xcc;

		/* The pattern is little-endian and restarts at the fill's first byte. */
		if (i >= off && i < off + size)
			want = (uint8_t)(pattern >> (8 * ((i - off) % 4)));
		if (dst[i] != want)
			test_fail("FILL +%llu size %llu pattern 0x%08x: byte %llu: expected "
				  "0x%02x, got 0x%02x",
				  (unsigned long long)off, (unsigned long long)size, pattern,
				  (unsigned long long)i, want, dst[i]);
	}
	accel_cmdbuf_destroy(cb);
}

int main(void)
{
	void *map;

	test_init("dma_fill");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	src_bo = alloc_mapped(dev, BO_SIZE, &map);
	src = map;
	dst_bo = alloc_mapped(dev, BO_SIZE, &map);
	dst = map;
	for (uint32_t i = 0; i < BO_SIZE; i++)
		src[i] = (uint8_t)(i * 7 + (i >> 8) * 13 + 1);

	copy_case(0, 0, 1);
	copy_case(3, 5, 7);
	copy_case(0, 0, 4096);
	copy_case(4095, 1, 2);		 /* crosses a source page boundary */
	copy_case(100, 4000, 4097);	 /* crosses destination pages */
	copy_case(1, 2, 3 * 4096 + 333); /* spans four pages both sides */
	copy_case(0, 0, BO_SIZE);	 /* the whole buffer */

	fill_case(0, 4, 0xdeadbeef);
	fill_case(4092, 8, 0x01020304); /* crosses one page boundary */
	fill_case(1000, 3 * 4096 + 12, 0xa5a55a5a);
	fill_case(0, BO_SIZE, 0x00ff00ff);

	accel_bo_free(dst_bo);
	accel_bo_free(src_bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
