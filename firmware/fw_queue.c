/* SPDX-License-Identifier: MIT */
/*
 * Hardware and user queues from the firmware's side (hw-spec §6, §15):
 * configuration checks, strict-priority arbitration with weighted round
 * robin among equals, one job at a time, and the completion protocol
 * (record, done_seqno, wb.head, HEAD, interrupt — in that order, because
 * the driver trusts each after the one before).
 *
 * Queue ids 0..7 are the hardware queues, 8 + n user queue n
 * (ARES_UQ_QUEUE_ID). A user queue's TAIL lives in a doorbell page its
 * process writes, so it is checked every time it is read; the process
 * never sees the register block, which is where the device publishes.
 */
#include "fw.h"

#define FW_NUM_QUEUES (ARES_NUM_QUEUES + ARES_NUM_UQ)

/* One offset per field for both kinds of queue: their blocks share a layout. */
_Static_assert(ARES_Q_RING_BASE == ARES_UQ_RING_BASE &&
		       ARES_Q_RING_ENTRIES == ARES_UQ_RING_ENTRIES &&
		       ARES_Q_PRIORITY == ARES_UQ_PRIORITY &&
		       ARES_Q_COMPL_BASE == ARES_UQ_COMPL_BASE && ARES_Q_HEAD == ARES_UQ_HEAD &&
		       ARES_Q_CONTROL == ARES_UQ_CONTROL && ARES_Q_STATUS == ARES_UQ_STATUS &&
		       ARES_Q_CONTROL_ENABLE == ARES_UQ_CONTROL_ENABLE &&
		       ARES_Q_STATUS_ACTIVE == ARES_UQ_STATUS_ACTIVE &&
		       ARES_Q_STATUS_BAD_CONFIG == ARES_UQ_STATUS_BAD_CONFIG,
	       "hardware and user queue blocks differ");

struct fw_queue {
	int configured; /* the fields below were latched from the registers */
	int active;	/* configured and valid, not stopped by an error */
	int stuck;	/* a job started under DBG_HANG_*: no progress until RESET */
	__u64 ring_base;
	__u64 compl_base;
	__u32 entries;
	__u32 priority;
	__u32 asid; /* user queues: the only ASID their descriptors may name */
	__u32 head;
	__u32 fails_logged; /* user queues: failed jobs logged since enable */
	int active_before;  /* the latched config was valid: a re-enable of it resumes */
};

/*
 * A user queue's process can fail jobs as fast as the device runs them: its
 * first FW_UQ_FAILS_LOGGED failures per enable are logged, then one line
 * says the rest are not, so that one process cannot wash every other line
 * out of the log.
 */
#define FW_UQ_FAILS_LOGGED 8

static struct fw_queue fw_q[FW_NUM_QUEUES];
static __u32 fw_rr[ARES_NUM_PRIORITIES]; /* last queue served at each priority */
/* Jobs that queue fw_rr[prio] may still run before its turn passes on. */
static __u32 fw_turn_left[ARES_NUM_PRIORITIES];

static int is_uq(__u32 q)
{
	return q >= ARES_NUM_QUEUES;
}

static __u32 qreg(__u32 q, __u32 off)
{
	return is_uq(q) ? ARES_REG_UQ(q - ARES_NUM_QUEUES, off) : ARES_REG_Q(q, off);
}

static __u32 uq_tail_reg(__u32 q)
{
	return ARES_REG_UQ_DB(q - ARES_NUM_QUEUES) + offsetof(struct ares_uq_doorbell, tail);
}

static const char *kind(__u32 q)
{
	return is_uq(q) ? "user queue" : "queue";
}

static __u32 number(__u32 q)
{
	return is_uq(q) ? q - ARES_NUM_QUEUES : q;
}

void fw_queues_init(void)
{
	memset(fw_q, 0, sizeof(fw_q));
	memset(fw_rr, 0, sizeof(fw_rr));
	memset(fw_turn_left, 0, sizeof(fw_turn_left));
}

static int config_valid(const struct ares_cp_ops *ops, __u32 q, const struct fw_queue *s)
{
	if (s->entries < ARES_Q_RING_MIN || s->entries > ARES_Q_RING_MAX ||
	    (s->entries & (s->entries - 1)))
		return 0;
	if ((s->ring_base | s->compl_base) & 0xfff)
		return 0;
	if (is_uq(q) && s->asid >= ARES_MAX_AS)
		return 0;
	if (ops->bus_check(ops->dev, s->ring_base,
			   (__u64)s->entries * sizeof(struct ares_job_desc)))
		return 0;
	return !ops->bus_check(ops->dev, s->compl_base,
			       ARES_COMPL_RECORD_OFFSET((__u64)s->entries));
}

/*
 * A user queue the device stops for an error (hw-spec §15): the code goes
 * where the process and the driver read it, and the queue is served no more
 * until the driver disables and re-enables it.
 */
static void uq_fail(const struct ares_cp_ops *ops, __u32 q, __u32 err)
{
	struct fw_queue *s = &fw_q[q];

	s->active = 0;
	ops->bus_write(ops->dev, s->compl_base + offsetof(struct ares_queue_wb, error), &err,
		       sizeof(err));
	fw_wr32(ops, qreg(q, ARES_UQ_ERROR), err);
	fw_wr32(ops, qreg(q, ARES_UQ_STATUS), ARES_UQ_STATUS_ERROR);
	ops->raise_irq(ops->dev, ARES_VEC_UQ);
	fw_log(ops, "user queue %u: stopped, error %u (head %u)", number(q), err, s->head);
}

/* ENABLE cleared: nothing of the queue runs now, so the stop is acknowledged at once. */
static void disable(const struct ares_cp_ops *ops, __u32 q)
{
	struct fw_queue *s = &fw_q[q];

	if (s->configured) {
		fw_wr32(ops, qreg(q, ARES_Q_STATUS), 0);
		/* Not logged: the driver stops a user queue around every unmap of its address
		 * space. */
		if (is_uq(q))
			ops->raise_irq(ops->dev, ARES_VEC_UQ);
	}
	s->configured = s->active = 0;
}

static void scan_one(const struct ares_cp_ops *ops, __u32 q)
{
	struct fw_queue *s = &fw_q[q], n;
	int uq = is_uq(q), resumed;

	/* A hung user job keeps STATUS.RUNNING until RESET, whatever the driver does (§15). */
	if (uq && s->stuck)
		return;
	if (!(fw_rd32(ops, qreg(q, ARES_Q_CONTROL)) & ARES_Q_CONTROL_ENABLE)) {
		disable(ops, q);
		return;
	}
	n = *s;
	n.ring_base = fw_rd64(ops, qreg(q, ARES_Q_RING_BASE));
	n.compl_base = fw_rd64(ops, qreg(q, ARES_Q_COMPL_BASE));
	n.entries = fw_rd32(ops, qreg(q, ARES_Q_RING_ENTRIES));
	n.priority = fw_rd32(ops, qreg(q, ARES_Q_PRIORITY));
	n.asid = uq ? fw_rd32(ops, qreg(q, ARES_UQ_ASID)) : 0;
	/* The spec gives no error for a priority above 3: treat it as the highest. */
	if (n.priority >= ARES_NUM_PRIORITIES)
		n.priority = ARES_NUM_PRIORITIES - 1;
	/*
	 * Only the device moves HEAD once a queue runs, so a HEAD we did not
	 * write means the driver set the queue up again between two scans.
	 */
	if (s->configured && n.ring_base == s->ring_base && n.compl_base == s->compl_base &&
	    n.entries == s->entries && n.priority == s->priority && n.asid == s->asid &&
	    fw_rd32(ops, qreg(q, ARES_Q_HEAD)) == s->head)
		return;
	/*
	 * The driver's stop and re-enable around an unmap brings back the
	 * ring, completion area and address space the slot had: the same
	 * queue resuming, which neither logs again nor gets a fresh budget of
	 * logged failures (else interleaving unmaps with failing jobs would
	 * flood the log after all).
	 */
	resumed = uq && !s->configured && s->active_before && n.ring_base == s->ring_base &&
		  n.compl_base == s->compl_base && n.entries == s->entries && n.asid == s->asid;
	n.configured = 1;
	if (!resumed)
		n.fails_logged = 0;
	n.active = config_valid(ops, q, &n);
	n.active_before = n.active;
	n.head = fw_rd32(ops, qreg(q, ARES_Q_HEAD));
	*s = n;
	if (uq) {
		fw_wr64(ops, qreg(q, ARES_UQ_JOBS), 0);
		fw_wr64(ops, qreg(q, ARES_UQ_BUSY_NS), 0);
		fw_wr32(ops, qreg(q, ARES_UQ_ERROR), ARES_UQ_ERR_NONE);
	}
	fw_wr32(ops, qreg(q, ARES_Q_STATUS),
		n.active ? ARES_Q_STATUS_ACTIVE : ARES_Q_STATUS_BAD_CONFIG);
	if (n.active) {
		if (!resumed)
			fw_log(ops, "%s %u: enabled, %u entries, priority %u, head %u", kind(q),
			       number(q), n.entries, n.priority, n.head);
		return;
	}
	fw_log(ops, "%s %u: bad config (ring 0x%llx entries %u compl 0x%llx asid %u)", kind(q),
	       number(q), (unsigned long long)n.ring_base, n.entries,
	       (unsigned long long)n.compl_base, n.asid);
	/* A driver waiting for its user queue to come up learns it never will. */
	if (uq)
		ops->raise_irq(ops->dev, ARES_VEC_UQ);
}

void fw_queues_scan(const struct ares_cp_ops *ops)
{
	__u32 q;

	for (q = 0; q < FW_NUM_QUEUES; q++)
		scan_one(ops, q);
}

static int has_work(const struct ares_cp_ops *ops, __u32 q)
{
	const struct fw_queue *s = &fw_q[q];
	__u32 tail;

	if (!s->active || s->stuck)
		return 0;
	if (!is_uq(q))
		return fw_rd32(ops, ARES_REG_Q(q, ARES_Q_TAIL)) != s->head;
	/* The process's word: read once, and never believed beyond the ring. */
	tail = fw_rd32(ops, uq_tail_reg(q));
	if (tail == s->head)
		return 0;
	if (tail - s->head > s->entries) {
		uq_fail(ops, q, ARES_UQ_ERR_BAD_TAIL);
		return 0;
	}
	return 1;
}

/*
 * WEIGHT is read at the start of each turn rather than latched, because the
 * driver changes it whenever a context starts or stops having work. A user
 * queue has no WEIGHT: its turn is one job.
 */
static __u32 turn_length(const struct ares_cp_ops *ops, __u32 q)
{
	__u32 w;

	if (is_uq(q))
		return 1;
	w = fw_rd32(ops, ARES_REG_Q(q, ARES_Q_WEIGHT));
	if (w == 0)
		return 1;
	return w > ARES_Q_WEIGHT_MAX ? ARES_Q_WEIGHT_MAX : w;
}

/*
 * Called per job over 72 queue ids: one pass notes the priorities that have
 * a queue at all, and the round robin steps without a division, so an idle
 * priority or an idle queue costs a load or two.
 */
static int pick(const struct ares_cp_ops *ops)
{
	__u32 present = 0, prio, i, q;

	for (q = 0; q < FW_NUM_QUEUES; q++)
		if (fw_q[q].active && !fw_q[q].stuck)
			present |= 1u << fw_q[q].priority;
	for (prio = ARES_NUM_PRIORITIES; prio-- > 0;) {
		if (!(present & (1u << prio)))
			continue;
		q = fw_rr[prio];
		if (fw_turn_left[prio] && fw_q[q].priority == prio && has_work(ops, q)) {
			fw_turn_left[prio]--;
			return (int)q;
		}
		/* From the queue after the last one served, round to that one. */
		for (i = 0; i < FW_NUM_QUEUES; i++) {
			if (++q == FW_NUM_QUEUES)
				q = 0;
			if (fw_q[q].active && fw_q[q].priority == prio && has_work(ops, q)) {
				fw_rr[prio] = q;
				fw_turn_left[prio] = turn_length(ops, q) - 1;
				return (int)q;
			}
		}
	}
	return -1;
}

/* 0, or -1 when the completion area cannot be written (a user queue then fails). */
static int complete(const struct ares_cp_ops *ops, __u32 q, const struct ares_completion *c)
{
	struct fw_queue *s = &fw_q[q];
	__u32 slot = s->head & (s->entries - 1), ctl;

	if (ops->bus_write(ops->dev, s->compl_base + ARES_COMPL_RECORD_OFFSET(slot), c,
			   sizeof(*c)) ||
	    ops->bus_write(ops->dev, s->compl_base + offsetof(struct ares_queue_wb, done_seqno),
			   &c->seqno, sizeof(c->seqno)))
		return -1;
	s->head++;
	ops->bus_write(ops->dev, s->compl_base + offsetof(struct ares_queue_wb, head), &s->head,
		       sizeof(s->head));
	fw_wr32(ops, qreg(q, ARES_Q_HEAD), s->head);
	if (!is_uq(q)) {
		ops->raise_irq(ops->dev, ARES_VEC_QUEUE(q));
		return 0;
	}
	fw_wr64(ops, qreg(q, ARES_UQ_JOBS), fw_rd64(ops, qreg(q, ARES_UQ_JOBS)) + 1);
	fw_wr64(ops, qreg(q, ARES_UQ_BUSY_NS),
		fw_rd64(ops, qreg(q, ARES_UQ_BUSY_NS)) + (c->end_ns - c->start_ns));
	fw_wr32(ops, qreg(q, ARES_UQ_STATUS), ARES_UQ_STATUS_ACTIVE);
	ctl = fw_rd32(ops, qreg(q, ARES_UQ_CONTROL));
	if ((ctl & ARES_UQ_CONTROL_IRQ) &&
	    (__s32)(s->head - fw_rd32(ops, qreg(q, ARES_UQ_IRQ_HEAD))) >= 0)
		ops->raise_irq(ops->dev, ARES_VEC_UQ);
	return 0;
}

static void log_failure(const struct ares_cp_ops *ops, __u32 q, const struct ares_completion *c)
{
	struct fw_queue *s = &fw_q[q];

	if (is_uq(q) && s->fails_logged >= FW_UQ_FAILS_LOGGED) {
		if (s->fails_logged == FW_UQ_FAILS_LOGGED) {
			s->fails_logged++;
			fw_log(ops, "user queue %u: more jobs failed, not logged until re-enabled",
			       number(q));
		}
		return;
	}
	s->fails_logged++;
	fw_log(ops, "%s %u: job seqno %llu failed, status %u at offset %u", kind(q), number(q),
	       (unsigned long long)c->seqno, c->status, c->error_offset);
}

/* Reads the job's descriptor once: every check and the run use this copy (§15). */
static int fetch(const struct ares_cp_ops *ops, __u32 q, struct ares_job_desc *desc)
{
	struct fw_queue *s = &fw_q[q];
	__u32 slot = s->head & (s->entries - 1);

	if (!ops->bus_read(ops->dev, s->ring_base + (__u64)slot * sizeof(*desc), desc,
			   sizeof(*desc)))
		return 0;
	/* Checked at enable; only a RAM change under our feet gets here. */
	if (is_uq(q)) {
		uq_fail(ops, q, ARES_UQ_ERR_RING_READ);
	} else {
		fw_log(ops, "queue %u: ring unreadable, queue stopped", q);
		s->active = 0;
	}
	return -1;
}

int fw_queues_run_one(const struct ares_cp_ops *ops)
{
	struct ares_job_desc desc;
	struct ares_completion c;
	struct fw_queue *s;
	__u64 modeled = 0;
	int q;

	q = pick(ops);
	if (q < 0)
		return 0;
	s = &fw_q[q];
	if (is_uq((__u32)q))
		fw_wr32(ops, qreg((__u32)q, ARES_UQ_STATUS),
			ARES_UQ_STATUS_ACTIVE | ARES_UQ_STATUS_RUNNING);
	if (fetch(ops, (__u32)q, &desc))
		return 1;
	if (ops->queue_hung(ops->dev, (__u32)q)) {
		fw_log(ops, "%s %u: job seqno %llu started and hangs (DBG_HANG_%s)", kind((__u32)q),
		       number((__u32)q), (unsigned long long)desc.seqno,
		       is_uq((__u32)q) ? "UQS" : "QUEUES");
		s->stuck = 1;
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.seqno = desc.seqno;
	c.start_ns = ops->now_ns(ops->dev);
	/* A user queue's process may name only its own address space. */
	if (is_uq((__u32)q) && desc.asid != s->asid)
		c.status = ARES_JOB_INVALID_DESC;
	else
		c.status = fw_job_run(ops, (__u32)q, &desc, &c.error_offset, &modeled);
	c.end_ns = ops->now_ns(ops->dev);
	c.modeled_ns = modeled;
	fw_wr64(ops, ARES_REG_PERF_MODELED_NS, fw_rd64(ops, ARES_REG_PERF_MODELED_NS) + modeled);
	fw_wr64(ops, ARES_REG_PERF_JOBS, fw_rd64(ops, ARES_REG_PERF_JOBS) + 1);
	if (c.status)
		log_failure(ops, (__u32)q, &c);
	if (!complete(ops, (__u32)q, &c))
		return 1;
	/* Checked at enable, like the ring. */
	if (is_uq((__u32)q)) {
		uq_fail(ops, (__u32)q, ARES_UQ_ERR_RING_READ);
	} else {
		fw_log(ops, "queue %u: completion area unwritable, queue stopped", (__u32)q);
		s->active = 0;
	}
	return 1;
}

__u32 fw_queues_wait_mask(void)
{
	__u32 q, mask = 0;

	for (q = 0; q < ARES_NUM_QUEUES; q++)
		if (fw_q[q].active && !fw_q[q].stuck)
			mask |= 1u << q;
	return mask;
}
