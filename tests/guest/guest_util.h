/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the guest test programs: open the device, run a job,
 * and fail with "expected X, got Y" naming the test.
 */
#ifndef GUEST_UTIL_H
#define GUEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "accel.h"

/* Set by test_init(); prefixes every message. */
extern const char *test_name;

void test_init(const char *name);

/* Prints "FAIL <test>: <message>" and exits 1. */
noreturn void test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "SKIP <test>: <message>" and exits 77. */
noreturn void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "PASS <test>" and exits 0. */
noreturn void test_pass(void);

/* Fails unless @ret is 0, naming @what and the device's last error. */
void check_ok(accel_device *dev, int ret, const char *what);

/* Fails unless @got == @want. */
void expect_u64(const char *what, uint64_t want, uint64_t got);
void expect_int(const char *what, int want, int got);

/* Hangs both hardware queues of priority PRIO (2 PRIO and 2 PRIO + 1) through
 * DEBUG HANG_QUEUE; skips the test when the module lacks fault_injection=1. */
void hang_priority_queues(accel_device *dev, int prio);

/* Opens the first Ares device, failing the test if there is none. */
accel_device *open_first_device(void);

/* Allocates and maps a buffer of @size bytes, zeroed. */
accel_bo *alloc_mapped(accel_device *dev, uint64_t size, void **map);

/*
 * Submits @cb on @ctx with @bos, waits up to @timeout_ms and returns the
 * job's ACCEL_JOB_* status; fails the test if anything but the job fails.
 */
uint32_t run_job(accel_ctx *ctx, accel_device *dev, accel_cmdbuf *cb, accel_bo *const *bos,
		 uint32_t nbos, int timeout_ms);

/* Fresh empty command buffer. */
accel_cmdbuf *new_cmdbuf(void);

uint64_t now_ns(void);

/* ---- files, the kernel log and the device's registers ---- */

/* Reads the decimal number in @dir/@name (sysfs, debugfs, procfs). */
unsigned long long read_u64_at(const char *dir, const char *name);

/* Writes @val to @path (a sysfs or debugfs knob, a module parameter). */
void write_file(const char *path, const char *val);

/* Whether the kernel log holds @needle. */
bool klog_has(const char *needle);

/*
 * Maps @size bytes of BAR @bar of the PCI function @pci through sysfs
 * (resourceN: root, and the driver unbound for the register file).
 */
volatile uint8_t *map_bar(const char *pci, int bar, size_t size);

/* A file of the vgem driver (loading it if needed) for dma-buf tests, or -1. */
int open_vgem(void);

#endif /* GUEST_UTIL_H */
