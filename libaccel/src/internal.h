/* SPDX-License-Identifier: MIT */
/* libaccel internals shared between its source files; never installed. */
#ifndef ACCEL_INTERNAL_H
#define ACCEL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accel.h"

#define ACCEL_ERRMSG_LEN 512

/* Named debug switches parsed from ARES_DEBUG, kept per device. */
#define ACCEL_DBG_IOCTL (1u << 0)

/*
 * Syncobjs of destroyed jobs, kept for the next submit: SUBMIT replaces the
 * out-syncobj's fence, so a reused one needs no reset, and a job costs a
 * SUBMIT and a wait instead of also a CREATE and a DESTROY. The kernel frees
 * the spares with the fd.
 */
#define ACCEL_SPARE_SYNCOBJS 64

struct accel_device {
	int fd;
	unsigned int debug; /* ACCEL_DBG_* */
	uint32_t spare_syncobjs[ACCEL_SPARE_SYNCOBJS];
	unsigned int spare_syncobj_count;
	char node[ACCEL_PATH_MAX];
	int drv_major, drv_minor, drv_patch;
	char errmsg[ACCEL_ERRMSG_LEN];
};

struct accel_bo {
	accel_device *dev;
	uint32_t handle;
	uint32_t flags;
	uint64_t size;
	uint64_t va;
	uint64_t mmap_offset;
	void *map;
	/* @map is the caller's memory (accel_bo_userptr()): never unmapped. */
	int userptr;
};

struct accel_ctx {
	accel_device *dev;
	uint32_t id;
	uint32_t priority;
};

struct accel_job {
	accel_device *dev;
	uint32_t syncobj;
	uint32_t status_bo; /* GEM handle BO_WAIT is asked about */
	uint64_t seqno;
	accel_bo *owned_cmd_bo; /* from accel_submit_cmdbuf(), freed with the job */
	/* accel_uq_fence(): the ticket on @uq whose record holds the status. */
	accel_uq *uq;
};

/* job.c, for uq.c: the syncobj pool, shared by both kinds of job. */
int accel_syncobj_get(accel_device *dev, uint32_t *h);
void accel_syncobj_put(accel_device *dev, uint32_t h);

/* Records a sentence in dev->errmsg and returns err (a negative errno). */
/* diagnose.c: appends who may open @node and how to join them. */
void accel_access_hint(const char *node, char *buf, size_t len);

int accel_set_error(accel_device *dev, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * drmIoctl() with ARES_DEBUG=ioctl tracing. Returns 0 or -errno; on failure
 * records "<ioctl name>: <strerror>" so callers only add detail if useful.
 */
int accel_ioctl(accel_device *dev, unsigned long request, void *arg);

/* cmdbuf.c, for cmdbuf_tensor.c: keep @err as the builder's first error; reserve a zeroed command.
 */
int accel_cmdbuf_fail(accel_cmdbuf *cb, int err);
int accel_cmdbuf_emit(accel_cmdbuf *cb, uint16_t opcode, uint32_t size, void **body);

/* Trace a libdrm helper call that does its own ioctl. */
void accel_trace(const accel_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * enumerate.c, for visible.c: every Ares node under @dev_dir, sorted by
 * index, in a malloc()ed array the caller frees (NULL when none).
 */
int accel_scan(const char *dev_dir, const char *sys_dir, struct accel_device_entry **out,
	       size_t *count);

/* Parses ARES_DEBUG into ACCEL_DBG_* bits. */
unsigned int accel_debug_flags_from_env(void);

#endif /* ACCEL_INTERNAL_H */
