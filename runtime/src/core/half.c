// SPDX-License-Identifier: MIT
/* float16 and bfloat16 conversions. Both are binary floating-point formats
 * with a sign bit, EBITS exponent bits and MBITS fraction bits, so one pair
 * of routines serves both; rounding is done on the double, where scaling
 * by powers of two is exact, so a double input rounds once (not first to
 * float and then again). */
#include <math.h>

#include "core/half.h"

static double widen(uint16_t h, int ebits, int mbits)
{
	int bias = (1 << (ebits - 1)) - 1;
	int e = (h >> mbits) & ((1 << ebits) - 1);
	int m = h & ((1 << mbits) - 1);
	double v;
	if (e == (1 << ebits) - 1)
		v = m ? NAN : INFINITY;
	else if (e == 0) /* zero or subnormal: m * 2^(1 - bias - mbits) */
		v = ldexp(m, 1 - bias - mbits);
	else
		v = ldexp(m | (1 << mbits), e - bias - mbits);
	return (h >> 15) & 1 ? -v : v;
}

static uint16_t narrow(double v, int ebits, int mbits)
{
	int bias = (1 << (ebits - 1)) - 1, emax = (1 << ebits) - 1;
	uint16_t sign = signbit(v) ? 0x8000 : 0;
	if (isnan(v)) /* quiet NaN: the top fraction bit set */
		return (uint16_t)(sign | emax << mbits | 1 << (mbits - 1));
	double a = fabs(v);
	if (isinf(a))
		return (uint16_t)(sign | emax << mbits);
	int e2;
	frexp(a, &e2);	       /* a = f * 2^e2, f in [0.5, 1) */
	int e = e2 - 1 + bias; /* biased exponent if a is normal */
	if (a == 0 || e <= 0) {
		/* Subnormal (or zero): units of 2^(1 - bias - mbits), rounded
		 * to nearest even by nearbyint in the default rounding mode; a
		 * result of 1 << mbits is the smallest normal, which the bit
		 * pattern gets right by itself. */
		double q = nearbyint(ldexp(a, bias - 1 + mbits));
		return (uint16_t)(sign | (uint16_t)q);
	}
	double q = nearbyint(ldexp(a, mbits - (e2 - 1))); /* in [2^mbits, 2^(mbits+1)] */
	if (q == ldexp(1, mbits + 1)) {
		q /= 2;
		e++;
	}
	if (e >= emax)
		return (uint16_t)(sign | emax << mbits);
	return (uint16_t)(sign | e << mbits | ((uint32_t)q & ((1u << mbits) - 1)));
}

double rt_f16_to_d(uint16_t h)
{
	return widen(h, 5, 10);
}

uint16_t rt_f16_from_d(double v)
{
	return narrow(v, 5, 10);
}

double rt_bf16_to_d(uint16_t h)
{
	return widen(h, 8, 7);
}

uint16_t rt_bf16_from_d(double v)
{
	return narrow(v, 8, 7);
}
