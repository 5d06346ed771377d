/* SPDX-License-Identifier: MIT */
/*
 * A guest root user cannot run code on the host through the boot ROM. The
 * test plays the attacker: it unbinds ares, maps the register file
 * (resource2) and the doorbell (resource0) through sysfs, places a
 * firmware image with a valid header and CRC in guest RAM, and sends RESET
 * and BOOT itself (hw-spec §4). The image's payload has an ELF constructor
 * that would leave an ares-pwned-<pid> marker next to the device log, i.e.
 * in this run's results folder on the host, which the guest sees as
 * $ARES_RESULTS. Once unsigned and once signed by a key the device does not
 * trust, the boot ROM must answer ARES_BOOT_ERR_BAD_SIGNATURE and no marker
 * may appear. Then the driver is bound again and its signed firmware boots
 * and runs a job.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ares/fw_image.h>
#include <ares/regs.h>

#include "guest_util.h"

#define IVSHMEM_DOORBELL 12 /* BAR0: (peer << 16) | vector */
#define HUGE_SIZE	 (2u << 20)

static char pci[64], build_dir[PATH_MAX];
static volatile uint8_t *regs, *bar0;

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok ? 0 : -1;
}

static uint32_t rd32(uint32_t off)
{
	return *(volatile uint32_t *)(regs + off);
}

static void wr32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

static void wr64(uint32_t off, uint64_t v)
{
	wr32(off, (uint32_t)v);
	wr32(off + 4, (uint32_t)(v >> 32));
}

/* hw-spec §4: arguments, command, SEQ + 1, ring vector 0, wait for ACK. */
static uint32_t ctrl(uint32_t cmd, uint64_t arg0, uint64_t arg1, const char *what)
{
	uint32_t seq = rd32(ARES_REG_CTRL_SEQ) + 1;

	wr64(ARES_REG_CTRL_ARG0, arg0);
	wr64(ARES_REG_CTRL_ARG1, arg1);
	wr32(ARES_REG_CTRL_CMD, cmd);
	wr32(ARES_REG_CTRL_SEQ, seq);
	/* The device reads the arguments once the doorbell (MMIO, BAR0) arrives. */
	__sync_synchronize();
	*(volatile uint32_t *)(bar0 + IVSHMEM_DOORBELL) =
		(rd32(ARES_REG_DB_PEER) << 16) | ARES_VEC_CTRL;
	for (int i = 0; i < 1000; i++) {
		if (rd32(ARES_REG_CTRL_ACK) == seq)
			return rd32(ARES_REG_CTRL_RESULT);
		usleep(10000);
	}
	test_fail("%s: expected CTRL_ACK %u within 10 s, got %u", what, seq,
		  rd32(ARES_REG_CTRL_ACK));
}

/* Guest-physical address of @va, from /proc/self/pagemap (root sees PFNs). */
static uint64_t phys_of(const void *va)
{
	uint64_t e = 0, page = (uint64_t)sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)va / page * 8)) != 8)
		test_fail("read /proc/self/pagemap: expected success, got %m");
	close(fd);
	if (!(e & (1ull << 63)) || !(e & ((1ull << 55) - 1)))
		test_fail("pagemap entry 0x%llx: expected a present page with its PFN",
			  (unsigned long long)e);
	return (e & ((1ull << 55) - 1)) * page + (uintptr_t)va % page;
}

static uint8_t *load(const char *name, size_t *len)
{
	char path[PATH_MAX + 128];
	struct stat st;
	uint8_t *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/firmware/test/evil/%s", build_dir, name);
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st))
		test_fail("open %s: expected the test image (make all builds it), got %m", path);
	buf = malloc((size_t)st.st_size);
	if (!buf || fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		test_fail("read %s: expected %lld bytes", path, (long long)st.st_size);
	fclose(f);
	*len = (size_t)st.st_size;
	return buf;
}

/* Markers the evil payload leaves when it runs, in this run's results folder. */
static int count_markers(void)
{
	const char *dir = getenv("ARES_RESULTS");
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (!dir || !(d = opendir(dir)))
		test_fail("ARES_RESULTS: expected the results folder (run under vm-run.sh)");
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "ares-pwned-", 11);
	closedir(d);
	return n;
}

static void attack(uint8_t *huge, uint64_t gpa, const char *name)
{
	uint32_t result, boot;
	uint8_t *img;
	size_t len;

	img = load(name, &len);
	if (len > HUGE_SIZE)
		test_fail("%s: %zu bytes, expected at most %u", name, len, HUGE_SIZE);
	memcpy(huge, img, len);
	free(img);
	result = ctrl(ARES_CTRL_RESET, 0, 0, "RESET");
	if (result)
		test_fail("RESET before booting %s: expected 0, got 0x%x", name, result);
	result = ctrl(ARES_CTRL_BOOT, gpa, len, "BOOT");
	boot = rd32(ARES_REG_BOOT_STATUS);
	if (result != ARES_BOOT_ERR_BAD_SIGNATURE || boot != ARES_BOOT_ERR_BAD_SIGNATURE)
		test_fail("BOOT of %s (%zu bytes at 0x%llx): expected CTRL_RESULT and BOOT_STATUS "
			  "0x%x (BAD_SIGNATURE), got 0x%x and 0x%x; STATUS 0x%x",
			  name, len, (unsigned long long)gpa, ARES_BOOT_ERR_BAD_SIGNATURE, result,
			  boot, rd32(ARES_REG_STATUS));
	if (rd32(ARES_REG_STATUS) & (ARES_STATUS_FW_READY | ARES_STATUS_BOOTING))
		test_fail("%s: expected no firmware running after the refusal, got STATUS 0x%x",
			  name, rd32(ARES_REG_STATUS));
	printf("ok %s refused with BAD_SIGNATURE\n", name);
}

static void wait_node(int present)
{
	for (int i = 0; i < 200; i++) {
		if ((access("/dev/accel/accel0", F_OK) == 0) == present)
			return;
		usleep(50000);
	}
	test_fail("expected /dev/accel/accel0 %s within 10 s", present ? "back" : "gone");
}

static void job_runs(void)
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
		test_fail("FILL after rebinding: expected OK and 0x5ec0beef, got %s and 0x%08x",
			  accel_job_status_name(st), map[1023]);
	accel_cmdbuf_destroy(cb);
	accel_bo_free(bo);
	accel_ctx_destroy(ctx);
	accel_device_close(dev);
}

int main(void)
{
	char path[PATH_MAX], hp_old[32] = "0";
	struct accel_device_entry ent;
	size_t n = 0;
	uint8_t *huge;
	uint64_t gpa;
	int markers;

	test_init("boot_attack");
	if (!realpath("/proc/self/exe", path))
		test_fail("realpath /proc/self/exe: %m");
	/* build/tests/guest/test_boot_attack -> build */
	snprintf(build_dir, sizeof(build_dir), "%s", dirname(dirname(dirname(path))));
	if (accel_enumerate(&ent, 1, &n) || n == 0 || !ent.pci_address[0])
		test_fail("accel_enumerate: expected one Ares PCI device, got %zu", n);
	snprintf(pci, sizeof(pci), "%s", ent.pci_address);
	markers = count_markers();

	write_file("/sys/bus/pci/drivers/ares/unbind", pci);
	wait_node(0);
	/* The driver's remove disabled the function: turn memory decoding back on. */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable", pci);
	write_file(path, "1");
	regs = map_bar(pci, 2, ARES_BAR2_SIZE);
	bar0 = map_bar(pci, 0, 4096);
	if (rd32(ARES_REG_SIGNATURE) != ARES_SIGNATURE)
		test_fail("BAR2 signature: expected 0x%x, got 0x%x", ARES_SIGNATURE,
			  rd32(ARES_REG_SIGNATURE));

	/* One physically contiguous 2 MiB page, so the image is one bus range. */
	read_line("/proc/sys/vm/nr_hugepages", hp_old, sizeof(hp_old));
	write_file("/proc/sys/vm/nr_hugepages", "1");
	huge = mmap(NULL, HUGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE | MAP_LOCKED, -1, 0);
	if (huge == MAP_FAILED)
		test_fail("mmap of a 2 MiB huge page: expected success, got %m");
	gpa = phys_of(huge);

	attack(huge, gpa, "ares-fw-evil-unsigned.bin");
	attack(huge, gpa, "ares-fw-evil-wrongkey.bin");
	if (count_markers() != markers)
		test_fail("host markers ares-pwned-* in $ARES_RESULTS: expected %d, got %d: the "
			  "payload ran on the host",
			  markers, count_markers());
	printf("ok no payload code ran on the host\n");

	ctrl(ARES_CTRL_RESET, 0, 0, "RESET after the attack");
	munmap(huge, HUGE_SIZE);
	write_file("/proc/sys/vm/nr_hugepages", hp_old);
	munmap((void *)regs, ARES_BAR2_SIZE);
	munmap((void *)bar0, 4096);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable", pci);
	write_file(path, "0");
	write_file("/sys/bus/pci/drivers/ares/bind", pci);
	wait_node(1);
	job_runs();
	printf("ok the driver's signed firmware boots again and runs a job\n");
	test_pass();
}
