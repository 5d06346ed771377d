/* SPDX-License-Identifier: MIT */
/*
 * Whether touching a mapping faults, for tests of what the driver maps and
 * unmaps: fault_probe_install() turns SIGSEGV and SIGBUS into a jump back
 * into the probe that touched the page.
 */
#ifndef FAULT_PROBE_H
#define FAULT_PROBE_H

#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

static sigjmp_buf fault_probe_jmp;

static inline void fault_probe_jump(int sig)
{
	siglongjmp(fault_probe_jmp, sig);
}

static inline void fault_probe_install(void)
{
	signal(SIGBUS, fault_probe_jump);
	signal(SIGSEGV, fault_probe_jump);
}

static inline bool read_faults(const volatile uint32_t *p)
{
	volatile uint32_t v;

	if (sigsetjmp(fault_probe_jmp, 1))
		return true;
	v = *p;
	(void)v;
	return false;
}

static inline bool write_faults(volatile uint32_t *p)
{
	if (sigsetjmp(fault_probe_jmp, 1))
		return true;
	*p = 1;
	return false;
}

#endif /* FAULT_PROBE_H */
