/* SPDX-License-Identifier: MIT */
/*
 * DRM_IOCTL_ARES_QUERY reports the v1 identity, and follows the size-probe
 * protocol: size 0 returns the size, a too-small size fails with -EINVAL
 * and still reports the size, a larger size is accepted.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ares/regs.h"
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

static void probe(accel_device *dev, uint32_t type, uint32_t want_size, const char *name)
{
	uint8_t buf[4096];
	uint32_t size = 0;
	char what[128];
	int ret;

	snprintf(what, sizeof(what), "QUERY %s size 0 (probe)", name);
	check_ok(dev, accel_device_query_raw(dev, type, NULL, &size), what);
	snprintf(what, sizeof(what), "QUERY %s probed size", name);
	expect_u64(what, want_size, size);

	size = want_size - 8;
	ret = accel_device_query_raw(dev, type, buf, &size);
	snprintf(what, sizeof(what), "QUERY %s with size %u (too small)", name, want_size - 8);
	expect_int(what, -EINVAL, ret);
	snprintf(what, sizeof(what), "QUERY %s size reported after too-small call", name);
	expect_u64(what, want_size, size);

	/* Bigger than needed: accepted, reports the real size, tail untouched. */
	memset(buf, 0xa5, sizeof(buf));
	size = sizeof(buf);
	snprintf(what, sizeof(what), "QUERY %s with size %zu (larger)", name, sizeof(buf));
	check_ok(dev, accel_device_query_raw(dev, type, buf, &size), what);
	snprintf(what, sizeof(what), "QUERY %s size reported after larger call", name);
	expect_u64(what, want_size, size);
	snprintf(what, sizeof(what), "QUERY %s byte after the result", name);
	expect_u64(what, 0xa5, buf[want_size]);
}

int main(void)
{
	struct accel_queue_info q[16];
	struct accel_device_info info;
	accel_device *dev;
	size_t nq = 0;

	test_init("query_identity");
	dev = open_first_device();
	check_ok(dev, accel_device_query_info(dev, &info), "accel_device_query_info");
	expect_u64("hw_version", ARES_HW_VERSION_V1, info.hw_version);
	expect_u64("num_queues", 8, info.num_queues);
	expect_u64("max_address_spaces", 64, info.max_address_spaces);
	expect_u64("va_bits", 48, info.va_bits);
	expect_u64("num_priorities", 4, info.num_priorities);
	if (!(info.caps & ARES_CAP_MMU) || !(info.caps & ARES_CAP_GEMM_F32))
		test_fail("caps: expected MMU and GEMM_F32 bits (0x3), got 0x%x", info.caps);
	if (info.va_start >= info.va_end || info.va_end > (1ull << 48))
		test_fail("va range: expected va_start < va_end <= 2^48, got 0x%llx-0x%llx",
			  (unsigned long long)info.va_start, (unsigned long long)info.va_end);

	probe(dev, DRM_ARES_QUERY_DEVICE_INFO, sizeof(struct drm_ares_device_info), "DEVICE_INFO");
	probe(dev, DRM_ARES_QUERY_QUEUE_INFO, 8 * sizeof(struct drm_ares_queue_info), "QUEUE_INFO");

	check_ok(dev, accel_device_query_queues(dev, q, 16, &nq), "accel_device_query_queues");
	expect_u64("queue count", 8, nq);
	for (size_t i = 0; i < nq; i++) {
		expect_u64("queue index", i, q[i].index);
		/* Priority p is served by hardware queues 2p and 2p+1. */
		expect_u64("queue priority", i / 2, q[i].priority);
		if (q[i].ring_entries < 16 || q[i].ring_entries > 4096 ||
		    (q[i].ring_entries & (q[i].ring_entries - 1)))
			test_fail("queue %zu ring_entries: expected a power of two in "
				  "[16, 4096], got %u",
				  i, q[i].ring_entries);
	}
	accel_device_close(dev);
	test_pass();
}
