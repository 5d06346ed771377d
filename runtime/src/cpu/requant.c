// SPDX-License-Identifier: MIT
/*
 * Requantisation of an int32 accumulator to 8 bits, as ONNX Runtime
 * computes it (in binary32, rounded half to even) and as the device's
 * int8 engine does for a fused QDQ node: shared by the loop kernels
 * (kernels_qconv.c, kernels_quant.c) and their oneDNN path (dnnl_quant.c).
 */
#include <math.h>

#include "ares/tensor.h"
#include "cpu/kernels.h"

float rt_requant_mult(double sx, double sw, double sy)
{
	return (float)sx * (float)sw / (float)sy;
}

double rt_requant(int64_t acc, float mult)
{
	return nearbyint((double)((float)(int32_t)acc * mult));
}

double rt_requant_act(const struct rt_node *n, int64_t acc, float mult, float div)
{
	float v = (float)(int32_t)acc * mult;
	/* Relu and Clip are exact; LeakyRelu's product of two binary32
	 * values is exact in double, so narrowing rounds it as binary32. */
	if (n->act != ARES_ACT_NONE)
		v = (float)rt_act_value(n->act, n->act_alpha, n->act_beta, v);
	return nearbyint((double)(v / div));
}

void rt_requant_params(const struct rt_node *n, double sx, double sw, double sy, float *mult,
		       float *div)
{
	if (n->qdq_real) {
		*mult = (float)sx * (float)sw;
		*div = (float)sy;
	} else {
		*mult = rt_requant_mult(sx, sw, sy);
		*div = 1.0f;
	}
}
