/* SPDX-License-Identifier: MIT */
/*
 * accelctl visible: the mapping from this machine's Ares devices to the
 * device numbers a process sees under ARES_VISIBLE_DEVICES (a hidden
 * device shows "-"). Exit status: 0, 2 for a bad list or usage, 3 if no
 * Ares device is visible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel.h"
#include "accelctl_ext.h"

#define DEV_DIR "/dev/accel"
#define SYS_DIR "/sys/class/accel"

static void print_row(const char *visible, const struct accel_device_entry *e)
{
	char numa[16] = "-";

	if (e->numa_node >= 0)
		snprintf(numa, sizeof(numa), "%d", e->numa_node);
	printf("%-8s %-20s %-6u %-14s %s\n", visible, e->node, e->index,
	       e->pci_address[0] ? e->pci_address : "-", numa);
}

int accelctl_visible_main(int argc, char **argv)
{
	struct accel_device_entry all[64], vis[64];
	const char *list = getenv("ARES_VISIBLE_DEVICES");
	size_t nall = 0, nvis = 0, i, k;
	char err[256] = "";
	int ret;

	if (argc > 2) {
		fprintf(stderr, "accelctl: visible takes no arguments, got \"%s\"\n", argv[2]);
		return 2;
	}
	ret = accel_enumerate_at(DEV_DIR, SYS_DIR, all, 64, &nall);
	if (ret) {
		fprintf(stderr, "accelctl: scanning " DEV_DIR ": %s\n", accel_strerror(ret));
		return 1;
	}
	ret = accel_enumerate_visible(list, DEV_DIR, SYS_DIR, vis, 64, &nvis, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "accelctl: %s\n", err);
		return 2;
	}
	if (list)
		printf("ARES_VISIBLE_DEVICES=\"%s\": %zu of %zu Ares devices visible\n", list, nvis,
		       nall);
	else
		printf("ARES_VISIBLE_DEVICES is not set: all %zu Ares devices visible\n", nall);
	printf("%-8s %-20s %-6s %-14s %s\n", "visible", "node", "index", "pci", "numa");
	for (k = 0; k < nvis && k < 64; k++) {
		char num[16];

		snprintf(num, sizeof(num), "%zu", k);
		print_row(num, &vis[k]);
	}
	for (i = 0; i < nall && i < 64; i++) {
		for (k = 0; k < nvis && k < 64; k++)
			if (!strcmp(vis[k].node, all[i].node))
				break;
		if (k == nvis || k == 64)
			print_row("-", &all[i]);
	}
	return nvis ? 0 : 3;
}
