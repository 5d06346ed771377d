/* SPDX-License-Identifier: MIT */
/*
 * The f32 binary ELTWISE row kernel, included by elt_avx2.c and
 * elt_avx512.c with the vector macros of their ISA. o[i] = a[i * sa] op
 * b[i * sb], sa and sb 0 (a broadcast value) or 1, o contiguous. Every
 * lane runs the one IEEE binary32 operation the scalar loop (f32_math in
 * eltwise.c) runs, and the tail is that loop's expression, so the row is
 * the loops' bit for bit; MAX and MIN make ck_elt_max/min's choice
 * (the first operand between equal values: +0 and -0).
 * Returns 0, or -1 for an op it does not take.
 */
ELT_ATTR int ELT_FN(uint32_t op, float *o, const float *a, int64_t sa, const float *b, int64_t sb,
		    int64_t n)
{
	int64_t i = 0;

	switch (op) {
#define K(OP, VEXPR, SEXPR)                                                                        \
	case OP:                                                                                   \
		for (; i + VL <= n; i += VL) {                                                     \
			V x = sa ? V_LOAD(a + i) : V_SET1(a[0]);                                   \
			V y = sb ? V_LOAD(b + i) : V_SET1(b[0]);                                   \
			V_STORE(o + i, VEXPR);                                                     \
		}                                                                                  \
		for (; i < n; i++) {                                                               \
			float x = a[i * sa], y = b[i * sb];                                        \
			o[i] = SEXPR;                                                              \
		}                                                                                  \
		return 0
		K(ARES_ELT_ADD, V_ADD(x, y), x + y);
		K(ARES_ELT_SUB, V_SUB(x, y), x - y);
		K(ARES_ELT_MUL, V_MUL(x, y), x * y);
		K(ARES_ELT_DIV, V_DIV(x, y), x / y);
		K(ARES_ELT_MAX, V_NAN_OR(x, y, V_MAX(x, y)), ck_elt_max(x, y));
		K(ARES_ELT_MIN, V_NAN_OR(x, y, V_MIN(x, y)), ck_elt_min(x, y));
#undef K
	}
	return -1;
}
