/* SPDX-License-Identifier: MIT */
/* Helpers the graph passes share (graph/ir.c): who writes and reads a
 * value, constants, and the protos of fused nodes. */
#ifndef ART_GRAPH_IR_H
#define ART_GRAPH_IR_H

#include "core/internal.h"

int g_is_output(const struct art_session *s, int v);
int g_uses(const struct art_session *s, int v); /* live node inputs reading V */
int g_producer(const struct art_session *s, int v);
int g_consumer(const struct art_session *s, int v, int after); /* first live reader */
void g_replace_uses(struct art_session *s, int from, int to);
int g_const(const struct art_session *s, int v); /* V is a constant with data */
/* A new constant value named after BASE, owning zeroed storage. */
int g_new_const(struct art_session *s, const char *base, int dtype, int ndim, const int64_t *dims,
		void **data);
/* Input I of N as a float scalar, if it is a constant of one element. */
int g_const_scalar(const struct art_session *s, const struct rt_node *n, int i, float *out);
int g_static(const struct art_tensor *info); /* dtype, rank and every dim known */
int g_op(const struct rt_node *n, const char *op);
/* A node proto of type OP owned by the session, for a fused node. */
Onnx__NodeProto *g_synth_proto(struct art_session *s, const char *op, const char *name);
int g_add_attr_f(Onnx__NodeProto *p, const char *name, float f);
int g_add_attr_i(Onnx__NodeProto *p, const char *name, int64_t i);
int g_set_inputs(struct rt_node *n, int nin); /* resizes n->in, new slots -1 */

#endif
