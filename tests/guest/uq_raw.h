/* SPDX-License-Identifier: MIT */
/*
 * User queues at the ioctl level for the guest tests: UQ_CREATE, the three
 * mappings, descriptors written straight into the ring, TAIL moved in the
 * doorbell page and UQ_WAKE only on NEED_WAKEUP (hw-spec §15), UQ_WAIT.
 * No libaccel: these tests check the kernel's side of the contract.
 */
#ifndef UQ_RAW_H
#define UQ_RAW_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <xf86drm.h>

#include "ares/cmd.h"
#include "ares/queue.h"
#include "ares/regs.h"
#include "uapi/drm/ares_accel.h"

#include "guest_util.h"

struct uq {
	int fd;
	struct drm_ares_uq_create c;
	struct ares_job_desc *ring;
	size_t ring_size;
	const volatile uint8_t * compl ;
	size_t compl_size;
	volatile struct ares_uq_doorbell *db;
	uint32_t tail;
	uint64_t seqno;
};

static inline int uq_ioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

static inline size_t uq_page_align(size_t n)
{
	return (n + 4095) & ~(size_t)4095;
}

static inline size_t uq_ring_bytes(uint32_t entries)
{
	return uq_page_align((size_t)entries * sizeof(struct ares_job_desc));
}

static inline size_t uq_compl_bytes(uint32_t entries)
{
	return uq_page_align(ARES_COMPL_RECORD_OFFSET((size_t)entries));
}

/* UQ_CREATE and the three mappings; returns 0 or -errno of the ioctl. */
static inline int uq_open(int fd, uint32_t priority, uint32_t entries, struct uq *q)
{
	void *p;
	int ret;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->c.priority = priority;
	q->c.ring_entries = entries;
	ret = uq_ioctl(fd, DRM_IOCTL_ARES_UQ_CREATE, &q->c);
	if (ret)
		return ret;
	q->ring_size = uq_ring_bytes(entries);
	q->compl_size = uq_compl_bytes(entries);
	p = mmap(NULL, q->ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, q->c.ring_offset);
	if (p == MAP_FAILED)
		test_fail("mmap of the ring (%zu bytes at 0x%llx): %m", q->ring_size,
			  (unsigned long long)q->c.ring_offset);
	q->ring = p;
	p = mmap(NULL, q->compl_size, PROT_READ, MAP_SHARED, fd, q->c.compl_offset);
	if (p == MAP_FAILED)
		test_fail("mmap of the completion area: %m");
	q->compl = p;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, q->c.doorbell_offset);
	if (p == MAP_FAILED)
		test_fail("mmap of the doorbell page: %m");
	q->db = p;
	return 0;
}

static inline void uq_unmap(struct uq *q)
{
	munmap(q->ring, q->ring_size);
	munmap((void *)q->compl, q->compl_size);
	munmap((void *)q->db, 4096);
}

static inline const volatile struct ares_queue_wb *uq_wb(struct uq *q)
{
	return (const volatile struct ares_queue_wb *)q->compl ;
}

static inline const volatile struct ares_completion *uq_rec(struct uq *q, uint32_t job)
{
	return (const volatile struct ares_completion *)(q->compl +ARES_COMPL_RECORD_OFFSET(
		job & (q->c.ring_entries - 1)));
}

/* Writes one descriptor (the caller keeps TAIL - HEAD within the ring). */
static inline void uq_write_desc(struct uq *q, uint64_t cmd_va, uint32_t cmd_size)
{
	struct ares_job_desc *d = &q->ring[q->tail & (q->c.ring_entries - 1)];

	memset(d, 0, sizeof(*d));
	d->seqno = ++q->seqno;
	d->cmd_va = cmd_va;
	d->cmd_size = cmd_size;
	d->asid = (uint16_t)q->c.asid;
	q->tail++;
}

/* Publishes TAIL and rings through UQ_WAKE only if the device sleeps. */
static inline int uq_kick(struct uq *q)
{
	struct drm_ares_uq_wake w = {.ctx_id = q->c.ctx_id};

	__atomic_store_n(&q->db->tail, q->tail, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->db->flags & ARES_UQ_DB_NEED_WAKEUP)
		return uq_ioctl(q->fd, DRM_IOCTL_ARES_UQ_WAKE, &w);
	return 0;
}

static inline int64_t uq_deadline_ns(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec + (int64_t)ms * 1000000ll;
}

/* UQ_WAIT until HEAD reaches @head, up to @ms; fills @out. */
static inline int uq_wait(struct uq *q, uint32_t head, int ms, struct drm_ares_uq_wait *out)
{
	struct drm_ares_uq_wait w = {.ctx_id = q->c.ctx_id, .head = head};
	int ret;

	w.timeout_ns = ms ? uq_deadline_ns(ms) : 0;
	ret = uq_ioctl(q->fd, DRM_IOCTL_ARES_UQ_WAIT, &w);
	if (out)
		*out = w;
	return ret;
}

/* A buffer holding one 8-byte NOP; its VA in *@va. */
/* Creates the BO @c describes (its handle and VA filled in) and maps it whole. */
static inline void *uq_bo_map(int fd, struct drm_ares_bo_create *c)
{
	struct drm_ares_bo_info i = {0};
	void *p;

	if (uq_ioctl(fd, DRM_IOCTL_ARES_BO_CREATE, c))
		test_fail("BO_CREATE: %m");
	i.handle = c->handle;
	if (uq_ioctl(fd, DRM_IOCTL_ARES_BO_INFO, &i))
		test_fail("BO_INFO: %m");
	p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, i.mmap_offset);
	if (p == MAP_FAILED)
		test_fail("mmap of BO %u: %m", c->handle);
	return p;
}

static inline uint32_t uq_nop_bo(int fd, uint64_t *va)
{
	struct drm_ares_bo_create c = {.size = 4096};
	struct ares_cmd_hdr *hdr;
	void *p = uq_bo_map(fd, &c);

	hdr = p;
	hdr->opcode = ARES_OP_NOP;
	hdr->flags = 0;
	hdr->size = 8;
	munmap(p, 4096);
	*va = c.va;
	return c.handle;
}

/* Runs @n NOPs through @q and waits for them; fails the test otherwise. */
static inline void uq_run_nops(struct uq *q, uint64_t va, uint32_t n, const char *what)
{
	struct drm_ares_uq_wait w;
	uint32_t i, start = q->tail;
	int ret;

	for (i = 0; i < n; i++)
		uq_write_desc(q, va, 8);
	ret = uq_kick(q);
	if (ret)
		test_fail("%s: UQ_WAKE: expected 0, got %s", what, accel_strerror(ret));
	ret = uq_wait(q, q->tail, 20000, &w);
	if (ret)
		test_fail("%s: UQ_WAIT for HEAD %u: expected 0, got %s (state %u error %u head %u)",
			  what, q->tail, accel_strerror(ret), w.state, w.error, w.head_now);
	for (i = start; i != q->tail; i++)
		if (uq_rec(q, i)->status != ARES_JOB_OK)
			test_fail("%s: job %u: expected status OK, got %u", what, i,
				  uq_rec(q, i)->status);
	if (uq_wb(q)->head != q->tail)
		test_fail("%s: wb.head: expected %u, got %u", what, q->tail, uq_wb(q)->head);
}

#endif /* UQ_RAW_H */
