/* SPDX-License-Identifier: MIT */
/*
 * No buffer may be larger than DRM_ARES_MAX_BO_SIZE: BO_CREATE and
 * BO_USERPTR refuse a larger size with -E2BIG before allocating anything,
 * for an unprivileged user with RLIMIT_MEMLOCK unlimited too (a userptr of
 * 1 TiB + 4 KiB of MAP_NORESERVE memory used to hit a kernel WARNING in
 * kvmalloc). The file still works afterwards and nothing was created.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

#define TIB (1ull << 40)

static int fd, failures;

static void expect(const char *what, int want, int got)
{
	if (want == got)
		return;
	printf("  %s: expected %d (%s), got %d (%s)\n", what, want, accel_strerror(want), got,
	       accel_strerror(got));
	failures++;
}

static int bo_create(uint64_t size)
{
	struct drm_ares_bo_create c = {.size = size};

	if (ioctl(fd, DRM_IOCTL_ARES_BO_CREATE, &c))
		return -errno;
	drmCloseBufferHandle(fd, c.handle);
	return 0;
}

static int userptr(uint64_t addr, uint64_t size)
{
	struct drm_ares_bo_userptr u = {.addr = addr, .size = size};

	if (ioctl(fd, DRM_IOCTL_ARES_BO_USERPTR, &u))
		return -errno;
	drmCloseBufferHandle(fd, u.handle);
	return 0;
}

static void cases(const char *who)
{
	uint64_t huge = TIB + 4096;
	char what[160];
	void *mem;

	mem = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (mem == MAP_FAILED)
		test_fail("%s: mmap of 1 TiB + 4 KiB MAP_NORESERVE: %m", who);
	snprintf(what, sizeof(what), "%s: BO_USERPTR of 1 TiB + 4 KiB", who);
	expect(what, -E2BIG, userptr((uintptr_t)mem, huge));
	snprintf(what, sizeof(what), "%s: BO_USERPTR of DRM_ARES_MAX_BO_SIZE + 4 KiB", who);
	expect(what, -E2BIG, userptr((uintptr_t)mem, DRM_ARES_MAX_BO_SIZE + 4096));
	snprintf(what, sizeof(what), "%s: BO_USERPTR of 64 KiB of it", who);
	expect(what, 0, userptr((uintptr_t)mem, 65536));
	munmap(mem, huge);

	snprintf(what, sizeof(what), "%s: BO_CREATE of 1 TiB + 4 KiB", who);
	expect(what, -E2BIG, bo_create(huge));
	snprintf(what, sizeof(what), "%s: BO_CREATE of DRM_ARES_MAX_BO_SIZE + 1", who);
	expect(what, -E2BIG, bo_create(DRM_ARES_MAX_BO_SIZE + 1));
	snprintf(what, sizeof(what), "%s: BO_CREATE of 2^64 - 1 bytes", who);
	expect(what, -E2BIG, bo_create(~0ull));
	snprintf(what, sizeof(what), "%s: BO_CREATE of 4 KiB afterwards", who);
	expect(what, 0, bo_create(4096));
}

int main(void)
{
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
	accel_device *dev;
	int status;
	pid_t pid;

	test_init("bo_max_size");
	dev = open_first_device();
	fd = accel_device_fd(dev);
	cases("root");

	pid = fork();
	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0) {
		if (setrlimit(RLIMIT_MEMLOCK, &unlimited))
			test_fail("setrlimit RLIMIT_MEMLOCK unlimited: %m");
		if (setgid(65534) || setuid(65534))
			test_fail("setuid(65534): %m");
		cases("uid 65534, RLIMIT_MEMLOCK unlimited");
		_exit(failures ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		test_fail("waitpid: %m");
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		failures++;

	accel_device_close(dev);
	if (failures)
		test_fail("%d size checks failed (listed above)", failures);
	test_pass();
}
