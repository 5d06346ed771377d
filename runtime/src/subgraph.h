/* SPDX-License-Identifier: MIT */
/*
 * Subgraphs on the device (subgraph.c): each If branch, Loop body and Scan
 * body a session runs becomes a session of its own the first time it runs
 * (a child), placed and partitioned for the device like the main graph:
 * its inputs are the subgraph's inputs and the outer-scope values it reads
 * (outer constants become its initializers, so its device nodes get them
 * as weights). The control-flow kernels pick the branch or iterate; the
 * child runs the body, its CPU nodes and device partitions interleaved.
 */
#ifndef RT_SUBGRAPH_H
#define RT_SUBGRAPH_H

#include "core/internal.h"

/* A subgraph of node OWNER and the session it runs in. */
struct rt_sub {
	const struct rt_node *owner;
	const struct rt_graph *g;
	char label[160];    /* "If_25/then_branch" */
	art_session *child; /* NULL: runs node by node on the CPU (why says why) */
	char *why;
	int nin, *vin;		/* per child input: the parent's value */
	struct art_tensor *key; /* per child input: dtype and shape it was made for */
	int remakes;		/* children made for other input shapes */
	uint64_t calls;		/* runs during the parent's last run */
};

/* The session's runner of subgraph G of OWNER: its outputs' values set in
 * S, as run_graph() of cpu/kernels_control.c would set them. */
int rt_subgraph_run(struct art_session *s, const struct rt_node *owner, const struct rt_graph *g);
/* At the start of a run of S: its subgraphs' call counts restart. */
void rt_subgraph_run_begin(struct art_session *s);
void rt_subgraph_free(struct art_session *s);
/* session.c: a session of MODEL (owned from here on) with PARENT's options. */
int rt_session_create_child(struct art_session *parent, const char *label, Onnx__ModelProto *model,
			    art_session **out);

#endif
