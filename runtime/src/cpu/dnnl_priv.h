/* SPDX-License-Identifier: MIT */
/* Shared by the oneDNN glue files (cpu_dnnl*.c) only: the per-node
 * primitive cache and the helpers that build and run it. */
#ifndef ART_CPU_DNNL_PRIV_H
#define ART_CPU_DNNL_PRIV_H

#include <oneapi/dnnl/dnnl.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"
#include "cpu/layout.h"

/* Operands of one primitive: inputs, weights, bias, output. */
#define RT_MEMO_ARGS   6
/* Inputs of a node whose types and shapes key its primitive. */
#define RT_MEMO_KEYS   3
/* The input index of an operand that is the memo's own buffer (the
 * primitive's result, which a post step turns into output 0). */
#define RT_ARG_SCRATCH (-2)

enum rt_arg_mode {
	RT_ARG_DIRECT,	/* the tensor's own storage, bound at each run */
	RT_ARG_REORDER, /* the tensor reordered into the primitive's layout at each run */
	RT_ARG_ONCE,	/* a constant, reordered once when the primitive was made */
};

/* One operand: USER is the tensor as the runtime stores it (plain,
 * row-major), PRIM what the primitive reads or writes; the same memory
 * unless MODE says a reorder stands between them. */
struct rt_memo_arg {
	int arg;   /* DNNL_ARG_* */
	int input; /* node input index, or -1 for output 0 */
	enum rt_arg_mode mode;
	dnnl_memory_t user, prim;
	dnnl_primitive_t reorder;
};

struct rt_memo_key {
	int present, dtype, ndim;
	int64_t dims[ART_MAX_DIMS];
	const void *cdata; /* the data of a constant input: its contents are baked in */
};

enum rt_memo_state { RT_MEMO_EMPTY, RT_MEMO_READY, RT_MEMO_DECLINED };

struct rt_cpu_memo;
/* A step in plain C after the primitive ran: from the memo's scratch
 * operand to output 0 (OUT, already allocated with out_dims). */
typedef int (*rt_memo_post_fn)(struct art_session *s, const struct rt_node *n,
			       struct rt_cpu_memo *m, float *out);

struct rt_cpu_memo {
	enum rt_memo_state state;
	struct rt_memo_key key[RT_MEMO_KEYS];
	int out_ndim;
	int64_t out_dims[ART_MAX_DIMS];
	int out_dtype; /* output 0's ART_* type; 0 for float */
	dnnl_primitive_t prim;
	struct rt_memo_arg args[RT_MEMO_ARGS];
	int nargs;
	rt_memo_post_fn post; /* NULL when the primitive writes output 0 itself */
	void *scratch;	      /* the RT_ARG_SCRATCH operand's data */
	struct rt_win win;    /* a window op's geometry, for its post step */
};

/* Per session: the intra-op thread count, whether the reference loops were
 * asked for, and oneDNN's engine and stream once something uses them. */
struct rt_cpu {
	int threads;
	int reference;
	dnnl_engine_t engine;
	dnnl_stream_t stream;
	struct rt_layout layout;
};

/* Builds MEMO's primitive for N's current inputs: fills out_ndim/out_dims,
 * prim and args (through rt_memo_arg_add()). RT_CPU_DECLINED when oneDNN
 * does not cover the node as it stands. */
typedef int (*rt_memo_build_fn)(struct art_session *s, const struct rt_node *n,
				struct rt_cpu_memo *m);

/* The one entry of every rt_dnnl_*(): (re)builds the primitive when the
 * inputs' key changed, allocates output 0 and runs it. */
int rt_cpu_run(struct art_session *s, const struct rt_node *n, rt_memo_build_fn build);

/* Dense row-major descriptor of NDIM DIMS (f32). */
void rt_md_plain(dnnl_memory_desc_t *md, int ndim, const int64_t *dims);
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
/* 1 when value V of the session is a constant (initializer or folded). */
int rt_cpu_is_const(const struct art_session *s, const struct rt_node *n, int input);

#endif
