/* SPDX-License-Identifier: MIT */
/* The reduced-precision mode (core/precision.c). */
#ifndef ART_PRECISION_H
#define ART_PRECISION_H

#include <stdint.h>

struct art_session;

/* Whether OP runs reduced in the mode: Conv, ConvTranspose, MatMul, Gemm. */
int rt_precision_op(const char *op);
/* F rounded to DTYPE (ART_BFLOAT16/ART_FLOAT16, nearest even) and widened
 * back; its 16-bit pattern. */
float rt_precision_round(float f, int dtype);
uint16_t rt_precision_bits(float f, int dtype);
/* Sets n->reduced on the nodes that run in s->precision: eligible ops
 * whose two operands are float32 before any run and not both constant;
 * one whose constant operands float16 cannot hold gets a precision_note
 * instead. Before placement. */
int rt_precision_pick(struct art_session *s);
/* "bfloat16", "float16", or NULL for 0. */
const char *rt_precision_name(int dtype);

#endif
