// SPDX-License-Identifier: MIT
/*
 * Emission: the output shapes of a device node from its inputs' (at plan
 * time, with the run's actual input shapes), and the commands that compute
 * it into the planned arena offsets, each through the node's form
 * (device/ops.c). Every value on the device is contiguous and row-major;
 * broadcasting, transposes, slices and concatenation are strides and
 * offsets of the descriptors, and Reshape-like nodes are views that emit
 * nothing.
 */
#include "device/common.h"

int dev_node_shapes(struct art_session *s, const struct rt_node *n, struct dev_val *dv)
{
	const struct dev_op *d = dev_op_lookup(dev_op_name(n));
	for (int j = 0; j < n->nout; j++)
		if (n->out[j] >= 0)
			dv[n->out[j]].root = n->out[j];
	for (int i = 0; i < n->nin; i++)
		if (n->in[i] >= 0 && dev_operand_mask(n) & (1u << i) && dv[n->in[i]].ndim > 6 &&
		    !d->form->flattens)
			return dev_bad(s, n, "an operand has more than 6 dimensions");
	struct dev_shape c = {s, n, d, dv};
	return d->form->shapes(&c);
}

int dev_node_emit(struct art_session *s, const struct rt_node *n, struct dev_val *dv,
		  accel_cmdbuf *cb, uint64_t arena_va, uint64_t weights_va, int *ncmds,
		  uint64_t prof_va, const uint64_t *ext_va)
{
	const struct dev_op *d = dev_op_lookup(dev_op_name(n));
	struct ectx e = {.s = s,
			 .dv = dv,
			 .cb = cb,
			 .arena_va = arena_va,
			 .weights_va = weights_va,
			 .prof_va = prof_va,
			 .ncmds = ncmds,
			 .ext_va = ext_va,
			 .n = n,
			 .d = d};
	return n->reduced ? dev_reduced_emit(&e) : d->form->emit(&e);
}
