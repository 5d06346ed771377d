/* SPDX-License-Identifier: MIT */
/*
 * BO_CREATE memory is budgeted (docs/uapi.md, "Limits"), with the default
 * budgets (a quarter of RAM per file, half per device):
 *  - a process (uid 65534) creating 4 MiB buffers in a loop gets -ENOSPC
 *    at its file's budget; a second one at the device's budget; a third
 *    gets -ENOSPC at once; the guest keeps its memory (MemAvailable above
 *    a floor, no OOM kill) and another process still runs a job (over a
 *    userptr buffer, which the budget does not cover);
 *  - the sysfs figures (ares/bo_mem_used, bo_mem_limit) follow, and
 *    freeing the buffers gives the budget back;
 *  - the pages of a buffer are charged to the creating task's memory
 *    cgroup (checked with cgroup v2 when it can be mounted).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xf86drm.h>
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

#define MIB   (1ull << 20)
#define CHUNK (4 * MIB)
#define SYSFS "/sys/class/accel/accel0/device/ares/"

/* The number after @key (or the first line) of @path; @dflt if no file. */
static uint64_t read_num(const char *path, const char *key, uint64_t dflt)
{
	char line[256];
	uint64_t v = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("  no %s: assuming %llu\n", path, (unsigned long long)dflt);
		return dflt;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = strtoull(line, NULL, 10);
			break;
		}
		if (!strncmp(line, key, strlen(key))) {
			v = strtoull(line + strlen(key), NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static int bo_create(int fd, uint64_t size, uint32_t *handle)
{
	struct drm_ares_bo_create c = {.size = size};

	if (ioctl(fd, DRM_IOCTL_ARES_BO_CREATE, &c))
		return -errno;
	*handle = c.handle;
	return 0;
}

/*
 * A hog: as uid 65534, creates CHUNK buffers until BO_CREATE fails, writes
 * the errno and the bytes it holds to @out, then holds them until killed.
 */
static pid_t start_hog(int out)
{
	accel_device *dev = open_first_device();
	pid_t pid = fork();

	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0) {
		int64_t res[2] = {0, 0};
		uint32_t h;
		int ret;

		if (setgid(65534) || setuid(65534))
			test_fail("setuid(65534): %m");
		while (!(ret = bo_create(accel_device_fd(dev), CHUNK, &h)))
			res[1] += CHUNK;
		res[0] = ret;
		if (write(out, res, sizeof(res)) != sizeof(res))
			_exit(1);
		pause();
		_exit(0);
	}
	accel_device_close(dev);
	return pid;
}

static void wait_hog(int in, int64_t *err, uint64_t *bytes)
{
	int64_t res[2];

	if (read(in, res, sizeof(res)) != sizeof(res))
		test_fail("hog: expected its result, got none (killed?)");
	*err = res[0];
	*bytes = (uint64_t)res[1];
}

static void stop_hog(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* Another process runs a job over user memory while the budget is full. */
static void job_still_runs(void)
{
	accel_device *dev = open_first_device();
	accel_cmdbuf *cb = new_cmdbuf();
	uint64_t *mem;
	accel_ctx *ctx;
	accel_bo *bo;

	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		test_fail("mmap: %m");
	mem[8] = 0;
	check_ok(dev, accel_bo_userptr(dev, mem, 4096, 0, &bo), "accel_bo_userptr (budget full)");
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo) + 64, 0xb0d9e7);
	expect_u64("job while the BO budget is full", ACCEL_JOB_OK,
		   run_job(ctx, dev, cb, &bo, 1, 10000));
	expect_u64("value the job wrote", 0xb0d9e7, ((volatile uint64_t *)mem)[8]);
	accel_cmdbuf_destroy(cb);
	accel_ctx_destroy(ctx);
	accel_bo_free(bo);
	accel_device_close(dev);
	munmap(mem, 4096);
}

/* Pages of a new buffer are charged to the creator's memory cgroup. */
static void memcg_charge(void)
{
	const char *cg = "/sys/fs/cgroup/ares-bo-budget";
	char path[256], buf[32];
	uint64_t before, after;
	accel_device *dev;
	uint32_t h;
	int fd;

	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) &&
	    mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL)) {
		printf("  cgroup v2 not mountable (%m): memcg check skipped\n");
		return;
	}
	fd = open("/sys/fs/cgroup/cgroup.subtree_control", O_WRONLY);
	if (fd < 0 || write(fd, "+memory", 7) != 7) {
		printf("  cannot enable the memory controller (%m): memcg check skipped\n");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	if (mkdir(cg, 0755) && errno != EEXIST)
		test_fail("mkdir %s: %m", cg);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY);
	snprintf(buf, sizeof(buf), "%d", getpid());
	if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
		test_fail("move into %s: %m", cg);
	close(fd);

	dev = open_first_device();
	snprintf(path, sizeof(path), "%s/memory.current", cg);
	before = read_num(path, NULL, 0);
	expect_int("BO_CREATE of 16 MiB in the cgroup", 0,
		   bo_create(accel_device_fd(dev), 16 * MIB, &h));
	after = read_num(path, NULL, 0);
	if (after < before + 16 * MIB)
		test_fail("memory.current of the creator's cgroup: expected to grow by at least "
			  "16 MiB, grew by %lld bytes",
			  (long long)(after - before));
	accel_device_close(dev);

	fd = open("/sys/fs/cgroup/cgroup.procs", O_WRONLY);
	if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
		test_fail("move back to the root cgroup: %m");
	close(fd);
	rmdir(cg);
}

int main(void)
{
	uint64_t limit, file_limit, ram, bytes_a, bytes_b, bytes_c, avail, ooms;
	int64_t err_a, err_b, err_c;
	int p[2];
	pid_t a, b, c;

	test_init("bo_budget");
	if (pipe(p))
		test_fail("pipe: %m");
	ram = read_num("/proc/meminfo", "MemTotal:", 0) * 1024;
	limit = read_num(SYSFS "bo_mem_limit", NULL, ram / 2);
	file_limit = ram / 4;
	if (limit < ram / 2 - 16 * MIB || limit > ram / 2 + 16 * MIB)
		test_fail("bo_mem_limit: expected half of MemTotal (%llu), got %llu",
			  (unsigned long long)(ram / 2), (unsigned long long)limit);
	expect_u64("bo_mem_used before", 0, read_num(SYSFS "bo_mem_used", NULL, 0));
	ooms = read_num("/proc/vmstat", "oom_kill ", 0);

	a = start_hog(p[1]);
	wait_hog(p[0], &err_a, &bytes_a);
	expect_int("first hog: errno at its file's budget", -ENOSPC, (int)err_a);
	if (bytes_a + CHUNK <= file_limit - 16 * MIB || bytes_a > file_limit + 16 * MIB)
		test_fail("first hog: expected about a quarter of RAM (%llu bytes), got %llu",
			  (unsigned long long)file_limit, (unsigned long long)bytes_a);
	b = start_hog(p[1]);
	wait_hog(p[0], &err_b, &bytes_b);
	expect_int("second hog: errno at the budget", -ENOSPC, (int)err_b);
	c = start_hog(p[1]);
	wait_hog(p[0], &err_c, &bytes_c);
	expect_int("third hog: errno (device budget full)", -ENOSPC, (int)err_c);
	if (bytes_a + bytes_b + bytes_c > limit || bytes_a + bytes_b + bytes_c + CHUNK <= limit)
		test_fail("hogs hold %llu bytes in all: expected the device budget %llu within "
			  "4 MiB",
			  (unsigned long long)(bytes_a + bytes_b + bytes_c),
			  (unsigned long long)limit);
	expect_u64("bo_mem_used with the budget full", bytes_a + bytes_b + bytes_c,
		   read_num(SYSFS "bo_mem_used", NULL, 0));
	avail = read_num("/proc/meminfo", "MemAvailable:", 0) * 1024;
	if (avail < 96 * MIB)
		test_fail("MemAvailable with the budget full: expected at least 96 MiB, got %llu",
			  (unsigned long long)avail);
	job_still_runs();

	stop_hog(a);
	stop_hog(b);
	stop_hog(c);
	expect_u64("bo_mem_used once the hogs are gone", 0, read_num(SYSFS "bo_mem_used", NULL, 0));
	expect_u64("OOM kills during the test", ooms, read_num("/proc/vmstat", "oom_kill ", 0));

	/* The budget is back: a new hog gets a whole file's worth again. */
	a = start_hog(p[1]);
	wait_hog(p[0], &err_a, &bytes_c);
	expect_u64("hog after freeing: bytes (as much as the first)", bytes_a, bytes_c);
	stop_hog(a);

	memcg_charge();
	test_pass();
}
