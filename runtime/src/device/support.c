// SPDX-License-Identifier: MIT
/*
 * Placement: whether the device can run a node, from the rules of
 * docs/hw-spec.md §12 and what the emitter can express. Everything is
 * decided here, before any run, from the op, its attributes, its constant
 * inputs and the dtypes known at session creation, so a node the emitter
 * would have to refuse never reaches it. The checks every op shares are
 * here; each op's own are its form's (device/ops.c, device/op_*.c).
 */
#include <stdio.h>
#include <string.h>

#include "cpu/kernels.h"
#include "device/common.h"

/* Shape, and nodes computing only on constants and Shape results, are
 * evaluated on the host when their partition is planned. */
static int plan_time_node(struct art_session *s, const struct rt_node *n)
{
	const char *op = n->proto->op_type;
	if (!n->fn || n->nout != 1)
		return 0;
	if (!strcmp(op, "Shape"))
		return 1;
	int any = 0;
	for (int j = 0; j < n->nin; j++) {
		int v = n->in[j];
		if (v < 0 || dev_is_const(s, v))
			continue;
		if (!dev_is_plan_time(s, v))
			return 0;
		any = 1;
	}
	return any;
}

/*
 * Returns NULL when the device can run N, else why not. Reasons that name
 * values are formatted into BUF.
 */
const char *dev_why_not(struct art_session *s, const struct rt_node *n, char *buf, size_t len)
{
	const char *op = dev_op_name(n);
	const struct dev_op *d = dev_op_lookup(op);
	if (!d) {
		snprintf(buf, len, "%s has no device command", op);
		return buf;
	}
	if (n->act != ARES_ACT_NONE && !d->form->fuses_act) {
		snprintf(buf, len, "an activation fused into %s has no device form", op);
		return buf;
	}
	for (int j = 1; j < n->nout; j++)
		if (n->out[j] >= 0 && !d->form->all_outputs && !(d->form->outputs & (1u << j))) {
			snprintf(buf, len, "%s output %d ('%s') has no device form", op, j,
				 s->vals[n->out[j]].name);
			return buf;
		}
	/* Every tensor operand needs a dtype the device has. */
	unsigned mask = dev_operand_mask(n);
	for (int i = 0; i < n->nin; i++) {
		if (n->in[i] < 0 || !(mask & (1u << i)))
			continue;
		if (dev_is_plan_time(s, n->in[i])) {
			snprintf(buf, len, "operand '%s' is shape arithmetic (host only)",
				 s->vals[n->in[i]].name);
			return buf;
		}
		/* The device has neither sequences nor text. */
		if (rt_value_is_sequence(s, n->in[i])) {
			snprintf(buf, len, "operand '%s' is a sequence (the device takes tensors)",
				 s->vals[n->in[i]].name);
			return buf;
		}
		int dt = dev_value_dtype(s, n->in[i]);
		if (dt == ART_STRING) {
			snprintf(buf, len,
				 "operand '%s' is a string tensor (text stays on the CPU)",
				 s->vals[n->in[i]].name);
			return buf;
		}
		if (!dt) {
			snprintf(buf, len, "dtype of input '%s' unknown before the run",
				 s->vals[n->in[i]].name);
			return buf;
		}
		if (dev_dtype(dt) < 0) {
			snprintf(buf, len, "dtype %s", rt_dtype_name(dt));
			return buf;
		}
		const struct rt_value *v = &s->vals[n->in[i]];
		int rank = v->t.data ? v->t.ndim : v->info.ndim > 0 ? v->info.ndim : 0;
		if (rank > ARES_MAX_RANK && !d->form->flattens) {
			snprintf(buf, len, "rank %d of '%s' exceeds the device's %d", rank, v->name,
				 ARES_MAX_RANK);
			return buf;
		}
	}
	int x = n->nin > 0 ? dev_value_dtype(s, n->in[0]) : 0;
	int y = n->nin > 1 && n->in[1] >= 0 ? dev_value_dtype(s, n->in[1]) : 0;
	struct dev_check c = {s, n, d, op, x, y, buf, len};
	return d->form->check(&c);
}

void dev_place(struct art_session *s)
{
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		char buf[160];
		n->on_device = 0;
		n->partition = -1;
		int folded = n->nout > 0;
		for (int j = 0; j < n->nout; j++)
			if (n->out[j] >= 0 && !dev_is_const(s, n->out[j]))
				folded = 0;
		if (folded) {
			n->placement_reason = "constant, evaluated at session creation";
			continue;
		}
		if (plan_time_node(s, n)) {
			n->plan_time = 1;
			n->placement_reason =
				"shape arithmetic, evaluated when its partition is planned";
			continue;
		}
		const char *why = dev_why_not(s, n, buf, sizeof(buf));
		if (!why) {
			n->on_device = 1;
			n->placement_reason =
				n->qdq_move  ? "fused QDQ on int8 (as an 8-bit Resize)"
				: !n->dev_op ? "supported by the device"
				: !strcmp(n->dev_op, "QLinearConv")
					? "fused QDQ on int8 (as QLinearConv)"
				: !strcmp(n->dev_op, "QAffine")
					? "fused QDQ on int8 (as ELTWISE AFFINE)"
				: n->dev_op[0] == 'Q' && strncmp(n->dev_op, "QLinear", 7)
					? "fused QDQ on int8 (as a quantised ELTWISE)"
					: "fused QDQ on int8 (as QLinearMatMul)";
			if (!n->dev_op && n->qdq_note) {
				snprintf(buf, sizeof(buf),
					 "supported by the device (QDQ around it not fused: %s)",
					 n->qdq_note);
				n->placement_reason = strdup(buf);
				n->reason_owned = n->placement_reason != NULL;
				if (!n->placement_reason)
					n->placement_reason = "supported by the device";
			}
			dev_precision_place(n);
			continue;
		}
		/* Reasons live as long as the session: intern formatted ones. */
		n->placement_reason = why == buf ? strdup(buf) : why;
		n->reason_owned = why == buf;
	}
}
