/* SPDX-License-Identifier: MIT */
/*
 * What the device op files share (device/common.c): the form every op's
 * row of the device table names (device/ops.c), the contexts its three
 * functions get, and the helpers they call. Layering inside device/:
 * common.c, then the op files, then the table, then placement
 * (support.c), planning (plan.c) and emission (emit.c), then exec.c.
 */
#ifndef ART_DEVICE_COMMON_H
#define ART_DEVICE_COMMON_H

#include "device/device.h"

/* What placement knows of node N when its form's check runs: its op's row
 * D, the dtypes of inputs 0 and 1 known before any run (0: unknown or
 * absent), and BUF for a formatted reason. */
struct dev_check {
	struct art_session *s;
	const struct rt_node *n;
	const struct dev_op *d;
	const char *op;
	int x, y;
	char *buf;
	size_t len;
};

/* Node N at plan time: its inputs' shapes are set in DV. */
struct dev_shape {
	struct art_session *s;
	const struct rt_node *n;
	const struct dev_op *d;
	struct dev_val *dv;
};

/* Emission of node N into CB against the planned arena offsets. */
struct ectx {
	struct art_session *s;
	struct dev_val *dv;
	accel_cmdbuf *cb;
	uint64_t arena_va, weights_va, prof_va;
	int *ncmds;
	const uint64_t *ext_va;
	const struct rt_node *n;
	const struct dev_op *d;
	/* Operands a reduced node reads from its scratch in the reduced dtype
	 * (device/precision.c): descriptors of value SUB_V[k] point there. */
	int nsub;
	int sub_v[2];
	uint64_t sub_va[2];
	int sub_dtype; /* ARES_DTYPE_* */
};

/* How the device runs one enum dev_kind: one per kind, in device/op_*.c. */
struct dev_form {
	/* NULL when the device can run the node, else why not; called after
	 * the checks every op shares (support.c). */
	const char *(*check)(const struct dev_check *c);
	/* Sets the output's plan shape from the inputs'; -EINVAL naming the
	 * node when they do not fit. */
	int (*shapes)(const struct dev_shape *c);
	/* Emits the node's commands. */
	int (*emit)(struct ectx *e);
	unsigned operands; /* inputs read as device tensors (bit i = input i) */
	int fuses_act;	   /* takes an activation fused into it (n->act) */
	int all_outputs;   /* sets and writes every output, not only output 0 */
	/* Arena scratch the node's commands need, in floats (NULL: none);
	 * its inputs' plan shapes are set. */
	uint64_t (*scratch)(const struct dev_shape *c);
	unsigned outputs; /* outputs it writes besides output 0 (bit j = output j) */
	/* Constants it reads, uploaded with the weights at s->dev->nwofs[node]:
	 * their size in bytes (0: none), written to DST unless NULL. */
	uint64_t (*consts)(struct art_session *s, const struct rt_node *n, void *dst);
	int flattens; /* views operands of any rank in at most 6 dimensions */
};

/* One op family's rows of the device table, defined next to its forms in
 * its file (device/op_*.c, quant.c) and searched by device/ops.c. */
struct dev_op_family {
	const struct dev_op *rows;
	size_t n;
};
#define DEV_OP_FAMILY(rows)                                                                        \
	{                                                                                          \
		(rows), sizeof(rows) / sizeof((rows)[0])                                           \
	}
extern const struct dev_op_family dev_ops_conv, dev_ops_eltwise, dev_ops_linalg, dev_ops_norm,
	dev_ops_tensor, dev_ops_quant, dev_ops_move, dev_ops_index, dev_ops_loss, dev_ops_signal,
	dev_ops_sample;
/* LSTM, GRU and RNN lowered to MATMUL and ELTWISE (device/op_rnn.c). */
extern const struct dev_op_family dev_ops_rnn;

#define F32_BITS(f) dev_float_bits(f)

/* The reason "OP on dtype X not supported by the device", in C's buffer. */
const char *dev_float_only(const struct dev_check *c);

int dev_is_float(int d);

int dev_is_int(int d);

const char *dev_attr_s(const struct rt_node *n, const char *name, const char *def, char *buf,
		       size_t len);

/* Input IN of N is absent, a constant known now, or known when the
 * partition is planned. */
int dev_const_or_absent(struct art_session *s, const struct rt_node *n, int in);

/* Input IN of N is known on the host when the partition is planned: absent,
 * constant, plan-time, a graph input or the output of a CPU node. Such
 * values are part of the plan's key (device/plan.c). */
int dev_plan_known(struct art_session *s, const struct rt_node *n, int in);

uint32_t dev_float_bits(float f);

/* An f32 view of RANK dims at VA with the given element strides, for the
 * forms that address a matrix they built themselves (op_signal.c,
 * op_sample.c) rather than a graph value. */
void dev_f32_view(struct ares_tensor_desc *t, uint64_t va, int rank, const int64_t *shape,
		  const int64_t *stride);

int64_t dev_norm_axis(int64_t a, int rank);

/* Input IN of N holds data on the host. */
int dev_host_value(struct art_session *s, const struct rt_node *n, int in);

void dev_set_out(struct dev_val *o, int dtype, int ndim, const int64_t *dims);

int64_t dev_prod(const int64_t *d, int a, int b);

int dev_bad(struct art_session *s, const struct rt_node *n, const char *what);

uint64_t dev_va_of(const struct ectx *e, int v);

/* A contiguous view of value V with the given rank and dims. */
void dev_desc_dims(const struct ectx *e, int v, int rank, const int64_t *dims,
		   struct ares_tensor_desc *t);

void dev_desc(const struct ectx *e, int v, struct ares_tensor_desc *t);

/* Value V broadcast to RANK dims DIMS: aligned right, stride 0 where V has
 * a 1 (or no dimension). */
void dev_desc_bcast(const struct ectx *e, int v, int rank, const int64_t *dims,
		    struct ares_tensor_desc *t);

/* Called after each command: counts it and, when profiling, records the
 * device clock and modeled time after it. */
int dev_done(struct ectx *e, int rc);

/* Emits reduced node E->n (n->reduced): its operands' conversions, then
 * its form's command on them (device/precision.c). */
int dev_reduced_emit(struct ectx *e);
/* device/quant.c: the QOperator ops' check, their output dtype, the
 * inputs holding their weight and bias, and their descriptors'
 * quantisation (WAXIS: the weight's channel axis). */
const char *dev_quant_check(const struct dev_check *c);
/* At plan time: the parameters' values known only then; -EINVAL naming
 * the node when the device cannot take them. */
int dev_quant_plan_check(const struct dev_shape *c);
int dev_quant_out_dtype(const struct art_session *s, const struct rt_node *n);
int dev_quant_weight_input(const struct rt_node *n);
int dev_quant_bias_input(const struct rt_node *n);
int dev_quant_desc(const struct ectx *e, struct ares_tensor_desc *x, struct ares_tensor_desc *w,
		   struct ares_tensor_desc *y, unsigned waxis);

/* The one-hot constants (Hardmax, the losses): f32 0 at byte 0, f32 1 at
 * 4, then at DEV_RAMP_AT the ramp 0 .. LEN-1 in int64 (WIDE) or int32
 * with entry HOLE (if in range) -1. Returns their size; writes them to
 * DST unless NULL. */
#define DEV_RAMP_AT 8
uint64_t dev_ramp_consts(void *dst, int64_t len, int64_t hole, int wide);

int dev_emit_copy_view(struct ectx *e, struct ares_tensor_desc *x, struct ares_tensor_desc *y);

/* device/op_move.c: COPY of a view of RANK (up to 2 * ART_MAX_DIMS) dims
 * SHAPE with signed element strides XS (from X_VA) and YS (to Y_VA) of
 * ARES dtype DT, as several COPYs where a stride is negative or the rank
 * above 6; and how many commands that takes. */
int dev_copy_signed(struct ectx *e, int dt, uint64_t x_va, uint64_t y_va, int rank,
		    const int64_t *shape, const int64_t *xs, const int64_t *ys);
int64_t dev_copy_signed_count(int rank, const int64_t *shape, const int64_t *xs, const int64_t *ys);

#endif
