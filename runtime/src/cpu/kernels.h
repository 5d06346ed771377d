/* SPDX-License-Identifier: MIT */
/* Shared by the CPU reference kernels (kernels*.c): argument checking,
 * broadcasting, element access by dtype, and the per-family op tables that
 * rt_kernel_lookup() (kernels.c) searches. */
#ifndef ART_KERNELS_H
#define ART_KERNELS_H

#include <errno.h>
#include <stdint.h>

#include "core/half.h"
#include "core/internal.h"

/* Fail the kernel with -EINVAL and a message unless COND holds. */
#define NEED(cond, ...)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return rt_err(s, -EINVAL, __VA_ARGS__);                                    \
	} while (0)

/* Validates what a node's kernel depends on that is known before any run
 * (attributes): session creation calls it so a node every run would refuse
 * is refused at once, naming the node and the reason. */
typedef int (*rt_check_fn)(struct art_session *s, const struct rt_node *n);

struct rt_kernel_entry {
	const char *op;
	rt_kernel_fn fn;
};

struct rt_check_entry {
	const char *op;
	rt_check_fn check;
};

/* Each family file defines its table rt_kernels_<family>[] (and some a
 * table of attribute checks rt_checks_<family>[]), ending with a NULL op;
 * cpu/registry.c searches them. */

/* The op-to-kernel lookup over the family tables (cpu/kernels.c). */
rt_kernel_fn rt_kernel_lookup(const char *op);
/* 0, or the error of the attribute check N's op has (cpu/kernels.c). */
int rt_kernel_check_attrs(struct art_session *s, const struct rt_node *n);
/* -ENOTSUP naming node, op and type when N's CPU kernel does not take an
 * element type of its values (cpu/kernels_dtype.c): the types shape
 * inference gave them (INFERRED) or the ones they hold now. */
int rt_kernel_check_dtypes(struct art_session *s, const struct rt_node *n, int inferred);
/* Cast/CastLike of N with X or target TO a string (cpu/kernels_string.c):
 * numbers as their shortest round-trip text, text parsed as ONNX's
 * numbers (NaN, INF, -INF); bool is refused. */
int rt_cast_strings(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		    int to);
/* 1 when OP makes or reads sequences (cpu/kernels_sequence.c): graph
 * folding leaves those nodes to run, since a folded value is a tensor. */
int rt_kernel_is_sequence_op(const char *op);
/* 1 when value V is (or will be) a sequence: so declared, holding one, or
 * made by a sequence op; device placement keeps its readers on the CPU. */
int rt_value_is_sequence(const struct art_session *s, int v);
/* Adds the bias a fusion gave MatMul N to its output (cpu/matmul_bias.c). */
int rt_matmul_bias(struct art_session *s, const struct rt_node *n);

/* -EINVAL naming the node unless inputs 0..COUNT-1 are present. */
int rt_need_inputs(struct art_session *s, const struct rt_node *n, int count);
/* Numpy broadcasting of A and B into OUT; the output rank, or -1. */
int rt_broadcast_shape(const struct art_tensor *a, const struct art_tensor *b, int64_t *out);
/* Output 0 as a copy of X's bytes with shape DIMS (same element count). */
int rt_copy_out(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		int ndim, const int64_t *dims);
/* Axes from input 1 (opset 13+) or the "axes" attribute; *count 0 if none. */
int rt_get_axes(struct art_session *s, const struct rt_node *n, int64_t *axes, int *count);
/* The one value of a scalar-like tensor T (one element, any rank), named
 * WHAT in the error when it holds another number of elements. */
int rt_scalar(struct art_session *s, const struct rt_node *n, const struct art_tensor *t,
	      const char *what, double *v);

/* Applies the activation graph rewriting fused into N (n->act, ARES_ACT_*
 * with act_alpha/act_beta) to output 0, in place; float and double only.
 * Conv, ConvTranspose, Gemm and MatMul call it as their last step, so a
 * fused node computes what the unfused pair did. */
int rt_apply_act(struct art_session *s, const struct rt_node *n);
/* The same activation on one value. */
double rt_act_value(int act, double alpha, double beta, double x);

/* Window geometry of Conv and the pools (kernels_conv.c): up to RT_SP
 * spatial dims, fewer run as RT_SP with the leading ones of size 1. */
#define RT_SP 3
struct rt_win {
	int nsp;
	int64_t in[RT_SP], out[RT_SP], k[RT_SP], st[RT_SP], dil[RT_SP], pb[RT_SP], pe[RT_SP];
};
/* The extent of W's window along spatial slot I, dilation included. */
static inline int64_t rt_win_span(const struct rt_win *w, int i)
{
	return w->dil[i] * (w->k[i] - 1) + 1;
}
/* Strides, dilations, pads or auto_pad of N over X with kernel dims K
 * (X's spatial rank of them), and the output size (rounded up with
 * CEIL_MODE); -EINVAL naming the node when they disagree. */
int rt_win_geom(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		const int64_t *k, int ceil_mode, struct rt_win *w);
/* ConvTranspose's window over X with weights WT (output size from pads,
 * or pads from output_shape / auto_pad) and its output channels *M. */
int rt_convt_geom(struct art_session *s, const struct rt_node *n, const struct art_tensor *x,
		  const struct art_tensor *wt, struct rt_win *w, int64_t *m);

/* Normalises AXIS into [0, RANK); -1 when out of range. */
static inline int rt_axis(int64_t axis, int rank)
{
	if (axis < 0)
		axis += rank;
	return axis >= 0 && axis < rank ? (int)axis : -1;
}

static inline int64_t rt_shape_elems(const int64_t *dims, int nd)
{
	int64_t c = 1;
	for (int i = 0; i < nd; i++)
		c *= dims[i];
	return c;
}

/* Offset into T of the output element at multi-index IDX (rank ND). */
static inline int64_t rt_bcast_offset(const struct art_tensor *t, const int64_t *idx, int nd)
{
	int64_t off = 0;
	for (int i = 0; i < t->ndim; i++) {
		int64_t d = t->dims[i];
		off = off * d + (d == 1 ? 0 : idx[i + nd - t->ndim]);
	}
	return off;
}

/* Row-major increment of multi-index IDX within DIMS. */
static inline void rt_next_index(int64_t *idx, const int64_t *dims, int nd)
{
	for (int i = nd - 1; i >= 0; i--) {
		if (++idx[i] < dims[i])
			return;
		idx[i] = 0;
	}
}

/*
 * V as an integer in [LO, HI]: NaN is 0, out-of-range values saturate.
 * A plain C cast of those is undefined behaviour, and ONNX leaves the
 * result open, so the runtime picks the defined answer.
 */
static inline int64_t rt_d2i(double v, int64_t lo, int64_t hi)
{
	if (v != v)
		return 0;
	if (v <= (double)lo)
		return lo;
	if (v >= (double)hi)
		return hi;
	return (int64_t)v;
}

/* Floating-point element types: computed in double, stored narrowed. */
static inline int rt_is_float(int dtype)
{
	return dtype == ART_FLOAT || dtype == ART_DOUBLE || dtype == ART_FLOAT16 ||
	       dtype == ART_BFLOAT16;
}

static inline int rt_is_unsigned(int dtype)
{
	return dtype == ART_UINT8 || dtype == ART_UINT16 || dtype == ART_UINT32 ||
	       dtype == ART_UINT64 || dtype == ART_BOOL;
}

/* Element I of T as a double (exact for all types but 64-bit integers
 * beyond 2^53). */
static inline double rt_get_d(const struct art_tensor *t, int64_t i)
{
	switch (t->dtype) {
	case ART_FLOAT:
		return ((const float *)t->data)[i];
	case ART_DOUBLE:
		return ((const double *)t->data)[i];
	case ART_INT64:
		return (double)((const int64_t *)t->data)[i];
	case ART_UINT64:
		return (double)((const uint64_t *)t->data)[i];
	case ART_INT32:
		return ((const int32_t *)t->data)[i];
	case ART_UINT32:
		return ((const uint32_t *)t->data)[i];
	case ART_INT16:
		return ((const int16_t *)t->data)[i];
	case ART_UINT16:
		return ((const uint16_t *)t->data)[i];
	case ART_FLOAT16:
		return rt_f16_to_d(((const uint16_t *)t->data)[i]);
	case ART_BFLOAT16:
		return rt_bf16_to_d(((const uint16_t *)t->data)[i]);
	case ART_INT8:
		return ((const int8_t *)t->data)[i];
	default:
		return ((const uint8_t *)t->data)[i];
	}
}

/* Element I of integer (or bool) tensor T, exact for int64; a uint64 comes
 * back as its bit pattern (rt_is_unsigned() callers compare as uint64_t). */
static inline int64_t rt_get_i(const struct art_tensor *t, int64_t i)
{
	switch (t->dtype) {
	case ART_INT64:
	case ART_UINT64:
		return ((const int64_t *)t->data)[i];
	case ART_INT32:
		return ((const int32_t *)t->data)[i];
	case ART_UINT32:
		return ((const uint32_t *)t->data)[i];
	case ART_INT16:
		return ((const int16_t *)t->data)[i];
	case ART_UINT16:
		return ((const uint16_t *)t->data)[i];
	case ART_INT8:
		return ((const int8_t *)t->data)[i];
	case ART_UINT8:
	case ART_BOOL:
		return ((const uint8_t *)t->data)[i];
	default:
		return rt_d2i(rt_get_d(t, i), INT64_MIN, INT64_MAX);
	}
}

/* Stores V into integer output O, wrapping like the C conversion. */
static inline void rt_put_i(void *o, int dtype, int64_t i, int64_t v)
{
	switch (dtype) {
	case ART_INT64:
	case ART_UINT64:
		((int64_t *)o)[i] = v;
		break;
	case ART_INT32:
	case ART_UINT32:
		((uint32_t *)o)[i] = (uint32_t)v;
		break;
	case ART_INT16:
	case ART_UINT16:
		((uint16_t *)o)[i] = (uint16_t)v;
		break;
	case ART_INT8:
		((int8_t *)o)[i] = (int8_t)v;
		break;
	case ART_BOOL:
		((uint8_t *)o)[i] = v != 0;
		break;
	default:
		((uint8_t *)o)[i] = (uint8_t)v;
		break;
	}
}

/* QLinearConv and QLinearMatMul requantization, as ONNX Runtime's and the
 * device's (docs/hw-spec.md §12.2, runtime/README.md): the multiplier
 * sx * sw / sy in binary32, the int32 accumulator times it in binary32,
 * rounded half to even (the caller adds the zero point and saturates). */
float rt_requant_mult(double sx, double sw, double sy);
double rt_requant(int64_t acc, float mult);
/* rt_requant() with N's fused activation (a QDQ pattern fused for the
 * int8 engine brings Relu, LeakyRelu or Clip, device/qdq.c) applied to
 * the scaled accumulator in binary32 before rounding, as the engine does
 * (hw-spec §12.1), then divided by DIV: a partition that falls back to
 * the CPU computes what the device would have. */
double rt_requant_act(const struct rt_node *n, int64_t acc, float mult, float div);
/* A fused QDQ affine node (device/qdq.c; not an ONNX op, so not in the
 * kernel table): inputs x, x_scale, x_zero_point, y_scale, y_zero_point,
 * out Q(n->qaff_alpha * DQ(x) + n->qaff_beta), each step in binary32 as
 * the DequantizeLinear, Mul, Add and QuantizeLinear kernels it replaces. */
int rt_kernel_qaffine(struct art_session *s, const struct rt_node *n);
/* A fused QDQ binary node (device/qdq.c, dev_op "QAdd", "QSub" or "QMul"):
 * inputs a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale,
 * y_zero_point (numpy broadcasting), out Q(DQ(a) op DQ(b)) with the
 * chain's binary32 steps. */
int rt_kernel_qbinary(struct art_session *s, const struct rt_node *n);
/* MULT and DIV for rt_requant_act(): f32(sx sw / sy) and 1, or for a fused
 * node whose activation runs in real units (rt_node.qdq_real) f32(sx sw)
 * and sy, the engine's order. */
void rt_requant_params(const struct rt_node *n, double sx, double sw, double sy, float *mult,
		       float *div);

/* Stores V into output O: floats round to nearest even, integers truncate
 * toward zero and saturate (NaN is 0, see rt_d2i()). */
static inline void rt_put_d(void *o, int dtype, int64_t i, double v)
{
	switch (dtype) {
	case ART_FLOAT:
		((float *)o)[i] = (float)v;
		break;
	case ART_DOUBLE:
		((double *)o)[i] = v;
		break;
	case ART_FLOAT16:
		((uint16_t *)o)[i] = rt_f16_from_d(v);
		break;
	case ART_BFLOAT16:
		((uint16_t *)o)[i] = rt_bf16_from_d(v);
		break;
	case ART_INT64:
		((int64_t *)o)[i] = rt_d2i(v, INT64_MIN, INT64_MAX);
		break;
	case ART_UINT64: /* past rt_d2i's int64 range: saturate here */
		((uint64_t *)o)[i] = !(v > 0) ? 0 : v >= 0x1p64 ? UINT64_MAX : (uint64_t)v;
		break;
	case ART_INT32:
		((int32_t *)o)[i] = (int32_t)rt_d2i(v, INT32_MIN, INT32_MAX);
		break;
	case ART_UINT32:
		((uint32_t *)o)[i] = (uint32_t)rt_d2i(v, 0, UINT32_MAX);
		break;
	case ART_INT16:
		((int16_t *)o)[i] = (int16_t)rt_d2i(v, INT16_MIN, INT16_MAX);
		break;
	case ART_UINT16:
		((uint16_t *)o)[i] = (uint16_t)rt_d2i(v, 0, UINT16_MAX);
		break;
	case ART_INT8:
		((int8_t *)o)[i] = (int8_t)rt_d2i(v, INT8_MIN, INT8_MAX);
		break;
	case ART_BOOL:
		((uint8_t *)o)[i] = v != 0;
		break;
	default:
		((uint8_t *)o)[i] = (uint8_t)rt_d2i(v, 0, UINT8_MAX);
		break;
	}
}

#endif
