// SPDX-License-Identifier: MIT
/*
 * Run-time choice of the SIMD level. The build targets baseline x86-64;
 * AVX2+FMA and AVX-512 kernels are compiled with target attributes and
 * used only when the CPU (and the OS, which libgcc's check includes)
 * supports them. ARES_COMPUTE_ISA=scalar or =avx2 caps the choice (tests
 * run every level the host has).
 */
#include <stdlib.h>

#include "internal.h"

static int isa_chosen = -1;

static int host_has_avx2(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
	return 0;
#endif
}

static int host_has_avx512(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	return host_has_avx2() && __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512bw");
#else
	return 0;
#endif
}

enum ck_isa ck_isa(void)
{
	int v = __atomic_load_n(&isa_chosen, __ATOMIC_RELAXED);

	if (v < 0) {
		const char *e = getenv("ARES_COMPUTE_ISA");

		v = host_has_avx512() ? CK_ISA_AVX512
		    : host_has_avx2() ? CK_ISA_AVX2
				      : CK_ISA_SCALAR;
		if (e && !strcmp(e, "scalar"))
			v = CK_ISA_SCALAR;
		else if (e && !strcmp(e, "avx2") && v > CK_ISA_AVX2)
			v = CK_ISA_AVX2;
		__atomic_store_n(&isa_chosen, v, __ATOMIC_RELAXED);
	}
	return (enum ck_isa)v;
}

int compute_force_isa(const char *name)
{
	if (!strcmp(name, "scalar"))
		__atomic_store_n(&isa_chosen, CK_ISA_SCALAR, __ATOMIC_RELAXED);
	else if (!strcmp(name, "avx2") && host_has_avx2())
		__atomic_store_n(&isa_chosen, CK_ISA_AVX2, __ATOMIC_RELAXED);
	else if (!strcmp(name, "avx512") && host_has_avx512())
		__atomic_store_n(&isa_chosen, CK_ISA_AVX512, __ATOMIC_RELAXED);
	else
		return -1;
	return 0;
}

const char *compute_isa(void)
{
	static const char *const names[] = {"scalar", "avx2+fma", "avx512"};

	return names[ck_isa()];
}
