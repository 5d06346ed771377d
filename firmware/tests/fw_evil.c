/* SPDX-License-Identifier: MIT */
/*
 * TEST ONLY: what a hostile guest would like the device to boot. A hosted
 * shared object whose ELF constructor runs as soon as a loader maps it, and
 * leaves a marker on the host to prove it ran: /tmp/ares-pwned-<pid>, and
 * ares-pwned-<pid> next to the device log (a VM run's results folder, which
 * the guest test reads back). Its entry then behaves like firmware, so a
 * boot that runs it looks successful. Wrapped by mkfwimage unsigned and
 * signed by a key the device does not trust; the boot ROM must refuse both
 * before anything in them runs (tests/guest/test_boot_attack.c,
 * sim/tests/test_e2e.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ares/cp.h>
#include <ares/regs.h>

static void mark(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/ares-pwned-%d", dir, (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

/* The folder of the emulator's --log FILE, read from its own command line. */
static int log_dir(char *out, size_t len)
{
	char buf[8192], *arg, *end, *slash;
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	end = buf + n;
	for (arg = buf; arg < end; arg += strlen(arg) + 1) {
		if (strcmp(arg, "--log") || arg + strlen(arg) + 1 >= end)
			continue;
		arg += strlen(arg) + 1;
		snprintf(out, len, "%s", arg);
		slash = strrchr(out, '/');
		if (!slash)
			snprintf(out, len, ".");
		else
			*slash = '\0';
		return 0;
	}
	return -1;
}

__attribute__((constructor)) static void evil_ctor(void)
{
	char dir[4096];

	mark("/tmp");
	if (!log_dir(dir, sizeof(dir)))
		mark(dir);
}

__attribute__((visibility("default"))) int ares_fw_entry(const struct ares_cp_ops *ops)
{
	ops->report_ready(ops->dev, ARES_VERSION(1, 0, 0), 0);
	for (;;)
		ops->wait(ops->dev, 0, 1000000000ull);
}
