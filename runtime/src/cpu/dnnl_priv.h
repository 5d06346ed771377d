/* SPDX-License-Identifier: MIT */
/* Shared by the oneDNN glue files (cpu_dnnl*.c) only: the per-node
 * primitive cache and the helpers that build and run it. */
#ifndef ART_CPU_DNNL_PRIV_H
#define ART_CPU_DNNL_PRIV_H

#include <oneapi/dnnl/dnnl.h>

#include "cpu/dnnl.h"
#include "cpu/dnnl_memo.h"
#include "cpu/kernels.h"
#include "cpu/layout.h"

/* Builds MEMO's primitive for N's current inputs: fills out_ndim/out_dims,
 * prim and args (through rt_memo_arg_add()). RT_CPU_DECLINED when oneDNN
 * does not cover the node as it stands. */
typedef int (*rt_memo_build_fn)(struct art_session *s, const struct rt_node *n,
				struct rt_cpu_memo *m);

/* The one entry of every rt_dnnl_*(): (re)builds the primitive when the
 * inputs' key changed, allocates output 0 and runs it. */
int rt_cpu_run(struct art_session *s, const struct rt_node *n, rt_memo_build_fn build);

/* Threads for WORK (multiply-adds, or their worth) at the session's
 * bound: its own, or one when handing half to another costs more. */
int rt_cpu_threads_for(struct art_session *s, double work);
/* Dense row-major descriptor of NDIM DIMS (f32). */
void rt_md_plain(dnnl_memory_desc_t *md, int ndim, const int64_t *dims);
/* The same of element type DT. */
void rt_md_plain_dt(dnnl_memory_desc_t *md, int ndim, const int64_t *dims, dnnl_data_type_t dt);
/* Adds operand ARG fed from node input INPUT (-1: output 0), stored as
 * USER, wanted by the primitive as PRIM (taken from its primitive
 * descriptor); a reorder goes between them when they differ, done once
 * for a constant input. INPUT RT_ARG_SCRATCH: a buffer of the memo's own
 * (m->scratch), laid out as USER. */
int rt_memo_arg_add(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m, int arg,
		    int input, const dnnl_memory_desc_t *user, const dnnl_memory_desc_t *prim);
/* The primitive of descriptor OP_DESC with attributes ATTR into M->prim, and
 * its primitive descriptor into *PD (the caller destroys it). */
int rt_memo_prim(struct art_session *s, struct rt_cpu_memo *m, const void *op_desc,
		 const_dnnl_primitive_attr_t attr, dnnl_primitive_desc_t *pd);
/* Appends the fused activation of N (ARES_ACT_*) to PO: RT_CPU_DECLINED for
 * one oneDNN has no post-op for. */
int rt_post_act(const struct rt_node *n, dnnl_post_ops_t po);

#endif
