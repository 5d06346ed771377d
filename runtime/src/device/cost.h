/* SPDX-License-Identifier: MIT */
/*
 * Placement by benefit: what a node costs on the device (the performance
 * model of docs/hw-spec.md §14) and on the CPU, what a device partition
 * adds (one submit per run, its inputs and outputs copied through the
 * arena), and which runs of device-capable nodes go to the device because
 * that is faster end to end. This half knows no session: it works on
 * numbers (device/cost_model.c), so the decision is tested on the host
 * with fixed constants; device/cost.c feeds it a session's graph.
 */
#ifndef ART_DEVICE_COST_H
#define ART_DEVICE_COST_H

#include <stdint.h>

/* The constants, in one place (device/cost_model.c says where each comes
 * from). */
struct dev_cost_model {
	double submit_ns;	     /* per partition per run: submit, wait, copy set-up */
	double transfer_ns_per_byte; /* host <-> arena copies of a partition's ins/outs */
	double cpu_node_ns;	     /* per CPU node: dispatch, output allocation */
	double cpu_flops_per_ns;     /* MAC ops (Conv, MatMul, Gemm) on oneDNN */
	double cpu_elems_per_ns;     /* other ops: elements read and written */
	double cpu_scale;	     /* CPU time here / on the development host */
	unsigned measured;	     /* DEV_COST_*_MEASURED: calibrated, not documented */
};

#define DEV_COST_SUBMIT_MEASURED 1u
#define DEV_COST_CPU_MEASURED	 2u

extern const struct dev_cost_model dev_cost_default;

/* Which engine runs a node's command (hw-spec §14). */
enum dev_engine { DE_NONE, DE_TENSOR, DE_VECTOR, DE_DMA };

/* A node's work, from its operands' shapes. */
struct dev_work {
	enum dev_engine engine;
	uint64_t macs_per_ns; /* tensor engine rate of the dtype */
	double macs;
	double vector_ops;
	double elems; /* elements read and written (the CPU's memory work) */
	double bytes; /* bytes read and written through the MMU */
};

/* Modeled device time of one command doing W, and the CPU estimate. */
double dev_work_device_ns(const struct dev_work *w);
double dev_work_cpu_ns(const struct dev_cost_model *m, const struct dev_work *w);

/* The graph as the decision sees it: nodes in topological order, each
 * reading and writing values (indices < nvals). */
struct dev_chain_node {
	int capable;   /* the device can run it */
	double cpu_ns; /* 1e300: cannot run on the CPU (or must not) */
	double dev_ns; /* modeled, without submit and transfers */
	const int *reads;
	int nreads;
	const int *writes;
	int nwrites;
};

struct dev_chain {
	int n;
	const struct dev_chain_node *nodes;
	int nvals;
	const double *val_bytes;	 /* per value; constants: 0 (uploaded once) */
	const unsigned char *val_output; /* read after the chain (graph outputs) */
};

#define DEV_COST_INF 1e300

/* Places each node: ON_DEVICE[i] 1 or 0, minimising the end-to-end sum
 * of CPU node times and per device partition (a run of adjacent device
 * nodes) submit + modeled time + transfers of the values crossing its
 * border. For each node, RUN_CPU/RUN_DEV (either may be NULL) get the two
 * estimates of the run deciding it: the device partition it is in, or
 * the maximal run of capable nodes kept on the CPU, as CPU nodes and as
 * one partition. Ties go to the device. 0 or -ENOMEM. */
int dev_cost_choose(const struct dev_cost_model *m, const struct dev_chain *c, int *on_device,
		    double *run_cpu, double *run_dev);

/* Device time of nodes [A, B) of C as one partition, submit and
 * transfers included. */
double dev_cost_segment(const struct dev_cost_model *m, const struct dev_chain *c, int a, int b);

#endif
