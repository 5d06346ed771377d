/* SPDX-License-Identifier: MIT */
/*
 * libares_quant: post-training quantization of an f32 ONNX model into the
 * standard QDQ form (QuantizeLinear/DequantizeLinear around float ops),
 * which ONNX Runtime and libares_rt both run. Prefix aq_; 0 or a negative
 * errno, with a message in the caller's buffer naming what is wrong.
 *
 * What is quantized: Conv, MatMul and Gemm whose weight is an f32
 * constant. Weights int8 symmetric per output channel (Conv axis 0,
 * MatMul axis 1, Gemm axis 1 or 0 with transB), activations uint8 per
 * tensor, biases int32 at scale s_x * s_w. A layer stays float when
 * quantizing it alone moves the model's outputs by more than the threshold
 * (relative L2 error over the calibration samples).
 */
#ifndef ARES_QUANT_H
#define ARES_QUANT_H

#include <stdio.h>

enum aq_calibration {
	AQ_CALIB_MINMAX = 0,	 /* the smallest and largest value seen */
	AQ_CALIB_PERCENTILE = 1, /* the two-sided percentile of the values seen */
};

#define AQ_DEFAULT_PERCENTILE 99.99
#define AQ_DEFAULT_THRESHOLD  0.05

/* Options of aq_quantize(); zero-initialise, then set. */
struct aq_options {
	int calibration;   /* enum aq_calibration */
	double percentile; /* AQ_CALIB_PERCENTILE, in (50, 100]; 0: 99.99 */
	/* A layer whose error exceeds this stays float; 0: 0.05; negative:
	 * no sensitivity check, every layer quantized. */
	double threshold;
	int max_samples;  /* calibration samples used; 0: all */
	int sens_samples; /* samples of the sensitivity check; 0: all used */
	int threads;	  /* libares_rt's CPU threads; 0: its default */
	FILE *report;	  /* the per-layer report, when not NULL */
};

/* The outcome, for callers that want figures rather than text. */
struct aq_result {
	int layers;	  /* Conv/MatMul/Gemm with f32 constant weights */
	int quantized;	  /* of those, quantized */
	double error;	  /* relative output error of the written model */
	int opset_before; /* the model's default-domain opset */
	int folded;	  /* Mul/Add nodes folded into the Conv before them */
};

/* Quantizes MODEL_IN with the samples in CALIB_DIR into MODEL_OUT. The
 * calibration folder holds one file per graph input, NAME.npy or NAME.pb
 * (a TensorProto), or a subfolder per sample holding them. RESULT may be
 * NULL. Nothing is written on error. */
int aq_quantize(const char *model_in, const char *calib_dir, const char *model_out,
		const struct aq_options *opts, struct aq_result *result, char *err, size_t errlen);

#endif
