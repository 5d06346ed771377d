/* SPDX-License-Identifier: MIT */
/*
 * Processes killed with SIGKILL in the middle of their work leave nothing
 * behind: 8 rounds of 4 workers (uid 65534) that submit jobs on two
 * contexts, create, export and close buffers, wait and destroy contexts
 * as fast as they can, each killed at a random moment (seeded; the seed is
 * printed, ARES_KILL_SEED replays it). Afterwards the device runs a job,
 * every address-space slot the workers held is free again (64 opens
 * succeed), and ares/bo_mem_used is back where it started. The kernel log
 * must stay clean (vm-run.sh checks it).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

#define ROUNDS	8
#define WORKERS 4
#define BO_USED "/sys/class/accel/accel0/device/ares/bo_mem_used"

static uint64_t bo_used(void)
{
	unsigned long long v = 0;
	FILE *f = fopen(BO_USED, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static noreturn void worker(unsigned int seed)
{
	accel_device *dev = open_first_device();
	struct drm_ares_ctx_create cc = {.priority = DRM_ARES_PRIORITY_NORMAL};
	int fd = accel_device_fd(dev);
	uint32_t ctx[2], handles[2];
	accel_cmdbuf *cb = new_cmdbuf();
	accel_bo *cmd;
	void *map;

	if (setgid(65534) || setuid(65534))
		test_fail("setuid(65534): %m");
	srand(seed);
	accel_cmdbuf_nop(cb, 64);
	check_ok(dev, accel_bo_alloc(dev, 65536, 0, &cmd), "accel_bo_alloc");
	check_ok(dev, accel_bo_map(cmd, &map), "accel_bo_map");
	memcpy(map, accel_cmdbuf_data(cb), 64);
	for (int i = 0; i < 2; i++) {
		cc.ctx_id = 0;
		if (ioctl(fd, DRM_IOCTL_ARES_CTX_CREATE, &cc))
			test_fail("CTX_CREATE: %m");
		ctx[i] = cc.ctx_id;
	}
	handles[0] = accel_bo_handle(cmd);
	for (;;) {
		struct drm_ares_bo_create bc = {.size = 4096u << (rand() % 6)};
		struct drm_ares_submit s = {.cmd_va = accel_bo_va(cmd),
					    .cmd_size = 64,
					    .bo_handles = (uintptr_t)handles};
		int k = rand() % 2;

		s.ctx_id = ctx[k];
		s.bo_count = 1;
		if (!ioctl(fd, DRM_IOCTL_ARES_BO_CREATE, &bc)) {
			int dmabuf;

			handles[1] = bc.handle;
			s.bo_count = 2;
			if (rand() % 2 && !drmPrimeHandleToFD(fd, bc.handle, DRM_CLOEXEC, &dmabuf))
				close(dmabuf);
		}
		for (int j = 0; j < 4; j++)
			ioctl(fd, DRM_IOCTL_ARES_SUBMIT, &s);
		if (s.bo_count == 2)
			drmCloseBufferHandle(fd, handles[1]);
		if (rand() % 16 == 0) {
			struct drm_ares_bo_wait w = {.handle = handles[0],
						     .timeout_ns = (int64_t)now_ns() + 100000000};
			struct drm_ares_ctx_destroy d = {.ctx_id = ctx[k]};

			ioctl(fd, DRM_IOCTL_ARES_BO_WAIT, &w);
			ioctl(fd, DRM_IOCTL_ARES_CTX_DESTROY, &d);
			cc.ctx_id = 0;
			if (!ioctl(fd, DRM_IOCTL_ARES_CTX_CREATE, &cc))
				ctx[k] = cc.ctx_id;
		}
	}
}

int main(void)
{
	const char *seed_env = getenv("ARES_KILL_SEED");
	accel_device *devs[64];
	accel_cmdbuf *cb;
	uint64_t used0;
	unsigned int seed;
	accel_ctx *ctx;
	accel_bo *bo;
	void *map;

	test_init("kill_races");
	seed = seed_env ? (unsigned int)strtoul(seed_env, NULL, 0) : (unsigned int)now_ns();
	printf("seed %u (ARES_KILL_SEED replays it)\n", seed);
	srand(seed);
	used0 = bo_used();

	for (int r = 0; r < ROUNDS; r++) {
		pid_t pids[WORKERS];

		for (int w = 0; w < WORKERS; w++) {
			unsigned int ws = (unsigned int)rand();

			pids[w] = fork();
			if (pids[w] < 0)
				test_fail("fork: %m");
			if (pids[w] == 0)
				worker(ws);
		}
		for (int w = 0; w < WORKERS; w++) {
			int st;

			usleep(20000 + (useconds_t)(rand() % 60000));
			kill(pids[w], SIGKILL);
			if (waitpid(pids[w], &st, 0) != pids[w])
				test_fail("waitpid: %m");
			if (!WIFSIGNALED(st))
				test_fail(
					"worker %d of round %d: expected to be killed, exited with "
					"status 0x%x",
					w, r, st);
		}
	}

	/*
	 * Every slot is free again: 64 files open at once (the device's 64).
	 * A killed file's slot is released once its last job has finished,
	 * which may be a moment after the kill: retry for up to 2 s.
	 */
	for (int i = 0, tries = 0; i < 64;) {
		char err[256];

		if (!accel_device_open_index(0, &devs[i], err, sizeof(err))) {
			i++;
			continue;
		}
		if (++tries > 100)
			test_fail("open %d of 64 after the kills (2 s of retries): %s", i + 1, err);
		usleep(20000);
	}
	for (int i = 0; i < 64; i++)
		accel_device_close(devs[i]);

	cb = new_cmdbuf();
	devs[0] = open_first_device();
	bo = alloc_mapped(devs[0], 4096, &map);
	check_ok(devs[0], accel_ctx_create(devs[0], ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 64, 0xdead);
	expect_u64("job after the kills", ACCEL_JOB_OK, run_job(ctx, devs[0], cb, &bo, 1, 10000));
	accel_cmdbuf_destroy(cb);
	accel_ctx_destroy(ctx);
	accel_bo_free(bo);
	accel_device_close(devs[0]);
	for (int i = 0; i < 100 && bo_used() != used0; i++)
		usleep(20000);
	expect_u64("ares/bo_mem_used after the kills", used0, bo_used());
	test_pass();
}
