/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: the hardware queues - rings, completion records, their
 * interrupts and the hardware fences of the jobs on them.
 */
#ifndef __ARES_QUEUE_H__
#define __ARES_QUEUE_H__

#include <linux/interrupt.h>

struct ares_device;
struct completion;
struct ares_job;
struct ares_queue;
struct dma_fence;

int ares_queues_init(struct ares_device *adev);
void ares_queue_hw_init(struct ares_queue *q);
void ares_queue_busy_ctx_add(struct ares_queue *q, int delta);
struct dma_fence *ares_queue_run(struct ares_queue *q, struct ares_job *job,
				 int err);
void ares_queue_complete(struct ares_queue *q);
void ares_queue_drain(struct ares_queue *q);
irqreturn_t ares_queue_irq(int irq, void *arg);

int ares_queue_probe_claim(struct ares_queue *q);
void ares_queue_probe_release(struct ares_queue *q);
u64 ares_queue_probe_push(struct ares_queue *q, u64 cmd_va, u32 cmd_size,
			  int asid, struct completion *done);
int ares_queue_probe_result(struct ares_queue *q, u64 *irq_ns);

#endif /* __ARES_QUEUE_H__ */
