/* SPDX-License-Identifier: MIT */
/*
 * The mapping rules of a user queue (docs/uapi.md): the completion area is
 * read-only for good (PROT_WRITE refused, mprotect refused, a write
 * faults); only the exact size at the exact offset, shared, maps; another
 * open file cannot map my queue's offsets; a fork()ed child inherits none
 * of the mappings; an offset of no queue maps nothing.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault_probe.h"
#include "uq_raw.h"

static int fd, failures;
/* mmap() that must fail with @want (an errno). */
static void expect_mmap_err(const char *what, int want, int mfd, size_t size, int prot, int flags,
			    uint64_t off)
{
	void *p = mmap(NULL, size, prot, flags, mfd, (off_t)off);
	int got = p == MAP_FAILED ? errno : 0;

	if (p != MAP_FAILED)
		munmap(p, size);
	if (got != want) {
		printf("  %s: expected errno %d (%s), got %d (%s)\n", what, want, strerror(want),
		       got, strerror(got));
		failures++;
	}
}

int main(void)
{
	accel_device *dev;
	struct uq q;
	char path[64];
	size_t rs, cs;
	int fd2, ret, status;
	pid_t pid;
	void *p;

	test_init("uq_mmap");
	dev = open_first_device();
	fd = accel_device_fd(dev);
	fault_probe_install();

	ret = uq_open(fd, DRM_ARES_PRIORITY_NORMAL, 256, &q);
	if (ret == -EOPNOTSUPP)
		test_skip("the device has no user queues");
	if (ret)
		test_fail("UQ_CREATE: expected 0, got %s", accel_strerror(ret));
	rs = q.ring_size;
	cs = q.compl_size;

	/* The completion area: the device's, read-only. */
	if (!write_faults((volatile uint32_t *)q.compl ))
		test_fail("write into the completion area: expected a fault, it was written");
	expect_int("mprotect(PROT_WRITE) of the completion area", -EACCES,
		   mprotect((void *)q.compl, cs, PROT_READ | PROT_WRITE) ? -errno : 0);
	expect_mmap_err("completion area with PROT_WRITE", EACCES, fd, cs, PROT_READ | PROT_WRITE,
			MAP_SHARED, q.c.compl_offset);

	/* Exact sizes and offsets, shared only. */
	expect_mmap_err("ring, one page too many", EINVAL, fd, rs + 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED, q.c.ring_offset);
	expect_mmap_err("ring, one page short", EINVAL, fd, rs - 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED, q.c.ring_offset);
	expect_mmap_err("ring, one page in", EINVAL, fd, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			q.c.ring_offset + 4096);
	expect_mmap_err("ring, MAP_PRIVATE", EINVAL, fd, rs, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			q.c.ring_offset);
	expect_mmap_err("completion area, one page too many", EINVAL, fd, cs + 4096, PROT_READ,
			MAP_SHARED, q.c.compl_offset);
	expect_mmap_err("doorbell, two pages", EINVAL, fd, 8192, PROT_READ | PROT_WRITE, MAP_SHARED,
			q.c.doorbell_offset);
	expect_mmap_err("doorbell page + 4 KiB", EINVAL, fd, 4096, PROT_READ | PROT_WRITE,
			MAP_SHARED, q.c.doorbell_offset + 4096);
	/* Queue windows are 4 MiB apart from 1 GiB up (ares_uq.h): not mine. */
	expect_mmap_err("a window of no queue", EINVAL, fd, 4096, PROT_READ, MAP_SHARED,
			q.c.ring_offset ^ 0x400000);

	/* Another open file of the same device. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fd2 = open(path, O_RDWR); /* the same device, a new file */
	if (fd2 < 0)
		test_fail("second open of the device: %m");
	expect_mmap_err("another file maps my ring", EACCES, fd2, rs, PROT_READ | PROT_WRITE,
			MAP_SHARED, q.c.ring_offset);
	expect_mmap_err("another file maps my completion area", EACCES, fd2, cs, PROT_READ,
			MAP_SHARED, q.c.compl_offset);
	expect_mmap_err("another file maps my doorbell page", EACCES, fd2, 4096,
			PROT_READ | PROT_WRITE, MAP_SHARED, q.c.doorbell_offset);
	close(fd2);

	/* mremap cannot grow a mapping (VM_DONTEXPAND). */
	p = mremap((void *)q.db, 4096, 8192, MREMAP_MAYMOVE);
	if (p != MAP_FAILED)
		test_fail("mremap of the doorbell page to 8 KiB: expected to fail, it worked");

	/* A child gets none of the mappings (VM_DONTCOPY). */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGBUS, SIG_DFL);
		signal(SIGSEGV, SIG_DFL);
		(void)q.db->tail;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		test_fail("fork/waitpid: %m");
	if (!WIFSIGNALED(status))
		test_fail("child reading the parent's doorbell page: expected a fault, status 0x%x",
			  status);

	/* The mappings still work here. */
	q.db->reserved[3] = 0x1234;
	expect_u64("doorbell page's TAIL readable", 0, q.db->tail);
	if (read_faults((const volatile uint32_t *)q.compl ))
		test_fail("completion area: expected readable");

	if (failures)
		test_fail("%d mapping rule(s) not enforced", failures);
	test_pass();
}
