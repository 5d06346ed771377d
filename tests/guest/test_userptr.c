/* SPDX-License-Identifier: MIT */
/*
 * BO_USERPTR makes page-aligned memory of the process a buffer:
 *  - a job fills it and the process sees the fill in its own memory; a job
 *    copies what the process wrote into it; READ_ONLY buffers over
 *    read-only memory are read by jobs;
 *  - the pages count against RLIMIT_MEMLOCK: without CAP_IPC_LOCK and over
 *    the limit the ioctl fails with -ENOMEM and creates nothing; freeing a
 *    buffer gives its pages back to the limit;
 *  - bad fields are refused with -EINVAL (misaligned or zero address or
 *    size, unknown flags, nonzero handle or va on input), unmapped memory
 *    with -EFAULT, and a userptr buffer cannot be exported.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xf86drm.h>

#include "guest_util.h"
#include "uapi/drm/ares_accel.h"

#define PAGES 16
#define SIZE  (PAGES * 4096)

static uint32_t *user_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		test_fail("mmap %zu bytes: %m", size);
	memset(p, 0, size);
	return p;
}

static void jobs_see_user_memory(accel_device *dev, accel_ctx *ctx)
{
	uint32_t *mem = user_pages(SIZE), *lmap, status;
	accel_cmdbuf *cb = new_cmdbuf();
	accel_bo *ubo, *local, *bos[2];
	void *m;

	check_ok(dev, accel_bo_userptr(dev, mem, SIZE, 0, &ubo), "accel_bo_userptr");
	expect_u64("userptr size", SIZE, accel_bo_size(ubo));
	check_ok(dev, accel_bo_map(ubo, &m), "accel_bo_map of a userptr buffer");
	if (m != mem)
		test_fail(
			"accel_bo_map of a userptr buffer: expected the user's pointer %p, got %p",
			(void *)mem, m);
	accel_cmdbuf_fill(cb, accel_bo_va(ubo), SIZE, 0xab5e11ed);
	status = run_job(ctx, dev, cb, &ubo, 1, 20000);
	if (status != ACCEL_JOB_OK)
		test_fail("FILL of user memory: expected OK, got %s",
			  accel_job_status_name(status));
	for (size_t i = 0; i < SIZE / 4; i++)
		if (mem[i] != 0xab5e11ed)
			test_fail("user memory word %zu after a FILL: expected 0xab5e11ed, got "
				  "0x%08x",
				  i, mem[i]);

	for (size_t i = 0; i < SIZE / 4; i++)
		mem[i] = (uint32_t)(i * 2246822519u);
	local = alloc_mapped(dev, SIZE, &m);
	lmap = m;
	accel_cmdbuf_reset(cb);
	accel_cmdbuf_dma_copy(cb, accel_bo_va(ubo), accel_bo_va(local), SIZE);
	bos[0] = ubo;
	bos[1] = local;
	status = run_job(ctx, dev, cb, bos, 2, 20000);
	if (status != ACCEL_JOB_OK || memcmp(lmap, mem, SIZE))
		test_fail("DMA_COPY from user memory: expected OK and the user's data, got %s, "
			  "data %s",
			  accel_job_status_name(status),
			  memcmp(lmap, mem, SIZE) ? "differs" : "same");
	accel_bo_free(local);
	accel_bo_free(ubo);
	/* The memory is still the process's after the buffer is gone. */
	mem[0] = 1;
	munmap(mem, SIZE);

	/* READ_ONLY: the device reads, a device write faults. */
	mem = user_pages(SIZE);
	mem[5] = 0x5ead;
	if (mprotect(mem, SIZE, PROT_READ))
		test_fail("mprotect: %m");
	check_ok(dev, accel_bo_userptr(dev, mem, SIZE, ACCEL_BO_READ_ONLY, &ubo),
		 "accel_bo_userptr READ_ONLY of read-only memory");
	local = alloc_mapped(dev, SIZE, &m);
	lmap = m;
	accel_cmdbuf_reset(cb);
	accel_cmdbuf_dma_copy(cb, accel_bo_va(ubo), accel_bo_va(local), SIZE);
	bos[0] = ubo;
	bos[1] = local;
	status = run_job(ctx, dev, cb, bos, 2, 20000);
	if (status != ACCEL_JOB_OK || lmap[5] != 0x5ead)
		test_fail(
			"copy from READ_ONLY user memory: expected OK and 0x5ead, got %s and 0x%x",
			accel_job_status_name(status), lmap[5]);
	accel_bo_free(local);
	accel_bo_free(ubo);
	munmap(mem, SIZE);
	accel_cmdbuf_destroy(cb);
}

static int raw_userptr(accel_device *dev, uint64_t addr, uint64_t size, uint32_t flags,
		       uint32_t handle, uint64_t va)
{
	struct drm_ares_bo_userptr u = {
		.addr = addr, .size = size, .flags = flags, .handle = handle, .va = va};

	if (drmIoctl(accel_device_fd(dev), DRM_IOCTL_ARES_BO_USERPTR, &u))
		return -errno;
	if (u.handle) {
		struct drm_gem_close c = {.handle = u.handle};

		drmIoctl(accel_device_fd(dev), DRM_IOCTL_GEM_CLOSE, &c);
	}
	return 0;
}

static void bad_arguments(accel_device *dev)
{
	uint32_t *mem = user_pages(SIZE);
	uint64_t a = (uintptr_t)mem;
	accel_bo *ubo;
	int fd;

	expect_int("userptr, everything valid", 0, raw_userptr(dev, a, SIZE, 0, 0, 0));
	expect_int("userptr, address 0", -EINVAL, raw_userptr(dev, 0, SIZE, 0, 0, 0));
	expect_int("userptr, address not page-aligned", -EINVAL,
		   raw_userptr(dev, a + 8, SIZE - 4096, 0, 0, 0));
	expect_int("userptr, size 0", -EINVAL, raw_userptr(dev, a, 0, 0, 0, 0));
	expect_int("userptr, size not whole pages", -EINVAL, raw_userptr(dev, a, 4000, 0, 0, 0));
	expect_int("userptr, unknown flag", -EINVAL, raw_userptr(dev, a, SIZE, 1u << 7, 0, 0));
	expect_int("userptr, nonzero handle on input", -EINVAL, raw_userptr(dev, a, SIZE, 0, 5, 0));
	expect_int("userptr, nonzero va on input", -EINVAL,
		   raw_userptr(dev, a, SIZE, 0, 0, 0x1000));
	expect_int("userptr, range wrapping around", -EINVAL,
		   raw_userptr(dev, ~0ull & ~4095ull, 2 * 4096, 0, 0, 0));
	expect_int("userptr, kernel address", -EINVAL,
		   raw_userptr(dev, 0xffff888000000000ull, SIZE, 0, 0, 0));
	munmap(mem + 4 * 1024, 4096); /* a hole in the middle: page 4 */
	expect_int("userptr over a hole (unmapped page)", -EFAULT,
		   raw_userptr(dev, a, SIZE, 0, 0, 0));
	if (mprotect(mem, 4096, PROT_READ))
		test_fail("mprotect: %m");
	expect_int("userptr writable over read-only memory", -EFAULT,
		   raw_userptr(dev, a, 4096, 0, 0, 0));
	expect_int("userptr READ_ONLY over read-only memory", 0,
		   raw_userptr(dev, a, 4096, DRM_ARES_BO_READ_ONLY, 0, 0));

	check_ok(dev, accel_bo_userptr(dev, mem + 5 * 1024, 4096, 0, &ubo), "userptr one page");
	expect_int("export of a userptr buffer", -EINVAL, accel_bo_export(ubo, &fd));
	accel_bo_free(ubo);
	munmap(mem, SIZE);
}

/* In a child without CAP_IPC_LOCK and with a small RLIMIT_MEMLOCK. */
static void memlock_limit(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0) {
		struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
		struct __user_cap_data_struct d[2];
		struct rlimit rl = {.rlim_cur = 8 * 4096, .rlim_max = 8 * 4096};
		accel_device *dev = open_first_device();
		uint32_t *mem = user_pages(SIZE);
		accel_bo *a, *b;

		if (syscall(SYS_capget, &h, d))
			test_fail("capget: %m");
		d[CAP_IPC_LOCK / 32].effective &= ~(1u << (CAP_IPC_LOCK % 32));
		d[CAP_IPC_LOCK / 32].permitted &= ~(1u << (CAP_IPC_LOCK % 32));
		if (syscall(SYS_capset, &h, d))
			test_fail("capset without CAP_IPC_LOCK: %m");
		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			test_fail("setrlimit RLIMIT_MEMLOCK: %m");
		check_ok(dev, accel_bo_userptr(dev, mem, 6 * 4096, 0, &a),
			 "userptr of 6 pages under a limit of 8");
		expect_int("userptr of 4 more pages over a limit of 8", -ENOMEM,
			   accel_bo_userptr(dev, mem + 6 * 1024, 4 * 4096, 0, &b));
		if (!strstr(accel_device_last_error(dev), "RLIMIT_MEMLOCK"))
			test_fail(
				"the -ENOMEM message: expected it to name RLIMIT_MEMLOCK, got: %s",
				accel_device_last_error(dev));
		accel_bo_free(a);
		check_ok(dev, accel_bo_userptr(dev, mem + 6 * 1024, 4 * 4096, 0, &b),
			 "userptr of 4 pages once the first 6 were freed");
		accel_bo_free(b);
		accel_device_close(dev);
		exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		test_fail("memlock child: expected exit 0, got status 0x%x", st);
}

int main(void)
{
	accel_device *dev;
	accel_ctx *ctx;

	test_init("userptr");
	dev = open_first_device();
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	jobs_see_user_memory(dev, ctx);
	bad_arguments(dev);
	memlock_limit();
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
