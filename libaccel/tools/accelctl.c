/* SPDX-License-Identifier: MIT */
/*
 * accelctl - list Ares devices and show what the driver reports about one.
 *
 *   accelctl list            index, node, PCI address, hw/fw versions
 *   accelctl info [-d N]     every DEVICE_INFO and QUEUE_INFO field
 *
 * Exit status: 0 success, 1 a device operation failed, 2 usage error,
 * 3 no Ares device found.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"

#define EXIT_DEVICE   1
#define EXIT_USAGE    2
#define EXIT_NODEVICE 3

#define VER_FMT	    "%u.%u.%u"
#define VER_ARGS(v) ((v) >> 16) & 0xffff, ((v) >> 8) & 0xff, (v)&0xff

static void usage(FILE *f)
{
	fprintf(f, "usage: accelctl list\n"
		   "       accelctl info [-d INDEX]\n"
		   "exit status: 0 ok, 1 device error, 2 usage, 3 no Ares device\n");
}

static int cmd_list(void)
{
	struct accel_device_entry *e = NULL;
	size_t n = 0, i;
	int ret, status = 0;

	ret = accel_enumerate(NULL, 0, &n);
	if (ret) {
		fprintf(stderr, "accelctl: scanning /dev/accel: %s\n", accel_strerror(ret));
		return EXIT_DEVICE;
	}
	if (!n) {
		fprintf(stderr, "accelctl: no Ares device found (is ares.ko loaded?)\n");
		return EXIT_NODEVICE;
	}
	e = calloc(n, sizeof(*e));
	if (!e) {
		fprintf(stderr, "accelctl: out of memory\n");
		return EXIT_DEVICE;
	}
	ret = accel_enumerate(e, n, &n);
	if (ret) {
		fprintf(stderr, "accelctl: scanning /dev/accel: %s\n", accel_strerror(ret));
		status = EXIT_DEVICE;
		goto out;
	}
	printf("%-5s %-20s %-14s %-9s %-9s %-9s %s\n", "INDEX", "NODE", "PCI", "ID", "HW", "FW",
	       "NUMA");
	for (i = 0; i < n; i++) {
		struct accel_device_info info;
		accel_device *dev;
		char err[512], hw[16] = "?", fw[16] = "?";

		ret = accel_device_open(e[i].node, &dev, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "accelctl: %s\n", err);
			status = EXIT_DEVICE;
		} else {
			ret = accel_device_query_info(dev, &info);
			if (ret) {
				fprintf(stderr, "accelctl: %s\n", accel_device_last_error(dev));
				status = EXIT_DEVICE;
			} else {
				snprintf(hw, sizeof(hw), VER_FMT, VER_ARGS(info.hw_version));
				snprintf(fw, sizeof(fw), VER_FMT, VER_ARGS(info.fw_version));
			}
			accel_device_close(dev);
		}
		printf("%-5u %-20s %-14s %04x:%04x %-9s %-9s %d\n", e[i].index, e[i].node,
		       e[i].pci_address[0] ? e[i].pci_address : "-", e[i].pci_vendor,
		       e[i].pci_device, hw, fw, e[i].numa_node);
	}
out:
	free(e);
	return status;
}

static const char *prio_name(uint32_t p)
{
	static const char *const names[] = {"low", "normal", "high", "realtime"};

	return p < 4 ? names[p] : "?";
}

static int cmd_info(unsigned int index)
{
	struct accel_queue_info *q = NULL;
	struct accel_device_info info;
	accel_device *dev;
	char err[512];
	size_t nq = 0;
	int ret, status = 0;

	ret = accel_device_open_index(index, &dev, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "accelctl: %s\n", err);
		return ret == -ENOENT ? EXIT_NODEVICE : EXIT_DEVICE;
	}
	ret = accel_device_query_info(dev, &info);
	if (ret)
		goto fail;
	printf("node:               %s\n", info.node);
	printf("driver:             ares %d.%d.%d\n", info.driver_major, info.driver_minor,
	       info.driver_patch);
	printf("hw_version:         " VER_FMT " (0x%06x)\n", VER_ARGS(info.hw_version),
	       info.hw_version);
	printf("fw_version:         " VER_FMT " (0x%06x)\n", VER_ARGS(info.fw_version),
	       info.fw_version);
	printf("fw_features:        0x%08x\n", info.fw_features);
	printf("caps:               0x%08x%s%s%s\n", info.caps, info.caps & 1 ? " mmu" : "",
	       info.caps & 2 ? " gemm_f32" : "", info.caps & 4 ? " fault_inject" : "");
	printf("num_queues:         %u\n", info.num_queues);
	printf("max_address_spaces: %u\n", info.max_address_spaces);
	printf("va_bits:            %u\n", info.va_bits);
	printf("num_priorities:     %u\n", info.num_priorities);
	printf("va_range:           0x%llx-0x%llx\n", (unsigned long long)info.va_start,
	       (unsigned long long)info.va_end);
	printf("pci_id:             %04x:%04x\n", info.pci_vendor, info.pci_device);
	printf("reset_count:        %u\n", info.reset_count);

	ret = accel_device_query_queues(dev, NULL, 0, &nq);
	if (ret)
		goto fail;
	q = calloc(nq ? nq : 1, sizeof(*q));
	if (!q) {
		fprintf(stderr, "accelctl: out of memory\n");
		status = EXIT_DEVICE;
		goto out;
	}
	ret = accel_device_query_queues(dev, q, nq, &nq);
	if (ret)
		goto fail;
	printf("queues:\n  %-5s %-9s %-12s %-8s %s\n", "INDEX", "PRIORITY", "RING_ENTRIES",
	       "PENDING", "COMPLETED");
	for (size_t i = 0; i < nq; i++)
		printf("  %-5u %-9s %-12u %-8u %llu\n", q[i].index, prio_name(q[i].priority),
		       q[i].ring_entries, q[i].jobs_pending,
		       (unsigned long long)q[i].jobs_completed);
	goto out;

fail:
	fprintf(stderr, "accelctl: %s\n", accel_device_last_error(dev));
	status = EXIT_DEVICE;
out:
	free(q);
	accel_device_close(dev);
	return status;
}

int main(int argc, char **argv)
{
	unsigned long index = 0;
	char *end;
	int opt;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc != 2) {
			usage(stderr);
			return EXIT_USAGE;
		}
		return cmd_list();
	}
	if (!strcmp(argv[1], "info")) {
		optind = 2;
		while ((opt = getopt(argc, argv, "d:")) != -1) {
			if (opt != 'd') {
				usage(stderr);
				return EXIT_USAGE;
			}
			errno = 0;
			index = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || index > 0xffffffffUL) {
				fprintf(stderr, "accelctl: -d wants a device index, got \"%s\"\n",
					optarg);
				return EXIT_USAGE;
			}
		}
		if (optind != argc) {
			usage(stderr);
			return EXIT_USAGE;
		}
		return cmd_info((unsigned int)index);
	}
	fprintf(stderr, "accelctl: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
