// SPDX-License-Identifier: MIT
/*
 * The numbers behind placement by benefit (device/cost.h), and the
 * decision. Both sides estimate the real machine: the device's side is the
 * silicon's modeled time (hw-spec §14), never the emulator's wall time, so
 * the CPU side is the host's and the submit and transfer costs are those
 * of a PCIe device driven through ares.ko.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "device/cost.h"

/*
 * submit_ns: a job's round trip through the driver (SUBMIT ioctl, the
 *   firmware's doorbell and completion interrupt, the syncobj wait and
 *   wake-up) plus the run's copy set-up, 20 us: DRM accelerators measure
 *   10 to 30 us for an empty job. The emulator's round trip under QEMU
 *   TCG is far longer and says nothing of silicon, as its wall time says
 *   nothing of the modeled device time this is added to.
 * transfer_ns_per_byte: the arena is host-mapped device memory the
 *   runtime memcpy()s into and out of: 10 GB/s, a PCIe 4.0 x16 link's
 *   practical rate and a single-threaded memcpy's.
 * cpu_node_ns, cpu_flops_per_ns, cpu_elems_per_ns: measured on the
 *   development host (2-core AMD EPYC, AVX-512, one thread, oneDNN 2.6)
 *   by bench/placement-cost.sh, medians of 20 runs of accel-run --cpu on
 *   one-node models: a 1-element Add, 1 us a node (the run's own fixed
 *   cost included); a 64x64x3x3 Conv on 56x56, 43 FLOP/ns on oneDNN;
 *   a 1M-float Relu, 0.35 elements read or written per ns on the plain
 *   loops, which run every op but Conv, MatMul, Gemm and binary
 *   arithmetic (Sigmoid's exp makes it 0.10: the estimate is low for
 *   transcendental ops, which only makes the CPU look cheaper).
 */
const struct dev_cost_model dev_cost_default = {
	.submit_ns = 20000,
	.transfer_ns_per_byte = 0.1,
	.cpu_node_ns = 1000,
	.cpu_flops_per_ns = 40,
	.cpu_elems_per_ns = 0.35,
	.cpu_scale = 1,
};

#define TILE_SETUP_NS	 20.0
#define COMMAND_NS	 100.0
#define DMA_BYTES_PER_NS 64.0
#define VECTOR_LANES	 64.0
#define SRAM_BYTES	 (1024.0 * 1024.0)

double dev_work_device_ns(const struct dev_work *w)
{
	if (w->engine == DE_NONE)
		return 0;
	/* Whole cycles, as the engines report them. */
	double compute = 0, dma = ceil(w->bytes / DMA_BYTES_PER_NS);
	if (w->engine == DE_TENSOR)
		compute = ceil(w->macs / (double)(w->macs_per_ns ? w->macs_per_ns : 256));
	else if (w->engine == DE_VECTOR)
		compute = ceil(w->vector_ops / VECTOR_LANES);
	/* The firmware splits operands larger than the SRAM into tiles
	 * (hw-spec §12.11), each with its set-up cost. */
	double tiles = 1 + (double)(uint64_t)(w->bytes / SRAM_BYTES);
	return COMMAND_NS + tiles * TILE_SETUP_NS + (compute > dma ? compute : dma);
}

double dev_work_cpu_ns(const struct dev_cost_model *m, const struct dev_work *w)
{
	double flops = 2 * w->macs / m->cpu_flops_per_ns;
	double mem = w->elems / m->cpu_elems_per_ns;
	return m->cpu_node_ns + (w->macs > 0 ? flops : mem);
}

/* Where each value is written (node index, -1 outside the chain) and
 * last read. */
struct chain_uses {
	int *prod, *last;
	int *first_read; /* per read slot: 1 when no earlier read of its value */
	int *prev_read;	 /* per read slot: the node that read it before, or -1 */
};

static int uses_make(const struct dev_chain *c, struct chain_uses *u)
{
	int nreads = 0;
	for (int i = 0; i < c->n; i++)
		nreads += c->nodes[i].nreads;
	u->prod = malloc(((size_t)c->nvals + 1) * sizeof(int));
	u->last = malloc(((size_t)c->nvals + 1) * sizeof(int));
	u->prev_read = malloc(((size_t)nreads + 1) * sizeof(int));
	u->first_read = NULL;
	if (!u->prod || !u->last || !u->prev_read)
		return -ENOMEM;
	for (int v = 0; v < c->nvals; v++)
		u->prod[v] = u->last[v] = -1;
	int r = 0;
	for (int i = 0; i < c->n; i++) {
		const struct dev_chain_node *d = &c->nodes[i];
		for (int k = 0; k < d->nreads; k++, r++) {
			int v = d->reads[k];
			/* A value read twice by one node counts once. */
			int dup = 0;
			for (int e = 0; e < k; e++)
				dup |= d->reads[e] == v;
			u->prev_read[r] = dup ? i : u->last[v];
			u->last[v] = i;
		}
		for (int k = 0; k < d->nwrites; k++)
			u->prod[d->writes[k]] = i;
	}
	return 0;
}

static void uses_free(struct chain_uses *u)
{
	free(u->prod);
	free(u->last);
	free(u->prev_read);
}

static int read_base(const struct dev_chain *c, int i)
{
	int r = 0;
	for (int k = 0; k < i; k++)
		r += c->nodes[k].nreads;
	return r;
}

/* Segment [A, B) grown by node B - 1: its inputs' bytes that come from
 * before A, and the change in bytes leaving it. */
static double grow(const struct dev_chain *c, const struct chain_uses *u, int a, int i, int rbase,
		   double *out)
{
	const struct dev_chain_node *d = &c->nodes[i];
	double in = 0;
	for (int k = 0; k < d->nreads; k++) {
		int v = d->reads[k], prev = u->prev_read[rbase + k];
		if (u->prod[v] < a && prev < a)
			in += c->val_bytes[v];
		/* Its last reader joined: it no longer leaves the segment. */
		if (u->prod[v] >= a && u->last[v] == i && prev != i && !c->val_output[v])
			*out -= c->val_bytes[v];
	}
	for (int k = 0; k < d->nwrites; k++) {
		int v = d->writes[k];
		if (u->last[v] > i || c->val_output[v])
			*out += c->val_bytes[v];
	}
	return in;
}

double dev_cost_segment(const struct dev_cost_model *m, const struct dev_chain *c, int a, int b)
{
	struct chain_uses u;
	double t = DEV_COST_INF;
	if (!uses_make(c, &u)) {
		double in = 0, out = 0, dev = 0;
		for (int i = a, r = read_base(c, a); i < b; r += c->nodes[i].nreads, i++) {
			in += grow(c, &u, a, i, r, &out);
			dev += c->nodes[i].dev_ns;
		}
		t = m->submit_ns + dev + (in + out) * m->transfer_ns_per_byte;
	}
	uses_free(&u);
	return t;
}

int dev_cost_choose(const struct dev_cost_model *m, const struct dev_chain *c, int *on_device,
		    double *run_cpu, double *run_dev)
{
	struct chain_uses u;
	int n = c->n, rc = -ENOMEM;
	double *best = malloc(((size_t)n + 1) * sizeof(double));
	int *from = malloc(((size_t)n + 1) * sizeof(int)); /* -1: node k-1 on the CPU */
	int *rbase = malloc(((size_t)n + 1) * sizeof(int));
	if (!best || !from || !rbase || uses_make(c, &u))
		goto out;
	best[0] = 0;
	rbase[0] = 0;
	for (int k = 1; k <= n; k++) {
		best[k] = DEV_COST_INF * 2;
		rbase[k] = rbase[k - 1] + c->nodes[k - 1].nreads;
	}
	/* best[k]: the cheapest placement of nodes [0, k); node k - 1 ends
	 * either a CPU node or a device partition [j, k). */
	for (int j = 0; j < n; j++) {
		double cpu = best[j] + c->nodes[j].cpu_ns;
		if (cpu < best[j + 1]) {
			best[j + 1] = cpu;
			from[j + 1] = -1;
		}
		double in = 0, out = 0, dev = 0;
		for (int k = j + 1; k <= n && c->nodes[k - 1].capable; k++) {
			in += grow(c, &u, j, k - 1, rbase[k - 1], &out);
			dev += c->nodes[k - 1].dev_ns;
			double t =
				best[j] + m->submit_ns + dev + (in + out) * m->transfer_ns_per_byte;
			if (t <= best[k]) {
				best[k] = t;
				from[k] = j;
			}
		}
	}
	for (int k = n; k > 0;) {
		int j = from[k] < 0 ? k - 1 : from[k];
		for (int i = j; i < k; i++)
			on_device[i] = from[k] >= 0;
		k = j;
	}
	/* The estimates that decided each run. */
	for (int a = 0; a < n;) {
		int b = a + 1;
		if (on_device[a])
			while (b < n && on_device[b])
				b++;
		else if (c->nodes[a].capable)
			while (b < n && !on_device[b] && c->nodes[b].capable)
				b++;
		double cpu = 0;
		for (int i = a; i < b; i++)
			cpu += c->nodes[i].cpu_ns;
		double dev = on_device[a] || c->nodes[a].capable ? dev_cost_segment(m, c, a, b)
								 : DEV_COST_INF;
		for (int i = a; i < b; i++) {
			if (run_cpu)
				run_cpu[i] = cpu;
			if (run_dev)
				run_dev[i] = dev;
		}
		a = b;
	}
	rc = 0;
out:
	if (best && from && rbase)
		uses_free(&u);
	free(best);
	free(from);
	free(rbase);
	return rc;
}
