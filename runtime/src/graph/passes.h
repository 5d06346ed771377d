/* SPDX-License-Identifier: MIT */
/*
 * The passes rt_graph_optimize() (graph/graph.c) runs: shape and type
 * inference (graph/shape.c), constant folding and dead-node removal
 * (graph/fold.c), no-op removal (graph/noop.c) and fusions (graph/fuse.c).
 * Passes mark nodes dead; graph.c compacts the node list between passes.
 */
#ifndef ART_GRAPH_PASSES_H
#define ART_GRAPH_PASSES_H

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
/* The fusions only the CPU path runs (a session with no device). */
int g_fuse_host(struct art_session *s);

#endif
