/* SPDX-License-Identifier: MIT */
/*
 * ARES_VISIBLE_DEVICES: which devices a list selects, in which order, and
 * the error each malformed list gets, on a fake /dev/accel + sysfs tree.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel.h"

/* Node index and PCI address of each fake Ares device (accel2 is absent). */
static const struct {
	unsigned int index;
	const char *pci;
} fake[] = {{0, "0001:00:04.0"}, {1, "0001:00:05.0"}, {3, "0001:0a:1f.7"}};
#define NFAKE (sizeof(fake) / sizeof(fake[0]))

static char root[] = "/tmp/accel-visible-XXXXXX";
static char devd[128], sysd[128];

static void mkfile(const char *path)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "cannot create %s", path);
	fclose(f);
}

static void setup(void)
{
	char p[512], t[512];

	strcpy(root, "/tmp/accel-visible-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(devd, sizeof(devd), "%s/dev", root);
	snprintf(sysd, sizeof(sysd), "%s/sys", root);
	ck_assert_int_eq(mkdir(devd, 0700), 0);
	ck_assert_int_eq(mkdir(sysd, 0700), 0);
	snprintf(p, sizeof(p), "%s/devices", sysd);
	ck_assert_int_eq(mkdir(p, 0700), 0);
	for (size_t i = 0; i < NFAKE; i++) {
		snprintf(p, sizeof(p), "%s/accel%u", devd, fake[i].index);
		mkfile(p);
		snprintf(p, sizeof(p), "%s/devices/%s", sysd, fake[i].pci);
		ck_assert_int_eq(mkdir(p, 0700), 0);
		snprintf(p, sizeof(p), "%s/devices/%s/driver", sysd, fake[i].pci);
		ck_assert_int_eq(symlink("../../bus/pci/drivers/ares", p), 0);
		snprintf(p, sizeof(p), "%s/accel%u", sysd, fake[i].index);
		ck_assert_int_eq(mkdir(p, 0700), 0);
		snprintf(p, sizeof(p), "%s/accel%u/device", sysd, fake[i].index);
		snprintf(t, sizeof(t), "../devices/%s", fake[i].pci);
		ck_assert_int_eq(symlink(t, p), 0);
	}
}

static void teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs @list and checks the selected node indices, in order. */
static void expect(const char *list, const unsigned int *want, size_t nwant)
{
	struct accel_device_entry e[8];
	char err[256] = "";
	size_t n = 99;
	int ret;

	ret = accel_enumerate_visible(list, devd, sysd, e, 8, &n, err, sizeof(err));
	ck_assert_msg(ret == 0, "list \"%s\": expected 0, got %d (%s)", list ? list : "(null)", ret,
		      err);
	ck_assert_msg(n == nwant, "list \"%s\": expected %zu devices, got %zu",
		      list ? list : "(null)", nwant, n);
	for (size_t i = 0; i < nwant; i++)
		ck_assert_msg(e[i].index == want[i],
			      "list \"%s\": visible device %zu should be accel%u, got accel%u",
			      list ? list : "(null)", i, want[i], e[i].index);
}

/* Runs @list, expects @errno_want and a message containing @words. */
static void expect_error(const char *list, int errno_want, const char *words)
{
	struct accel_device_entry e[8];
	char err[256] = "";
	size_t n = 99;
	int ret;

	ret = accel_enumerate_visible(list, devd, sysd, e, 8, &n, err, sizeof(err));
	ck_assert_msg(ret == errno_want, "list \"%s\": expected %d, got %d (%s)", list, errno_want,
		      ret, err);
	ck_assert_msg(strstr(err, words), "list \"%s\": message \"%s\" lacks \"%s\"", list, err,
		      words);
	ck_assert_msg(strstr(err, "ARES_VISIBLE_DEVICES"),
		      "list \"%s\": message \"%s\" does not name the variable", list, err);
	ck_assert_uint_eq(n, 0);
}

START_TEST(test_visible_unset_lists_all)
{
	static const unsigned int want[] = {0, 1, 3};

	expect(NULL, want, 3);
	expect("all", want, 3);
	expect(" all ", want, 3);
}
END_TEST

START_TEST(test_visible_empty_lists_none)
{
	expect("", NULL, 0);
	expect("  ", NULL, 0);
}
END_TEST

START_TEST(test_visible_indices_in_listed_order)
{
	static const unsigned int one[] = {1};
	static const unsigned int rev[] = {3, 0};

	expect("1", one, 1);
	expect("3,0", rev, 2);
	expect(" 3 , 0 ", rev, 2);
}
END_TEST

START_TEST(test_visible_pci_addresses)
{
	static const unsigned int want[] = {3, 1, 0};
	static const unsigned int mixed[] = {1, 3};

	expect("0001:0A:1F.7,0001:00:05.0,0001:00:04.0", want, 3);
	expect("1,0001:0a:1f.7", mixed, 2);
}
END_TEST

/* The caller's array may be smaller than the selection: count says all. */
START_TEST(test_visible_count_exceeds_max)
{
	struct accel_device_entry e[1];
	size_t n = 0;

	ck_assert_int_eq(accel_enumerate_visible("3,1", devd, sysd, e, 1, &n, NULL, 0), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(e[0].index, 3);
	ck_assert_int_eq(accel_enumerate_visible("3,1", devd, sysd, NULL, 0, &n, NULL, 0), 0);
	ck_assert_uint_eq(n, 2);
}
END_TEST

START_TEST(test_visible_rejects_bad_entries)
{
	expect_error("0,,1", -EINVAL, "entry 1 is empty");
	expect_error("0,", -EINVAL, "entry 1 is empty");
	expect_error("gpu0", -EINVAL, "neither a node index");
	expect_error("-1", -EINVAL, "neither a node index");
	expect_error("0x1", -EINVAL, "neither a node index");
	expect_error("1.5", -EINVAL, "neither a node index");
	expect_error("0001:00:04", -EINVAL, "neither a node index");
	expect_error("0001:00:04.0.1", -EINVAL, "neither a node index");
	expect_error("00001:00:04.0", -EINVAL, "neither a node index");
	expect_error("0001:00:20.0", -EINVAL, "out of range");
	expect_error("0001:00:04.8", -EINVAL, "out of range");
	expect_error("0,all", -EINVAL, "must stand alone");
	expect_error("1,0001:00:05.0", -EINVAL, "listed twice");
	expect_error("2", -ENODEV, "no Ares device accel2");
	expect_error("99999999999", -EINVAL, "neither a node index");
	expect_error("00:04.0", -ENODEV, "no Ares device at that PCI address");
}
END_TEST

START_TEST(test_visible_bad_args)
{
	size_t n;

	ck_assert_int_eq(accel_enumerate_visible(NULL, devd, sysd, NULL, 1, &n, NULL, 0), -EINVAL);
	ck_assert_int_eq(accel_enumerate_visible(NULL, NULL, sysd, NULL, 0, &n, NULL, 0), -EINVAL);
	ck_assert_int_eq(accel_enumerate_visible(NULL, devd, sysd, NULL, 0, NULL, NULL, 0),
			 -EINVAL);
}
END_TEST

/* accel_enumerate_at() is the raw scan: the variable does not apply. */
START_TEST(test_visible_not_applied_to_enumerate_at)
{
	size_t n = 0;

	ck_assert_int_eq(setenv("ARES_VISIBLE_DEVICES", "1", 1), 0);
	ck_assert_int_eq(accel_enumerate_at(devd, sysd, NULL, 0, &n), 0);
	unsetenv("ARES_VISIBLE_DEVICES");
	ck_assert_uint_eq(n, 3);
}
END_TEST

static Suite *visible_suite(void)
{
	Suite *s = suite_create("visible");
	TCase *tc = tcase_create("visible");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_visible_unset_lists_all);
	tcase_add_test(tc, test_visible_empty_lists_none);
	tcase_add_test(tc, test_visible_indices_in_listed_order);
	tcase_add_test(tc, test_visible_pci_addresses);
	tcase_add_test(tc, test_visible_count_exceeds_max);
	tcase_add_test(tc, test_visible_rejects_bad_entries);
	tcase_add_test(tc, test_visible_bad_args);
	tcase_add_test(tc, test_visible_not_applied_to_enumerate_at);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(visible_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
