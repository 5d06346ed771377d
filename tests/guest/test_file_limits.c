/* SPDX-License-Identifier: MIT */
/*
 * Every per-file object has a bound (docs/uapi.md, "Limits"):
 *  - contexts: max_contexts_per_file succeed, the next CTX_CREATE fails
 *    with -EMFILE, destroying one makes room (as uid 65534);
 *  - buffers: max_bos_per_file handles (BO_CREATE, BO_USERPTR and PRIME
 *    imports together), then -EMFILE, closing one makes room (as uid
 *    65534; the parameter is lowered to 256 to keep the test short);
 *  - jobs: a file with max_jobs_per_file jobs queued (held back by a vgem
 *    fence) makes SUBMIT wait, on any of its contexts, and fail with
 *    -ETIMEDOUT after submit_wait_ms; another file still runs jobs; once
 *    the fence signals, the file submits again;
 *  - BO_WAIT records: 300 short-lived contexts each leave a failed job on
 *    one buffer (more than the 256 records a buffer keeps); BO_WAIT still
 *    reports the failure, the newest records being the ones kept.
 * Parameters changed here are restored at the end.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

/* From the kernel's include/uapi/drm/vgem_drm.h (not in libdrm's headers). */
struct vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;
	uint32_t out_fence;
	uint32_t pad;
};
struct vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};
#define VGEM_FENCE_WRITE	0x1
#define VGEM_IOCTL_FENCE_ATTACH DRM_IOWR(DRM_COMMAND_BASE + 0x1, struct vgem_fence_attach)
#define VGEM_IOCTL_FENCE_SIGNAL DRM_IOW(DRM_COMMAND_BASE + 0x2, struct vgem_fence_signal)

#define PARAMS "/sys/module/ares/parameters/"

/* A module parameter; @dflt (its documented default) if it does not exist. */
static unsigned int param_get(const char *name, unsigned int dflt)
{
	char path[128];
	unsigned int v;
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "r");
	if (!f) {
		printf("  no %s: assuming %u\n", path, dflt);
		return dflt;
	}
	if (fscanf(f, "%u", &v) != 1)
		test_fail("read %s: expected a number, got garbage", path);
	fclose(f);
	return v;
}

static void param_set(const char *name, unsigned int v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%u\n", v) < 0 || fclose(f))
		test_fail("write %u to %s: %m", v, path);
}

/* Parameters to restore at exit, whatever happens: later tests need them. */
static unsigned int old_bos, old_jobs, old_wait;
static pid_t parent;

static void param_put(const char *name, unsigned int v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%u\n", v);
		fclose(f);
	}
}

static void restore_params(void)
{
	if (getpid() != parent)
		return;
	param_put("max_bos_per_file", old_bos);
	param_put("max_jobs_per_file", old_jobs);
	param_put("submit_wait_ms", old_wait);
}

static int ioc(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

static int ctx_create(int fd, uint32_t *id)
{
	struct drm_ares_ctx_create c = {.priority = DRM_ARES_PRIORITY_NORMAL};
	int ret = ioc(fd, DRM_IOCTL_ARES_CTX_CREATE, &c);

	*id = c.ctx_id;
	return ret;
}

static int ctx_destroy(int fd, uint32_t id)
{
	struct drm_ares_ctx_destroy d = {.ctx_id = id};

	return ioc(fd, DRM_IOCTL_ARES_CTX_DESTROY, &d);
}

static int bo_create(int fd, uint32_t *handle)
{
	struct drm_ares_bo_create c = {.size = 4096};
	int ret = ioc(fd, DRM_IOCTL_ARES_BO_CREATE, &c);

	*handle = c.handle;
	return ret;
}

static void contexts(int fd)
{
	unsigned int max = param_get("max_contexts_per_file", 128);
	uint32_t *ids = calloc(max, sizeof(*ids)), extra;

	for (unsigned int i = 0; i < max; i++) {
		int ret = ctx_create(fd, &ids[i]);

		if (ret)
			test_fail("CTX_CREATE %u of max_contexts_per_file %u: expected 0, got %s",
				  i + 1, max, accel_strerror(ret));
	}
	expect_int("CTX_CREATE past max_contexts_per_file", -EMFILE, ctx_create(fd, &extra));
	expect_int("CTX_DESTROY of one", 0, ctx_destroy(fd, ids[0]));
	expect_int("CTX_CREATE after destroying one", 0, ctx_create(fd, &ids[0]));
	expect_int("CTX_CREATE past the limit again", -EMFILE, ctx_create(fd, &extra));
	for (unsigned int i = 0; i < max; i++)
		expect_int("CTX_DESTROY", 0, ctx_destroy(fd, ids[i]));
	free(ids);
}

/* @fd starts with no buffers; @other exports one for the import case. */
static void buffers(int fd, int other)
{
	unsigned int max = param_get("max_bos_per_file", 256);
	uint32_t *handles = calloc(max, sizeof(*handles)), extra, oh;
	struct drm_ares_bo_userptr u = {.size = 4096};
	void *mem;
	int dmabuf;

	for (unsigned int i = 0; i < max; i++) {
		int ret = bo_create(fd, &handles[i]);

		if (ret)
			test_fail("BO_CREATE %u of max_bos_per_file %u: expected 0, got %s", i + 1,
				  max, accel_strerror(ret));
	}
	expect_int("BO_CREATE past max_bos_per_file", -EMFILE, bo_create(fd, &extra));
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u.addr = (uintptr_t)mem;
	expect_int("BO_USERPTR past max_bos_per_file", -EMFILE,
		   ioc(fd, DRM_IOCTL_ARES_BO_USERPTR, &u));
	expect_int("BO_CREATE in another file", 0, bo_create(other, &oh));
	if (drmPrimeHandleToFD(other, oh, DRM_CLOEXEC | DRM_RDWR, &dmabuf))
		test_fail("PRIME export from the other file: %m");
	expect_int("PRIME import past max_bos_per_file", -EMFILE,
		   drmPrimeFDToHandle(fd, dmabuf, &extra) ? -errno : 0);

	expect_int("GEM_CLOSE of one", 0, drmCloseBufferHandle(fd, handles[0]) ? -errno : 0);
	expect_int("PRIME import after closing one", 0,
		   drmPrimeFDToHandle(fd, dmabuf, &handles[0]) ? -errno : 0);
	expect_int("BO_CREATE past the limit again", -EMFILE, bo_create(fd, &extra));
	for (unsigned int i = 0; i < max; i++)
		drmCloseBufferHandle(fd, handles[i]);
	expect_int("BO_USERPTR after closing them all", 0, ioc(fd, DRM_IOCTL_ARES_BO_USERPTR, &u));
	drmCloseBufferHandle(fd, u.handle);
	close(dmabuf);
	drmCloseBufferHandle(other, oh);
	munmap(mem, 4096);
	free(handles);
}

static int submit(int fd, uint32_t ctx, uint64_t cmd_va, const uint32_t *bos)
{
	struct drm_ares_submit s = {.ctx_id = ctx,
				    .cmd_va = cmd_va,
				    .cmd_size = 8,
				    .bo_count = 2,
				    .bo_handles = (uintptr_t)bos};

	return ioc(fd, DRM_IOCTL_ARES_SUBMIT, &s);
}

static void jobs(void)
{
	struct drm_mode_create_dumb dumb = {.width = 1024, .height = 1, .bpp = 32};
	struct vgem_fence_attach attach = {.flags = VGEM_FENCE_WRITE};
	struct vgem_fence_signal sig = {0};
	unsigned int max_jobs = 16, i;
	accel_device *dev, *dev2;
	accel_bo *cmd, *imp, *bo2;
	uint32_t bos[2], ctx_a, ctx_b, ctx_c;
	accel_cmdbuf *cb;
	accel_ctx *ctx2;
	int vfd, dmabuf, fd;
	uint64_t t0, ms;
	void *map;

	vfd = open_vgem();
	if (vfd < 0)
		test_fail("vgem: expected the driver, found no /dev/dri/card* of vgem");
	param_set("max_jobs_per_file", max_jobs);
	param_set("submit_wait_ms", 300);

	dev = open_first_device();
	fd = accel_device_fd(dev);
	cb = new_cmdbuf();
	accel_cmdbuf_nop(cb, 8);
	check_ok(dev, accel_bo_alloc(dev, 4096, 0, &cmd), "accel_bo_alloc");
	check_ok(dev, accel_bo_map(cmd, &map), "accel_bo_map");
	memcpy(map, accel_cmdbuf_data(cb), 8);

	/* A vgem buffer with an unsignalled write fence holds the jobs back. */
	if (drmIoctl(vfd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb))
		test_fail("vgem CREATE_DUMB: %m");
	attach.handle = dumb.handle;
	if (drmIoctl(vfd, VGEM_IOCTL_FENCE_ATTACH, &attach))
		test_fail("vgem FENCE_ATTACH: %m");
	if (drmPrimeHandleToFD(vfd, dumb.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf))
		test_fail("vgem PRIME export: %m");
	check_ok(dev, accel_bo_import(dev, dmabuf, &imp), "accel_bo_import of the vgem buffer");
	bos[0] = accel_bo_handle(cmd);
	bos[1] = accel_bo_handle(imp);

	if (ctx_create(fd, &ctx_a) || ctx_create(fd, &ctx_b) || ctx_create(fd, &ctx_c))
		test_fail("CTX_CREATE: %m");
	for (i = 0; i < max_jobs; i++) {
		int ret = submit(fd, i % 2 ? ctx_b : ctx_a, accel_bo_va(cmd), bos);

		if (ret)
			test_fail("SUBMIT %u of max_jobs_per_file %u: expected 0, got %s", i + 1,
				  max_jobs, accel_strerror(ret));
	}
	t0 = now_ns();
	expect_int("SUBMIT past max_jobs_per_file (context with room)", -ETIMEDOUT,
		   submit(fd, ctx_a, accel_bo_va(cmd), bos));
	ms = (now_ns() - t0) / 1000000;
	if (ms < 250)
		test_fail(
			"SUBMIT past max_jobs_per_file: expected to wait submit_wait_ms (300 ms), "
			"returned after %llu ms",
			(unsigned long long)ms);
	expect_int("SUBMIT past max_jobs_per_file (a context with no jobs)", -ETIMEDOUT,
		   submit(fd, ctx_c, accel_bo_va(cmd), bos));

	/* Another file is not held back. */
	dev2 = open_first_device();
	bo2 = alloc_mapped(dev2, 4096, &map);
	check_ok(dev2, accel_ctx_create(dev2, ACCEL_PRIORITY_NORMAL, &ctx2), "accel_ctx_create");
	accel_cmdbuf_destroy(cb);
	cb = new_cmdbuf();
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo2) + 64, 0x11);
	expect_u64("job of another file while this one is full", ACCEL_JOB_OK,
		   run_job(ctx2, dev2, cb, &bo2, 1, 5000));

	/* Once the fence signals, the jobs run and the file submits again. */
	sig.fence = attach.out_fence;
	if (drmIoctl(vfd, VGEM_IOCTL_FENCE_SIGNAL, &sig))
		test_fail("vgem FENCE_SIGNAL: %m");
	{
		struct drm_ares_bo_wait w = {.handle = bos[0],
					     .timeout_ns = (int64_t)now_ns() + 10000000000ll};

		expect_int("BO_WAIT for the held-back jobs", 0,
			   ioc(fd, DRM_IOCTL_ARES_BO_WAIT, &w));
		expect_u64("status of the held-back jobs", DRM_ARES_JOB_OK, w.status);
	}
	expect_int("SUBMIT once the jobs finished", 0, submit(fd, ctx_c, accel_bo_va(cmd), bos));

	accel_cmdbuf_destroy(cb);
	accel_ctx_destroy(ctx2);
	accel_bo_free(bo2);
	accel_device_close(dev2);
	close(dmabuf);
	accel_device_close(dev);
	close(vfd);
}

/* Each context, destroyed at once, leaves a failed (INVALID_CMD) job. */
static void bo_wait_records(void)
{
	accel_device *dev = open_first_device();
	int fd = accel_device_fd(dev);
	struct drm_ares_bo_wait w = {0};
	accel_bo *bo;
	uint32_t h, ctx;
	void *map;

	/* An all-zero command stream: a header of size 0 is INVALID_CMD. */
	bo = alloc_mapped(dev, 4096, &map);
	h = accel_bo_handle(bo);
	for (int i = 0; i < 300; i++) {
		uint32_t bos[2] = {h, h};
		struct drm_ares_submit s = {
			.cmd_va = accel_bo_va(bo), .cmd_size = 8, .bo_count = 1};

		if (ctx_create(fd, &ctx))
			test_fail("CTX_CREATE %d: %m", i);
		s.ctx_id = ctx;
		s.bo_handles = (uintptr_t)bos;
		if (ioc(fd, DRM_IOCTL_ARES_SUBMIT, &s))
			test_fail("SUBMIT %d: %m", i);
		expect_int("CTX_DESTROY", 0, ctx_destroy(fd, ctx));
	}
	w.handle = h;
	w.timeout_ns = (int64_t)now_ns() + 10000000000ll;
	expect_int("BO_WAIT after 300 contexts", 0, ioc(fd, DRM_IOCTL_ARES_BO_WAIT, &w));
	expect_u64("BO_WAIT status after 300 failed contexts", DRM_ARES_JOB_INVALID_CMD, w.status);
	accel_bo_free(bo);
	accel_device_close(dev);
}

int main(void)
{
	accel_device *dev, *other;
	int status;
	pid_t pid;

	test_init("file_limits");
	old_bos = param_get("max_bos_per_file", 16384);
	old_jobs = param_get("max_jobs_per_file", 2048);
	old_wait = param_get("submit_wait_ms", 10000);
	parent = getpid();
	atexit(restore_params);
	expect_int("default max_contexts_per_file", 128,
		   (int)param_get("max_contexts_per_file", 128));
	expect_int("default max_bos_per_file", 16384, (int)old_bos);
	expect_int("default max_jobs_per_file", 2048, (int)old_jobs);

	dev = open_first_device();
	other = open_first_device();
	for (int part = 0; part < 2; part++) {
		if (part == 1)
			param_set("max_bos_per_file", 256);
		pid = fork();
		if (pid < 0)
			test_fail("fork: %m");
		if (pid == 0) {
			if (setgid(65534) || setuid(65534))
				test_fail("setuid(65534): %m");
			if (part == 0)
				contexts(accel_device_fd(dev));
			else
				buffers(accel_device_fd(dev), accel_device_fd(other));
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid)
			test_fail("waitpid: %m");
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			test_fail("uid 65534, %s: expected exit 0, got status 0x%x",
				  part ? "buffers" : "contexts", status);
	}
	param_put("max_bos_per_file", old_bos);
	accel_device_close(other);
	accel_device_close(dev);

	jobs();
	bo_wait_records();
	test_pass();
}
