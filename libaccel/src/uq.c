/* SPDX-License-Identifier: MIT */
/*
 * User queues (docs/hw-spec.md section 15): the ring, completion area and
 * doorbell page of a DRM_IOCTL_ARES_UQ_CREATE context mapped into the
 * process, so a submit is a descriptor write and a TAIL store, and a wait
 * polls the completion area before it sleeps in DRM_IOCTL_ARES_UQ_WAIT.
 *
 * Tickets are 64-bit and free-running from the HEAD the queue was created
 * with; the device and the driver count in 32 bits, which the library
 * extends: at most RING_ENTRIES jobs are outstanding, far below 2^31.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>
#include "ares/cmd.h"
#include "ares/queue.h"
#include "ares/regs.h"
#include "uapi/drm/ares_accel.h"

#include "internal.h"

_Static_assert(ACCEL_UQ_ERR_BAD_TAIL == ARES_UQ_ERR_BAD_TAIL &&
		       ACCEL_UQ_ERR_RING_READ == ARES_UQ_ERR_RING_READ &&
		       ACCEL_UQ_ERR_BANNED == ARES_UQ_ERR_BANNED,
	       "accel.h and the hardware contract disagree on queue errors");
_Static_assert(ACCEL_UQ_ACTIVE == DRM_ARES_UQ_ACTIVE && ACCEL_UQ_ERROR == DRM_ARES_UQ_ERROR &&
		       ACCEL_UQ_BANNED == DRM_ARES_UQ_BANNED,
	       "accel.h and the uAPI disagree on queue states");
_Static_assert(ACCEL_JOB_INVALID_DESC == ARES_JOB_INVALID_DESC,
	       "accel.h and the hardware contract disagree on job statuses");
_Static_assert(ACCEL_DEBUG_HANG_UQ == DRM_ARES_DEBUG_HANG_UQ, "accel.h and the uAPI disagree");

/* Polling reads the clock once per this many looks at the completion area. */
#define UQ_SPINS_PER_CLOCK 64

struct accel_uq {
	accel_device *dev;
	uint32_t ctx_id;
	uint32_t asid; /* every descriptor must name it */
	uint32_t ring_entries;
	struct ares_job_desc *ring; /* shared with the device, read/write */
	size_t ring_len;
	/* Read only: the writeback header, then one record per ring slot. */
	const volatile struct ares_queue_wb *wb;
	size_t compl_len;
	volatile struct ares_uq_doorbell *db; /* uncached BAR page */
	uint64_t base;			      /* HEAD at creation: tickets start above it */
	uint64_t tail;			      /* the last ticket handed out */
	uint64_t head;			      /* the last completed ticket seen */
};

static int64_t mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static size_t page_round(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (len + page - 1) / page * page;
}

/*
 * The completed ticket, from the writeback header's 32-bit HEAD. A value
 * behind what was already seen or past the last ticket handed out cannot
 * come from the device: it is ignored, so nothing the library does later
 * (ring space, status records) trusts it.
 */
static uint64_t uq_head(accel_uq *uq)
{
	uint32_t raw = le32toh(__atomic_load_n(&uq->wb->head, __ATOMIC_ACQUIRE));
	uint64_t ahead = (uint32_t)(raw - (uint32_t)uq->head);

	if (ahead <= uq->tail - uq->head)
		uq->head += ahead;
	return uq->head;
}

static const char *uq_error_name(uint32_t error)
{
	switch (error) {
	case ARES_UQ_ERR_NONE:
		return "no error";
	case ARES_UQ_ERR_BAD_TAIL:
		return "BAD_TAIL (the doorbell page's TAIL ran more than RING_ENTRIES ahead of "
		       "HEAD)";
	case ARES_UQ_ERR_RING_READ:
		return "RING_READ (the device could not read the ring or write the completion "
		       "area)";
	case ARES_UQ_ERR_BANNED:
		return "BANNED (one of its jobs ran past the driver's job timeout)";
	default:
		return "an error code this library does not know";
	}
}

static const char *uq_state_name(uint32_t state)
{
	switch (state) {
	case DRM_ARES_UQ_ACTIVE:
		return "active";
	case DRM_ARES_UQ_ERROR:
		return "stopped by the device";
	case DRM_ARES_UQ_BANNED:
		return "banned by the driver";
	default:
		return "in an unknown state";
	}
}

/* -ECANCELED with a sentence if the completion area says the queue stopped. */
static int uq_check_stopped(accel_uq *uq, const char *what)
{
	uint32_t error = le32toh(__atomic_load_n(&uq->wb->error, __ATOMIC_ACQUIRE));

	if (!error)
		return 0;
	return accel_set_error(
		uq->dev, -ECANCELED,
		"%s: user queue (ctx_id %u) on %s is stopped: error 0x%x, %s; destroy "
		"it and create another",
		what, uq->ctx_id, uq->dev->node, error, uq_error_name(error));
}

static void uq_unmap(accel_uq *uq)
{
	if (uq->ring)
		munmap(uq->ring, uq->ring_len);
	if (uq->wb)
		munmap((void *)uq->wb, uq->compl_len);
	if (uq->db)
		munmap((void *)uq->db, ARES_UQ_DB_PAGE);
}

/* Maps @len bytes of the device file at @offset into *@at, or says why not. */
static int uq_map(accel_uq *uq, void **at, size_t len, int prot, uint64_t offset, const char *what)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, uq->dev->fd, (off_t)offset);
	int err = -errno;

	if (p != MAP_FAILED) {
		*at = p;
		return 0;
	}
	return accel_set_error(uq->dev, err,
			       "mmap of the %s of user queue ctx_id %u (%zu bytes at offset "
			       "0x%llx) on %s: %s",
			       what, uq->ctx_id, len, (unsigned long long)offset, uq->dev->node,
			       accel_strerror(err));
}

/* Refuses what the driver would refuse, with the library's words. */
static int uq_check_create(accel_device *dev, uint32_t priority, uint32_t ring_entries)
{
	struct accel_device_info info;
	int ret;

	if (ring_entries < ARES_Q_RING_MIN || ring_entries > ARES_Q_RING_MAX ||
	    (ring_entries & (ring_entries - 1)))
		return accel_set_error(dev, -EINVAL,
				       "accel_uq_create: ring_entries %u is not a power of two "
				       "from %u to %u",
				       ring_entries, ARES_Q_RING_MIN, ARES_Q_RING_MAX);
	if (priority > ACCEL_PRIORITY_REALTIME)
		return accel_set_error(dev, -EINVAL,
				       "accel_uq_create: priority %u is above "
				       "ACCEL_PRIORITY_REALTIME (%u)",
				       priority, ACCEL_PRIORITY_REALTIME);
	ret = accel_device_query_info(dev, &info);
	if (ret)
		return ret;
	if (!(info.caps & ARES_CAP_USER_QUEUES))
		return accel_set_error(dev, -EOPNOTSUPP,
				       "accel_uq_create: %s has no user queues (caps 0x%x lack "
				       "ARES_CAP_USER_QUEUES); use a context (accel_ctx_create)",
				       dev->node, info.caps);
	return 0;
}

static int uq_map_all(accel_uq *uq, const struct drm_ares_uq_create *c)
{
	void *ring = NULL, *compl = NULL, *db = NULL;
	int ret;

	uq->ring_len = page_round((size_t)uq->ring_entries * sizeof(struct ares_job_desc));
	uq->compl_len = page_round(ARES_COMPL_RECORD_OFFSET((size_t)uq->ring_entries));
	ret = uq_map(uq, &ring, uq->ring_len, PROT_READ | PROT_WRITE, c->ring_offset, "ring");
	uq->ring = ring;
	if (ret)
		return ret;
	ret = uq_map(uq, &compl, uq->compl_len, PROT_READ, c->compl_offset, "completion area");
	uq->wb = compl ;
	if (ret)
		return ret;
	ret = uq_map(uq, &db, ARES_UQ_DB_PAGE, PROT_READ | PROT_WRITE, c->doorbell_offset,
		     "doorbell page");
	uq->db = db;
	return ret;
}

int accel_uq_create(accel_device *dev, uint32_t priority, uint32_t ring_entries, accel_uq **out)
{
	struct drm_ares_uq_create c = {.priority = priority, .ring_entries = ring_entries};
	struct drm_ares_ctx_destroy d = {0};
	accel_uq *uq;
	int ret;

	if (!out)
		return accel_set_error(dev, -EINVAL, "accel_uq_create: out is NULL");
	ret = uq_check_create(dev, priority, ring_entries);
	if (ret)
		return ret;
	uq = calloc(1, sizeof(*uq));
	if (!uq)
		return accel_set_error(dev, -ENOMEM, "accel_uq_create: out of memory");
	ret = accel_ioctl(dev, DRM_IOCTL_ARES_UQ_CREATE, &c);
	if (ret) {
		accel_set_error(dev, ret,
				"DRM_IOCTL_ARES_UQ_CREATE priority %u ring_entries %u on %s: %s%s",
				priority, ring_entries, dev->node, accel_strerror(ret),
				ret == -EPERM || ret == -EACCES ? " (REALTIME needs CAP_SYS_NICE)"
				: ret == -EBUSY ? " (no address-space slot or user queue is free)"
						: "");
		free(uq);
		return ret;
	}
	uq->dev = dev;
	uq->ctx_id = c.ctx_id;
	uq->asid = c.asid;
	uq->ring_entries = ring_entries;
	ret = uq_map_all(uq, &c);
	if (ret)
		goto err_destroy;
	/* The driver set TAIL to HEAD: the first ticket is one above it. */
	uq->base = le32toh(__atomic_load_n(&uq->db->tail, __ATOMIC_ACQUIRE));
	uq->tail = uq->base;
	uq->head = uq->base;
	*out = uq;
	return 0;

err_destroy:
	uq_unmap(uq);
	d.ctx_id = uq->ctx_id;
	drmIoctl(dev->fd, DRM_IOCTL_ARES_CTX_DESTROY, &d);
	free(uq);
	return ret;
}

int accel_uq_destroy(accel_uq *uq)
{
	struct drm_ares_ctx_destroy d;
	int ret;

	if (!uq)
		return 0;
	uq_unmap(uq);
	d = (struct drm_ares_ctx_destroy){.ctx_id = uq->ctx_id};
	ret = accel_ioctl(uq->dev, DRM_IOCTL_ARES_CTX_DESTROY, &d);
	free(uq);
	return ret;
}

static int uq_check_submit(accel_uq *uq, const accel_bo *cmd_bo, uint64_t cmd_offset,
			   uint32_t cmd_size, const uint64_t *ticket)
{
	accel_device *dev = uq->dev;

	if (!cmd_bo || !ticket)
		return accel_set_error(dev, -EINVAL,
				       "accel_uq_submit: cmd_bo and ticket must be set");
	if (cmd_bo->dev != dev)
		return accel_set_error(dev, -EINVAL,
				       "accel_uq_submit: cmd_bo (handle %u) belongs to another "
				       "device handle than the queue's (%s)",
				       cmd_bo->handle, dev->node);
	if (!cmd_size || cmd_size % 8 || cmd_offset % 8 || cmd_size > ARES_CMD_STREAM_MAX)
		return accel_set_error(dev, -EINVAL,
				       "accel_uq_submit: cmd_size %u / cmd_offset %llu: the size "
				       "must be a nonzero multiple of 8 up to %u, the offset a "
				       "multiple of 8",
				       cmd_size, (unsigned long long)cmd_offset,
				       ARES_CMD_STREAM_MAX);
	if (cmd_offset > cmd_bo->size || cmd_size > cmd_bo->size - cmd_offset)
		return accel_set_error(
			dev, -EINVAL,
			"accel_uq_submit: cmd range offset %llu size %u lies outside "
			"the %llu-byte command BO (handle %u)",
			(unsigned long long)cmd_offset, cmd_size, (unsigned long long)cmd_bo->size,
			cmd_bo->handle);
	return uq_check_stopped(uq, "accel_uq_submit");
}

static int uq_wake(accel_uq *uq)
{
	struct drm_ares_uq_wake w = {.ctx_id = uq->ctx_id};
	int ret = accel_ioctl(uq->dev, DRM_IOCTL_ARES_UQ_WAKE, &w);

	if (ret)
		return accel_set_error(uq->dev, ret,
				       "DRM_IOCTL_ARES_UQ_WAKE ctx_id %u on %s: %s (the job is in "
				       "the ring; the device runs it at its next wake-up)",
				       uq->ctx_id, uq->dev->node, accel_strerror(ret));
	return 0;
}

int accel_uq_submit(accel_uq *uq, accel_bo *cmd_bo, uint64_t cmd_offset, uint32_t cmd_size,
		    uint64_t *ticket)
{
	struct ares_job_desc desc = {0};
	uint64_t t;
	uint32_t flags;
	int ret;

	ret = uq_check_submit(uq, cmd_bo, cmd_offset, cmd_size, ticket);
	if (ret)
		return ret;
	if (uq->tail - uq->head >= uq->ring_entries && uq->tail - uq_head(uq) >= uq->ring_entries) {
		*ticket = uq->head + 1;
		return accel_set_error(uq->dev, -EAGAIN,
				       "accel_uq_submit: the ring of user queue ctx_id %u is full "
				       "(%u jobs not completed); wait for ticket %llu and submit "
				       "again",
				       uq->ctx_id, uq->ring_entries, (unsigned long long)*ticket);
	}
	t = uq->tail + 1;
	desc.seqno = htole64(t);
	desc.cmd_va = htole64(cmd_bo->va + cmd_offset);
	desc.cmd_size = htole32(cmd_size);
	desc.asid = htole16((uint16_t)uq->asid);
	memcpy(&uq->ring[uq->tail % uq->ring_entries], &desc, sizeof(desc));
	/* Release: the device that sees the new TAIL sees the descriptor. */
	__atomic_store_n(&uq->db->tail, htole32((uint32_t)t), __ATOMIC_RELEASE);
	uq->tail = t;
	*ticket = t;
	/*
	 * Orders the TAIL store before the flags load (hw-spec section 15):
	 * the device sets NEED_WAKEUP, fences and reads TAIL once more before
	 * it sleeps, so either it saw this TAIL or this load sees the flag.
	 */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le32toh(__atomic_load_n(&uq->db->flags, __ATOMIC_RELAXED));
	accel_trace(uq->dev, "uq submit ctx_id=%u ticket=%llu cmd_va=0x%llx cmd_size=%u%s",
		    uq->ctx_id, (unsigned long long)t,
		    (unsigned long long)(cmd_bo->va + cmd_offset), cmd_size,
		    flags & ARES_UQ_DB_NEED_WAKEUP ? " need_wakeup" : "");
	if (flags & ARES_UQ_DB_NEED_WAKEUP)
		return uq_wake(uq);
	return 0;
}

uint64_t accel_uq_completed(accel_uq *uq)
{
	return uq_head(uq);
}

static int uq_check_ticket(accel_uq *uq, uint64_t ticket, const char *what)
{
	if (ticket > uq->tail)
		return accel_set_error(uq->dev, -EINVAL,
				       "%s: ticket %llu has not been handed out on user queue "
				       "ctx_id %u (the last one is %llu)",
				       what, (unsigned long long)ticket, uq->ctx_id,
				       (unsigned long long)uq->tail);
	return 0;
}

/* Polls until @ticket completed, the queue stopped or @until passed. */
static bool uq_spin(accel_uq *uq, uint64_t ticket, int64_t until)
{
	for (unsigned int i = 1;; i++) {
		if (uq_head(uq) >= ticket)
			return true;
		if (uq->wb->error)
			return false;
		if (i % UQ_SPINS_PER_CLOCK == 0 && mono_now_ns() >= until)
			return false;
		cpu_relax();
	}
}

/* The driver's view of a queue it reported stopped, as the last error. */
static int uq_stopped_error(accel_uq *uq, const struct drm_ares_uq_wait *w, const char *what)
{
	return accel_set_error(uq->dev, -ECANCELED,
			       "%s: user queue ctx_id %u on %s is %s (error 0x%x, %s) at HEAD %u; "
			       "destroy it and create another",
			       what, uq->ctx_id, uq->dev->node, uq_state_name(w->state), w->error,
			       uq_error_name(w->error), w->head_now);
}

int accel_uq_wait(accel_uq *uq, uint64_t ticket, uint64_t spin_ns, int64_t timeout_ns)
{
	struct drm_ares_uq_wait w = {.ctx_id = uq->ctx_id, .head = (uint32_t)ticket};
	int64_t start, deadline;
	int ret;

	ret = uq_check_ticket(uq, ticket, "accel_uq_wait");
	if (ret)
		return ret;
	if (uq_head(uq) >= ticket)
		return 0;
	start = mono_now_ns();
	if (timeout_ns < 0 || timeout_ns > INT64_MAX - start)
		deadline = INT64_MAX;
	else
		deadline = start + timeout_ns;
	if (spin_ns && timeout_ns &&
	    uq_spin(uq, ticket,
		    spin_ns < (uint64_t)(deadline - start) ? start + (int64_t)spin_ns : deadline))
		return 0;
	w.timeout_ns = timeout_ns ? deadline : 0;
	ret = accel_ioctl(uq->dev, DRM_IOCTL_ARES_UQ_WAIT, &w);
	if (ret == -ECANCELED)
		return uq_stopped_error(uq, &w, "accel_uq_wait");
	if (ret == -ETIME || ret == -ETIMEDOUT)
		return accel_set_error(uq->dev, -ETIME,
				       "accel_uq_wait: ticket %llu of user queue ctx_id %u not "
				       "completed after %lld ns (HEAD %u)",
				       (unsigned long long)ticket, uq->ctx_id,
				       (long long)timeout_ns, w.head_now);
	if (ret)
		return accel_set_error(uq->dev, ret,
				       "DRM_IOCTL_ARES_UQ_WAIT ctx_id %u head %u on %s: %s",
				       uq->ctx_id, w.head, uq->dev->node, accel_strerror(ret));
	/* The driver saw HEAD there, so the writeback header shows it too. */
	if (uq_head(uq) < ticket)
		return accel_set_error(uq->dev, -EIO,
				       "accel_uq_wait: the driver saw ticket %llu of user queue "
				       "ctx_id %u complete (HEAD %u), the completion area does not "
				       "(HEAD %u)",
				       (unsigned long long)ticket, uq->ctx_id, w.head_now,
				       le32toh(uq->wb->head));
	return 0;
}

int accel_uq_job_status(accel_uq *uq, uint64_t ticket, uint32_t *status)
{
	const volatile struct ares_completion *rec;
	uint64_t seqno;
	uint32_t st;

	if (!status)
		return accel_set_error(uq->dev, -EINVAL, "accel_uq_job_status: status is NULL");
	if (ticket <= uq->base || ticket > uq->tail)
		return accel_set_error(
			uq->dev, -EINVAL,
			"accel_uq_job_status: ticket %llu was not handed out on user "
			"queue ctx_id %u (tickets %llu..%llu)",
			(unsigned long long)ticket, uq->ctx_id, (unsigned long long)uq->base + 1,
			(unsigned long long)uq->tail);
	if (uq_head(uq) < ticket)
		return accel_set_error(
			uq->dev, -EBUSY,
			"accel_uq_job_status: ticket %llu of user queue ctx_id %u has "
			"not completed (completed up to %llu)",
			(unsigned long long)ticket, uq->ctx_id, (unsigned long long)uq->head);
	rec = (const volatile struct ares_completion *)((const volatile char *)uq->wb +
							ARES_COMPL_RECORD_OFFSET((ticket - 1) %
										 uq->ring_entries));
	seqno = le64toh(rec->seqno);
	st = le32toh(rec->status);
	/* The record was read before HEAD is looked at again. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (uq_head(uq) - ticket >= uq->ring_entries)
		return accel_set_error(
			uq->dev, -ESTALE,
			"accel_uq_job_status: the record of ticket %llu of user queue "
			"ctx_id %u was reused: %llu later jobs completed, the ring "
			"holds %u",
			(unsigned long long)ticket, uq->ctx_id,
			(unsigned long long)(uq->head - ticket), uq->ring_entries);
	if (seqno != ticket)
		return accel_set_error(
			uq->dev, -EIO,
			"accel_uq_job_status: the completion record of ticket %llu of "
			"user queue ctx_id %u names seqno %llu",
			(unsigned long long)ticket, uq->ctx_id, (unsigned long long)seqno);
	*status = st;
	return 0;
}

int accel_uq_fence(accel_uq *uq, uint64_t ticket, accel_job **out)
{
	struct drm_ares_uq_wait w = {
		.ctx_id = uq->ctx_id, .flags = DRM_ARES_UQ_WAIT_SYNCOBJ, .head = (uint32_t)ticket};
	accel_job *job;
	int ret;

	if (!out)
		return accel_set_error(uq->dev, -EINVAL, "accel_uq_fence: out is NULL");
	ret = uq_check_ticket(uq, ticket, "accel_uq_fence");
	if (ret)
		return ret;
	job = calloc(1, sizeof(*job));
	if (!job)
		return accel_set_error(uq->dev, -ENOMEM, "accel_uq_fence: out of memory");
	ret = accel_syncobj_get(uq->dev, &job->syncobj);
	if (ret)
		goto err_free;
	w.syncobj = job->syncobj;
	ret = accel_ioctl(uq->dev, DRM_IOCTL_ARES_UQ_WAIT, &w);
	if (ret == -ECANCELED) {
		uq_stopped_error(uq, &w, "accel_uq_fence");
		goto err_put;
	}
	if (ret) {
		accel_set_error(
			uq->dev, ret,
			"DRM_IOCTL_ARES_UQ_WAIT ctx_id %u head %u SYNCOBJ syncobj %u on %s: %s",
			uq->ctx_id, w.head, w.syncobj, uq->dev->node, accel_strerror(ret));
		goto err_put;
	}
	job->dev = uq->dev;
	job->seqno = ticket;
	job->uq = uq;
	*out = job;
	return 0;

err_put:
	accel_syncobj_put(uq->dev, job->syncobj);
err_free:
	free(job);
	return ret;
}

int accel_uq_state(accel_uq *uq, uint32_t *state, uint32_t *error)
{
	struct drm_ares_uq_wait w = {.ctx_id = uq->ctx_id, .head = (uint32_t)uq_head(uq)};
	int ret;

	if (!state)
		return accel_set_error(uq->dev, -EINVAL, "accel_uq_state: state is NULL");
	/* HEAD already reached and no deadline: the call only reports. */
	ret = accel_ioctl(uq->dev, DRM_IOCTL_ARES_UQ_WAIT, &w);
	if (ret && ret != -ECANCELED)
		return accel_set_error(uq->dev, ret, "DRM_IOCTL_ARES_UQ_WAIT ctx_id %u on %s: %s",
				       uq->ctx_id, uq->dev->node, accel_strerror(ret));
	*state = w.state;
	if (error)
		*error = w.error;
	if (w.state != DRM_ARES_UQ_ACTIVE)
		uq_stopped_error(uq, &w, "accel_uq_state");
	return 0;
}

uint32_t accel_uq_ctx_id(const accel_uq *uq)
{
	return uq->ctx_id;
}

uint32_t accel_uq_ring_entries(const accel_uq *uq)
{
	return uq->ring_entries;
}
