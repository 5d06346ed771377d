/* SPDX-License-Identifier: MIT */
/*
 * The bare-transport probe (issue 12; kmod/ares_xport.c): the debugfs file
 * "transport" exists only when the driver bound with transport_probe=1;
 * writing N times N bare ring round trips, reading gives their median, p90
 * and p99 in ns. A count that is not 1..10000 fails with EINVAL and keeps
 * the last figures. With jobs on the device the probe either refuses with
 * EBUSY or runs between them, and every job still completes correctly;
 * jobs on the probe's queue run after it. The test rebinds the driver (to
 * apply the parameter) and puts the parameter back at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_util.h"

#define PARAM	      "/sys/module/ares/parameters/transport_probe"
#define FILL_BYTES    (1u << 20)
#define BUSY_JOBS     16
#define FILLS_PER_JOB 16
#define BUSY_CONTEXTS 4

static char pci[64], path[256];

struct figures {
	unsigned long long rounds, median, p90, p99;
};

static void rebind(const char *param)
{
	write_file(PARAM, param);
	write_file("/sys/bus/pci/drivers/ares/unbind", pci);
	write_file("/sys/bus/pci/drivers/ares/bind", pci);
	for (int i = 0; i < 200; i++) {
		if (access("/dev/accel/accel0", F_OK) == 0)
			return;
		usleep(50000);
	}
	test_fail("transport_probe=%s: expected /dev/accel/accel0 back within 10 s of binding",
		  param);
}

/* The write's errno, or 0 when it took the whole string. */
static int probe_write(const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY), err = 0;
	ssize_t n;

	if (fd < 0)
		test_fail("open %s for writing: expected success, got %m", path);
	n = write(fd, val, len);
	if (n < 0)
		err = errno;
	else if ((size_t)n != len)
		test_fail("write '%s' to %s: expected %zu bytes taken, got %zd", val, path, len, n);
	close(fd);
	return err;
}

static struct figures probe_read(void)
{
	struct figures f = {0};
	char buf[512];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		test_fail("open %s: expected success, got %m", path);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if (sscanf(buf, "rounds %llu", &f.rounds) != 1)
		test_fail("%s: expected 'rounds N' first, got '%s'", path, buf);
	if (f.rounds && sscanf(buf, "rounds %llu\nmedian_ns %llu\np90_ns %llu\np99_ns %llu",
			       &f.rounds, &f.median, &f.p90, &f.p99) != 4)
		test_fail("%s: expected rounds, median_ns, p90_ns and p99_ns, got '%s'", path, buf);
	return f;
}

static void expect_sane(const char *what, struct figures f, unsigned long long rounds)
{
	if (f.rounds != rounds)
		test_fail("%s: expected rounds %llu, got %llu", what, rounds, f.rounds);
	if (!f.median || f.p90 < f.median || f.p99 < f.p90)
		test_fail("%s: expected 0 < median <= p90 <= p99, got %llu, %llu, %llu ns", what,
			  f.median, f.p90, f.p99);
}

static void test_absent(void)
{
	struct stat st;

	rebind("0");
	if (stat(path, &st) == 0 || errno != ENOENT)
		test_fail("transport_probe=0: expected no %s (ENOENT), got %s", path,
			  errno == ENOENT ? "the file" : strerror(errno));
	printf("ok absent without transport_probe\n");
}

static void test_rounds(void)
{
	static const char *const bad[] = {
		"0", "-1", "10001", "4294967296", "99999999999999999999", "abc", "12abc", " ", ""};
	struct figures f;

	f = probe_read();
	expect_u64("rounds before any write", 0, f.rounds);
	expect_int("write 100", 0, probe_write("100"));
	expect_sane("after 100 round trips", probe_read(), 100);
	expect_int("write 1", 0, probe_write("1\n"));
	f = probe_read();
	expect_sane("after 1 round trip", f, 1);
	if (f.median != f.p99)
		test_fail("one round trip: expected median == p99, got %llu and %llu", f.median,
			  f.p99);
	expect_int("write 0x40", 0, probe_write("0x40"));
	f = probe_read();
	expect_sane("after 0x40 round trips", f, 64);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct figures g;
		char what[64];

		snprintf(what, sizeof(what), "write '%s'", bad[i]);
		expect_int(what, EINVAL, probe_write(bad[i]));
		g = probe_read();
		if (memcmp(&f, &g, sizeof(f)))
			test_fail("%s: expected the last figures kept, got rounds %llu median %llu",
				  what, g.rounds, g.median);
	}
	printf("ok round trips: median %llu ns, p90 %llu ns, p99 %llu ns; bad counts EINVAL\n",
	       f.median, f.p90, f.p99);
}

/*
 * Jobs on every top-priority queue (the probe borrows the last one) while
 * the probe is written: it must refuse with EBUSY or run between them, and
 * every job must fill its buffer.
 */
static void test_with_jobs(void)
{
	accel_device *dev = open_first_device();
	accel_ctx *ctx[BUSY_CONTEXTS];
	accel_job *job[BUSY_JOBS];
	accel_bo *bo[BUSY_JOBS];
	uint32_t *map[BUSY_JOBS];
	int busy = 0, ran = 0;

	for (int c = 0; c < BUSY_CONTEXTS; c++)
		check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_HIGH, &ctx[c]),
			 "accel_ctx_create");
	for (int round = 0; round < 4; round++) {
		accel_cmdbuf *cb[BUSY_JOBS];

		/* Everything built first, so the jobs go in back to back. */
		for (int i = 0; i < BUSY_JOBS; i++) {
			bo[i] = alloc_mapped(dev, FILL_BYTES, (void **)&map[i]);
			cb[i] = new_cmdbuf();
			for (int k = 0; k < FILLS_PER_JOB; k++)
				accel_cmdbuf_fill(cb[i], accel_bo_va(bo[i]), FILL_BYTES,
						  0xa5000000u + i);
		}
		for (int i = 0; i < BUSY_JOBS; i++)
			check_ok(dev,
				 accel_submit_cmdbuf(ctx[i % BUSY_CONTEXTS], cb[i], &bo[i], 1,
						     &job[i]),
				 "accel_submit_cmdbuf");
		for (int i = 0; i < BUSY_JOBS; i++)
			accel_cmdbuf_destroy(cb[i]);
		switch (probe_write("32")) {
		case 0:
			expect_sane("probe among jobs", probe_read(), 32);
			ran++;
			break;
		case EBUSY:
			busy++;
			break;
		default:
			test_fail("probe among jobs: expected success or EBUSY, got %m");
		}
		for (int i = 0; i < BUSY_JOBS; i++) {
			uint32_t st;

			check_ok(dev, accel_job_wait(job[i], 10ll * 1000000000), "accel_job_wait");
			check_ok(dev, accel_job_status(job[i], &st), "accel_job_status");
			if (st != ACCEL_JOB_OK || map[i][0] != 0xa5000000u + i ||
			    map[i][FILL_BYTES / 4 - 1] != 0xa5000000u + i)
				test_fail("job %d beside the probe: expected OK and 0x%08x, got %s "
					  "and 0x%08x",
					  i, 0xa5000000u + i, accel_job_status_name(st),
					  map[i][FILL_BYTES / 4 - 1]);
			accel_job_destroy(job[i]);
			accel_bo_free(bo[i]);
		}
	}
	/* Idle again: the probe runs, and the borrowed queue's scheduler too. */
	expect_int("probe on an idle device", 0, probe_write("16"));
	expect_sane("probe on an idle device", probe_read(), 16);
	for (int c = 0; c < BUSY_CONTEXTS; c++) {
		accel_cmdbuf *cb = new_cmdbuf();
		accel_bo *b = alloc_mapped(dev, 4096, (void **)&map[0]);
		uint32_t st;

		accel_cmdbuf_fill(cb, accel_bo_va(b), 4096, 0x600d0000u + c);
		st = run_job(ctx[c], dev, cb, &b, 1, 10000);
		if (st != ACCEL_JOB_OK || map[0][1023] != 0x600d0000u + c)
			test_fail("context %d after the probe: expected OK and 0x%08x, got %s and "
				  "0x%08x",
				  c, 0x600d0000u + c, accel_job_status_name(st), map[0][1023]);
		accel_cmdbuf_destroy(cb);
		accel_bo_free(b);
		accel_ctx_destroy(ctx[c]);
	}
	accel_device_close(dev);
	printf("ok beside jobs: %d probes refused with EBUSY, %d ran between jobs\n", busy, ran);
}

int main(void)
{
	struct accel_device_entry ent;
	char old[8] = "N";
	struct stat st;
	size_t n = 0;
	FILE *f;

	test_init("transport");
	if (getuid())
		test_skip("needs root (debugfs, rebinding the driver)");
	if (accel_enumerate(&ent, 1, &n) || n == 0 || !ent.pci_address[0])
		test_fail("accel_enumerate: expected one Ares PCI device, got %zu", n);
	snprintf(pci, sizeof(pci), "%s", ent.pci_address);
	if (stat("/sys/kernel/debug/accel", &st) &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		test_skip("debugfs is not mounted and cannot be: %m");
	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/transport", pci);
	f = fopen(PARAM, "r");
	if (!f)
		test_fail("%s: expected the driver's transport_probe parameter, got %m", PARAM);
	if (!fgets(old, sizeof(old), f))
		test_fail("%s: expected Y or N, got nothing", PARAM);
	fclose(f);
	old[strcspn(old, "\n")] = '\0';

	test_absent();
	rebind("1");
	test_rounds();
	test_with_jobs();
	rebind(old);
	test_pass();
}
