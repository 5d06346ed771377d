/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Ares NPU: doorbells, control commands, device interrupts, reset and
 * recovery.
 */
#ifndef __ARES_HW_H__
#define __ARES_HW_H__

#include <linux/interrupt.h>
#include <linux/types.h>

struct ares_device;
struct ares_job;

void ares_ring_doorbell(struct ares_device *adev, u32 vector);
int ares_ctrl_cmd(struct ares_device *adev, u32 cmd, u64 arg0, u64 arg1,
		  u32 *result);
int ares_tlb_invalidate(struct ares_device *adev, u32 asid);

int ares_hw_start(struct ares_device *adev);
void ares_hw_stop(struct ares_device *adev);

irqreturn_t ares_irq_ctrl(int irq, void *arg);
irqreturn_t ares_irq_fault(int irq, void *arg);

void ares_recover(struct ares_device *adev, struct ares_job *guilty,
		  const char *reason);
void ares_reset_work(struct work_struct *work);
int ares_reset_now(struct ares_device *adev, const char *reason);
void ares_hb_start(struct ares_device *adev);
void ares_hb_stop(struct ares_device *adev);

#endif /* __ARES_HW_H__ */
