/* SPDX-License-Identifier: MIT */
/* Internal types of the runtime: the graph IR and the kernel table. */
#ifndef ART_INTERNAL_H
#define ART_INTERNAL_H

#include <stdarg.h>

#include "ares_rt.h"
#include "onnx.pb-c.h"
#include "onnx_seq.pb-c.h"

/* A value of the graph: owns its data (malloc'd) once computed. */
/* No tensor the runtime makes is larger: a bound on what a model can ask. */
#define RT_MAX_TENSOR_BYTES ((uint64_t)1 << 40)

/* A sequence value: items own their data (copies, rt_tensor_dup). */
struct rt_seq {
	int elem; /* enum art_dtype of every item, kept when empty */
	int n, cap;
	struct art_tensor *items;
};

struct rt_value {
	char *name;
	struct art_tensor t;
	void *buf;	    /* owned storage behind t.data */
	struct rt_seq *seq; /* a sequence once computed (then t.data is NULL) */
	int is_const;	    /* initializer or folded: survives across runs */
	int defined;	    /* an initializer, graph input or node output names it */
	/* What graph analysis knows before any run: dtype 0 when unknown,
	 * ndim -1 when the rank is unknown, a dim of -1 when it is dynamic. */
	struct art_tensor info;
	/* Folded from DequantizeLinear at load: its 8-bit or int32 input,
	 * scale, zero point (-1: none) and axis, which the device's QDQ
	 * fusion reads (device/qdq.c); dq_src[0] is -1 otherwise. */
	int dq_src[3];
	int64_t dq_axis;
};

struct rt_node;
struct rt_graph;
struct rt_device;
struct rt_profile;
struct art_session;
typedef int (*rt_kernel_fn)(struct art_session *s, const struct rt_node *n);

/* Kinds of a fused scalar tail step (struct rt_node's tail). */
enum { RT_TAIL_MUL = 1, RT_TAIL_ADD, RT_TAIL_MAX, RT_TAIL_MIN };
#define RT_MAX_TAIL 4

struct rt_node {
	const Onnx__NodeProto *proto;
	const char *name; /* node name, or its first output if unnamed */
	int *in, nin;	  /* value indices, -1 for an omitted optional input */
	int *out, nout;
	rt_kernel_fn fn;
	/* An activation fused into this node by graph rewriting: ARES_ACT_*
	 * (include/ares/tensor.h) applied to output 0, with its parameters. */
	int act;
	float act_alpha, act_beta;
	/* Scalar ops after the activation (Mul, Add, Sub, Max or Min by a
	 * constant) fused into a Conv when the session has no device
	 * (graph/fuse.c, g_fuse_host()): applied in order to output 0 after
	 * act, each rounded to f32 as the node it replaced did. */
	int ntail;
	struct rt_tail {
		int op; /* RT_TAIL_* */
		float v;
	} tail[RT_MAX_TAIL];
	/* Placement: on the device (1) or the CPU (0), why, and the device
	 * partition (a run of adjacent device nodes) it belongs to, or -1. */
	int on_device;
	const char *placement_reason;
	int reason_owned; /* placement_reason was allocated */
	/* Shape arithmetic (Shape, and ops on its results and constants):
	 * evaluated on the host when the enclosing device partition is
	 * planned, so it neither runs per inference nor splits partitions. */
	int plan_time;
	int partition;
	/* Subgraphs: If's then and else branches, Loop's body; else NULL.
	 * The outer-scope values they read are appended to in[] after the
	 * node's own n->proto->n_input inputs, so liveness and constant
	 * folding see them. */
	struct rt_graph *sub[2];
	int dead; /* removed by a graph pass; gone once the list is compacted */
	/* The oneDNN primitive made for this node's input shapes, for ops
	 * with a oneDNN path (cpu/dnnl.c), else NULL. */
	struct rt_cpu_memo *memo;
	/* The session's reduced precision (ART_BFLOAT16/ART_FLOAT16) when
	 * this Conv/ConvTranspose/MatMul/Gemm runs in it, else 0
	 * (core/precision.c); why an eligible node keeps f32, or NULL. */
	int reduced;
	const char *precision_note;
	/* Its constant operands rounded to that precision for the CPU path
	 * (cpu/precision.c), made at its first run. */
	void *reduced_w[2];
	/* At device placement, a QDQ pattern fused into this node runs as
	 * this QOperator op (device/qdq.c), else NULL; why a QDQ pattern
	 * around it stays unfused, else NULL. */
	const char *dev_op;
	const char *qdq_note;
	/* That fused node's activation is not positively homogeneous (Sigmoid,
	 * Tanh, HardSigmoid, HardSwish): it runs on the real value, acc * sx
	 * * sw, and the result is divided by sy after it (rt_requant_params()),
	 * not on acc * (sx * sw / sy). */
	int qdq_real;
	/* A DQ -> Mul/Add by scalar constants -> Q chain fused into this node
	 * (dev_op "QAffine", device/qdq.c): the chain's y = alpha x + beta
	 * on the dequantised x, requantised (rt_kernel_qaffine()). */
	float qaff_alpha, qaff_beta;
	int qaff_rank1; /* a [1] constant made a rank-0 x [1] */
	/* A DQ -> Resize (nearest) -> Q onto one grid fused into this node:
	 * it runs as it is, on the 8-bit tensor (device/qdq.c fuse_move). */
	int qdq_move;
};

/* A subgraph: its nodes share the session's value table. */
struct rt_graph {
	struct rt_node *nodes;
	int nnodes;
	int *inputs, ninputs;
	int *outputs, noutputs;
};

struct art_session {
	Onnx__ModelProto *model;
	int64_t opset;
	struct rt_value *vals;
	int nvals, capvals;
	struct rt_node *nodes;
	int nnodes;
	int *inputs, ninputs; /* graph inputs that are not initializers */
	int *outputs, noutputs;
	/* Per output: handed over by art_session_take_output() since the last
	 * run (NULL until the first take). */
	unsigned char *taken;
	unsigned flags;
	int placement;		   /* ART_PLACEMENT_BENEFIT or _DEVICE (resolved at creation) */
	int submit;		   /* ART_SUBMIT_AUTO, _IOCTL or _USER_QUEUE (resolved) */
	int precision;		   /* art_session_options.precision: 0, ART_BFLOAT16, ART_FLOAT16 */
	uint64_t max_tensor_bytes; /* RT_MAX_TENSOR_BYTES or ART_MAX_TENSOR_BYTES */
	uint64_t runs;
	struct rt_device *dev;	 /* device execution provider, NULL on the CPU */
	struct rt_profile *prof; /* NULL until profiling is asked for */
	struct rt_cpu *cpu;	 /* CPU path: threads, kernels, oneDNN (cpu/dnnl.c) */
	int loaded_nodes;	 /* node count before graph optimisation */
	int graph_folded;	 /* nodes graph optimisation folded and removed */
	/* Nodes the graph passes made (fused ops): their protos are ours. */
	Onnx__NodeProto **synth;
	int nsynth;
	/* Input shapes the value infos were last inferred for (graph.c), and
	 * while inferring for them, which values hold data computed from them. */
	struct art_tensor *bound;
	unsigned char *known;
	/* Subgraphs (If branches, Loop and Scan bodies) as sessions of their
	 * own, placed on the device like the main graph (subgraph.c): the
	 * options and model directory they are made with, the session that
	 * made this one (NULL for the main graph), and the runner the
	 * control-flow kernels call, set once the session is ready (NULL:
	 * bodies run node by node on the CPU). */
	struct art_session_options opts;
	char *base_dir;
	struct art_session *parent;
	struct rt_sub **subs;
	int nsubs;
	int (*run_subgraph)(struct art_session *s, const struct rt_node *owner,
			    const struct rt_graph *g);
	char err[512];
};

/*
 * The bottom layer (core/): what every layer above may call. Nothing here
 * calls up into graph/, cpu/, device/ or the session.
 */

/* Sets the session's error message (core/error.c) and returns RC. */
int rt_err(struct art_session *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Element types and tensors (core/tensor.c). */
const char *rt_dtype_name(int dtype);
int rt_tensor_from_proto(const Onnx__TensorProto *tp, const char *base_dir, struct art_tensor *t,
			 void **buf, char *err, size_t errlen);
/* The elements of int32 or int64 tensor T as int64 into OUT (at most MAX);
 * their count, or -1 for another dtype or more than MAX: the one reader of
 * constant integer inputs for shape inference and the device. */
int rt_tensor_ints(const struct art_tensor *t, int64_t *out, int max);
/* One broadcast dim of A and B; -1 (unknown) stays unknown unless the
 * other decides it; known dims that differ and are not 1 give the larger
 * (callers that must refuse them check). */
int64_t rt_bcast_dim(int64_t a, int64_t b);
/* MatMul's output dims from A's (rank RA) and B's (numpy matmul: a 1-D
 * operand gets a dimension added and dropped again, batch dims broadcast;
 * -1 is an unknown dim) into OUT and *ND. 0; -1 when the inner dims are
 * known and differ, -2 when known batch dims do not broadcast (OUT is
 * still filled, with the larger); -3 when the rank exceeds ART_MAX_DIMS. */
int rt_matmul_dims(const int64_t *a, int ra, const int64_t *b, int rb, int64_t *out, int *nd);

/* The value table (core/value.c). Index of the value named NAME, created
 * (empty) if there is none; rt_value_find() gives -1 instead. */
int rt_value_get(struct art_session *s, const char *name);
int rt_value_find(struct art_session *s, const char *name);
/* Frees the data value V owns. */
void rt_value_clear(struct rt_value *v);
/* Sets value V to a copy of T (subgraph inputs of If/Loop). */
int rt_value_set(struct art_session *s, int v, const struct art_tensor *t);
/* The declaration (graph input, value_info or output) of the value NAME,
 * or NULL. */
const Onnx__ValueInfoProto *rt_declared(const struct art_session *s, const char *name);
/* The element type of value V known before any run (a constant's, shape
 * inference's, or its declaration's), or 0. */
int rt_known_dtype(const struct art_session *s, int v);
/* Input I of N if it holds data, else NULL. */
struct art_tensor *rt_in(struct art_session *s, const struct rt_node *n, int i);
/* Allocates output I of N (zeroed, within the session's tensor limit). */
int rt_alloc_out(struct art_session *s, const struct rt_node *n, int i, int dtype, int ndim,
		 const int64_t *dims, void **data);
/* The same, not zeroed: for a kernel that writes every element (oneDNN's
 * primitives), where zeroing was a tenth of det's time on one thread. */
int rt_alloc_out_raw(struct art_session *s, const struct rt_node *n, int i, int dtype, int ndim,
		     const int64_t *dims, void **data);

/* Graph inputs (core/input.c). T checked as graph input IDX of S against
 * the model's declaration: index, element type, rank, static dims. */
int rt_input_matches_decl(struct art_session *s, int idx, const struct art_tensor *t);
/* rt_input_matches_decl(), then the tensor size limit and data present,
 * and T's size in bytes: the one check art_session_set_input() and
 * art_run_set_input() share. */
int rt_input_check(struct art_session *s, int idx, const struct art_tensor *t, size_t *nbytes);
/* TS[i] the tensor of input i (NULL: not set): every dim_param the model
 * names gets one size across all inputs, else -EINVAL naming both uses. */
int rt_inputs_agree(struct art_session *s, const struct art_tensor *const *ts);
/* VI's element type and shape (dims of -1 symbolic; all zero when VI is
 * NULL or not a tensor), and the name of its dim D when symbolic, or NULL. */
void rt_declared_info(const Onnx__ValueInfoProto *vi, struct art_tensor *t);
const char *rt_dim_param(const Onnx__ValueInfoProto *vi, int d);

/* String tensors (core/strings.c). A block for N element pointers followed
 * by TEXT_BYTES of text (*TEXT points there): one free releases both. */
char **rt_strings_alloc(int64_t n, size_t text_bytes, char **text);
/* *DST a deep copy of SRC in one allocation (strings' text included);
 * -EINVAL with *BAD the index of a NULL string element. */
int rt_tensor_dup(const struct art_tensor *src, struct art_tensor *dst, int64_t *bad);
/* rt_tensor_dup() with the session's error naming WHAT on failure. */
int rt_tensor_dup_err(struct art_session *s, const char *what, const struct art_tensor *src,
		      struct art_tensor *dst);
/* T's data from string tensor TP's string_data (N elements). */
int rt_strings_from_proto(const Onnx__TensorProto *tp, int64_t n, struct art_tensor *t, char *err,
			  size_t errlen);
/* Output I of N as a string tensor of DIMS with TEXT_BYTES of text. */
int rt_alloc_out_strings(struct art_session *s, const struct rt_node *n, int i, int ndim,
			 const int64_t *dims, size_t text_bytes, char ***elems, char **text);

/* Sequence values (core/sequence.c). */
struct rt_seq *rt_seq_new(int elem);
void rt_seq_free(struct rt_seq *q);
/* Inserts a copy of T at POS (0..n). */
int rt_seq_insert(struct rt_seq *q, int pos, const struct art_tensor *t, int64_t *bad);
/* Appends T, whose malloc'd data Q now owns (on success only). */
int rt_seq_adopt(struct rt_seq *q, const struct art_tensor *t);
/* Removes item POS (0..n-1). */
void rt_seq_erase(struct rt_seq *q, int pos);
/* A deep copy of Q, or NULL when memory ran out. */
struct rt_seq *rt_seq_dup(const struct rt_seq *q);
/* Input I of N if it holds a sequence, else NULL. */
struct rt_seq *rt_in_seq(struct art_session *s, const struct rt_node *n, int i);
/* Output I of N takes Q (freed on failure). */
int rt_out_seq(struct art_session *s, const struct rt_node *n, int i, struct rt_seq *q);
/* What a declaration holds: ART_KIND_TENSOR (also when untyped),
 * ART_KIND_SEQUENCE for a sequence of tensors, 0 for anything else (maps,
 * optionals, sequences of non-tensors). *ELEM (when not NULL) gets a
 * sequence's element type, 0 when undeclared. */
int rt_declared_kind(const Onnx__ValueInfoProto *vi, int *elem);
/* Q from SequenceProto SP (tensors of one element type only). */
int rt_seq_from_proto(const Onnx__SequenceProto *sp, struct rt_seq **q, char *err, size_t errlen);

/* Attributes (core/attr.c). */
const Onnx__AttributeProto *rt_attr(const struct rt_node *n, const char *name);
int64_t rt_attr_i(const struct rt_node *n, const char *name, int64_t def);
float rt_attr_f(const struct rt_node *n, const char *name, float def);
/* Copies up to MAX ints of attribute NAME into OUT; their count, or -1
 * when the attribute is absent. */
int rt_attr_ints(const struct rt_node *n, const char *name, int64_t *out, int max);
/* The same, the count capped at MAX (callers that read OUT[0..count)). */
int rt_attr_ints_capped(const struct rt_node *n, const char *name, int64_t *out, int max);
/* 1 when string attribute NAME equals VAL, 0 when it differs, DEF when absent. */
int rt_attr_is(const struct rt_node *n, const char *name, const char *val, int def);

#endif
