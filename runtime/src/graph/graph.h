/* SPDX-License-Identifier: MIT */
/*
 * Graph passes over the session's IR (internal.h), run once by
 * rt_graph_optimize() after the graph is built: shape and type inference
 * (graph/shape.c), constant folding and dead-node removal (graph/fold.c),
 * no-op removal (graph/noop.c) and fusions (graph/fuse.c). Passes mark
 * nodes dead; graph.c compacts the node list between passes.
 */
#ifndef ART_GRAPH_H
#define ART_GRAPH_H

#include "core/internal.h"

/* Infers the value infos of N's outputs from its inputs' infos and
 * constants; leaves what it cannot know unknown (dtype 0, ndim -1). */
void g_infer_node(struct art_session *s, struct rt_node *n);
/* Infos of every value: graph inputs from their declaration (or from the
 * tensors set, when BIND), constants from their data, then every node. */
void g_infer_all(struct art_session *s, int bind);

int g_fold(struct art_session *s);
void g_remove_dead(struct art_session *s);
int g_remove_noops(struct art_session *s);
int g_fuse(struct art_session *s);

/* Helpers shared by the passes (graph.c). */
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
