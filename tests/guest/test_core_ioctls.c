/* SPDX-License-Identifier: MIT */
/*
 * The accel node accepts only the DRM core ioctls an accel client needs
 * (docs/uapi.md, "DRM core ioctls"): every other core nr, 0x00..0x3f and
 * 0xa0..0xff, called with a zeroed argument of each plausible size and
 * direction, fails with -ENOTTY, as root and as uid 65534, and the kernel
 * stays up (GET_UNIQUE and GET_MAGIC used to oops it). Allow-listed ones
 * may succeed or fail, but must not crash. Afterwards the file still works.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

/* Must match ares_core_ioctl_allowed() in kmod/ares_drv.c. */
static const unsigned int allowed[] = {
	0x00,					  /* VERSION */
	0x09,					  /* GEM_CLOSE */
	0x0c,					  /* GET_CAP */
	0x2d,					  /* PRIME_HANDLE_TO_FD */
	0x2e,					  /* PRIME_FD_TO_HANDLE */
	0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, /* SYNCOBJ_CREATE..SIGNAL */
	0xca, 0xcb, 0xcc, 0xcd, /* SYNCOBJ_TIMELINE_WAIT, QUERY, TRANSFER, TIMELINE_SIGNAL */
	0xcf,			/* SYNCOBJ_EVENTFD */
};

static const unsigned int sizes[] = {0, 4, 8, 16, 24, 32, 64, 128, 256, 1024};
static const unsigned int dirs[] = {_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE};

static int is_allowed(unsigned int nr)
{
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i] == nr)
			return 1;
	return 0;
}

/* Returns the number of refused nrs that did not fail with -ENOTTY. */
static int sweep(int fd, const char *who)
{
	static unsigned char arg[4096];
	int bad = 0;

	for (unsigned int nr = 0; nr < 0x100; nr++) {
		if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END)
			continue;
		for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++)
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				unsigned long req = _IOC(dirs[d], DRM_IOCTL_BASE, nr, sizes[s]);
				int ret;

				memset(arg, 0, sizeof(arg));
				ret = ioctl(fd, req, arg) ? -errno : 0;
				if (is_allowed(nr) || ret == -ENOTTY)
					continue;
				printf("  %s: core ioctl nr 0x%02x dir %u size %u: expected %d "
				       "(%s), "
				       "got %d (%s)\n",
				       who, nr, dirs[d], sizes[s], -ENOTTY, accel_strerror(-ENOTTY),
				       ret, accel_strerror(ret));
				bad++;
			}
	}
	return bad;
}

static int named_checks(int fd, const char *who)
{
	struct drm_gem_flink flink = {0};
	struct drm_gem_open gopen = {0};
	struct drm_get_cap cap = {.capability = DRM_CAP_SYNCOBJ};
	drmVersionPtr ver;
	int bad = 0;

#define EXPECT(what, want, expr)                                                                   \
	do {                                                                                       \
		int got_ = (expr) ? -errno : 0;                                                    \
		if (got_ != (want)) {                                                              \
			printf("  %s: %s: expected %d (%s), got %d (%s)\n", who, what, want,       \
			       accel_strerror(want), got_, accel_strerror(got_));                  \
			bad++;                                                                     \
		}                                                                                  \
	} while (0)

	EXPECT("GEM_FLINK (global names refused)", -ENOTTY, ioctl(fd, DRM_IOCTL_GEM_FLINK, &flink));
	EXPECT("GEM_OPEN (global names refused)", -ENOTTY, ioctl(fd, DRM_IOCTL_GEM_OPEN, &gopen));
	EXPECT("GET_UNIQUE", -ENOTTY, ioctl(fd, DRM_IOCTL_GET_UNIQUE, &(struct drm_unique){0}));
	EXPECT("GET_MAGIC", -ENOTTY, ioctl(fd, DRM_IOCTL_GET_MAGIC, &(struct drm_auth){0}));
	EXPECT("SET_MASTER", -ENOTTY, ioctl(fd, DRM_IOCTL_SET_MASTER, NULL));
	EXPECT("GET_CAP SYNCOBJ", 0, ioctl(fd, DRM_IOCTL_GET_CAP, &cap));
	if (cap.value != 1) {
		printf("  %s: GET_CAP SYNCOBJ: expected value 1, got %llu\n", who,
		       (unsigned long long)cap.value);
		bad++;
	}
	ver = drmGetVersion(fd);
	if (!ver || strcmp(ver->name, "ares")) {
		printf("  %s: drmGetVersion: expected name ares, got %s\n", who,
		       ver ? ver->name : "(failed)");
		bad++;
	}
	drmFreeVersion(ver);
#undef EXPECT
	return bad;
}

/* A job still runs on the file after the sweep. */
static void check_still_works(accel_device *dev, const char *who)
{
	accel_cmdbuf *cb = new_cmdbuf();
	accel_ctx *ctx;
	accel_bo *bo;
	void *map;

	bo = alloc_mapped(dev, 4096, &map);
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 64, 0x5eed);
	expect_u64("job status after the sweep", ACCEL_JOB_OK, run_job(ctx, dev, cb, &bo, 1, 5000));
	if (((volatile uint64_t *)map)[8] != 0x5eed)
		test_fail("%s: job after the sweep: expected 0x5eed written, got 0x%llx", who,
			  (unsigned long long)((volatile uint64_t *)map)[8]);
	accel_cmdbuf_destroy(cb);
	accel_ctx_destroy(ctx);
	accel_bo_free(bo);
}

int main(void)
{
	accel_device *dev;
	int bad, status;
	pid_t pid;

	test_init("core_ioctls");
	dev = open_first_device();

	bad = sweep(accel_device_fd(dev), "root") + named_checks(accel_device_fd(dev), "root");

	pid = fork();
	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0) {
		accel_device *udev = open_first_device();
		int ubad;

		if (setgid(65534) || setuid(65534))
			test_fail("setuid(65534): %m");
		ubad = sweep(accel_device_fd(udev), "uid 65534") +
		       named_checks(accel_device_fd(udev), "uid 65534");
		check_still_works(udev, "uid 65534");
		accel_device_close(udev);
		_exit(ubad ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		test_fail("waitpid: %m");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		bad++;

	check_still_works(dev, "root");
	accel_device_close(dev);
	if (bad)
		test_fail("%d core ioctl checks failed (listed above)", bad);
	test_pass();
}
