/* SPDX-License-Identifier: MIT */
/*
 * ares_rt: the Ares graph runtime. Loads an ONNX model, checks every node
 * against the kernels it has, and runs it. This first version executes on
 * the CPU reference kernels only; the device execution provider plugs in
 * behind the same API (placement is reported per node by
 * art_session_placement()).
 *
 * Conventions: opaque handles, every function returns 0 or a negative
 * errno, and the session keeps a last-error message naming the node, file
 * or tensor at fault (art_session_errmsg()). A session is used by one
 * thread at a time; separate sessions share nothing.
 */
#ifndef ARES_RT_H
#define ARES_RT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ART_BUILD)
#define ART_API __attribute__((visibility("default")))
#else
#define ART_API
#endif

#define ART_MAX_DIMS 8

/* Element types carry ONNX TensorProto.DataType values. */
enum art_dtype {
	ART_FLOAT = 1,
	ART_UINT8 = 2,
	ART_INT8 = 3,
	ART_UINT16 = 4,
	ART_INT16 = 5,
	ART_INT32 = 6,
	ART_INT64 = 7,
	/* Variable-length text: data is an array of const char *, one per
	 * element, each NUL-terminated (ONNX strings are bytes; one holding a
	 * NUL byte is refused when loaded). CPU only. */
	ART_STRING = 8,
	ART_BOOL = 9,
	ART_FLOAT16 = 10, /* IEEE binary16, as uint16_t bits */
	ART_DOUBLE = 11,
	ART_UINT32 = 12,
	ART_UINT64 = 13,
	ART_BFLOAT16 = 16, /* the top half of a float's bits */
};

/* Flags for art_session_create(). */
#define ART_CPU_ONLY	  (1u << 0) /* place every node on the CPU */
#define ART_NO_FALLBACK	  (1u << 1) /* fail if any node is not on the device */
/* Keep the graph as loaded: no constant folding, dead-node or no-op
 * removal, or fusion (the ART_NO_OPT environment variable, set to anything
 * but "0", does the same). Shapes are still inferred. */
#define ART_NO_OPT	  (1u << 2)
/* Run the CPU nodes on the plain-loop reference kernels (the oracle), not
 * on oneDNN (the ART_CPU_KERNELS=reference environment variable does the
 * same). */
#define ART_CPU_REFERENCE (1u << 3)

/* Where capable nodes go (art_session_options.placement). */
enum art_placement {
	ART_PLACEMENT_DEFAULT = 0, /* the ART_PLACEMENT environment variable
				    * ("benefit", "device" or "cpu"), else benefit */
	ART_PLACEMENT_BENEFIT = 1, /* on the device when the cost model finds that
				    * faster end to end (submit and copies included) */
	ART_PLACEMENT_DEVICE = 2,  /* every node the device can run (ART_NO_FALLBACK
				    * implies it) */
	ART_PLACEMENT_CPU = 3,	   /* every node on the CPU (as ART_CPU_ONLY) */
};

/*
 * How device jobs reach the device (art_session_options.submit). A user
 * queue (libaccel's accel_uq_*, devices with user queues) submits with no
 * system call and polls for short jobs; the ioctl path is a kernel
 * context. Either way the results are the same.
 */
enum art_submit {
	ART_SUBMIT_DEFAULT = 0,	   /* the ART_SUBMIT environment variable ("auto",
				    * "ioctl" or "user-queue"), else auto */
	ART_SUBMIT_AUTO = 1,	   /* a user queue when the device gives one, else ioctls */
	ART_SUBMIT_IOCTL = 2,	   /* always the kernel context */
	ART_SUBMIT_USER_QUEUE = 3, /* a user queue, or the session fails (-EOPNOTSUPP
				    * when the device has none) */
};

typedef struct art_session art_session;

/* A tensor as the caller sees it; data is owned by whoever filled it. */
struct art_tensor {
	int dtype; /* enum art_dtype */
	int ndim;
	int64_t dims[ART_MAX_DIMS];
	const void *data;
};

/*
 * Loads MODEL_PATH and prepares it. *out is set even on failure (unless
 * memory ran out, then it is NULL) so the error message can be read; free it
 * with art_session_destroy(). No tensor the session makes may exceed 2^40
 * bytes, or the ART_MAX_TENSOR_BYTES environment variable when set (1 to
 * 2^40): a run that would make a larger one fails with -E2BIG.
 */
ART_API int art_session_create(const char *model_path, unsigned flags, art_session **out);

/* Options of art_session_create_opts(); zero-initialise, then set. */
struct art_session_options {
	unsigned flags;	  /* ART_CPU_ONLY, ART_NO_FALLBACK, ART_NO_OPT, ART_CPU_REFERENCE */
	int device_index; /* N of /dev/accel/accelN, or -1 for the first Ares device */
	/* Intra-op threads of the CPU path (1 to 1024); 0 takes the
	 * ART_THREADS environment variable, else the online CPUs. */
	int threads;
	/* Opt-in reduced precision for an f32 model (like a TensorRT fp16
	 * flag): 0 keeps the model's types; ART_BFLOAT16 or ART_FLOAT16 runs
	 * its Conv, ConvTranspose, MatMul and Gemm nodes with both operands
	 * rounded to that type (nearest even), products summed in f32, bias
	 * and output f32; every other node stays f32. Any other value fails
	 * with -EINVAL. A node with f32 constant operands beyond float16's
	 * range keeps f32 (its placement reason says so);
	 * art_session_node_precision() names the nodes that run reduced. Takes
	 * what was a reserved field, so older callers' zero means 0. */
	int precision;
	int placement; /* enum art_placement */
	/* enum art_submit; takes what was a reserved field, so older callers'
	 * zero means the default. */
	int submit;
	unsigned reserved[2]; /* zero */
};

/*
 * art_session_create() with a choice of device. Without ART_CPU_ONLY the
 * session opens its own handle on the device (so several sessions share
 * one device freely), places on it the nodes the device supports (all of
 * them with ART_PLACEMENT_DEVICE; by default those the cost model finds
 * faster there end to end, see enum art_placement), folds
 * nodes whose inputs are all constant, and uploads the constant operands
 * of device nodes once. When no Ares device exists (and device_index is
 * -1) every node runs on the CPU and art_session_placement() says why; a
 * device_index naming no device fails with -ENODEV.
 */
ART_API int art_session_create_opts(const char *model_path, const struct art_session_options *opts,
				    art_session **out);
/* N of the accelN the session runs on, or -1 when it runs on the CPU only. */
ART_API int art_session_device(const art_session *s);

/* What the session did so far (runs, device work), for tests and tools. */
struct art_session_stats {
	uint64_t runs;		 /* completed runs */
	uint64_t device_submits; /* device jobs submitted (one per partition per run) */
	uint64_t compiles;	 /* partition plans made (first run, input shape changes) */
	int partitions;		 /* device partitions */
	int device_nodes;	 /* nodes placed on the device */
	int cpu_nodes;		 /* nodes run on the CPU per run */
	int folded_nodes;	 /* nodes evaluated once at session creation */
	int fallback_partitions; /* partitions whose run shapes the device refused:
				  * they run on the CPU (placement says why) */
	int loaded_nodes;	 /* nodes in the model, before graph optimisation */
	int user_queue;		 /* 1 when device jobs go through a user queue
				  * (art_session_options.submit), else 0 */
	int reserved[2];
};
ART_API int art_session_get_stats(const art_session *s, struct art_session_stats *st);
ART_API void art_session_destroy(art_session *s);
ART_API const char *art_session_errmsg(const art_session *s);

ART_API int art_session_input_count(const art_session *s);
ART_API int art_session_output_count(const art_session *s);
/* Name and declared type of graph input/output IDX; dims of -1 are dynamic. */
ART_API int art_session_input_info(const art_session *s, int idx, const char **name,
				   struct art_tensor *info);
ART_API int art_session_output_info(const art_session *s, int idx, const char **name,
				    struct art_tensor *info);
/* The name (ONNX dim_param) of dim D of input IDX when the model gives it
 * one, else NULL: inputs whose dims share a name must get one size there
 * (art_session_run() and art_run_submit() fail with -EINVAL otherwise). */
ART_API const char *art_session_input_dim_name(const art_session *s, int idx, int d);

/* Copies T in as the value of graph input IDX for the next runs. T must
 * match the model's declaration of the input (element type, rank, static
 * dims): -EINVAL otherwise, naming the input, what the model declares and
 * what was given, and the input is left as it was. */
ART_API int art_session_set_input(art_session *s, int idx, const struct art_tensor *t);
ART_API int art_session_run(art_session *s);
/* Output IDX of the last run; the data stays valid until the next run. */
ART_API int art_session_get_output(const art_session *s, int idx, struct art_tensor *t);
/*
 * Output IDX of the last run, handed over: T->data becomes the caller's
 * (free it with art_tensor_free()), so a caller that wraps it (a numpy
 * array, a response buffer) copies nothing. The session keeps no copy:
 * art_session_get_output() and another take of IDX fail with -ENOENT until
 * the next run. An output the next run would not write again (a constant,
 * a graph input passed through, a value computed once when the plan was
 * made, or one that two outputs share) is given as a copy instead, so
 * later runs see what they saw before.
 */
ART_API int art_session_take_output(art_session *s, int idx, struct art_tensor *t);

/*
 * Runs in flight. An art_run is a reusable run of its session with its own
 * inputs, outputs and device arena: set inputs, art_run_submit(), later
 * art_run_wait(), read outputs, repeat. Several runs of one session may be
 * in flight at once (up to 7; art_run_create() fails with -EBUSY past
 * that), all with the input shapes of the session's current plan (a run
 * with other shapes fails with -EBUSY while others are in flight). When the
 * model is a single device partition, submit queues the device job and
 * returns; otherwise (CPU nodes, no device) the run completes inside
 * art_run_submit() through the session and art_run_wait() returns at once
 * (art_run_is_async() tells which). Errors go to the session's message.
 * Runs must be destroyed before their session.
 */
typedef struct art_run art_run;
ART_API int art_run_create(art_session *s, art_run **out);
ART_API void art_run_destroy(art_run *r); /* waits for it first if in flight */
ART_API int art_run_set_input(art_run *r, int idx, const struct art_tensor *t);
ART_API int art_run_submit(art_run *r);
/* TIMEOUT_NS: negative waits as long as the device needs; -ETIME if the
 * run is still in flight after it (wait again later). */
ART_API int art_run_wait(art_run *r, int64_t timeout_ns);
/* Output IDX of the completed run; valid until its next submit or destroy. */
ART_API int art_run_get_output(const art_run *r, int idx, struct art_tensor *t);
/* Output IDX of the completed run, handed over as by
 * art_session_take_output() (every run output is the run's own, so it is
 * never a copy); -ENOENT once taken, until the next completion. An output
 * written into a bound dma-buf has no host data to take: -EINVAL. */
ART_API int art_run_take_output(art_run *r, int idx, struct art_tensor *t);
ART_API int art_run_is_async(const art_run *r);

/*
 * Zero-copy: input IDX of run R read in place from the caller's device
 * buffer, given as a dma-buf fd (accel_bo_export() of the caller's own
 * libaccel handle on the same device, or another driver's dma-buf; the
 * caller keeps the fd) at byte OFFSET, holding a tensor of T's dtype and
 * shape (T->data is ignored). Output IDX likewise written in place;
 * art_run_get_output() then gives its dtype and shape with data NULL.
 * Binding replaces an earlier binding or input of the same index, and
 * art_run_set_input() replaces a binding. Only for asynchronous runs
 * (-ENOTSUP otherwise); the buffer must hold the tensor at OFFSET
 * (checked at submit). A dma-buf is imported once per session.
 */
ART_API int art_run_bind_input_dmabuf(art_run *r, int idx, int dmabuf_fd, uint64_t offset,
				      const struct art_tensor *t);
ART_API int art_run_bind_output_dmabuf(art_run *r, int idx, int dmabuf_fd, uint64_t offset);
/* Drops every binding of R. */
ART_API int art_run_unbind(art_run *r);

/*
 * Profiling of art_session_run(): with ON set, each run records host spans
 * (the run, each CPU node, each device partition's copy-in, device and
 * copy-out phases) and, per device command, its time measured by the
 * device clock and its modeled time (PROFILE records around every command;
 * each command's times include the 100 ns fixed cost of one PROFILE).
 * art_session_write_profile() writes the last run as Chrome-trace JSON
 * (chrome://tracing, ui.perfetto.dev): pid 1, tid 1 host, 2 device
 * measured, 3 device modeled, times in microseconds from the run's start.
 */
ART_API int art_session_set_profiling(art_session *s, int on);
ART_API int art_session_write_profile(const art_session *s, const char *path);

/*
 * Subgraphs: each If branch, Loop body and Scan body that ran becomes a
 * session of its own when the main session has a device, placed like the
 * main graph (its nodes, coverage and costs read through the same calls).
 * Subgraph IDX of S: LABEL "node/attribute" (e.g. "If_25/then_branch"),
 * CALLS its runs during S's last run (0: e.g. the branch not taken), SUB
 * its session, or NULL when it runs node by node on the CPU, with WHY
 * saying why. Any pointer may be NULL. A subgraph's own subgraphs are
 * read from SUB. -EINVAL past the end.
 */
ART_API int art_session_subgraph_count(const art_session *s);
ART_API int art_session_subgraph(const art_session *s, int idx, const char **label, uint64_t *calls,
				 const art_session **sub, const char **why);

/* Node count and, for node IDX, its name, op type, and where it runs and why. */
ART_API int art_session_node_count(const art_session *s);
ART_API int art_session_placement(const art_session *s, int idx, const char **name, const char **op,
				  const char **device, const char **reason);
/* Node IDX's work and the placement cost model's two estimates, from the
 * shapes known now (after a run: that run's). known is 0 when a shape is
 * still dynamic (the other fields are then 0). */
struct art_node_cost {
	int known;
	double flops;	  /* 2 per multiply-accumulate; 1 per vector element op */
	double bytes;	  /* read and written */
	double cpu_us;	  /* estimated on the CPU */
	double device_us; /* modeled on the device (hw-spec §14), without submit */
};
ART_API int art_session_node_cost(const art_session *s, int idx, struct art_node_cost *c);
/* The cost model placement by benefit decided with, measured when the
 * session was created (ART_PLACEMENT_CALIBRATE=0: the documented
 * constants): a device partition's submit cost and the CPU's time
 * relative to the host the CPU rates were measured on (2: twice as slow).
 * -ENODATA when placement was not by benefit or no device is used. */
struct art_cost_model {
	double submit_us;
	double cpu_scale;
	int submit_measured; /* else the documented 20 us */
	int cpu_measured;    /* else 1 */
};
ART_API int art_session_cost_model(const art_session *s, struct art_cost_model *m);
/*
 * Nodes are counted after graph optimisation (art_session_stats has the
 * count as loaded). Output J of node IDX: its name and the type and shape
 * inference gave it (dtype 0 when unknown, ndim -1 when the rank is
 * unknown, a dim of -1 when dynamic); once a run has bound the inputs'
 * dynamic dims, the shapes follow from them. -EINVAL past the end.
 */
ART_API int art_session_node_output_info(const art_session *s, int idx, int j, const char **name,
					 struct art_tensor *info);
/* What graph fusion folded into node IDX ("relu", "hard_swish", "bias",
 * "bias+relu"...: an activation and, for MatMul, a bias; "+scalars" after
 * a Conv's activation, or "scalars" alone, when Mul/Add/Sub/Max/Min by
 * constant scalars were folded in too, on a session without a device),
 * or NULL. */
ART_API const char *art_session_node_fused(const art_session *s, int idx);
/* "bfloat16" or "float16" when node IDX runs in the session's reduced
 * precision (art_session_options.precision), else NULL; *NOTE (when NOTE
 * is not NULL) says why a node the mode covers keeps float32, or NULL. */
ART_API const char *art_session_node_precision(const art_session *s, int idx, const char **note);

/*
 * Sequences (ONNX seq(tensor)): an ordered list of tensors of one element
 * type, for the sequence ops, which run on the CPU. A graph input or
 * output is a tensor or a sequence (art_session_input_kind() and
 * art_session_output_kind() say which; art_session_input_info() and
 * _output_info() give a sequence's element type and, where the model
 * declares one, its tensors' shape). Sequence inputs are set with
 * art_session_set_input_sequence() and outputs read with
 * art_session_get_output_sequence(); the tensor functions refuse them with
 * -EINVAL and the art_run_* API with -ENOTSUP, both saying so.
 */
enum art_value_kind {
	ART_KIND_TENSOR = 1,
	ART_KIND_SEQUENCE = 2,
};
struct art_sequence {
	int elem_dtype; /* enum art_dtype of every item (an empty sequence keeps it) */
	int count;
	const struct art_tensor *items;
};
/* ART_KIND_* of graph input / output IDX, or -EINVAL past the end. */
ART_API int art_session_input_kind(const art_session *s, int idx);
ART_API int art_session_output_kind(const art_session *s, int idx);
/* Copies SEQ in as sequence input IDX: every item of SEQ->elem_dtype (the
 * model's declared one when it declares one); -EINVAL otherwise, naming the
 * input and the item, and the input is left as it was. */
ART_API int art_session_set_input_sequence(art_session *s, int idx, const struct art_sequence *seq);
/* Sequence output IDX of the last run; its items stay valid until the next
 * run. -EINVAL when IDX is not a sequence output or was not produced. */
ART_API int art_session_get_output_sequence(const art_session *s, int idx,
					    struct art_sequence *seq);
/* Reads an ONNX SequenceProto (.pb) of tensors into SEQ, items malloc'd
 * (free with art_sequence_free). Nested sequences, maps, sparse tensors
 * and items of mixed element types are refused, ERR saying which. */
ART_API int art_sequence_load(const char *path, struct art_sequence *seq, char *err, size_t errlen);
ART_API void art_sequence_free(struct art_sequence *seq);

/* Reads an ONNX TensorProto (.pb) or NumPy (.npy) file into a tensor whose
 * data is malloc'd (free with art_tensor_free). ERR gets a message. A
 * string tensor comes as one allocation (its pointers, then their text);
 * art_tensor_save_npy() refuses strings with -ENOTSUP. */
ART_API int art_tensor_load(const char *path, struct art_tensor *t, char *err, size_t errlen);
ART_API int art_tensor_save_npy(const char *path, const struct art_tensor *t);
ART_API void art_tensor_free(struct art_tensor *t);
ART_API size_t art_dtype_size(int dtype);
/* ONNX's name of element type DTYPE ("float", "float16", "int64", ...), or
 * "unknown" for a value ONNX does not define; never NULL. */
ART_API const char *art_dtype_name(int dtype);
/* Product of T's dims, or -1 when a dim is negative or the product
 * overflows int64. */
ART_API int64_t art_tensor_elems(const struct art_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
