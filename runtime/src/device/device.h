/* SPDX-License-Identifier: MIT */
/*
 * The device execution provider: which nodes the Ares device can run
 * (device/support.c), how adjacent device nodes become partitions with a
 * memory plan (device/plan.c), how a planned partition becomes one command
 * stream (device/emit.c), and how it runs (device/exec.c).
 */
#ifndef ART_DEVICE_H
#define ART_DEVICE_H

#include <stdint.h>

#include <ares/ops.h>
#include <accel.h>

#include "core/internal.h"

/* How the device expresses an ONNX op. */
enum dev_kind {
	DK_NONE,
	DK_CONV,
	DK_CONVT, /* ConvTranspose: zero-insert, then CONV2D with flipped weights */
	DK_GEMM,
	DK_MATMUL,
	DK_UNARY,    /* arg: ARES_ELT_* with one input */
	DK_BINARY,   /* arg: ARES_ELT_* with two inputs */
	DK_VARIADIC, /* Max/Min/Sum/Mean: arg ARES_ELT_*, one command per input past the first */
	DK_WHERE,
	DK_CAST,
	DK_CLIP,
	DK_VIEW, /* Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout */
	DK_POOL, /* arg: ARES_POOL_*; global pools have arg | DEV_POOL_GLOBAL */
	DK_REDUCE,
	DK_SOFTMAX, /* arg: ARES_SOFTMAX_* */
	DK_BATCHNORM,
	DK_INSTNORM,
	DK_LAYERNORM,
	DK_RESIZE,
	DK_TRANSPOSE,
	DK_SLICE,
	DK_CONCAT,
	DK_PAD,
	DK_GATHER,
	/* A vector-engine op whose form is its own (PRelu): nothing tells such
	 * ops apart by kind and the cost model counts them as vector work, so
	 * a new one takes this kind and needs no edit here. */
	DK_VECTOR,
	DK_QCONV,   /* QLinearConv, ConvInteger: CONV2D on 8-bit operands */
	DK_QMATMUL, /* QLinearMatMul, MatMulInteger: MATMUL on 8-bit operands */
	DK_QDQ,	    /* QuantizeLinear, DequantizeLinear: COPY through quantisation */
	DK_MOVE,    /* Split, Tile, Expand, Trilu...: COPY and FILL_TENSOR (op_move.c) */
	DK_LOSS,    /* NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss */
	DK_HARDMAX,
	DK_TOPK,
	DK_MVN,
	DK_LRN,
	DK_DFT,		/* MATMUL against the transform's matrix (op_signal.c) */
	DK_GRID_SAMPLE, /* MATMUL against a sampling matrix built when planning */
	DK_STFT,	/* MATMUL of strided frames against a matrix built when planning */
};

#define DEV_POOL_GLOBAL	  0x100
/* Mean: Sum's chain of ADDs, then a scale by 1/N. */
#define DEV_VARIADIC_MEAN 0x100

struct dev_form;

/* A row of the device table (in its family's rows array, device/op_*.c;
 * device/ops.c searches them): an ONNX op, how the device expresses it,
 * and the form (device/common.h) that checks, shapes and emits it. */
struct dev_op {
	const char *name;
	enum dev_kind kind;
	int arg;
	const struct dev_form *form;
};

const struct dev_op *dev_op_lookup(const char *op);
/* The op the device runs N as: its own, or the QOperator op a QDQ
 * pattern fused into it became (device/qdq.c). */
static inline const char *dev_op_name(const struct rt_node *n)
{
	return n->dev_op ? n->dev_op : n->proto->op_type;
}
/* ONNX element type to ARES_DTYPE_*, or -1. */
int dev_dtype(int onnx_dtype);

/* Where a value lives on the device while a partition runs. */
enum dev_loc {
	DL_NONE,
	DL_ARENA,   /* activation arena, at off */
	DL_WEIGHTS, /* the session's weight buffer, at off */
};

/* A value as a partition's plan sees it: contiguous, row-major. */
struct dev_val {
	int loc;
	uint64_t off;
	int dtype; /* ONNX dtype */
	int ndim;
	int64_t dims[ART_MAX_DIMS];
	int known; /* dtype and dims are set */
	int root;  /* value whose storage this one is a view of (itself if none) */
	int def;   /* node index that writes it; -1 for partition inputs */
	int last;  /* last node index that reads it (or any of its views) */
};

struct dev_partition {
	int first, last;    /* node index range; every node in it is on the device */
	int *ins, nins;	    /* non-constant values read from the host */
	int *outs, nouts;   /* values read after the partition or graph outputs */
	int *skeys, nskeys; /* host values whose shapes plan-time nodes read */
	int *akeys, nakeys; /* host values device nodes read as attributes */
	void **akey_data;   /* their contents when planned */
	size_t *akey_len;
	/* Plan for the input shapes it was made for. */
	int planned;
	struct art_tensor *in_shape;   /* nins entries (data unused) */
	struct art_tensor *skey_shape; /* nskeys entries */
	struct dev_val *dv;	       /* nvals entries */
	uint64_t arena_size;
	/* Emitted stream per arena slot (index = slot), valid when cmd_gen of
	 * the slot matches plan_gen. */
	uint64_t plan_gen;
	int ncmds;
	int *cmd_node; /* node index of each command of the last emission */
	/* Why the partition runs on the CPU: a plan refused the run's shapes. */
	char *cpu_fallback;
};

/* One activation arena with the command streams emitted against it. */
struct dev_slot {
	accel_bo *arena;
	void *arena_map;
	uint64_t arena_size;
	accel_bo **cmd;	    /* per partition */
	uint32_t *cmd_size; /* per partition */
	uint64_t *cmd_gen;  /* per partition: plan_gen the stream was emitted for */
	accel_bo *prof;	    /* PROFILE records, one per command plus one */
	void *prof_map;
	/* Zero-copy bindings of the run holding the slot: per value, the
	 * device VA of the caller's buffer its storage is (0: the arena), and
	 * the imported buffers a submit must name. */
	uint64_t *ext_va;
	accel_bo *ext_bos[2 * 16];
	int next_bos;
	int busy;  /* a run's job using it is in flight */
	int owned; /* held by an art_run */
};

#define DEV_MAX_SLOTS 8

struct rt_device {
	accel_device *dev;
	accel_ctx *ctx;
	/* The user queue jobs go through (art_session_options.submit), or NULL
	 * for the ioctl path on @ctx. */
	accel_uq *uq;
	int index;
	accel_bo *weights;
	void *weights_map;
	uint64_t *wofs; /* per value: offset in weights, or UINT64_MAX */
	/* Per node: offset of ConvTranspose's constant weights transformed for
	 * its CONV2D (dev_convt_weights()) or of a QOperator node's per-channel
	 * quantisation (dev_quant_block_fill()), or UINT64_MAX. */
	uint64_t *nwofs;
	struct dev_partition *parts;
	int nparts;
	struct dev_slot slots[DEV_MAX_SLOTS];
	int nslots;
	uint64_t gen;
	/* dma-bufs imported for zero-copy bindings, one import each. */
	struct dev_import {
		uint64_t dev, ino; /* the dma-buf's identity (fstat) */
		accel_bo *bo;
		int refs;
	} imports[16];
	/* Counters for tests and art_session_stats(). */
	uint64_t submits, runs, compiles;
	/* The placement cost model this session decided with (device/cost.h),
	 * NULL with forced placement. */
	struct dev_cost_model *cost;
	int profile; /* emit PROFILE commands around every command */
};

/*
 * A user-queue wait polls this long before it sleeps in the kernel: a
 * partition is seen done without an interrupt and a wake-up, and a job
 * that outlasts it costs this much CPU. Between runs the device goes idle,
 * so a run's job usually waits for the device's wake-up: in the QEMU guest
 * the wake-word head alexa took a median 0.25 ms a run with 100 us (most
 * jobs outlasted it), 0.11 ms with 500 us and with 1 ms (ioctl path: 0.27).
 */
#define DEV_UQ_SPIN_NS (500ll * 1000)

/*
 * A device job in flight: a job of the kernel context, or a ticket of the
 * user queue (@job NULL, @ticket nonzero). All zero: nothing was submitted.
 */
struct dev_job {
	accel_job *job;
	uint64_t ticket;
};

/* A run in flight (run.c), its zero-copy bindings (device/bind.c). */
enum { RUN_IDLE, RUN_SUBMITTED, RUN_DONE };

struct run_bind {
	int imp; /* index into rt_device.imports, or -1 */
	uint64_t off;
};

struct art_run {
	struct art_session *s;
	int slot; /* index into s->dev->slots, or -1 */
	struct art_tensor *in, *out;
	unsigned char *taken; /* per output: handed over since the run completed */
	struct run_bind *bin, *bout;
	struct dev_job job;
	int state; /* RUN_* */
	double t_submit_ms;
};

void dev_unbind_one(struct art_run *r, struct run_bind *b);
/* Sets the slot's bindings from R's; *CHANGED when the stream must be
 * emitted again. */
int dev_bind_resolve(struct art_run *r, struct dev_slot *sl, int *changed);

/* device/support.c: fills n->on_device and n->placement_reason. */
void dev_place(struct art_session *s);
/* NULL when the device can run N as it stands, else why not. */
const char *dev_why_not(struct art_session *s, const struct rt_node *n, char *buf, size_t len);
/* device/qdq.c: at device placement, DequantizeLinear(x), a constant
 * dequantised weight (and int32 bias), Conv or MatMul and the
 * QuantizeLinear after it become one QLinearConv / QLinearMatMul node
 * where the int8 engine takes it; returns -ENOMEM or 0. PLACED 0: before
 * placing, under forced device placement; 1: after placement by benefit,
 * only patterns wholly on the device. */
int dev_qdq_fuse(struct art_session *s, int placed);
/* Dtype of value V as far as analysis before any run knows it, or 0. */
int dev_value_dtype(struct art_session *s, int v);
/* Whether value V holds a constant known at session creation. */
int dev_is_const(const struct art_session *s, int v);
/* Whether constant V is float16/bfloat16 read only as the f32 parameter
 * of CONV2D or MATMUL (input 2: Conv's bias, Gemm's and a fused MatMul's
 * C): its device copy is widened to f32 at upload. */
int dev_widened_param(const struct art_session *s, int v);
/* Whether value V is computed by a plan-time node. */
int dev_is_plan_time(const struct art_session *s, int v);

/* device/cost.c: placement by benefit (device/cost.h) over the nodes
 * dev_place() put on the device: those the cost model finds faster on the
 * CPU go back there, with the two estimates as their reason. */
struct dev_cost_model;
struct dev_work;
/* device/cost_calib.c: the documented model measured on this machine
 * (submit round trip, CPU speed) into M. */
void dev_cost_calibrate(struct art_session *s, struct dev_cost_model *m);
int dev_place_by_cost(struct art_session *s, const struct dev_cost_model *m);
/* N's work from the shapes known now (bound by the last run, if any): 1,
 * or 0 when a shape is unknown. */
int dev_node_work(const struct art_session *s, const struct rt_node *n, struct dev_work *w);
/* device/precision.c: the reduced-precision mode on the device. */
/* Keeps N (placed on the device) in f32 where the device cannot run it
 * reduced, with a note why. */
void dev_precision_place(struct rt_node *n);
/* Whether f32 constant V is read only as operand 0 or 1 of reduced device
 * nodes: its device copy is rounded to s->precision at upload. */
int dev_reduced_weight(const struct art_session *s, int v);
/* Scratch of reduced node N, in floats: its operands converted. */
uint64_t dev_reduced_scratch(struct art_session *s, const struct rt_node *n,
			     const struct dev_val *dv);
/* After node I of P is planned: a reduced node's output is f32, or
 * s->precision when only later reduced nodes of P read it (as operands). */
void dev_reduced_output(struct art_session *s, const struct dev_partition *p, int i,
			struct dev_val *dv);

/* device/plan.c */
int dev_partition_graph(struct art_session *s);
/* Plans P for input tensors INS (one per p->ins; NULL: the session's). */
int dev_plan(struct art_session *s, struct dev_partition *p, const struct art_tensor *const *ins);

/* device/emit.c: shapes of a node's outputs from its inputs' (plan time),
 * and its commands. */
int dev_node_shapes(struct art_session *s, const struct rt_node *n, struct dev_val *dv);
int dev_node_emit(struct art_session *s, const struct rt_node *n, struct dev_val *dv,
		  accel_cmdbuf *cb, uint64_t arena_va, uint64_t weights_va, int *ncmds,
		  uint64_t prof_va, const uint64_t *ext_va);
/* Operand indices of N that are read as device tensors (bit i = input i). */
unsigned dev_operand_mask(const struct rt_node *n);
/* Arena scratch node N needs while its commands run, in floats (0: none);
 * its inputs' plan shapes are set. Planned as dv[s->nvals + node index]. */
uint64_t dev_node_scratch(struct art_session *s, const struct rt_node *n, const struct dev_val *dv);
/* The part of it the multi-command forms of device/op_norm.c need. */
uint64_t dev_norm_scratch(struct art_session *s, const struct rt_node *n, const struct dev_val *dv);
uint64_t dev_loss_scratch(const struct rt_node *n, const struct dev_val *dv);
/* Bytes of the constants device node N's form uploads with the weights
 * (0: none), written to DST unless NULL (device/ops.c). */
uint64_t dev_node_consts(struct art_session *s, const struct rt_node *n, void *dst);

/* ConvTranspose N's float weights W ([C, M/group, k...]) as its CONV2D
 * takes them: [M, C/group, k...], each kernel flipped. */
void dev_convt_weights(const struct rt_node *n, const struct art_tensor *w, float *dst);
/* Whether N is ConvTranspose with constant weights transformed at upload. */
int dev_convt_host_weights(const struct art_session *s, const struct rt_node *n);

/* Bytes of per-channel quantisation a QOperator, QuantizeLinear or
 * DequantizeLinear node N uploads with the
 * weights (0: none), and their contents (device/quant.c). */
uint64_t dev_quant_block_size(const struct art_session *s, const struct rt_node *n);
void dev_quant_block_fill(const struct art_session *s, const struct rt_node *n, void *dst);

/* device/exec.c */
int dev_open(struct art_session *s, int index);
void dev_close(struct art_session *s);
/* 0, a negative errno, or 1 when the partition must run on the CPU (its
 * cpu_fallback says why). */
int dev_run_partition(struct art_session *s, int pidx);
/* The steps of dev_run_partition(), for runs in flight on other slots. */
int dev_prepare(struct art_session *s, int pidx, struct dev_slot *sl,
		const struct art_tensor *const *ins);
void dev_copy_in(struct art_session *s, int pidx, struct dev_slot *sl,
		 const struct art_tensor *const *ins);
int dev_submit(struct art_session *s, int pidx, struct dev_slot *sl, struct dev_job *job);
/* 0 once JOB finished, -ETIME if it had not after TIMEOUT_NS (0 looks once). */
int dev_job_ready(struct art_session *s, struct dev_job *job, int64_t timeout_ns);
/* Waits for JOB, releases it and checks its status. */
int dev_wait(struct art_session *s, int pidx, struct dev_job *job);
int dev_copy_out(struct art_session *s, int pidx, struct dev_slot *sl);

/* Constant inputs read as attributes. */
int dev_const_ints(struct art_session *s, const struct rt_node *n, int in, int64_t *out, int max);
int dev_const_float(struct art_session *s, const struct rt_node *n, int in, float *out);

#endif
