// SPDX-License-Identifier: MIT
/* The CPU kernel table: op to kernel, and op to attribute check, over the
 * per-family tables. The top of cpu/: it alone names every family. */
#include <string.h>

#include "cpu/kernels.h"

/* One table per family, each ending with a NULL op. */
extern const struct rt_kernel_entry rt_kernels_elementwise[];
extern const struct rt_kernel_entry rt_kernels_tensor[];
extern const struct rt_kernel_entry rt_kernels_linalg[];
extern const struct rt_kernel_entry rt_kernels_nn[];
extern const struct rt_kernel_entry rt_kernels_conv[];
extern const struct rt_kernel_entry rt_kernels_reduce[];
extern const struct rt_kernel_entry rt_kernels_resize[];
extern const struct rt_kernel_entry rt_kernels_control[];
extern const struct rt_kernel_entry rt_kernels_rnn[];
extern const struct rt_kernel_entry rt_kernels_index[];
extern const struct rt_kernel_entry rt_kernels_loss[];
extern const struct rt_kernel_entry rt_kernels_quant[];
extern const struct rt_kernel_entry rt_kernels_detect[];
extern const struct rt_kernel_entry rt_kernels_sample[];
extern const struct rt_kernel_entry rt_kernels_einsum[];
extern const struct rt_kernel_entry rt_kernels_unique[];
extern const struct rt_kernel_entry rt_kernels_qconv[];
extern const struct rt_kernel_entry rt_kernels_unpool[];
extern const struct rt_kernel_entry rt_kernels_signal[];
extern const struct rt_kernel_entry rt_kernels_sequence[];
extern const struct rt_kernel_entry rt_kernels_string[];
/* Attribute checks at session creation, per family, ending with a NULL op. */
extern const struct rt_check_entry rt_checks_detect[];
extern const struct rt_check_entry rt_checks_sample[];
extern const struct rt_check_entry rt_checks_einsum[];
extern const struct rt_check_entry rt_checks_unique[];
extern const struct rt_check_entry rt_checks_qconv[];
extern const struct rt_check_entry rt_checks_unpool[];
extern const struct rt_check_entry rt_checks_signal[];
extern const struct rt_check_entry rt_checks_control[];
extern const struct rt_check_entry rt_checks_sequence[];
extern const struct rt_check_entry rt_checks_string[];

static const struct rt_kernel_entry *const families[] = {
	rt_kernels_elementwise, rt_kernels_tensor, rt_kernels_linalg, rt_kernels_nn,
	rt_kernels_conv,	rt_kernels_reduce, rt_kernels_resize, rt_kernels_control,
	rt_kernels_rnn,		rt_kernels_index,  rt_kernels_loss,   rt_kernels_quant,
	rt_kernels_detect,	rt_kernels_sample, rt_kernels_einsum, rt_kernels_unique,
	rt_kernels_qconv,	rt_kernels_unpool, rt_kernels_signal, rt_kernels_sequence,
	rt_kernels_string,
};

rt_kernel_fn rt_kernel_lookup(const char *op)
{
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		for (const struct rt_kernel_entry *e = families[f]; e->op; e++)
			if (!strcmp(e->op, op))
				return e->fn;
	return NULL;
}

static const struct rt_check_entry *const check_families[] = {
	rt_checks_detect, rt_checks_sample, rt_checks_einsum,  rt_checks_unique,   rt_checks_qconv,
	rt_checks_unpool, rt_checks_signal, rt_checks_control, rt_checks_sequence, rt_checks_string,
};

int rt_kernel_check_attrs(struct art_session *s, const struct rt_node *n)
{
	for (size_t f = 0; f < sizeof(check_families) / sizeof(check_families[0]); f++)
		for (const struct rt_check_entry *e = check_families[f]; e->op; e++)
			if (!strcmp(e->op, n->proto->op_type))
				return e->check(s, n);
	return 0;
}
