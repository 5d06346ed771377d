/* SPDX-License-Identifier: MIT */
/* ares-quantize: which nodes can be quantized, and the QDQ rewrite. */
#ifndef AQ_QDQ_H
#define AQ_QDQ_H

#include "calib.h"
#include "model.h"

/* A Conv, MatMul or Gemm with an f32 constant weight. Indices are into the
 * graph's node list, which the opset upgrade keeps as it is. */
struct aq_layer {
	int node;
	int w_axis;	 /* the weight's output-channel axis: the per-channel axis */
	int has_bias;	 /* input 2 is a 1-D f32 constant made int32 */
	int tail;	 /* node whose output is requantized: the layer, or the
			  * activation that reads it alone; -1 for none */
	int r_in, r_out; /* ranges of the activation input and of the tail's
			  * output (-1 when it is not requantized) */
	int quantize;	 /* chosen by the sensitivity check */
	double error;	 /* relative output error with only this layer quantized */
};

/* The layers of G, and the tensor names whose ranges they need (NAMES[k]
 * is range k; the strings are G's). */
int aq_find_layers(const Onnx__GraphProto *g, struct aq_layer **layers, int *n, const char ***names,
		   int *nnames, struct aq_err *e);

/* A node between layers that the device runs on 8-bit tensors when both
 * sides of it are quantized: a Mul or Add of two activations (requantized
 * at its own calibrated range, R_OUT) or a nearest Resize (requantized at
 * its input's scale and zero point, which it only moves: R_OUT -1). */
struct aq_elt {
	int node;
	int r_out;
};

/* The Mul/Add/Resize nodes of G that aq_rewrite() may requantize; the
 * ranges they need are added to NAMES. */
int aq_find_elts(const Onnx__GraphProto *g, struct aq_elt **elts, int *n, const char ***names,
		 int *nnames, struct aq_err *e);

/* Quantizes the layers of M whose ON[i] is set (weights int8 per channel,
 * activations uint8 per tensor, biases int32), in QDQ form, and puts a
 * QuantizeLinear/DequantizeLinear after each of ELTS whose data inputs
 * all are requantized tensors, so the chain stays on the 8-bit tensors.
 * M is a copy of the graph the layers were found in, at opset 13. */
int aq_rewrite(Onnx__ModelProto *m, const struct aq_layer *l, int n, const int *on,
	       const struct aq_elt *elts, int nelts, const struct aq_ranges *r, struct aq_err *e);

#endif
