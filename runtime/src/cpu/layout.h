/* SPDX-License-Identifier: MIT */
/* Blocked layouts kept between oneDNN ops (cpu/layout.c). */
#ifndef ART_CPU_LAYOUT_H
#define ART_CPU_LAYOUT_H

#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>

#include "core/internal.h"
#include "cpu/dnnl_memo.h"

/* 1 when N (about to run on oneDNN) may leave output 0 in its own
 * layout, 0 when it must write NCHW, -ENOMEM. */
int rt_layout_may_hold(struct art_session *s, const struct rt_node *n);
/* Value V is now in A's PRIM memory only (its NCHW buffer is stale). */
void rt_layout_hold(struct art_session *s, int v, const struct rt_memo_arg *a);
/* V's producer runs again: what it held is gone. */
void rt_layout_drop(struct art_session *s, int v);
/* The layout V is held in, NULL when it is not held: a primitive made
 * for it reads it there. */
const dnnl_memory_desc_t *rt_layout_held_md(const struct art_session *s, int v);
/* V's NCHW buffer written from its held layout, if it is held. */
int rt_layout_materialise(struct art_session *s, int v);
/* Every input of N in NCHW (a node about to read them as stored). */
int rt_layout_inputs_plain(struct art_session *s, const struct rt_node *n);
/* For operand WANT of a primitive reading V: *MEM the held memory when it
 * is in the layout WANT's primitive reads, else NULL with V in NCHW. */
int rt_layout_take(struct art_session *s, int v, const struct rt_memo_arg *want,
		   dnnl_memory_t *mem);
void rt_layout_free(struct rt_layout *l);

#endif
