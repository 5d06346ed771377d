/* SPDX-License-Identifier: MIT */
/*
 * Every debugfs fault-injection knob ends in a recovery the driver reports
 * truthfully, after which an innocent process's jobs run:
 *  - drop_irqs: a job whose completion interrupt is lost still completes,
 *    without a reset;
 *  - hang_queue: the hanging job fails with TIMEOUT, its context is banned
 *    (-ECANCELED), the device resets;
 *  - crash_fw: the firmware crashes with no job pending, the device resets;
 *  - crash_fw with the FATAL interrupt dropped: only the heartbeat watchdog
 *    notices (sysfs heartbeat_timeouts grows);
 *  - reset: a forced reset.
 * Each reset leaves a devcoredump naming the reason.
 * Needs the driver loaded with fault_injection=1 and job_timeout_ms=1000.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_util.h"

static struct accel_device_entry ent;
static char dbg_dir[256], sys_dir[256];

static void knob(const char *name, const char *val)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/%s", dbg_dir, name);
	write_file(path, val);
}

/* Waits up to 30 s for sysfs @name to exceed @than. */
static void wait_sysfs_above(const char *name, unsigned long long than, const char *why)
{
	for (int i = 0; i < 300; i++) {
		if (read_u64_at(sys_dir, name) > than)
			return;
		usleep(100000);
	}
	/* The device's own account of itself, for whoever reads the failure. */
	char path[320], line[256];
	snprintf(path, sizeof(path), "%s/status", dbg_dir);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "debugfs status: %s", line);
	if (f)
		fclose(f);
	test_fail("%s: expected sysfs %s > %llu within 30 s, got %llu", why, name, than,
		  read_u64_at(sys_dir, name));
}

/* Path of the devcoredump of our device, or "" if there is none. */
static void find_coredump(char *out, size_t len)
{
	DIR *d = opendir("/sys/class/devcoredump");
	struct dirent *de;

	out[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d))) {
		char link[PATH_MAX], target[PATH_MAX];
		ssize_t n;

		if (strncmp(de->d_name, "devcd", 5))
			continue;
		snprintf(link, sizeof(link), "/sys/class/devcoredump/%s/failing_device",
			 de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (strstr(target, ent.pci_address)) {
			snprintf(out, len, "/sys/class/devcoredump/%s/data", de->d_name);
			break;
		}
	}
	closedir(d);
}

/*
 * Frees the devcoredump at @path. The kernel deletes it from a work item,
 * so wait until it is gone: a scan meanwhile would find it again, and a
 * write to it then fails with ENOENT.
 */
static void dismiss_coredump(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs("1", f);
		fclose(f);
	} else if (errno != ENOENT) {
		test_fail("open %s for writing: expected success, got %m", path);
	}
	for (int i = 0; i < 500 && access(path, F_OK) == 0; i++)
		usleep(10000);
	if (access(path, F_OK) == 0)
		test_fail("%s: expected it gone within 5 s of writing to it", path);
}

/* Checks the devcoredump names @reason, then frees it for the next one. */
static void check_coredump(const char *reason)
{
	char path[PATH_MAX], line[512], want[128];
	int header = 0, found = 0, registers = 0;
	FILE *f;

	find_coredump(path, sizeof(path));
	if (!path[0])
		test_fail("after a '%s' recovery: expected a devcoredump of %s, found none", reason,
			  ent.pci_address);
	f = fopen(path, "r");
	if (!f)
		test_fail("open %s: %m", path);
	snprintf(want, sizeof(want), "reason: %s\n", reason);
	while (fgets(line, sizeof(line), f)) {
		header |= !strcmp(line, "ares devcoredump format 1\n");
		found |= !strcmp(line, want);
		registers |= !strncmp(line, "HEARTBEAT ", 10);
	}
	fclose(f);
	if (!header || !found || !registers)
		test_fail("devcoredump %s: expected the format line, 'reason: %s' and a HEARTBEAT "
			  "register line, got format %d reason %d registers %d",
			  path, reason, header, found, registers);
	dismiss_coredump(path);
}

static void drop_stale_coredumps(void)
{
	char path[PATH_MAX];

	for (int i = 0; i < 8; i++) {
		find_coredump(path, sizeof(path));
		if (!path[0])
			return;
		dismiss_coredump(path);
	}
}

/* In a new process with its own file: a job on @prio succeeds. */
static void innocent_job(int prio, const char *after)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		test_fail("fork: %m");
	if (pid == 0) {
		accel_device *dev = open_first_device();
		accel_cmdbuf *cb = new_cmdbuf();
		accel_ctx *ctx;
		accel_bo *bo;
		uint64_t *p;
		void *map;

		check_ok(dev, accel_ctx_create(dev, (uint32_t)prio, &ctx), "innocent ctx_create");
		bo = alloc_mapped(dev, 4096, &map);
		p = map;
		accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 0xfeed);
		if (run_job(ctx, dev, cb, &bo, 1, 20000) != ACCEL_JOB_OK || p[0] != 0xfeed)
			test_fail("innocent process's job after %s: expected OK and 0xfeed, got %s "
				  "and 0x%llx",
				  after, "not OK", (unsigned long long)p[0]);
		accel_device_close(dev);
		exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		test_fail("innocent process after %s: expected exit 0, got status 0x%x", after, st);
}

static void test_drop_irqs(accel_device *dev)
{
	unsigned long long resets = read_u64_at(sys_dir, "reset_count");
	accel_cmdbuf *cb = new_cmdbuf();
	accel_ctx *ctx;
	accel_bo *bo;
	void *map;

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "ctx_create");
	bo = alloc_mapped(dev, 4096, &map);
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 7);
	knob("drop_irqs", "1");
	if (run_job(ctx, dev, cb, &bo, 1, 20000) != ACCEL_JOB_OK || *(uint64_t *)map != 7)
		test_fail("drop_irqs: expected the job to complete OK without its interrupt");
	expect_u64("drop_irqs: reset_count (a lost interrupt needs no reset)", resets,
		   read_u64_at(sys_dir, "reset_count"));
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	printf("ok drop_irqs\n");
}

static void test_hang_queue(accel_device *dev)
{
	unsigned long long resets = read_u64_at(sys_dir, "reset_count");
	accel_cmdbuf *cb = new_cmdbuf();
	accel_job *job, *job2 = NULL;
	accel_ctx *ctx;
	accel_bo *bo;
	uint32_t status;
	void *map;

	/* Low priority runs on queues 0 and 1: hang both. */
	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_LOW, &ctx), "ctx_create LOW");
	bo = alloc_mapped(dev, 4096, &map);
	knob("hang_queue", "0");
	knob("hang_queue", "1");
	accel_cmdbuf_fence_write(cb, accel_bo_va(bo), 1);
	check_ok(dev, accel_submit_cmdbuf(ctx, cb, &bo, 1, &job), "submit of the hanging job");
	check_ok(dev, accel_job_wait(job, 30ll * 1000000000), "wait for the hanging job (30 s)");
	check_ok(dev, accel_job_status(job, &status), "accel_job_status");
	if (status != ACCEL_JOB_TIMEOUT)
		test_fail("hang_queue: guilty job status: expected TIMEOUT, got %s",
			  accel_job_status_name(status));
	accel_job_destroy(job);
	expect_int("hang_queue: submit on the guilty (banned) context", -ECANCELED,
		   accel_submit_cmdbuf(ctx, cb, &bo, 1, &job2));
	wait_sysfs_above("reset_count", resets, "hang_queue");
	check_coredump("job timeout");
	innocent_job(ACCEL_PRIORITY_LOW, "hang_queue");
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	printf("ok hang_queue\n");
}

static void test_crash_fw(void)
{
	unsigned long long resets = read_u64_at(sys_dir, "reset_count");

	knob("crash_fw", "1");
	wait_sysfs_above("reset_count", resets, "crash_fw");
	check_coredump("firmware crashed");
	innocent_job(ACCEL_PRIORITY_NORMAL, "crash_fw");
	printf("ok crash_fw\n");
}

static void test_heartbeat(void)
{
	const char *param = "/sys/module/ares/parameters/heartbeat_ms";
	/* reset_count first: a recovery counts its reset before its cause. */
	unsigned long long resets = read_u64_at(sys_dir, "reset_count");
	unsigned long long hb = read_u64_at(sys_dir, "heartbeat_timeouts");
	char old[32] = "2000";
	FILE *f = fopen(param, "r");

	if (f) {
		if (!fgets(old, sizeof(old), f))
			snprintf(old, sizeof(old), "2000");
		fclose(f);
	}
	write_file(param, "300");
	/*
	 * The FATAL interrupt is lost: nothing but the watchdog can notice.
	 * More than one dropped, because the earlier tests' buffers may still
	 * be unmapping, and a TLB invalidate's acknowledgement could take a
	 * single drop (the driver polls for those); the reset clears the rest.
	 */
	knob("drop_irqs", "64");
	knob("crash_fw", "1");
	wait_sysfs_above("heartbeat_timeouts", hb, "crash_fw with its interrupt dropped");
	wait_sysfs_above("reset_count", resets, "heartbeat recovery");
	write_file(param, old);
	check_coredump("heartbeat");
	innocent_job(ACCEL_PRIORITY_NORMAL, "a heartbeat timeout");
	printf("ok heartbeat\n");
}

static void test_reset(void)
{
	unsigned long long resets = read_u64_at(sys_dir, "reset_count");

	knob("reset", "1");
	expect_u64("reset: reset_count right after the write returned", resets + 1,
		   read_u64_at(sys_dir, "reset_count"));
	check_coredump("debug");
	innocent_job(ACCEL_PRIORITY_HIGH, "a forced reset");
	printf("ok reset\n");
}

int main(void)
{
	accel_device *dev;
	struct stat st;
	size_t n;

	test_init("fault_knobs");
	if (accel_enumerate(&ent, 1, &n) || n == 0)
		test_fail("accel_enumerate: expected at least one device");
	snprintf(sys_dir, sizeof(sys_dir), "/sys/class/accel/accel%u/device/ares", ent.index);
	if (stat("/sys/kernel/debug/accel", &st) &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		test_skip("debugfs is not mounted and cannot be: %m");
	snprintf(dbg_dir, sizeof(dbg_dir), "/sys/kernel/debug/accel/%s", ent.pci_address);
	if (stat(dbg_dir, &st))
		test_fail("expected the driver's debugfs folder %s, got %m", dbg_dir);
	{
		FILE *f = fopen("/sys/module/ares/parameters/fault_injection", "r");
		int c = f ? fgetc(f) : 'N';

		if (f)
			fclose(f);
		if (c != 'Y')
			test_skip("load ares with fault_injection=1");
	}
	drop_stale_coredumps();
	dev = open_first_device();
	test_drop_irqs(dev);
	test_hang_queue(dev);
	test_crash_fw();
	test_heartbeat();
	test_reset();
	accel_device_close(dev);
	test_pass();
}
