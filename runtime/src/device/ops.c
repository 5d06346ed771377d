// SPDX-License-Identifier: MIT
/*
 * The device table: one row per ONNX op the device runs, naming its form
 * (placement check, output shapes, commands, operands) and the command's
 * argument. Each op family's file (device/op_*.c, quant.c) holds its rows
 * next to its forms; this file only searches the families. Placement,
 * planning and emission go through it alone, so a new op is a row and,
 * unless one fits, a form in its family's file.
 */
#include <string.h>

#include "device/common.h"

/* The op families, each defined with its forms in its file. An ONNX op
 * has one row in one family (as it had one row in the single table this
 * replaces), so the order only decides how long a lookup takes. */
static const struct dev_op_family *const families[] = {
	&dev_ops_conv,	 &dev_ops_eltwise, &dev_ops_linalg, &dev_ops_norm,
	&dev_ops_tensor, &dev_ops_quant,   &dev_ops_move,   &dev_ops_index,
	&dev_ops_loss,	 &dev_ops_signal,  &dev_ops_sample, &dev_ops_rnn,
};

const struct dev_op *dev_op_lookup(const char *op)
{
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		for (size_t i = 0; i < families[f]->n; i++)
			if (!strcmp(families[f]->rows[i].name, op))
				return &families[f]->rows[i];
	return NULL;
}

unsigned dev_operand_mask(const struct rt_node *n)
{
	const struct dev_op *d = dev_op_lookup(dev_op_name(n));
	return d ? d->form->operands : 0;
}

uint64_t dev_node_consts(struct art_session *s, const struct rt_node *n, void *dst)
{
	const struct dev_op *d = dev_op_lookup(dev_op_name(n));
	return n->on_device && d && d->form->consts ? d->form->consts(s, n, dst) : 0;
}
