/* SPDX-License-Identifier: MIT */
/* The reduced-precision mode on the CPU path (cpu/precision.c). */
#ifndef ART_CPU_PRECISION_H
#define ART_CPU_PRECISION_H

#include "core/internal.h"

/* Runs reduced node N (n->reduced) through its kernel with operands 0 and
 * 1 rounded to n->reduced: the device's numerics, f32 sums. */
int rt_cpu_run_reduced(struct art_session *s, struct rt_node *n);

#endif
