/* SPDX-License-Identifier: MIT */
/* ares-quantize: moving a model's default-domain opset up to 13, where
 * QuantizeLinear/DequantizeLinear take a per-channel axis. */
#ifndef AQ_OPSET_H
#define AQ_OPSET_H

#include "model.h"

/* The rank of tensor NAME as the f32 run saw it, or -1 when unknown. */
typedef int (*aq_rank_fn)(void *ctx, const char *name);

/* Nodes whose upgrade needs an input's rank (Softmax before 13): the
 * caller has the f32 run record those tensors. */
int aq_opset_needs_rank(const Onnx__NodeProto *n, int64_t opset);

/* Rewrites M in place to opset 13 when every node keeps its meaning (the
 * attribute-to-input moves of Clip 11, Slice 10, Squeeze/Unsqueeze,
 * ReduceSum and Split 13 are made; Dropout's ratio is dropped). Refuses,
 * naming the node and op, anything else whose meaning changed, and
 * opsets below 7. Models at 13 or above are left as they are. */
int aq_opset_upgrade(Onnx__ModelProto *m, aq_rank_fn rank, void *ctx, struct aq_err *e);

#endif
