/* SPDX-License-Identifier: MIT */
/* Helpers shared by the guest test programs (see guest_util.h). */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "guest_util.h"

const char *test_name = "?";

void test_init(const char *name)
{
	test_name = name;
	/* Unbuffered so a crash still shows how far the test got. */
	setvbuf(stdout, NULL, _IONBF, 0);
}

noreturn void test_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "FAIL %s: ", test_name);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	exit(1);
}

noreturn void test_skip(const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "SKIP %s: ", test_name);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	exit(77);
}

noreturn void test_pass(void)
{
	fprintf(stdout, "PASS %s\n", test_name);
	exit(0);
}

void check_ok(accel_device *dev, int ret, const char *what)
{
	if (ret)
		test_fail("%s: expected 0, got %d (%s): %s", what, ret, accel_strerror(ret),
			  accel_device_last_error(dev));
}

void expect_u64(const char *what, uint64_t want, uint64_t got)
{
	if (want != got)
		test_fail("%s: expected %llu (0x%llx), got %llu (0x%llx)", what,
			  (unsigned long long)want, (unsigned long long)want,
			  (unsigned long long)got, (unsigned long long)got);
}

void expect_int(const char *what, int want, int got)
{
	if (want != got)
		test_fail("%s: expected %d (%s), got %d (%s)", what, want,
			  want <= 0 ? accel_strerror(want) : "", got,
			  got <= 0 ? accel_strerror(got) : "");
}

accel_device *open_first_device(void)
{
	struct accel_device_entry e;
	accel_device *dev;
	char err[512];
	size_t n = 0;
	int ret;

	ret = accel_enumerate(&e, 1, &n);
	if (ret)
		test_fail("accel_enumerate: expected 0, got %d (%s)", ret, accel_strerror(ret));
	if (n == 0)
		test_fail("accel_enumerate: expected at least 1 Ares device, got 0");
	ret = accel_device_open(e.node, &dev, err, sizeof(err));
	if (ret)
		test_fail("accel_device_open(%s): expected 0, got %d: %s", e.node, ret, err);
	return dev;
}

accel_bo *alloc_mapped(accel_device *dev, uint64_t size, void **map)
{
	accel_bo *bo;

	check_ok(dev, accel_bo_alloc(dev, size, 0, &bo), "accel_bo_alloc");
	check_ok(dev, accel_bo_map(bo, map), "accel_bo_map");
	memset(*map, 0, size);
	return bo;
}

accel_cmdbuf *new_cmdbuf(void)
{
	accel_cmdbuf *cb;

	if (accel_cmdbuf_create(&cb))
		test_fail("accel_cmdbuf_create: out of memory");
	return cb;
}

uint32_t run_job(accel_ctx *ctx, accel_device *dev, accel_cmdbuf *cb, accel_bo *const *bos,
		 uint32_t nbos, int timeout_ms)
{
	accel_job *job;
	uint32_t status;

	if (accel_cmdbuf_error(cb))
		test_fail("building the command buffer: expected 0, got %s",
			  accel_strerror(accel_cmdbuf_error(cb)));
	check_ok(dev, accel_submit_cmdbuf(ctx, cb, bos, nbos, &job), "accel_submit_cmdbuf");
	check_ok(dev, accel_job_wait(job, (int64_t)timeout_ms * 1000000), "accel_job_wait");
	check_ok(dev, accel_job_status(job, &status), "accel_job_status");
	accel_job_destroy(job);
	return status;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

unsigned long long read_u64_at(const char *dir, const char *name)
{
	char path[512], buf[64] = "";
	unsigned long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		test_fail("open %s: expected success, got %m", path);
	if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%llu", &v) != 1)
		test_fail("%s: expected a decimal number, got '%s'", path, buf);
	fclose(f);
	return v;
}

void write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f)
		test_fail("open %s for writing: expected success, got %m", path);
	if (fputs(val, f) < 0 || fclose(f))
		test_fail("write '%s' to %s: expected success, got %m", val, path);
}

bool klog_has(const char *needle)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n;
	bool found;
	char *buf;

	if (len <= 0 || !(buf = malloc((size_t)len + 1)))
		test_fail("klogctl: expected the kernel log size, got %m");
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (n < 0)
		test_fail("klogctl READ_ALL: %m");
	buf[n] = '\0';
	found = strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

volatile uint8_t *map_bar(const char *pci, int bar, size_t size)
{
	char path[256];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d", pci, bar);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		test_fail("open %s: expected success as root, got %m", path);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		test_fail("mmap %s: expected success, got %m", path);
	return p;
}

int open_vgem(void)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		DIR *d = opendir("/dev/dri");
		struct dirent *de;

		while (d && (de = readdir(d))) {
			char path[300];
			drmVersionPtr v;
			int fd;

			if (strncmp(de->d_name, "card", 4))
				continue;
			snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0)
				continue;
			v = drmGetVersion(fd);
			if (v && !strcmp(v->name, "vgem")) {
				drmFreeVersion(v);
				closedir(d);
				return fd;
			}
			if (v)
				drmFreeVersion(v);
			close(fd);
		}
		if (d)
			closedir(d);
		if (attempt == 0 && system("modprobe vgem") != 0)
			break;
	}
	return -1;
}

void hang_priority_queues(accel_device *dev, int prio)
{
	int ret = accel_device_debug(dev, ACCEL_DEBUG_HANG_QUEUE, 2 * prio);

	if (ret == -EPERM || ret == -EACCES || ret == -ENOTTY || ret == -EOPNOTSUPP)
		test_skip("DEBUG HANG_QUEUE unavailable (%s): load ares with fault_injection=1",
			  accel_strerror(ret));
	check_ok(dev, ret, "DEBUG HANG_QUEUE 2p");
	check_ok(dev, accel_device_debug(dev, ACCEL_DEBUG_HANG_QUEUE, 2 * prio + 1),
		 "DEBUG HANG_QUEUE 2p+1");
}
