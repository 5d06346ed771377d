/* SPDX-License-Identifier: MIT */
/* Interrupt delivery and the device clock. */
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

/* ns since power-on; CLOCK_MONOTONIC is shared by the main process and the CP child. */
uint64_t sim_now_ns(void)
{
	static uint64_t boot_ns;
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	/* Set in the main process before fork(), so both see one epoch. */
	if (!boot_ns)
		boot_ns = now - 1;
	return now - boot_ns;
}

void sim_raise_irq(struct sim_dev *d, uint32_t vector)
{
	uint32_t *drop = (uint32_t *)(d->regs + ARES_REG_DBG_DROP_IRQS);
	uint32_t n = __atomic_load_n(drop, __ATOMIC_ACQUIRE);
	uint64_t one = 1;

	/* CAS because the main process and the CP child both raise interrupts. */
	while (n) {
		if (__atomic_compare_exchange_n(drop, &n, n - 1, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			sim_log(d, "irq: vector %u dropped (DBG_DROP_IRQS)", vector);
			return;
		}
	}
	if (vector >= ARES_NUM_VECTORS || d->irq_fd[vector] < 0)
		return;
	if (write(d->irq_fd[vector], &one, sizeof(one)) < 0)
		sim_log(d, "irq: vector %u: eventfd write failed", vector);
}
