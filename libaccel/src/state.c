/* SPDX-License-Identifier: MIT */
/*
 * Device state outside the ioctls: the driver's sysfs group and the PCI
 * link (accel_device_state(), accel_device_reset()), each open file's
 * fdinfo (accel_device_clients()) and the debugfs folder
 * (accel_device_debugfs()). The layouts are docs/sysfs.md; this file is
 * the only place in userspace that knows them.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define SYSFS_ACCEL   "/sys/class/accel"
#define DEBUGFS_ROOT  "/sys/kernel/debug"
#define DEBUGFS_ACCEL DEBUGFS_ROOT "/accel"

static const char *const counter_names[ACCEL_NUM_COUNTERS] = {
	[ACCEL_COUNTER_BUSY_NS] = "busy_ns",
	[ACCEL_COUNTER_JOBS_COMPLETED] = "jobs_completed",
	[ACCEL_COUNTER_RESET_COUNT] = "reset_count",
	[ACCEL_COUNTER_HEARTBEAT_TIMEOUTS] = "heartbeat_timeouts",
	[ACCEL_COUNTER_PERF_JOBS] = "perf_jobs",
	[ACCEL_COUNTER_PERF_MODELED_NS] = "perf_modeled_ns",
	[ACCEL_COUNTER_PERF_TENSOR_BUSY_NS] = "perf_tensor_busy_ns",
	[ACCEL_COUNTER_PERF_VECTOR_BUSY_NS] = "perf_vector_busy_ns",
	[ACCEL_COUNTER_PERF_DMA_BUSY_NS] = "perf_dma_busy_ns",
	[ACCEL_COUNTER_PERF_MACS] = "perf_macs",
	[ACCEL_COUNTER_PERF_VECTOR_OPS] = "perf_vector_ops",
	[ACCEL_COUNTER_PERF_DMA_BYTES] = "perf_dma_bytes",
	[ACCEL_COUNTER_PERF_CMDS] = "perf_cmds",
};

/* fdinfo's drm-engine-<name> keys, in ACCEL_PRIORITY_* order. */
static const char *const engine_names[ACCEL_NUM_PRIORITIES] = {"low", "normal", "high", "realtime"};

const char *accel_counter_name(unsigned int counter)
{
	return counter < ACCEL_NUM_COUNTERS ? counter_names[counter] : NULL;
}

/* Reads the first line of @dir/@name into @buf, newline stripped; -errno. */
static int read_line(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int read_u64(const char *dir, const char *name, uint64_t *v)
{
	char buf[64], *end;
	int ret = read_line(dir, name, buf, sizeof(buf));

	if (ret)
		return ret;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

/* Parses "MAJ.MIN.PAT" into ARES_VERSION form; 0 if malformed. */
static uint32_t parse_version(const char *s)
{
	unsigned int a, b, c;

	if (sscanf(s, "%u.%u.%u", &a, &b, &c) != 3 || b > 255 || c > 255)
		return 0;
	return (a << 16) | (b << 8) | c;
}

static void pci_dir(const struct accel_device_entry *dev, char *buf, size_t len)
{
	snprintf(buf, len, SYSFS_ACCEL "/accel%u/device", dev->index);
}

static void ares_dir(const struct accel_device_entry *dev, char *buf, size_t len)
{
	snprintf(buf, len, SYSFS_ACCEL "/accel%u/device/ares", dev->index);
}

int accel_device_state(const struct accel_device_entry *dev, struct accel_device_state *state)
{
	char dir[256], pci[256], buf[128];
	unsigned int i;

	if (!dev || !state)
		return -EINVAL;
	memset(state, 0, sizeof(*state));
	state->link_width = -1;
	ares_dir(dev, dir, sizeof(dir));
	if (access(dir, R_OK))
		return -ENOENT;

	if (read_line(dir, "state", state->state, sizeof(state->state)))
		state->state[0] = '\0';
	if (!read_line(dir, "fw_image_version", buf, sizeof(buf)))
		state->fw_image_version = parse_version(buf);
	if (!read_line(dir, "fw_compat", buf, sizeof(buf))) {
		char *sp = strchr(buf, ' ');

		if (sp) {
			*sp = '\0';
			state->fw_compat_min = parse_version(buf);
			state->fw_compat_max = parse_version(sp + 1);
		}
	}
	for (i = 0; i < ACCEL_NUM_COUNTERS; i++)
		if (!read_u64(dir, counter_names[i], &state->counter[i]))
			state->counter_valid |= 1u << i;

	pci_dir(dev, pci, sizeof(pci));
	if (read_line(pci, "current_link_speed", state->link_speed, sizeof(state->link_speed)))
		state->link_speed[0] = '\0';
	if (!read_line(pci, "current_link_width", buf, sizeof(buf)))
		state->link_width = atoi(buf);
	return 0;
}

int accel_device_reset(const struct accel_device_entry *dev)
{
	char path[300];
	int err = 0;
	FILE *f;

	if (!dev)
		return -EINVAL;
	ares_dir(dev, path, sizeof(path));
	strncat(path, "/reset", sizeof(path) - strlen(path) - 1);
	/* The write returns when the recovery is over (bounded in the driver). */
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs("1\n", f) < 0)
		err = errno;
	if (fclose(f) && !err)
		err = errno;
	return -err;
}

/* Sets @c from one fdinfo file; false if it is not an ares file of @pci. */
static bool parse_fdinfo(const char *path, const char *pci, struct accel_client *c)
{
	char line[256], pdev[64] = "";
	bool ares = false, have_id = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char key[64];
		unsigned long long v;
		char unit[16] = "";

		if (sscanf(line, "drm-driver: %63s", key) == 1) {
			ares = !strcmp(key, "ares");
		} else if (sscanf(line, "drm-pdev: %63s", pdev) == 1) {
		} else if (sscanf(line, "drm-client-id: %llu", &v) == 1) {
			c->client_id = v;
			have_id = true;
		} else if (sscanf(line, "drm-total-memory: %llu %15s", &v, unit) >= 1) {
			c->memory_kib = !strcmp(unit, "MiB")   ? v * 1024
					: !strcmp(unit, "KiB") ? v
							       : v / 1024;
		} else {
			for (int p = 0; p < ACCEL_NUM_PRIORITIES; p++) {
				char want[48];

				snprintf(want, sizeof(want), "drm-engine-%s: %%llu",
					 engine_names[p]);
				if (sscanf(line, want, &v) == 1)
					c->engine_ns[p] = v;
			}
		}
	}
	fclose(f);
	return ares && have_id && !strcmp(pdev, pci);
}

/* Adds the ares files of @pid to @clients; each open file once. */
static void scan_process(int pid, const char *pci, struct accel_client *clients, size_t max,
			 size_t *n, size_t first)
{
	char path[300], comm[32] = "?";
	struct dirent *fe;
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	read_line(path, "comm", comm, sizeof(comm));
	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	fds = opendir(path);
	if (!fds)
		return;
	while ((fe = readdir(fds))) {
		struct accel_client c = {.pid = pid};
		char fpath[600];
		bool seen = false;

		if (!isdigit((unsigned char)fe->d_name[0]))
			continue;
		snprintf(fpath, sizeof(fpath), "%s/%s", path, fe->d_name);
		if (!parse_fdinfo(fpath, pci, &c))
			continue;
		/* dup()ed fds share one open file: count it once. */
		for (size_t i = first; i < *n && i < max; i++)
			if (clients[i].client_id == c.client_id)
				seen = true;
		if (seen)
			continue;
		snprintf(c.comm, sizeof(c.comm), "%s", comm);
		if (*n < max)
			clients[*n] = c;
		(*n)++;
	}
	closedir(fds);
}

int accel_device_clients(const struct accel_device_entry *dev, struct accel_client *clients,
			 size_t max, size_t *count)
{
	struct dirent *de;
	size_t n = 0;
	DIR *proc;

	if (!dev || !count || (!clients && max))
		return -EINVAL;
	*count = 0;
	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((de = readdir(proc))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		scan_process(atoi(de->d_name), dev->pci_address, clients, max, &n, n);
	}
	closedir(proc);
	*count = n;
	return 0;
}

static void put_error(char *errbuf, size_t errlen, const char *fmt, const char *a, const char *b)
{
	if (errbuf && errlen)
		snprintf(errbuf, errlen, fmt, a, b);
}

/* Reads the whole of @path into a malloc'd string; -errno. */
static int slurp(const char *path, char **out)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap + 1);
	FILE *f;

	if (!buf)
		return -ENOMEM;
	f = fopen(path, "r");
	if (!f) {
		int e = errno;

		free(buf);
		return -e;
	}
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (len < cap)
			break;
		char *nb = realloc(buf, cap * 2 + 1);

		if (!nb) {
			free(buf);
			fclose(f);
			return -ENOMEM;
		}
		buf = nb;
		cap *= 2;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(buf);
		fclose(f);
		return -e;
	}
	fclose(f);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

int accel_device_debugfs(const struct accel_device_entry *dev, const char *name, char **text,
			 char *errbuf, size_t errlen)
{
	char dir[300], path[400];
	int ret;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (!dev || !name || !text || !name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		put_error(errbuf, errlen, "%s%s: not a debugfs file name", name ? name : "(null)",
			  "");
		return -EINVAL;
	}
	*text = NULL;
	snprintf(dir, sizeof(dir), DEBUGFS_ACCEL "/%s", dev->pci_address);
	if (access(dir, R_OK)) {
		if (access(DEBUGFS_ROOT, R_OK | X_OK)) {
			ret = -errno;
			put_error(errbuf, errlen, "%s: debugfs is readable by root only (%s)", dir,
				  strerror(-ret));
			return ret == -ENOENT ? -ENOENT : -EACCES;
		}
		put_error(errbuf, errlen,
			  "%s: not found; mount debugfs (mount -t debugfs none " DEBUGFS_ROOT
			  ") and check the driver is bound%s",
			  dir, "");
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = slurp(path, text);
	if (ret)
		put_error(errbuf, errlen, "%s: %s", path, strerror(-ret));
	return ret;
}
