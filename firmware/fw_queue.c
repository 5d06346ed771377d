/* SPDX-License-Identifier: MIT */
/*
 * Hardware queues from the firmware's side (hw-spec §6): configuration
 * checks, strict-priority arbitration with weighted round robin among
 * equals, one job at a time, and the completion protocol (record, done_seqno, HEAD,
 * interrupt — in that order, because the driver trusts each after the one
 * before).
 */
#include "fw.h"

struct fw_queue {
	int configured; /* the fields below were latched from the registers */
	int active;	/* configured and valid */
	int stuck;	/* a job started under DBG_HANG_QUEUES: no progress until RESET */
	__u64 ring_base;
	__u64 compl_base;
	__u32 entries;
	__u32 priority;
	__u32 head;
};

static struct fw_queue fw_q[ARES_NUM_QUEUES];
static __u32 fw_rr[ARES_NUM_PRIORITIES]; /* last queue served at each priority */
/* Jobs that queue fw_rr[prio] may still run before its turn passes on. */
static __u32 fw_turn_left[ARES_NUM_PRIORITIES];

void fw_queues_init(void)
{
	memset(fw_q, 0, sizeof(fw_q));
	memset(fw_rr, 0, sizeof(fw_rr));
	memset(fw_turn_left, 0, sizeof(fw_turn_left));
}

static int config_valid(const struct ares_cp_ops *ops, const struct fw_queue *s)
{
	if (s->entries < ARES_Q_RING_MIN || s->entries > ARES_Q_RING_MAX ||
	    (s->entries & (s->entries - 1)))
		return 0;
	if ((s->ring_base | s->compl_base) & 0xfff)
		return 0;
	if (ops->bus_check(ops->dev, s->ring_base,
			   (__u64)s->entries * sizeof(struct ares_job_desc)))
		return 0;
	return !ops->bus_check(ops->dev, s->compl_base,
			       ARES_COMPL_RECORD_OFFSET((__u64)s->entries));
}

void fw_queues_scan(const struct ares_cp_ops *ops)
{
	struct fw_queue *s, n;
	__u32 q;

	for (q = 0; q < ARES_NUM_QUEUES; q++) {
		s = &fw_q[q];
		if (!(fw_rd32(ops, ARES_REG_Q(q, ARES_Q_CONTROL)) & ARES_Q_CONTROL_ENABLE)) {
			if (s->configured)
				fw_wr32(ops, ARES_REG_Q(q, ARES_Q_STATUS), 0);
			s->configured = s->active = 0;
			continue;
		}
		n = *s;
		n.ring_base = fw_rd64(ops, ARES_REG_Q(q, ARES_Q_RING_BASE));
		n.compl_base = fw_rd64(ops, ARES_REG_Q(q, ARES_Q_COMPL_BASE));
		n.entries = fw_rd32(ops, ARES_REG_Q(q, ARES_Q_RING_ENTRIES));
		n.priority = fw_rd32(ops, ARES_REG_Q(q, ARES_Q_PRIORITY));
		/* The spec gives no error for a priority above 3: treat it as the highest. */
		if (n.priority >= ARES_NUM_PRIORITIES)
			n.priority = ARES_NUM_PRIORITIES - 1;
		/*
		 * Only the device moves HEAD once a queue runs, so a HEAD we did not
		 * write means the driver set the queue up again between two scans.
		 */
		if (s->configured && n.ring_base == s->ring_base && n.compl_base == s->compl_base &&
		    n.entries == s->entries && n.priority == s->priority &&
		    fw_rd32(ops, ARES_REG_Q(q, ARES_Q_HEAD)) == s->head)
			continue;
		n.configured = 1;
		n.active = config_valid(ops, &n);
		n.head = fw_rd32(ops, ARES_REG_Q(q, ARES_Q_HEAD));
		*s = n;
		fw_wr32(ops, ARES_REG_Q(q, ARES_Q_STATUS),
			n.active ? ARES_Q_STATUS_ACTIVE : ARES_Q_STATUS_BAD_CONFIG);
		if (n.active)
			fw_log(ops, "queue %u: enabled, %u entries, priority %u", q, n.entries,
			       n.priority);
		else
			fw_log(ops, "queue %u: bad config (ring 0x%llx entries %u compl 0x%llx)", q,
			       (unsigned long long)n.ring_base, n.entries,
			       (unsigned long long)n.compl_base);
	}
}

static int has_work(const struct ares_cp_ops *ops, __u32 q)
{
	const struct fw_queue *s = &fw_q[q];

	return s->active && !s->stuck && fw_rd32(ops, ARES_REG_Q(q, ARES_Q_TAIL)) != s->head;
}

/*
 * WEIGHT is read at the start of each turn rather than latched, because the
 * driver changes it whenever a context starts or stops having work.
 */
static __u32 turn_length(const struct ares_cp_ops *ops, __u32 q)
{
	__u32 w = fw_rd32(ops, ARES_REG_Q(q, ARES_Q_WEIGHT));

	if (w == 0)
		return 1;
	return w > ARES_Q_WEIGHT_MAX ? ARES_Q_WEIGHT_MAX : w;
}

static int pick(const struct ares_cp_ops *ops)
{
	__u32 prio, i, q;

	for (prio = ARES_NUM_PRIORITIES; prio-- > 0;) {
		q = fw_rr[prio];
		if (fw_turn_left[prio] && fw_q[q].priority == prio && has_work(ops, q)) {
			fw_turn_left[prio]--;
			return (int)q;
		}
		for (i = 1; i <= ARES_NUM_QUEUES; i++) {
			q = (fw_rr[prio] + i) % ARES_NUM_QUEUES;
			if (fw_q[q].priority == prio && has_work(ops, q)) {
				fw_rr[prio] = q;
				fw_turn_left[prio] = turn_length(ops, q) - 1;
				return (int)q;
			}
		}
	}
	return -1;
}

static void complete(const struct ares_cp_ops *ops, __u32 q, const struct ares_completion *c)
{
	struct fw_queue *s = &fw_q[q];
	__u32 slot = s->head & (s->entries - 1);

	ops->bus_write(ops->dev, s->compl_base + ARES_COMPL_RECORD_OFFSET(slot), c, sizeof(*c));
	ops->bus_write(ops->dev, s->compl_base + offsetof(struct ares_queue_wb, done_seqno),
		       &c->seqno, sizeof(c->seqno));
	s->head++;
	fw_wr32(ops, ARES_REG_Q(q, ARES_Q_HEAD), s->head);
	ops->raise_irq(ops->dev, ARES_VEC_QUEUE(q));
}

int fw_queues_run_one(const struct ares_cp_ops *ops)
{
	struct ares_job_desc desc;
	struct ares_completion c;
	struct fw_queue *s;
	__u64 modeled;
	__u32 slot;
	int q;

	q = pick(ops);
	if (q < 0)
		return 0;
	s = &fw_q[q];
	slot = s->head & (s->entries - 1);
	if (ops->bus_read(ops->dev, s->ring_base + (__u64)slot * sizeof(desc), &desc,
			  sizeof(desc))) {
		/* Checked at enable; only a RAM change under our feet gets here. */
		fw_log(ops, "queue %u: ring unreadable, queue stopped", (__u32)q);
		s->active = 0;
		return 1;
	}
	if (ops->queue_hung(ops->dev, (__u32)q)) {
		fw_log(ops, "queue %u: job seqno %llu started and hangs (DBG_HANG_QUEUES)",
		       (__u32)q, (unsigned long long)desc.seqno);
		s->stuck = 1;
		return 1;
	}
	memset(&c, 0, sizeof(c));
	c.seqno = desc.seqno;
	c.start_ns = ops->now_ns(ops->dev);
	c.status = fw_job_run(ops, (__u32)q, &desc, &c.error_offset, &modeled);
	c.end_ns = ops->now_ns(ops->dev);
	c.modeled_ns = modeled;
	fw_wr64(ops, ARES_REG_PERF_MODELED_NS, fw_rd64(ops, ARES_REG_PERF_MODELED_NS) + modeled);
	fw_wr64(ops, ARES_REG_PERF_JOBS, fw_rd64(ops, ARES_REG_PERF_JOBS) + 1);
	if (c.status)
		fw_log(ops, "queue %u: job seqno %llu failed, status %u at offset %u", (__u32)q,
		       (unsigned long long)desc.seqno, c.status, c.error_offset);
	complete(ops, (__u32)q, &c);
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
