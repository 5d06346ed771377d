/* SPDX-License-Identifier: MIT */
/*
 * The bounds of user queues (docs/uapi.md, "Limits"): a file past
 * max_uqs_per_file gets -EMFILE; past the device's 64 user queues
 * UQ_CREATE is -ENOSPC, and destroying one makes room; with as_slots=1 a
 * file whose address space cannot be pinned (another file's queue holds the
 * only slot) gets -EBUSY, and a normal job of that file still runs once the
 * queue is gone. Needs root (module parameters).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "uq_raw.h"

#define PARAM "/sys/module/ares/parameters/"

static int create(int fd, uint32_t *id)
{
	struct drm_ares_uq_create c = {.priority = DRM_ARES_PRIORITY_NORMAL, .ring_entries = 16};
	int ret = uq_ioctl(fd, DRM_IOCTL_ARES_UQ_CREATE, &c);

	if (id)
		*id = c.ctx_id;
	return ret;
}

static void destroy(int fd, uint32_t id)
{
	struct drm_ares_ctx_destroy d = {.ctx_id = id};

	if (uq_ioctl(fd, DRM_IOCTL_ARES_CTX_DESTROY, &d))
		test_fail("CTX_DESTROY of user queue %u: %m", id);
}

static int reopen(int fd)
{
	char path[64];
	int nfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	nfd = open(path, O_RDWR);
	if (nfd < 0)
		test_fail("open of the device: %m");
	return nfd;
}

int main(void)
{
	uint32_t ids[5][16], id, last;
	int fd, fds[5], i, n, ret;
	accel_device *dev;
	struct uq q;
	uint64_t va;

	test_init("uq_limits");
	dev = open_first_device();
	fd = accel_device_fd(dev);
	ret = create(fd, &id);
	if (ret == -EOPNOTSUPP)
		test_skip("the device has no user queues");
	if (ret)
		test_fail("UQ_CREATE: %s", accel_strerror(ret));
	destroy(fd, id);
	if (access(PARAM "max_uqs_per_file", W_OK))
		test_skip("needs root to set module parameters");

	/* Per file. */
	write_file(PARAM "max_uqs_per_file", "2");
	expect_int("first of 2", 0, create(fd, &ids[0][0]));
	expect_int("second of 2", 0, create(fd, &ids[0][1]));
	expect_int("third with max_uqs_per_file=2", -EMFILE, create(fd, NULL));
	destroy(fd, ids[0][0]);
	destroy(fd, ids[0][1]);
	write_file(PARAM "max_uqs_per_file", "16");

	/* Per device: 4 files x 16 take all 64. */
	for (i = 0; i < 5; i++)
		fds[i] = reopen(fd);
	for (n = 0, i = 0; i < 4; i++) {
		int k;

		for (k = 0; k < 16; k++, n++) {
			ret = create(fds[i], &ids[i][k]);
			if (ret)
				test_fail("user queue %d of 64: expected 0, got %s", n,
					  accel_strerror(ret));
		}
	}
	expect_int("a 65th user queue", -ENOSPC, create(fds[4], NULL));
	destroy(fds[2], ids[2][7]);
	expect_int("a user queue after one of the 64 was destroyed", 0, create(fds[4], &last));
	for (i = 0; i < 5; i++)
		close(fds[i]);

	/* Address-space slots: one slot, held by another file's queue. */
	fds[0] = reopen(fd);
	fds[1] = reopen(fd);
	write_file(PARAM "as_slots", "1");
	ret = create(fds[0], &id);
	if (ret) {
		write_file(PARAM "as_slots", "0");
		test_fail("UQ_CREATE with as_slots=1: expected 0, got %s", accel_strerror(ret));
	}
	ret = create(fds[1], NULL);
	expect_int("UQ_CREATE when the only slot is pinned by another file", -EBUSY, ret);
	destroy(fds[0], id);
	ret = uq_open(fds[1], DRM_ARES_PRIORITY_NORMAL, 16, &q);
	write_file(PARAM "as_slots", "0");
	if (ret)
		test_fail("UQ_CREATE once the slot is free again: expected 0, got %s",
			  accel_strerror(ret));
	uq_nop_bo(fds[1], &va);
	uq_run_nops(&q, va, 16, "the queue that got the slot");
	uq_unmap(&q);
	close(fds[0]);
	close(fds[1]);
	test_pass();
}
