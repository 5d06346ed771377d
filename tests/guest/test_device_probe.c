/* SPDX-License-Identifier: MIT */
/* The driver probed the emulated device and the firmware booted. */
#include <string.h>

#include "guest_util.h"

int main(void)
{
	struct accel_device_entry e[4];
	struct accel_device_info info;
	accel_device *dev;
	char err[512];
	size_t n = 0;
	int ret;

	test_init("device_probe");
	ret = accel_enumerate(e, 4, &n);
	check_ok(NULL, ret, "accel_enumerate");
	if (n < 1)
		test_fail("Ares devices enumerated: expected >= 1, got %zu", n);
	if (!e[0].pci_address[0])
		test_fail("PCI address of %s: expected a DDDD:BB:DD.F address, got \"\"",
			  e[0].node);
	ret = accel_device_open(e[0].node, &dev, err, sizeof(err));
	if (ret)
		test_fail("accel_device_open(%s): expected 0, got %d: %s", e[0].node, ret, err);
	check_ok(dev, accel_device_query_info(dev, &info), "accel_device_query_info");
	if (info.fw_version == 0)
		test_fail("DEVICE_INFO.fw_version: expected nonzero (firmware booted), got 0");
	if (info.pci_vendor != e[0].pci_vendor || info.pci_device != e[0].pci_device)
		test_fail("PCI id: expected sysfs %04x:%04x, got DEVICE_INFO %04x:%04x",
			  e[0].pci_vendor, e[0].pci_device, info.pci_vendor, info.pci_device);
	accel_device_close(dev);
	test_pass();
}
