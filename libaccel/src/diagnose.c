/* SPDX-License-Identifier: MIT */
/*
 * Why no Ares device is usable: the module is not loaded, its probe
 * failed, a bound device has no node here, or a node may not be opened.
 * These are the first errors a user meets, so each sentence names the
 * cause and the next step.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ares/regs.h"
#include "internal.h"

/* The udev rule that gives Ares nodes their group and mode (udev/). */
#define ARES_UDEV_RULE	"60-ares.rules"
#define ARES_NODE_GROUP "render"

static int read_hex_file(const char *dir, const char *name, const char *file, unsigned int *out)
{
	char path[PATH_MAX];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ok = fscanf(f, "%x", out) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

/*
 * The last kernel log record from the ares driver, "" if there is none or
 * the log is not readable (dmesg_restrict keeps it from non-root users).
 * /dev/kmsg gives one record per read, "PRI,SEQ,TS,FLAGS;text", followed
 * by indented dictionary lines; a regular file in the same format (tests)
 * reads the same way through getline().
 */
static void last_ares_log_line(const char *kmsg, char *out, size_t len)
{
	char *line = NULL, generic[256] = "";
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd;

	out[0] = '\0';
	fd = open(kmsg, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return;
	}
	while ((n = getline(&line, &cap, f)) >= 0 || errno == EPIPE) {
		const char *text;

		/* EPIPE: records were overwritten while we read; go on. */
		if (n < 0) {
			clearerr(f);
			continue;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		text = strchr(line, ';');
		if (line[0] == ' ' || !text)
			continue;
		text++;
		/*
		 * dev_err() lines start "ares 0000:00:10.0: ", pr_err() ones
		 * "ares: ". The driver core's own "probe with driver ares
		 * failed with error -22" comes last and says least: the line
		 * before it names the cause, so it is quoted only alone.
		 */
		if (strncmp(text, "ares ", 5) && strncmp(text, "ares: ", 6))
			continue;
		if (!strstr(text, "probe with driver ares failed"))
			snprintf(out, len, "%s", text);
		else if (!out[0])
			snprintf(generic, sizeof(generic), "%s", text);
	}
	if (!out[0])
		snprintf(out, len, "%s", generic);
	free(line);
	fclose(f);
}

/* Copies @src into @dst, cut to fit: sysfs names are short, PATH_MAX is not. */
static void copy_cut(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool is_ares_id(unsigned int vendor, unsigned int device)
{
	return (vendor == ARES_PCI_VENDOR_ID && device == ARES_PCI_DEVICE_ID_V1) ||
	       (vendor == ARES_IVSHMEM_VENDOR_ID && device == ARES_IVSHMEM_DEVICE_ID);
}

struct pci_census {
	char unbound[32]; /* first Ares-id function with no driver */
	char bound[32];	  /* first function bound to ares */
	char other[32];	  /* first Ares-id function bound elsewhere */
	char other_driver[64];
};

static void pci_census(const char *pci_dir, struct pci_census *c)
{
	struct dirent *de;
	DIR *d;

	memset(c, 0, sizeof(*c));
	d = opendir(pci_dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[PATH_MAX], target[PATH_MAX];
		unsigned int vendor, device;
		const char *drv;
		ssize_t n;

		if (de->d_name[0] == '.' || read_hex_file(pci_dir, de->d_name, "vendor", &vendor) ||
		    read_hex_file(pci_dir, de->d_name, "device", &device) ||
		    !is_ares_id(vendor, device))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/driver", pci_dir, de->d_name) >=
		    sizeof(path))
			continue;
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0) {
			if (!c->unbound[0])
				copy_cut(c->unbound, sizeof(c->unbound), de->d_name);
			continue;
		}
		target[n] = '\0';
		drv = strrchr(target, '/');
		drv = drv ? drv + 1 : target;
		if (!strcmp(drv, "ares")) {
			if (!c->bound[0])
				copy_cut(c->bound, sizeof(c->bound), de->d_name);
		} else if (!c->other[0]) {
			copy_cut(c->other, sizeof(c->other), de->d_name);
			copy_cut(c->other_driver, sizeof(c->other_driver), drv);
		}
	}
	closedir(d);
}

int accel_no_device_reason(const char *sys_dir, const char *kmsg, char *buf, size_t len)
{
	char path[PATH_MAX], logline[512];
	struct pci_census c;
	struct stat st;

	if (!buf || !len)
		return -EINVAL;
	if (!sys_dir)
		sys_dir = "/sys";
	if (!kmsg)
		kmsg = "/dev/kmsg";

	snprintf(path, sizeof(path), "%s/module/ares", sys_dir);
	if (stat(path, &st)) {
		snprintf(buf, len,
			 "no Ares device found: the ares module is not loaded "
			 "(modprobe ares, or insmod kmod/ares.ko in the source tree)");
		return ACCEL_ABSENT_NO_MODULE;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices", sys_dir);
	pci_census(path, &c);
	if (c.unbound[0]) {
		last_ares_log_line(kmsg, logline, sizeof(logline));
		snprintf(
			buf, len,
			"no Ares device found: ares.ko is loaded but its probe of PCI device %s "
			"failed (no driver bound); the kernel log says why (dmesg | grep ares)%s%s",
			c.unbound, logline[0] ? ", last line: " : "", logline);
		return ACCEL_ABSENT_PROBE_FAILED;
	}
	if (c.bound[0]) {
		snprintf(buf, len,
			 "no Ares device found: PCI device %s is bound to ares but no accelN "
			 "node for it is visible in /dev/accel (in a container, pass the node in)",
			 c.bound);
		return ACCEL_ABSENT_NO_NODE;
	}
	if (c.other[0]) {
		snprintf(buf, len,
			 "no Ares device found: PCI device %s has the Ares ID but is bound to "
			 "driver %s, not ares",
			 c.other, c.other_driver);
		return ACCEL_ABSENT_OTHER_DRIVER;
	}
	snprintf(buf, len,
		 "no Ares device found: ares.ko is loaded but there is no Ares PCI device "
		 "(%04x:%04x, or the emulated %04x:%04x)",
		 ARES_PCI_VENDOR_ID, ARES_PCI_DEVICE_ID_V1, ARES_IVSHMEM_VENDOR_ID,
		 ARES_IVSHMEM_DEVICE_ID);
	return ACCEL_ABSENT_NO_HARDWARE;
}

/*
 * Appends to @buf (holding "open NODE: Permission denied") what the node's
 * owner, group and mode are and what to do: join its group, or install the
 * udev rule when the node has no group but root.
 */
void accel_access_hint(const char *node, char *buf, size_t len)
{
	size_t used = strlen(buf);
	char grpname[64];
	struct group *gr;
	struct stat st;

	if (used >= len || stat(node, &st))
		return;
	gr = getgrgid(st.st_gid);
	if (gr)
		snprintf(grpname, sizeof(grpname), "%s", gr->gr_name);
	else
		snprintf(grpname, sizeof(grpname), "%u", (unsigned int)st.st_gid);
	/* Kept short: callers such as the runtime hold it in 256 bytes. */
	if (st.st_gid != 0 && (st.st_mode & 0060) == 0060)
		snprintf(buf + used, len - used,
			 " (node is group %s, mode %04o: add yourself to group %s, "
			 "usermod -aG %s $USER, and log in again; udev rule " ARES_UDEV_RULE
			 " sets this)",
			 grpname, (unsigned int)(st.st_mode & 07777), grpname, grpname);
	else
		snprintf(buf + used, len - used,
			 " (node is group %s, mode %04o: install udev rule " ARES_UDEV_RULE
			 " (make install) for group " ARES_NODE_GROUP
			 ", mode 0660, and add yourself to group " ARES_NODE_GROUP ")",
			 grpname, (unsigned int)(st.st_mode & 07777));
}
