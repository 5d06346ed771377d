// SPDX-License-Identifier: MIT
/*
 * Placement by benefit on a session (device/cost.h): each node's work
 * from the shapes known at session creation, the graph as a chain of
 * nodes reading and writing values, and the decision applied to the
 * nodes dev_place() found the device can run. A node whose size is not
 * known before the first run (a dynamic dimension) is assumed to pay on
 * the device, as placement did before it had a cost model.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/kernels.h"
#include "device/common.h"
#include "device/cost.h"

/* Elements of value V, from its data or what analysis knows; -1 unknown. */
static double value_elems(const struct art_session *s, int v)
{
	const struct rt_value *x = &s->vals[v];
	const struct art_tensor *t = dev_is_const(s, v) ? &x->t : &x->info;
	if (t->ndim < 0)
		return -1;
	double e = 1;
	for (int d = 0; d < t->ndim; d++) {
		if (t->dims[d] < 0)
			return -1;
		e *= (double)t->dims[d];
	}
	return e;
}

static int value_dtype(const struct art_session *s, int v)
{
	return dev_is_const(s, v) ? s->vals[v].t.dtype : s->vals[v].info.dtype;
}

static double value_bytes(const struct art_session *s, int v)
{
	double e = value_elems(s, v);
	size_t sz = art_dtype_size(value_dtype(s, v));
	return e < 0 ? -1 : e * (double)(sz ? sz : 4);
}

static uint64_t mac_rate(int dtype)
{
	switch (dtype) {
	case ART_FLOAT16:
	case ART_BFLOAT16:
		return 1024;
	case ART_INT8:
	case ART_UINT8:
		return 4096;
	default:
		return 256;
	}
}

int dev_node_work(const struct art_session *s, const struct rt_node *n, struct dev_work *w)
{
	memset(w, 0, sizeof(*w));
	/* If and Loop cost what their bodies run, which this does not see. */
	if (n->sub[0] || n->sub[1])
		return 0;
	const struct dev_op *d = dev_op_lookup(dev_op_name(n));
	enum dev_kind kind = d ? d->kind : DK_NONE;
	double in_elems = 0, x_elems = -1;
	for (int j = 0; j < n->nin; j++) {
		int v = n->in[j];
		if (v < 0)
			continue;
		double e = value_elems(s, v);
		if (e < 0)
			return 0;
		if (j == 0)
			x_elems = e;
		in_elems += e;
		w->bytes += value_bytes(s, v);
	}
	double out = 0;
	for (int j = 0; j < n->nout; j++) {
		int v = n->out[j];
		if (v < 0)
			continue;
		double e = value_elems(s, v);
		if (e < 0)
			return 0;
		out += j == 0 ? e : 0;
		w->bytes += value_bytes(s, v);
		in_elems += e;
	}
	w->elems = in_elems;
	w->macs_per_ns = mac_rate(n->nin > 0 && n->in[0] >= 0 ? value_dtype(s, n->in[0]) : 0);
	const struct art_tensor *wt =
		n->nin > 1 && n->in[1] >= 0 ? (dev_is_const(s, n->in[1]) ? &s->vals[n->in[1]].t
									 : &s->vals[n->in[1]].info)
					    : NULL;
	/* Recurrent layers: per step and batch row, every gate's W x and R h
	 * (W [dirs, gates*H, I], R [dirs, gates*H, H]); the gate functions
	 * are small next to them. */
	const char *op = n->proto->op_type;
	if ((!strcmp(op, "LSTM") || !strcmp(op, "GRU") || !strcmp(op, "RNN"))) {
		const struct art_tensor *x =
			dev_is_const(s, n->in[0]) ? &s->vals[n->in[0]].t : &s->vals[n->in[0]].info;
		int ok = n->nin > 2 && n->in[1] >= 0 && n->in[2] >= 0;
		double we = ok ? value_elems(s, n->in[1]) : -1,
		       re = ok ? value_elems(s, n->in[2]) : -1;
		if (x->ndim != 3 || we < 0 || re < 0)
			return 0;
		w->engine = DE_TENSOR;
		w->macs = (double)x->dims[0] * (double)x->dims[1] * (we + re);
		return 1;
	}
	switch (kind) {
	case DK_CONV:
	case DK_CONVT:
		if (!wt || wt->ndim < 2 || wt->dims[0] <= 0)
			return 0;
		w->engine = DE_TENSOR;
		/* Conv: each output element sums C/group x kernel products;
		 * ConvTranspose: each input element scatters M/group x kernel. */
		w->macs = (kind == DK_CONV ? out : x_elems) * value_elems(s, n->in[1]) /
			  (double)wt->dims[0];
		break;
	case DK_MATMUL:
	case DK_GEMM: {
		const struct art_tensor *a =
			dev_is_const(s, n->in[0]) ? &s->vals[n->in[0]].t : &s->vals[n->in[0]].info;
		if (a->ndim < 1)
			return 0;
		int trans = kind == DK_GEMM && rt_attr_i(n, "transA", 0);
		int64_t k = trans && a->ndim >= 2 ? a->dims[a->ndim - 2] : a->dims[a->ndim - 1];
		w->engine = DE_TENSOR;
		w->macs = out * (double)k;
		break;
	}
	case DK_DFT: {
		/* Each output element sums the signal's L x D samples. */
		const struct art_tensor *a = &s->vals[n->in[0]].info;
		int64_t ax = s->opset >= 20 ? -2 : rt_attr_i(n, "axis", 1);
		ax = ax < 0 ? ax + a->ndim : ax;
		if (a->ndim < 3 || ax < 1 || ax > a->ndim - 2 || a->dims[ax] < 1 ||
		    a->dims[a->ndim - 1] < 1)
			return 0;
		w->engine = DE_TENSOR;
		w->macs = out * (double)a->dims[ax] * (double)a->dims[a->ndim - 1];
		break;
	}
	case DK_VIEW:
		w->engine = DE_NONE;
		w->elems = 0;
		break;
	case DK_TRANSPOSE:
	case DK_SLICE:
	case DK_CONCAT:
	case DK_PAD:
	case DK_GATHER:
	case DK_MOVE:
		w->engine = DE_DMA;
		break;
	default:
		w->engine = DE_VECTOR;
		w->vector_ops = x_elems > out ? x_elems : out;
		break;
	}
	return 1;
}

/* Whether N can run on the CPU: a kernel that takes its dtypes. */
static int cpu_can_run(struct art_session *s, const struct rt_node *n)
{
	if (!n->fn)
		return 0;
	char saved[sizeof(s->err)];
	memcpy(saved, s->err, sizeof(saved));
	int rc = rt_kernel_check_dtypes(s, n, 1);
	memcpy(s->err, saved, sizeof(saved));
	return rc == 0;
}

/* Nodes that run per inference: not folded, not shape arithmetic. */
static int in_chain(const struct art_session *s, const struct rt_node *n)
{
	if (n->plan_time)
		return 0;
	for (int j = 0; j < n->nout; j++)
		if (n->out[j] >= 0 && !dev_is_const(s, n->out[j]))
			return 1;
	return 0;
}

static void set_reason(struct rt_node *n, const char *fmt, double a, double b, int run)
{
	char buf[160];
	int o = snprintf(buf, sizeof(buf), fmt, a / 1e3, b / 1e3);
	if (run > 1 && o > 0 && (size_t)o < sizeof(buf))
		snprintf(buf + o, sizeof(buf) - (size_t)o, " (a run of %d nodes)", run);
	char *dup = strdup(buf);
	if (!dup)
		return; /* the capability reason stays: still true */
	if (n->reason_owned)
		free((void *)n->placement_reason);
	n->placement_reason = dup;
	n->reason_owned = 1;
}

int dev_place_by_cost(struct art_session *s, const struct dev_cost_model *m)
{
	int nn = 0, nreads = 0, nwrites = 0, rc = -ENOMEM;
	for (int i = 0; i < s->nnodes; i++)
		if (in_chain(s, &s->nodes[i])) {
			nn++;
			nreads += s->nodes[i].nin;
			nwrites += s->nodes[i].nout;
		}
	struct dev_chain_node *cn = calloc((size_t)nn + 1, sizeof(*cn));
	int *idx = calloc((size_t)nn + 1, sizeof(int));
	int *reads = calloc((size_t)nreads + 1, sizeof(int));
	int *writes = calloc((size_t)nwrites + 1, sizeof(int));
	int *on = calloc((size_t)nn + 1, sizeof(int));
	int *known = calloc((size_t)nn + 1, sizeof(int));
	double *bytes = calloc((size_t)s->nvals + 1, sizeof(double));
	unsigned char *outv = calloc((size_t)s->nvals + 1, 1);
	double *rcpu = calloc((size_t)nn + 1, sizeof(double));
	double *rdev = calloc((size_t)nn + 1, sizeof(double));
	if (!cn || !idx || !reads || !writes || !on || !known || !bytes || !outv || !rcpu || !rdev)
		goto out;
	for (int v = 0; v < s->nvals; v++) {
		double b = dev_is_const(s, v) ? 0 : value_bytes(s, v);
		bytes[v] = b < 0 ? 0 : b;
	}
	for (int i = 0; i < s->noutputs; i++)
		outv[s->outputs[i]] = 1;
	int k = 0, r = 0, wr = 0;
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		if (!in_chain(s, n))
			continue;
		struct dev_chain_node *c = &cn[k];
		struct dev_work w;
		idx[k] = i;
		known[k] = dev_node_work(s, n, &w);
		c->capable = n->on_device;
		c->reads = reads + r;
		for (int j = 0; j < n->nin; j++) {
			int v = n->in[j];
			if (v >= 0 && !dev_is_const(s, v) && !dev_is_plan_time(s, v))
				reads[r + c->nreads++] = v;
		}
		r += c->nreads;
		c->writes = writes + wr;
		for (int j = 0; j < n->nout; j++)
			if (n->out[j] >= 0)
				writes[wr + c->nwrites++] = n->out[j];
		wr += c->nwrites;
		if (!known[k]) {
			/* Unknown size: the device if it can (see the header). */
			c->cpu_ns = c->capable ? DEV_COST_INF : m->cpu_node_ns;
			c->dev_ns = 0;
		} else {
			c->cpu_ns = dev_work_cpu_ns(m, &w);
			c->dev_ns = dev_work_device_ns(&w);
		}
		if (c->capable && !cpu_can_run(s, n))
			c->cpu_ns = DEV_COST_INF;
		k++;
	}
	struct dev_chain chain = {nn, cn, s->nvals, bytes, outv};
	rc = dev_cost_choose(m, &chain, on, rcpu, rdev);
	if (rc)
		goto out;
	for (int a = 0; a < nn;) {
		int b = a + 1;
		while (b < nn && on[b] == on[a] && cn[b].capable == cn[a].capable)
			b++;
		for (int j = a; j < b; j++) {
			struct rt_node *n = &s->nodes[idx[j]];
			if (!cn[j].capable)
				continue;
			if (!on[j]) {
				n->on_device = 0;
				set_reason(n,
					   "cost model: cpu %.1f µs < device %.1f µs incl. submit",
					   rcpu[j], rdev[j], b - a);
			} else if (!known[j] && !n->reason_owned) {
				n->placement_reason =
					"supported by the device (size unknown before "
					"the run: assumed to pay)";
			} else if (rcpu[j] < DEV_COST_INF) {
				set_reason(n,
					   "supported by the device, pays: device %.1f µs incl. "
					   "submit <= cpu %.1f µs",
					   rdev[j], rcpu[j], b - a);
			}
		}
		a = b;
	}
out:
	free(cn);
	free(idx);
	free(reads);
	free(writes);
	free(on);
	free(known);
	free(bytes);
	free(outv);
	free(rcpu);
	free(rdev);
	return rc;
}
