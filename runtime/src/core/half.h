/* SPDX-License-Identifier: MIT */
/* float16 (IEEE binary16) and bfloat16 held as their 16-bit patterns:
 * widening is exact; narrowing rounds to nearest, ties to even, keeps
 * NaN (quiet) and infinities, overflows to infinity and produces
 * subnormals, as ONNX Cast asks. */
#ifndef ART_HALF_H
#define ART_HALF_H

#include <stdint.h>

double rt_f16_to_d(uint16_t h);
uint16_t rt_f16_from_d(double v);
double rt_bf16_to_d(uint16_t h);
uint16_t rt_bf16_from_d(double v);

#endif
