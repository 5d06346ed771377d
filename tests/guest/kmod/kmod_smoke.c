// SPDX-License-Identifier: MIT
/*
 * kmod_smoke: raw-ioctl smoke test of ares.ko, independent of libaccel.
 *
 * Proves, in order: QUERY (size probe, DEVICE_INFO, QUEUE_INFO), BO_CREATE +
 * mmap, a FENCE_WRITE job completing with the value in memory and seqno 1,
 * an out-of-bounds write faulting (MMU_FAULT), a read-only buffer refusing a
 * device write, and with --hang (needs fault_injection=1): a hung queue
 * timing out (TIMEOUT), the context banned (-ECANCELED), a new context
 * working after the reset, a firmware crash being recovered transparently.
 *
 * Usage: kmod_smoke [--hang] [/dev/accel/accelN]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>

#include "ares/cmd.h"
#include "uapi/drm/ares_accel.h"

static int fd;
static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static int xioctl(unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret ? -errno : 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

struct bo {
	uint32_t handle;
	uint64_t va;
	uint64_t size;
	void *map;
};

static void bo_new(struct bo *bo, uint64_t size, uint32_t flags)
{
	struct drm_ares_bo_create c = {.size = size, .flags = flags};
	struct drm_ares_bo_info i = {0};
	int ret;

	ret = xioctl(DRM_IOCTL_ARES_BO_CREATE, &c);
	if (ret) {
		printf("FAIL BO_CREATE: %d\n", ret);
		exit(1);
	}
	i.handle = c.handle;
	ret = xioctl(DRM_IOCTL_ARES_BO_INFO, &i);
	CHECK(!ret, "BO_INFO: %d", ret);
	CHECK(i.va == c.va && i.size >= size && i.flags == flags,
	      "BO_INFO disagrees with BO_CREATE");
	bo->handle = c.handle;
	bo->va = c.va;
	bo->size = i.size;
	bo->map = mmap(NULL, i.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, i.mmap_offset);
	if (bo->map == MAP_FAILED) {
		printf("FAIL mmap: %s\n", strerror(errno));
		exit(1);
	}
}

static uint32_t ctx_new(uint32_t prio)
{
	struct drm_ares_ctx_create c = {.priority = prio};
	int ret = xioctl(DRM_IOCTL_ARES_CTX_CREATE, &c);

	CHECK(!ret && c.ctx_id, "CTX_CREATE: %d", ret);
	return c.ctx_id;
}

/* Writes one FENCE_WRITE of @value at @dst into @cmd; returns its size. */
static uint32_t emit_fence_write(struct bo *cmd, uint64_t dst, uint64_t value)
{
	struct ares_cmd_fence_write fw = {
		.hdr = {.opcode = ARES_OP_FENCE_WRITE, .size = sizeof(fw)},
		.va = dst,
		.value = value,
	};
	struct ares_cmd_hdr nop = {.opcode = ARES_OP_NOP, .size = 8};

	memcpy(cmd->map, &fw, sizeof(fw));
	memcpy((char *)cmd->map + sizeof(fw), &nop, sizeof(nop));
	return sizeof(fw) + sizeof(nop);
}

static int submit(uint32_t ctx, struct bo *cmd, uint32_t size, uint32_t *handles, uint32_t n,
		  uint64_t *seqno)
{
	struct drm_ares_submit s = {
		.ctx_id = ctx,
		.cmd_va = cmd->va,
		.cmd_size = size,
		.bo_count = n,
		.bo_handles = (uintptr_t)handles,
	};
	int ret = xioctl(DRM_IOCTL_ARES_SUBMIT, &s);

	if (!ret && seqno)
		*seqno = s.seqno;
	return ret;
}

static int wait_bo(struct bo *bo, uint64_t timeout_ms, uint32_t *status)
{
	struct drm_ares_bo_wait w = {
		.handle = bo->handle,
		.timeout_ns = (int64_t)(now_ns() + timeout_ms * 1000000ull),
	};
	int ret = xioctl(DRM_IOCTL_ARES_BO_WAIT, &w);

	*status = w.status;
	return ret;
}

static void test_query(void)
{
	struct drm_ares_device_info info;
	struct drm_ares_queue_info qi[8];
	struct drm_ares_query q = {.type = DRM_ARES_QUERY_DEVICE_INFO};
	int ret;

	ret = xioctl(DRM_IOCTL_ARES_QUERY, &q);
	CHECK(!ret && q.size == sizeof(info), "QUERY probe: %d size %u", ret, q.size);
	q.size = 8;
	ret = xioctl(DRM_IOCTL_ARES_QUERY, &q);
	CHECK(ret == -EINVAL && q.size == sizeof(info), "QUERY small: %d size %u", ret, q.size);
	q.size = sizeof(info);
	q.data = (uintptr_t)&info;
	ret = xioctl(DRM_IOCTL_ARES_QUERY, &q);
	CHECK(!ret, "QUERY DEVICE_INFO: %d", ret);
	printf("device: hw 0x%x fw 0x%x caps 0x%x queues %u AS %u resets %u\n", info.hw_version,
	       info.fw_version, info.caps, info.num_queues, info.max_address_spaces,
	       info.reset_count);
	q = (struct drm_ares_query){
		.type = DRM_ARES_QUERY_QUEUE_INFO, .size = sizeof(qi), .data = (uintptr_t)qi};
	ret = xioctl(DRM_IOCTL_ARES_QUERY, &q);
	CHECK(!ret && qi[7].index == 7 && qi[7].priority == 3, "QUERY QUEUE_INFO: %d", ret);
}

static void test_fence_write(void)
{
	struct bo cmd, data;
	uint32_t handles[2], status, size, ctx;
	uint64_t seqno = 0;
	int ret;

	bo_new(&cmd, 4096, 0);
	bo_new(&data, 8192, 0);
	ctx = ctx_new(DRM_ARES_PRIORITY_NORMAL);
	size = emit_fence_write(&cmd, data.va + 8, 0x1122334455667788ull);
	handles[0] = cmd.handle;
	handles[1] = data.handle;
	ret = submit(ctx, &cmd, size, handles, 2, &seqno);
	CHECK(!ret && seqno == 1, "SUBMIT: %d seqno %llu", ret, (unsigned long long)seqno);
	ret = wait_bo(&data, 5000, &status);
	CHECK(!ret && status == DRM_ARES_JOB_OK, "BO_WAIT: %d status %u", ret, status);
	CHECK(((uint64_t *)data.map)[1] == 0x1122334455667788ull, "fence value 0x%llx",
	      (unsigned long long)((uint64_t *)data.map)[1]);

	/* One page past the end is the guard page: MMU fault. */
	size = emit_fence_write(&cmd, data.va + data.size, 1);
	ret = submit(ctx, &cmd, size, handles, 2, &seqno);
	CHECK(!ret && seqno == 2, "SUBMIT oob: %d", ret);
	ret = wait_bo(&data, 5000, &status);
	CHECK(!ret && status == DRM_ARES_JOB_MMU_FAULT, "BO_WAIT oob: %d status %u", ret, status);

	/* Bad handle: -EINVAL; nothing consumed. */
	handles[1] = 999;
	ret = submit(ctx, &cmd, size, handles, 2, NULL);
	CHECK(ret == -EINVAL, "SUBMIT bad handle: %d", ret);
	printf("fence_write: done\n");
}

static void test_read_only(void)
{
	struct bo cmd, ro;
	uint32_t handles[2], status, size, ctx;
	int ret;

	bo_new(&cmd, 4096, 0);
	bo_new(&ro, 4096, DRM_ARES_BO_READ_ONLY);
	ctx = ctx_new(DRM_ARES_PRIORITY_HIGH);
	size = emit_fence_write(&cmd, ro.va, 5);
	handles[0] = cmd.handle;
	handles[1] = ro.handle;
	ret = submit(ctx, &cmd, size, handles, 2, NULL);
	CHECK(!ret, "SUBMIT ro: %d", ret);
	ret = wait_bo(&ro, 5000, &status);
	CHECK(!ret && status == DRM_ARES_JOB_MMU_FAULT, "BO_WAIT ro: %d status %u", ret, status);
	printf("read_only: done\n");
}

static int debug(uint32_t op, uint64_t arg)
{
	struct drm_ares_debug d = {.op = op, .arg = arg};

	return xioctl(DRM_IOCTL_ARES_DEBUG, &d);
}

static void test_hang(void)
{
	struct bo cmd, data;
	uint32_t handles[2], status, size, ctx, ctx2;
	int ret;

	bo_new(&cmd, 4096, 0);
	bo_new(&data, 4096, 0);
	handles[0] = cmd.handle;
	handles[1] = data.handle;
	ctx = ctx_new(DRM_ARES_PRIORITY_LOW);
	CHECK(!debug(DRM_ARES_DEBUG_HANG_QUEUE, 0), "HANG_QUEUE 0");
	CHECK(!debug(DRM_ARES_DEBUG_HANG_QUEUE, 1), "HANG_QUEUE 1");
	size = emit_fence_write(&cmd, data.va, 7);
	ret = submit(ctx, &cmd, size, handles, 2, NULL);
	CHECK(!ret, "SUBMIT hang: %d", ret);
	ret = wait_bo(&data, 0, &status);
	CHECK(ret == -ETIME, "BO_WAIT poll on a hung job: %d", ret);
	ret = wait_bo(&data, 20000, &status);
	CHECK(!ret && status == DRM_ARES_JOB_TIMEOUT, "BO_WAIT hang: %d status %u", ret, status);
	ret = submit(ctx, &cmd, size, handles, 2, NULL);
	CHECK(ret == -ECANCELED, "SUBMIT banned: %d", ret);

	ctx2 = ctx_new(DRM_ARES_PRIORITY_LOW);
	size = emit_fence_write(&cmd, data.va, 9);
	ret = submit(ctx2, &cmd, size, handles, 2, NULL);
	CHECK(!ret, "SUBMIT after reset: %d", ret);
	ret = wait_bo(&data, 5000, &status);
	CHECK(!ret && ((uint64_t *)data.map)[0] == 9, "after reset: %d value %llu", ret,
	      (unsigned long long)((uint64_t *)data.map)[0]);
	printf("hang: done\n");

	/*
	 * A fresh buffer: BO_WAIT on @data keeps reporting the banned
	 * context's TIMEOUT, its latest job on that buffer.
	 */
	bo_new(&data, 4096, 0);
	handles[1] = data.handle;
	CHECK(!debug(DRM_ARES_DEBUG_CRASH_FW, 0), "CRASH_FW");
	usleep(500000);
	size = emit_fence_write(&cmd, data.va, 11);
	ret = submit(ctx2, &cmd, size, handles, 2, NULL);
	CHECK(!ret, "SUBMIT after crash: %d", ret);
	ret = wait_bo(&data, 10000, &status);
	CHECK(!ret && status == DRM_ARES_JOB_OK && ((uint64_t *)data.map)[0] == 11,
	      "after crash: %d status %u value %llu", ret, status,
	      (unsigned long long)((uint64_t *)data.map)[0]);

	CHECK(!debug(DRM_ARES_DEBUG_RESET, 0), "RESET");
	printf("crash+reset: done\n");
}

/* A file closed with a hung job in flight: recovery still cleans up. */
static void test_close_hung(const char *path)
{
	uint32_t handles[2], status, size, ctx;
	int main_fd = fd, ret;
	struct bo cmd, data;

	fd = open(path, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0, "second open");
	bo_new(&cmd, 4096, 0);
	bo_new(&data, 4096, 0);
	handles[0] = cmd.handle;
	handles[1] = data.handle;
	ctx = ctx_new(DRM_ARES_PRIORITY_HIGH);
	CHECK(!debug(DRM_ARES_DEBUG_HANG_QUEUE, 4), "HANG_QUEUE 4");
	CHECK(!debug(DRM_ARES_DEBUG_HANG_QUEUE, 5), "HANG_QUEUE 5");
	size = emit_fence_write(&cmd, data.va, 7);
	ret = submit(ctx, &cmd, size, handles, 2, NULL);
	CHECK(!ret, "SUBMIT hang: %d", ret);
	munmap(cmd.map, cmd.size);
	munmap(data.map, data.size);
	close(fd);
	fd = main_fd;
	sleep(3);

	bo_new(&cmd, 4096, 0);
	bo_new(&data, 4096, 0);
	handles[0] = cmd.handle;
	handles[1] = data.handle;
	ctx = ctx_new(DRM_ARES_PRIORITY_HIGH);
	size = emit_fence_write(&cmd, data.va, 13);
	ret = submit(ctx, &cmd, size, handles, 2, NULL);
	CHECK(!ret, "SUBMIT after close: %d", ret);
	ret = wait_bo(&data, 10000, &status);
	CHECK(!ret && status == DRM_ARES_JOB_OK && ((uint64_t *)data.map)[0] == 13,
	      "after close: %d status %u", ret, status);
	printf("close_hung: done\n");
}

int main(int argc, char **argv)
{
	const char *path = "/dev/accel/accel0";
	int hang = 0, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--hang"))
			hang = 1;
		else
			path = argv[i];
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("FAIL open %s: %s\n", path, strerror(errno));
		return 1;
	}
	test_query();
	test_fence_write();
	test_read_only();
	if (hang) {
		test_hang();
		test_close_hung(path);
	}
	close(fd);
	printf("%s: %d failures\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
