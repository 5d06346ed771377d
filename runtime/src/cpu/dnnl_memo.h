/* SPDX-License-Identifier: MIT */
/* The CPU path's oneDNN state as data: a node's primitive cache (memo)
 * and its operands, the blocked-layout table and the session's engine.
 * The glue that builds and runs primitives (dnnl*.c, dnnl_priv.h) and the
 * layout planner (layout.c) both read it; it calls into neither, so the
 * planner sees it without calling back into the glue that calls it. */
#ifndef ART_CPU_DNNL_MEMO_H
#define ART_CPU_DNNL_MEMO_H

#include <oneapi/dnnl/dnnl.h>
#include <stdint.h>

#include "core/internal.h"
#include "cpu/kernels.h"

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
	int threads;	      /* the OpenMP threads it was made for and runs on */
};

/* Per session, per value: whether it may stay in its producer's layout,
 * and the producer's operand holding it in the run HELD_RUN. */
struct rt_layout {
	int planned, nvals;
	unsigned char *keep;
	const struct rt_memo_arg **held;
	uint64_t *held_run;
};

/* Per session: the intra-op thread count, whether the reference loops were
 * asked for, and oneDNN's engine and stream once something uses them. */
struct rt_cpu {
	int threads;
	/* node_threads()'s bound (cpu/dnnl.c): ART_SERIAL_WORK, else chosen
	 * at the first node that asks; 0 until then. */
	double serial_work;
	int reference;
	dnnl_engine_t engine;
	dnnl_stream_t stream;
	struct rt_layout layout;
};

/* 1 when input INPUT of N is a constant (initializer or folded). */
static inline int rt_cpu_is_const(const struct art_session *s, const struct rt_node *n, int input)
{
	return input < n->nin && n->in[input] >= 0 && s->vals[n->in[input]].is_const;
}

#endif
