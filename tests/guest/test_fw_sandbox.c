/* SPDX-License-Identifier: MIT */
/*
 * Signed firmware that misbehaves is still contained: the control
 * processor runs in a seccomp sandbox. The test points firmware_class.path
 * at the sandbox-probe image (firmware.mk: the real firmware, signed by the
 * build's key, whose crash knob tries openat(2) of a host file instead of
 * a bad access), rebinds the driver so it loads that image, and pulls the
 * crash knob. The CP must die for the system call (FATAL_CAUSE =
 * ARES_FATAL_CP_SANDBOX, named in the driver's "device fatal error" line),
 * the driver must recover (reset_count moves) and a job must then run.
 * Finally the real firmware is put back.
 * Needs the driver loaded with fault_injection=1.
 */
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ares/regs.h>

#include "guest_util.h"

#define FW_PATH_PARAM "/sys/module/firmware_class/parameters/path"

static char pci[64], sys_dir[256], dbg_dir[256];

/* Unbinds and binds ares again, so its probe loads the firmware anew. */
static void rebind(const char *why)
{
	write_file("/sys/bus/pci/drivers/ares/unbind", pci);
	write_file("/sys/bus/pci/drivers/ares/bind", pci);
	for (int i = 0; i < 200; i++) {
		if (access("/dev/accel/accel0", F_OK) == 0)
			return;
		usleep(50000);
	}
	test_fail("%s: expected /dev/accel/accel0 back within 10 s of binding", why);
}

static void job_runs(const char *after)
{
	accel_device *dev = open_first_device();
	accel_cmdbuf *cb = new_cmdbuf();
	accel_ctx *ctx;
	accel_bo *bo;
	uint32_t *map, st;

	check_ok(dev, accel_ctx_create(dev, ACCEL_PRIORITY_NORMAL, &ctx), "accel_ctx_create");
	bo = alloc_mapped(dev, 4096, (void **)&map);
	accel_cmdbuf_fill(cb, accel_bo_va(bo), 4096, 0x5ec0beefu);
	st = run_job(ctx, dev, cb, &bo, 1, 5000);
	if (st != ACCEL_JOB_OK || map[1023] != 0x5ec0beefu)
		test_fail("FILL %s: expected OK and 0x5ec0beef, got %s and 0x%08x", after,
			  accel_job_status_name(st), map[1023]);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
}

int main(void)
{
	char exe[PATH_MAX], probe_dir[PATH_MAX + 64], old_path[PATH_MAX] = "", want[96];
	struct accel_device_entry ent;
	unsigned long long resets;
	struct stat st;
	size_t n = 0;
	FILE *f;

	test_init("fw_sandbox");
	if (accel_enumerate(&ent, 1, &n) || n == 0 || !ent.pci_address[0])
		test_fail("accel_enumerate: expected one Ares PCI device, got %zu", n);
	snprintf(pci, sizeof(pci), "%s", ent.pci_address);
	snprintf(sys_dir, sizeof(sys_dir), "/sys/bus/pci/devices/%s/ares", pci);
	if (stat("/sys/kernel/debug/accel", &st) &&
	    mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		test_skip("debugfs is not mounted and cannot be: %m");
	snprintf(dbg_dir, sizeof(dbg_dir), "/sys/kernel/debug/accel/%s/crash_fw", pci);
	f = fopen("/sys/module/ares/parameters/fault_injection", "r");
	if (!f || fgetc(f) != 'Y')
		test_skip("load ares with fault_injection=1");
	fclose(f);
	if (!realpath("/proc/self/exe", exe))
		test_fail("realpath /proc/self/exe: %m");
	/* build/tests/guest/test_fw_sandbox -> build/firmware/test/sandbox */
	snprintf(probe_dir, sizeof(probe_dir), "%s/firmware/test/sandbox",
		 dirname(dirname(dirname(exe))));
	f = fopen(FW_PATH_PARAM, "r");
	if (!f || !fgets(old_path, sizeof(old_path), f))
		test_fail("read %s: expected the firmware search path, got %m", FW_PATH_PARAM);
	fclose(f);
	old_path[strcspn(old_path, "\n")] = '\0';

	write_file(FW_PATH_PARAM, probe_dir);
	rebind("loading the sandbox probe firmware");
	job_runs("on the sandbox probe firmware");
	resets = read_u64_at(sys_dir, "reset_count");
	write_file(dbg_dir, "1");
	for (int i = 0; i < 300 && read_u64_at(sys_dir, "reset_count") <= resets; i++)
		usleep(100000);
	if (read_u64_at(sys_dir, "reset_count") <= resets)
		test_fail("after the probe's openat(2): expected reset_count > %llu within 30 s "
			  "(STATUS.FATAL and a recovery), got %llu: the CP is not sandboxed",
			  resets, read_u64_at(sys_dir, "reset_count"));
	snprintf(want, sizeof(want), "firmware broke its sandbox (cause %u); recovering",
		 ARES_FATAL_CP_SANDBOX);
	if (!klog_has(want))
		test_fail("kernel log: expected 'device fatal error: %s'", want);
	printf("ok forbidden system call: STATUS.FATAL, cause %u, recovered\n",
	       ARES_FATAL_CP_SANDBOX);
	job_runs("after the sandbox recovery");
	printf("ok a job runs after the recovery\n");

	write_file(FW_PATH_PARAM, old_path);
	rebind("restoring the real firmware");
	job_runs("on the real firmware again");
	test_pass();
}
