/* SPDX-License-Identifier: MIT */
/*
 * accel_no_device_reason() and the permission hint of accel_device_open()
 * on fake sysfs trees and kernel logs: each cause gets its own sentence.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel.h"

static char root[] = "/tmp/accel-nodev-XXXXXX";
static char sysd[128], kmsg[128];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
}

static void mkdirf(const char *fmt, const char *arg)
{
	char p[512];

	snprintf(p, sizeof(p), fmt, sysd, arg);
	ck_assert_msg(mkdir(p, 0700) == 0, "mkdir %s", p);
}

/* A PCI function @addr with @vendor:@device, bound to @driver (NULL: none). */
static void pci_fn(const char *addr, const char *vendor, const char *device, const char *driver)
{
	char p[512], t[512];

	mkdirf("%s/bus/pci/devices/%s", addr);
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/vendor", sysd, addr);
	write_file(p, vendor);
	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/device", sysd, addr);
	write_file(p, device);
	if (driver) {
		snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/driver", sysd, addr);
		snprintf(t, sizeof(t), "../../../bus/pci/drivers/%s", driver);
		ck_assert_int_eq(symlink(t, p), 0);
	}
}

static void setup(void)
{
	strcpy(root, "/tmp/accel-nodev-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(sysd, sizeof(sysd), "%s/sys", root);
	snprintf(kmsg, sizeof(kmsg), "%s/kmsg", root);
	ck_assert_int_eq(mkdir(sysd, 0700), 0);
	mkdirf("%s/module%s", "");
	mkdirf("%s/bus%s", "");
	mkdirf("%s/bus/pci%s", "");
	mkdirf("%s/bus/pci/devices%s", "");
	/* A host bridge that is not ours, bound to nothing. */
	pci_fn("0000:00:00.0", "0x8086\n", "0x29c0\n", NULL);
}

static void teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

static int reason(char *buf, size_t len)
{
	return accel_no_device_reason(sysd, kmsg, buf, len);
}

START_TEST(test_module_not_loaded)
{
	char buf[512];

	pci_fn("0000:00:10.0", "0x1af4\n", "0x1110\n", NULL);
	ck_assert_int_eq(reason(buf, sizeof(buf)), ACCEL_ABSENT_NO_MODULE);
	ck_assert_msg(strstr(buf, "ares module is not loaded"), "got: %s", buf);
	ck_assert_msg(strstr(buf, "modprobe ares"), "got: %s", buf);
}
END_TEST

START_TEST(test_probe_failed_quotes_log)
{
	char buf[1024];

	mkdirf("%s/module/ares%s", "");
	pci_fn("0000:00:10.0", "0x1af4\n", "0x1110\n", NULL);
	/* /dev/kmsg records: the last ares line is the one quoted. */
	write_file(kmsg, "6,100,5000,-;ares 0000:00:10.0: loading firmware ares/ares-fw.bin\n"
			 " SUBSYSTEM=pci\n"
			 "3,101,5001,-;ares 0000:00:10.0: firmware image: payload crc mismatch\n"
			 "3,102,5002,-;ares 0000:00:10.0: probe with driver ares failed with "
			 "error -22\n"
			 "4,103,5003,-;something else: ares is mentioned here\n");
	ck_assert_int_eq(reason(buf, sizeof(buf)), ACCEL_ABSENT_PROBE_FAILED);
	ck_assert_msg(strstr(buf, "ares.ko is loaded but its probe of PCI device 0000:00:10.0 "
				  "failed"),
		      "got: %s", buf);
	ck_assert_msg(strstr(buf, "dmesg"), "got: %s", buf);
	ck_assert_msg(strstr(buf, "last line: ares 0000:00:10.0: firmware image: payload crc "
				  "mismatch"),
		      "got: %s", buf);
	ck_assert_msg(!strstr(buf, "is ares.ko loaded?"), "got: %s", buf);
}
END_TEST

/* Only the driver core's line: that one is quoted, better than none. */
START_TEST(test_probe_failed_generic_line_alone)
{
	char buf[1024];

	mkdirf("%s/module/ares%s", "");
	pci_fn("0000:00:10.0", "0x1af4\n", "0x1110\n", NULL);
	write_file(kmsg,
		   "3,7,5001,-;ares 0000:00:10.0: probe with driver ares failed with error -22\n");
	ck_assert_int_eq(reason(buf, sizeof(buf)), ACCEL_ABSENT_PROBE_FAILED);
	ck_assert_msg(strstr(buf, "last line: ares 0000:00:10.0: probe with driver ares failed"),
		      "got: %s", buf);
}
END_TEST

START_TEST(test_probe_failed_unreadable_log)
{
	char buf[1024];

	mkdirf("%s/module/ares%s", "");
	pci_fn("0000:00:11.0", "0x1e5a\n", "0xa001\n", NULL);
	ck_assert_int_eq(reason(buf, sizeof(buf)), ACCEL_ABSENT_PROBE_FAILED);
	ck_assert_msg(strstr(buf, "0000:00:11.0") && strstr(buf, "dmesg"), "got: %s", buf);
	ck_assert_msg(!strstr(buf, "last line"), "got: %s", buf);
}
END_TEST

START_TEST(test_bound_without_node)
{
	char buf[512];

	mkdirf("%s/module/ares%s", "");
	pci_fn("0000:00:10.0", "0x1af4\n", "0x1110\n", "ares");
	ck_assert_int_eq(reason(buf, sizeof(buf)), ACCEL_ABSENT_NO_NODE);
	ck_assert_msg(strstr(buf, "0000:00:10.0 is bound to ares"), "got: %s", buf);
}
END_TEST

START_TEST(test_other_driver_and_no_hardware)
{
	char buf[512];

	mkdirf("%s/module/ares%s", "");
	ck_assert_int_eq(reason(buf, sizeof(buf)), ACCEL_ABSENT_NO_HARDWARE);
	ck_assert_msg(strstr(buf, "no Ares PCI device (1e5a:a001"), "got: %s", buf);
	pci_fn("0000:00:12.0", "0x1e5a\n", "0xa001\n", "vfio-pci");
	ck_assert_int_eq(reason(buf, sizeof(buf)), ACCEL_ABSENT_OTHER_DRIVER);
	ck_assert_msg(strstr(buf, "bound to driver vfio-pci"), "got: %s", buf);
}
END_TEST

START_TEST(test_bad_args_and_short_buffer)
{
	char buf[16];

	ck_assert_int_eq(accel_no_device_reason(sysd, kmsg, NULL, 10), -EINVAL);
	ck_assert_int_eq(accel_no_device_reason(sysd, kmsg, buf, 0), -EINVAL);
	ck_assert_int_eq(reason(buf, sizeof(buf)), ACCEL_ABSENT_NO_MODULE);
	ck_assert_uint_eq(strlen(buf), sizeof(buf) - 1);
}
END_TEST

/*
 * A node the caller may not open: the sentence names its group and mode
 * and the way forward. Root opens anything, so this needs another uid.
 */
START_TEST(test_open_permission_hint)
{
	char node[256], err[1024] = "";
	accel_device *dev = NULL;
	int ret;

	if (geteuid() == 0) {
		/* Drop to nobody in a child, keeping the test's result. */
		pid_t pid = fork();
		int st;

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			snprintf(node, sizeof(node), "%s/accel0", root);
			write_file(node, "");
			if (chown(node, 0, 0) || chmod(node, 0600) || chmod(root, 0755) ||
			    setgid(65534) || setuid(65534))
				_exit(2);
			ret = accel_device_open(node, &dev, err, sizeof(err));
			if (ret != -EACCES || !strstr(err, "Permission denied") ||
			    !strstr(err, "mode 0600") || !strstr(err, "60-ares.rules") ||
			    !strstr(err, "group render")) {
				fprintf(stderr, "root-owned 0600 node: ret %d, got: %s\n", ret,
					err);
				_exit(1);
			}
			_exit(0);
		}
		ck_assert_int_eq(waitpid(pid, &st, 0), pid);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
		return;
	}
	/* Not root: a node of ours with no permission at all. */
	snprintf(node, sizeof(node), "%s/accel0", root);
	write_file(node, "");
	ck_assert_int_eq(chmod(node, 0), 0);
	ret = accel_device_open(node, &dev, err, sizeof(err));
	ck_assert_int_eq(ret, -EACCES);
	ck_assert_msg(strstr(err, "Permission denied") && strstr(err, "60-ares.rules"), "got: %s",
		      err);
}
END_TEST

static Suite *no_device_suite(void)
{
	Suite *s = suite_create("no_device");
	TCase *tc = tcase_create("no_device");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_module_not_loaded);
	tcase_add_test(tc, test_probe_failed_quotes_log);
	tcase_add_test(tc, test_probe_failed_generic_line_alone);
	tcase_add_test(tc, test_probe_failed_unreadable_log);
	tcase_add_test(tc, test_bound_without_node);
	tcase_add_test(tc, test_other_driver_and_no_hardware);
	tcase_add_test(tc, test_bad_args_and_short_buffer);
	tcase_add_test(tc, test_open_permission_hint);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(no_device_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
