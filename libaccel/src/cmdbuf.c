/* SPDX-License-Identifier: MIT */
/*
 * Command-buffer builder: encodes v1 commands (include/ares/cmd.h) into a
 * growing host buffer (tensor commands: cmdbuf_tensor.c). Needs no device, so it is unit-tested on
 * the host.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ares/cmd.h"

#include "internal.h"

struct accel_cmdbuf {
	uint8_t *data;
	size_t size;
	size_t cap;
	int error; /* first failed append since create/reset */
};

int accel_cmdbuf_create(accel_cmdbuf **out)
{
	accel_cmdbuf *cb;

	if (!out)
		return -EINVAL;
	cb = calloc(1, sizeof(*cb));
	if (!cb)
		return -ENOMEM;
	*out = cb;
	return 0;
}

int accel_cmdbuf_destroy(accel_cmdbuf *cb)
{
	if (!cb)
		return 0;
	free(cb->data);
	free(cb);
	return 0;
}

int accel_cmdbuf_reset(accel_cmdbuf *cb)
{
	cb->size = 0;
	cb->error = 0;
	return 0;
}

int accel_cmdbuf_error(const accel_cmdbuf *cb)
{
	return cb->error;
}

const void *accel_cmdbuf_data(const accel_cmdbuf *cb)
{
	return cb->size ? cb->data : NULL;
}

size_t accel_cmdbuf_size(const accel_cmdbuf *cb)
{
	return cb->size;
}

int accel_cmdbuf_fail(accel_cmdbuf *cb, int err)
{
	if (!cb->error)
		cb->error = err;
	return err;
}

/*
 * Reserves @size zeroed bytes at the end with the header filled in. The
 * caller fills the body; nothing is committed when this fails.
 */
int accel_cmdbuf_emit(accel_cmdbuf *cb, uint16_t opcode, uint32_t size, void **body)
{
	struct ares_cmd_hdr hdr;
	size_t need, cap;
	uint8_t *p;

	if (size > ARES_CMD_STREAM_MAX || cb->size > ARES_CMD_STREAM_MAX - size)
		return accel_cmdbuf_fail(cb, -E2BIG);
	need = cb->size + size;
	if (need > cb->cap) {
		cap = cb->cap ? cb->cap : 256;
		while (cap < need)
			cap *= 2;
		p = realloc(cb->data, cap);
		if (!p)
			return accel_cmdbuf_fail(cb, -ENOMEM);
		cb->data = p;
		cb->cap = cap;
	}
	p = cb->data + cb->size;
	memset(p, 0, size);
	hdr.opcode = htole16(opcode);
	hdr.flags = 0;
	hdr.size = htole32(size);
	memcpy(p, &hdr, sizeof(hdr));
	cb->size = need;
	*body = p;
	return 0;
}

int accel_cmdbuf_nop(accel_cmdbuf *cb, uint32_t size)
{
	void *p;

	if (size < sizeof(struct ares_cmd_hdr) || size % ARES_CMD_ALIGN)
		return accel_cmdbuf_fail(cb, -EINVAL);
	return accel_cmdbuf_emit(cb, ARES_OP_NOP, size, &p);
}

int accel_cmdbuf_fence_write(accel_cmdbuf *cb, uint64_t va, uint64_t value)
{
	struct ares_cmd_fence_write c;
	void *p;
	int ret;

	if (va % 8)
		return accel_cmdbuf_fail(cb, -EINVAL);
	ret = accel_cmdbuf_emit(cb, ARES_OP_FENCE_WRITE, sizeof(c), &p);
	if (ret)
		return ret;
	memcpy(&c, p, sizeof(c));
	c.va = htole64(va);
	c.value = htole64(value);
	memcpy(p, &c, sizeof(c));
	return 0;
}

int accel_cmdbuf_timestamp(accel_cmdbuf *cb, uint64_t va)
{
	struct ares_cmd_timestamp c;
	void *p;
	int ret;

	if (va % 8)
		return accel_cmdbuf_fail(cb, -EINVAL);
	ret = accel_cmdbuf_emit(cb, ARES_OP_TIMESTAMP, sizeof(c), &p);
	if (ret)
		return ret;
	memcpy(&c, p, sizeof(c));
	c.va = htole64(va);
	memcpy(p, &c, sizeof(c));
	return 0;
}

/* True if [a, a+size) wraps past 2^64. */
static int wraps(uint64_t a, uint64_t size)
{
	return a + size < a;
}

int accel_cmdbuf_dma_copy(accel_cmdbuf *cb, uint64_t src_va, uint64_t dst_va, uint64_t size)
{
	struct ares_cmd_dma_copy c;
	void *p;
	int ret;

	if (!size || wraps(src_va, size) || wraps(dst_va, size))
		return accel_cmdbuf_fail(cb, -EINVAL);
	/* The device rejects overlap; catch it here where the caller can see why. */
	if (src_va < dst_va + size && dst_va < src_va + size)
		return accel_cmdbuf_fail(cb, -EINVAL);
	ret = accel_cmdbuf_emit(cb, ARES_OP_DMA_COPY, sizeof(c), &p);
	if (ret)
		return ret;
	memcpy(&c, p, sizeof(c));
	c.src_va = htole64(src_va);
	c.dst_va = htole64(dst_va);
	c.size = htole64(size);
	memcpy(p, &c, sizeof(c));
	return 0;
}

int accel_cmdbuf_fill(accel_cmdbuf *cb, uint64_t dst_va, uint64_t size, uint32_t pattern)
{
	struct ares_cmd_fill c;
	void *p;
	int ret;

	if (!size || dst_va % 4 || size % 4 || wraps(dst_va, size))
		return accel_cmdbuf_fail(cb, -EINVAL);
	ret = accel_cmdbuf_emit(cb, ARES_OP_FILL, sizeof(c), &p);
	if (ret)
		return ret;
	memcpy(&c, p, sizeof(c));
	c.dst_va = htole64(dst_va);
	c.size = htole64(size);
	c.pattern = htole32(pattern);
	memcpy(p, &c, sizeof(c));
	return 0;
}

static int dim_ok(uint32_t d)
{
	return d >= 1 && d <= ARES_GEMM_DIM_MAX;
}

int accel_cmdbuf_gemm(accel_cmdbuf *cb, const struct accel_gemm *g)
{
	struct ares_cmd_gemm c;
	uint32_t lda, ldb, ldc;
	void *p;
	int ret;

	if (!g)
		return accel_cmdbuf_fail(cb, -EINVAL);
	lda = g->lda ? g->lda : g->k;
	ldb = g->ldb ? g->ldb : g->n;
	ldc = g->ldc ? g->ldc : g->n;
	if (!dim_ok(g->m) || !dim_ok(g->n) || !dim_ok(g->k) || lda < g->k || ldb < g->n ||
	    ldc < g->n || g->a_va % 4 || g->b_va % 4 || g->c_va % 4)
		return accel_cmdbuf_fail(cb, -EINVAL);
	ret = accel_cmdbuf_emit(cb, ARES_OP_GEMM, sizeof(c), &p);
	if (ret)
		return ret;
	memcpy(&c, p, sizeof(c));
	c.m = htole32(g->m);
	c.n = htole32(g->n);
	c.k = htole32(g->k);
	c.a_va = htole64(g->a_va);
	c.b_va = htole64(g->b_va);
	c.c_va = htole64(g->c_va);
	c.lda = htole32(lda);
	c.ldb = htole32(ldb);
	c.ldc = htole32(ldc);
	memcpy(p, &c, sizeof(c));
	return 0;
}

int accel_cmdbuf_upload(accel_device *dev, const accel_cmdbuf *cb, accel_bo **out)
{
	accel_bo *bo;
	void *map;
	int ret;

	if (!cb || !out)
		return accel_set_error(dev, -EINVAL, "accel_cmdbuf_upload: cb and out must be set");
	if (cb->error)
		return accel_set_error(dev, -EINVAL,
				       "accel_cmdbuf_upload: the builder has a failed append (%s)",
				       accel_strerror(cb->error));
	if (!cb->size)
		return accel_set_error(dev, -EINVAL,
				       "accel_cmdbuf_upload: command buffer is empty");
	ret = accel_bo_alloc(dev, cb->size, ACCEL_BO_READ_ONLY, &bo);
	if (ret)
		return ret;
	ret = accel_bo_map(bo, &map);
	if (ret)
		goto err_free;
	memcpy(map, cb->data, cb->size);
	*out = bo;
	return 0;

err_free:
	accel_bo_free(bo);
	return ret;
}
