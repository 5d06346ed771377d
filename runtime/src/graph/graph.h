/* SPDX-License-Identifier: MIT */
/*
 * The graph layer's face to the session (graph/graph.c): passes over the
 * session's IR (core/internal.h), run once by rt_graph_optimize() after
 * the graph is built. The passes are graph/passes.h, their shared helpers
 * graph/ir.h.
 */
#ifndef ART_GRAPH_H
#define ART_GRAPH_H

#include "core/internal.h"

/* Before the graph is built: rewrites a default-domain opset 1-6 model's
 * nodes into their opset-7 forms and sets s->opset to 7 (graph/upgrade.c);
 * a legacy form with no such rewrite fails naming node, op, opset and
 * attribute. */
int rt_opset_upgrade(struct art_session *s);

/* Entry points for the session: shape inference, folding and rewriting
 * once at session creation; re-inference when the first run's input
 * shapes bind dynamic dimensions. */
int rt_graph_optimize(struct art_session *s);
int rt_graph_bind_inputs(struct art_session *s);
/* Once no device was found (or --cpu): the fusions only the CPU path
 * runs, unless optimisation is off. */
int rt_graph_optimize_host(struct art_session *s);
void rt_graph_free(struct art_session *s);
/* Frees what node N owns (inputs, outputs, subgraphs, its oneDNN
 * primitive), not N itself. */
void rt_node_free(struct rt_node *n);

#endif
