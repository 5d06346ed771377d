/* SPDX-License-Identifier: MIT */
/*
 * Finding Ares devices: accelN nodes whose sysfs device is bound to the
 * "ares" driver, with PCI identity and NUMA node from libpci.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "internal.h"

/*
 * libpci's error callback must not return (libpci is compiled assuming it
 * does not). Unwinding to the caller is the only way to survive a device
 * vanishing mid-read; the jump target is per thread and lives only for the
 * duration of one pci_info() call.
 */
static _Thread_local jmp_buf *pci_unwind;

__attribute__((noreturn, format(printf, 1, 2))) static void pci_error(char *msg, ...)
{
	(void)msg;
	longjmp(*pci_unwind, 1);
}

__attribute__((format(printf, 1, 2))) static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

/* Fills vendor/device/NUMA node of @e from its PCI address; best effort. */
static void pci_info(struct accel_device_entry *e)
{
	unsigned int dom, bus, slot, func;
	struct pci_access *volatile pacc = NULL;
	struct pci_dev *volatile pdev = NULL;
	jmp_buf env;

	if (sscanf(e->pci_address, "%x:%x:%x.%x", &dom, &bus, &slot, &func) != 4)
		return;
	pci_unwind = &env;
	if (setjmp(env))
		goto out;
	pacc = pci_alloc();
	pacc->error = pci_error;
	pacc->warning = pci_quiet;
	pacc->debug = pci_quiet;
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_init(pacc);
	pdev = pci_get_dev(pacc, (int)dom, (int)bus, (int)slot, (int)func);
	if (!pdev)
		goto out;
	pci_fill_info(pdev, PCI_FILL_IDENT | PCI_FILL_NUMA_NODE);
	e->pci_vendor = pdev->vendor_id;
	e->pci_device = pdev->device_id;
	e->numa_node = pdev->numa_node;
out:
	if (pdev)
		pci_free_dev(pdev);
	if (pacc)
		pci_cleanup(pacc);
	pci_unwind = NULL;
}

/* Reads the basename of the symlink @dir/@name/@link into @out. */
static int link_basename(const char *dir, const char *name, const char *link, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	if ((size_t)snprintf(out, len, "%s", base ? base + 1 : target) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct accel_device_entry *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* Parses "accelN" (and nothing else) into N. */
static int parse_node_name(const char *name, unsigned int *index)
{
	char *end;
	unsigned long v;

	if (strncmp(name, "accel", 5) || name[5] < '0' || name[5] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(name + 5, &end, 10);
	if (*end || errno || v > UINT_MAX)
		return -EINVAL;
	*index = (unsigned int)v;
	return 0;
}

int accel_scan(const char *dev_dir, const char *sys_dir, struct accel_device_entry **out,
	       size_t *count)
{
	struct accel_device_entry *found = NULL, *tmp;
	size_t n = 0, cap = 0;
	struct dirent *de;
	char driver[64];
	DIR *d;
	int ret = 0;

	*out = NULL;
	*count = 0;
	d = opendir(dev_dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;

	while ((de = readdir(d))) {
		struct accel_device_entry e;

		memset(&e, 0, sizeof(e));
		e.numa_node = -1;
		if (parse_node_name(de->d_name, &e.index))
			continue;
		if (link_basename(sys_dir, de->d_name, "device/driver", driver, sizeof(driver)) ||
		    strcmp(driver, "ares"))
			continue;
		if ((size_t)snprintf(e.node, sizeof(e.node), "%s/%s", dev_dir, de->d_name) >=
		    sizeof(e.node))
			continue;
		/* The device link's last component is the PCI address on a PCI bus. */
		if (!link_basename(sys_dir, de->d_name, "device", e.pci_address,
				   sizeof(e.pci_address)))
			pci_info(&e);
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			tmp = realloc(found, cap * sizeof(*found));
			if (!tmp) {
				ret = -ENOMEM;
				goto out;
			}
			found = tmp;
		}
		found[n++] = e;
	}
	if (n)
		qsort(found, n, sizeof(*found), entry_cmp);
	*out = found;
	*count = n;
	found = NULL;
out:
	free(found);
	closedir(d);
	return ret;
}

int accel_enumerate_at(const char *dev_dir, const char *sys_dir, struct accel_device_entry *entries,
		       size_t max, size_t *count)
{
	struct accel_device_entry *found;
	size_t n;
	int ret;

	if (!dev_dir || !sys_dir || !count || (max && !entries))
		return -EINVAL;
	*count = 0;
	ret = accel_scan(dev_dir, sys_dir, &found, &n);
	if (ret)
		return ret;
	for (size_t i = 0; i < n && i < max; i++)
		entries[i] = found[i];
	*count = n;
	free(found);
	return 0;
}
