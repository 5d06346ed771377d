/* SPDX-License-Identifier: MIT */
/*
 * Usage statistics move with real work: after a job, the file's DRM fdinfo
 * (drm-driver, drm-client-id, drm-engine-<priority>, drm-total-memory,
 * ares-jobs-<priority>) and the device's sysfs counters (busy_ns,
 * jobs_completed, queue_busy_ns) have grown, and the sysfs identity files
 * hold what DEVICE_INFO reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_util.h"

#define FILL_SIZE (1u << 20)

static char fdinfo_path[64];
static char sysfs_dir[256];

/* Value of "key:\t<number>[ unit]" in the file's fdinfo; -1 if absent. */
static long long fdinfo_value(const char *key, char *unit, size_t unit_len)
{
	char line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *f = fopen(fdinfo_path, "r");

	if (!f)
		test_fail("open %s: expected success, got %m", fdinfo_path);
	while (fgets(line, sizeof(line), f)) {
		char u[32] = "";

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		if (sscanf(line + klen + 1, "%lld %31s", &v, u) < 1)
			test_fail("fdinfo line '%s': expected a number after the key", line);
		if (unit)
			snprintf(unit, unit_len, "%s", u);
		break;
	}
	fclose(f);
	return v;
}

static int fdinfo_has(const char *key, const char *want)
{
	char line[256];
	int found = 0;
	FILE *f = fopen(fdinfo_path, "r");

	if (!f)
		test_fail("open %s: expected success, got %m", fdinfo_path);
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			found = !want || strstr(line + strlen(key) + 1, want) != NULL;
	}
	fclose(f);
	return found;
}

static void sysfs_str(const char *name, char *buf, size_t len)
{
	char path[320];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, name);
	f = fopen(path, "r");
	if (!f || !fgets(buf, (int)len, f))
		test_fail("read %s: expected one line, got %m", path);
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static unsigned long long queue_busy_total(void)
{
	char buf[512], *p = buf, *end;
	unsigned long long sum = 0;
	int n = 0;

	sysfs_str("queue_busy_ns", buf, sizeof(buf));
	for (;;) {
		unsigned long long v = strtoull(p, &end, 10);

		if (end == p)
			break;
		sum += v;
		n++;
		p = end;
	}
	if (n != 8)
		test_fail("queue_busy_ns: expected 8 numbers (one per hardware queue), got %d in "
			  "'%s'",
			  n, buf);
	return sum;
}

int main(void)
{
	unsigned long long busy0, jobs0, qbusy0;
	struct accel_device_info info;
	struct accel_device_entry e;
	long long eng0, eng1, mem;
	char unit[32], buf[64], want[64];
	accel_cmdbuf *cb;
	accel_device *dev;
	accel_ctx *ctx;
	accel_bo *bo;
	uint32_t status;
	size_t n;
	void *map;

	test_init("usage_stats");
	if (accel_enumerate(&e, 1, &n) || n == 0)
		test_fail("accel_enumerate: expected at least one device");
	snprintf(sysfs_dir, sizeof(sysfs_dir), "/sys/class/accel/accel%u/device/ares", e.index);
	dev = open_first_device();
	snprintf(fdinfo_path, sizeof(fdinfo_path), "/proc/self/fdinfo/%d", accel_device_fd(dev));

	if (!fdinfo_has("drm-driver", "ares"))
		test_fail("%s: expected 'drm-driver: ares'", fdinfo_path);
	if (fdinfo_value("drm-client-id", NULL, 0) < 0)
		test_fail("%s: expected a drm-client-id line", fdinfo_path);
	if (!fdinfo_has("drm-pdev", e.pci_address))
		test_fail("%s: expected 'drm-pdev: %s'", fdinfo_path, e.pci_address);
	eng0 = fdinfo_value("drm-engine-normal", unit, sizeof(unit));
	if (eng0 != 0 || strcmp(unit, "ns"))
		test_fail("drm-engine-normal of a fresh file: expected '0 ns', got %lld '%s'", eng0,
			  unit);
	expect_u64("ares-jobs-normal of a fresh file", 0,
		   (uint64_t)fdinfo_value("ares-jobs-normal", NULL, 0));

	check_ok(dev, accel_device_query_info(dev, &info), "accel_device_query_info");
	sysfs_str("hw_version", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%u.%u.%u", info.hw_version >> 16,
		 (info.hw_version >> 8) & 0xff, info.hw_version & 0xff);
	if (strcmp(buf, want))
		test_fail("sysfs hw_version: expected '%s' (DEVICE_INFO), got '%s'", want, buf);
	sysfs_str("fw_version", buf, sizeof(buf));
	snprintf(want, sizeof(want), "%u.%u.%u", info.fw_version >> 16,
		 (info.fw_version >> 8) & 0xff, info.fw_version & 0xff);
	if (strcmp(buf, want))
		test_fail("sysfs fw_version: expected '%s' (DEVICE_INFO), got '%s'", want, buf);
	sysfs_str("state", buf, sizeof(buf));
	if (strcmp(buf, "running"))
		test_fail("sysfs state: expected 'running', got '%s'", buf);
	expect_u64("sysfs reset_count vs DEVICE_INFO", info.reset_count,
		   read_u64_at(sysfs_dir, "reset_count"));

	busy0 = read_u64_at(sysfs_dir, "busy_ns");
	jobs0 = read_u64_at(sysfs_dir, "jobs_completed");
	qbusy0 = queue_busy_total();

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, FILL_SIZE, &map);
	mem = fdinfo_value("drm-total-memory", unit, sizeof(unit));
	if (!strcmp(unit, "MiB"))
		mem *= 1024;
	else if (strcmp(unit, "KiB"))
		test_fail("drm-total-memory: expected a KiB or MiB figure, got %lld '%s'", mem,
			  unit);
	if (mem < FILL_SIZE / 1024)
		test_fail(
			"drm-total-memory after a 1 MiB buffer: expected >= 1024 KiB, got %lld KiB",
			mem);
	if (!fdinfo_has("drm-resident-memory", NULL))
		test_fail("%s: expected a drm-resident-memory line (buffers are pinned)",
			  fdinfo_path);

	cb = new_cmdbuf();
	accel_cmdbuf_fill(cb, accel_bo_va(bo), FILL_SIZE, 0xa5a5a5a5);
	status = run_job(ctx, dev, cb, &bo, 1, 10000);
	if (status != ACCEL_JOB_OK)
		test_fail("FILL job: expected OK, got %s", accel_job_status_name(status));

	eng1 = fdinfo_value("drm-engine-normal", NULL, 0);
	if (eng1 <= eng0)
		test_fail("drm-engine-normal after a 1 MiB FILL: expected > %lld ns, got %lld",
			  eng0, eng1);
	/* The job and its command upload: at least one job, on this file only. */
	if (fdinfo_value("ares-jobs-normal", NULL, 0) < 1)
		test_fail("ares-jobs-normal after a job: expected >= 1, got %lld",
			  fdinfo_value("ares-jobs-normal", NULL, 0));
	expect_u64("drm-engine-low (no low-priority job ran)", 0,
		   (uint64_t)fdinfo_value("drm-engine-low", NULL, 0));
	if (read_u64_at(sysfs_dir, "busy_ns") <= busy0)
		test_fail("sysfs busy_ns: expected > %llu after a job, got %llu", busy0,
			  read_u64_at(sysfs_dir, "busy_ns"));
	if (read_u64_at(sysfs_dir, "jobs_completed") <= jobs0)
		test_fail("sysfs jobs_completed: expected > %llu after a job, got %llu", jobs0,
			  read_u64_at(sysfs_dir, "jobs_completed"));
	if (queue_busy_total() <= qbusy0)
		test_fail("sysfs queue_busy_ns: expected the sum to grow past %llu", qbusy0);
	/* Present whether or not the device implements the PERF block. */
	(void)read_u64_at(sysfs_dir, "perf_jobs");
	(void)read_u64_at(sysfs_dir, "perf_dma_bytes");

	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
	test_pass();
}
