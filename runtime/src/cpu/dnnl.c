// SPDX-License-Identifier: MIT
/*
 * The oneDNN glue of the CPU path: the session's thread count and kernel
 * choice, the engine and stream, and the per-node primitive cache that the
 * op files (cpu/dnnl_conv.c, _matmul.c, _binary.c) fill through
 * rt_cpu_run().
 *
 * Threads: Debian's libdnnl is built with OpenMP (libgomp), so a session's
 * intra-op thread count is the OpenMP thread count of the calling thread
 * while oneDNN works for it: set before a primitive is made (oneDNN sizes
 * its work split then) and before it runs, and put back after, so the
 * caller's own OpenMP setting and other sessions are left as they were.
 *
 * ISA: oneDNN picks its JIT kernels for the host at run time (AVX2,
 * AVX-512, AVX512-BF16/VNNI, AMX); nothing here is built for one CPU.
 */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ares/tensor.h"
#include "cpu/dnnl_priv.h"
#include "cpu/kernels.h"

/* A bound on ART_THREADS and the session option: far past any host here,
 * low enough that a typo is refused rather than spawning thousands. */
#define RT_MAX_THREADS	   1024
/* A bound on ART_SERIAL_WORK: past any node's work (2^40). */
#define RT_MAX_SERIAL_WORK (1LL << 40)

int rt_cpu_open(struct art_session *s, const struct art_session_options *o)
{
	struct rt_cpu *c = calloc(1, sizeof(*c));
	if (!c)
		return rt_err(s, -ENOMEM, "out of memory");
	s->cpu = c;
	const char *k = getenv("ART_CPU_KERNELS");
	if (k && *k && strcmp(k, "reference") && strcmp(k, "dnnl"))
		return rt_err(s, -EINVAL, "ART_CPU_KERNELS='%s': expected 'reference' or 'dnnl'",
			      k);
	c->reference = (o->flags & ART_CPU_REFERENCE) || (k && !strcmp(k, "reference"));
	c->threads = o->threads;
	if (c->threads < 0 || c->threads > RT_MAX_THREADS)
		return rt_err(s, -EINVAL, "options: threads %d (0 for the default, 1 to %d)",
			      o->threads, RT_MAX_THREADS);
	const char *t = getenv("ART_THREADS");
	if (!c->threads && t && *t) {
		char *end;
		long v = strtol(t, &end, 10);
		if (*end || v < 1 || v > RT_MAX_THREADS)
			return rt_err(s, -EINVAL, "ART_THREADS='%s': expected 1 to %d", t,
				      RT_MAX_THREADS);
		c->threads = (int)v;
	}
	if (!c->threads) {
		long v = sysconf(_SC_NPROCESSORS_ONLN);
		c->threads = v < 1 ? 1 : v > RT_MAX_THREADS ? RT_MAX_THREADS : (int)v;
	}
	const char *w = getenv("ART_SERIAL_WORK");
	if (w && *w) {
		char *end;
		long long v = strtoll(w, &end, 10);
		if (*end || v < 1 || v > RT_MAX_SERIAL_WORK)
			return rt_err(s, -EINVAL, "ART_SERIAL_WORK='%s': expected 1 to %lld", w,
				      (long long)RT_MAX_SERIAL_WORK);
		c->serial_work = (double)v;
	}
	return 0;
}

int rt_cpu_fast(const struct art_session *s)
{
	return s->cpu && !s->cpu->reference;
}

static void memo_clear(struct rt_cpu_memo *m)
{
	for (int i = 0; i < m->nargs; i++) {
		struct rt_memo_arg *a = &m->args[i];
		if (a->reorder)
			dnnl_primitive_destroy(a->reorder);
		if (a->prim && a->prim != a->user)
			dnnl_memory_destroy(a->prim);
		if (a->user)
			dnnl_memory_destroy(a->user);
	}
	if (m->prim)
		dnnl_primitive_destroy(m->prim);
	memset(m, 0, sizeof(*m));
}

void rt_cpu_close(struct art_session *s)
{
	struct rt_cpu *c = s->cpu;
	if (!c)
		return;
	if (c->stream)
		dnnl_stream_destroy(c->stream);
	if (c->engine)
		dnnl_engine_destroy(c->engine);
	rt_layout_free(&c->layout);
	free(c);
	s->cpu = NULL;
}

/* The ops with a oneDNN path, so only their nodes carry a cache. */
static const char *const covered[] = {
	"Conv",
	"ConvTranspose",
	"MatMul",
	"Gemm",
	"Add",
	"Sub",
	"Mul",
	"Div",
	"Max",
	"Min",
	"MaxPool",
	"AveragePool",
	"GlobalAveragePool",
	"GlobalMaxPool",
	"Softmax",
	"LogSoftmax",
	"Transpose",
	"Relu",
	"LeakyRelu",
	"Sigmoid",
	"Elu",
	"HardSwish",
	"Exp",
	"Abs",
	"Log",
	"LayerNormalization",
	/* graph/fuse.c rewrites a LayerNorm spelled out from a ReduceMean
	 * into LayerNormalization on that node, after its cache was made. */
	"ReduceMean",
	"QLinearConv",
	"ConvInteger",
	"QLinearMatMul",
	"MatMulInteger",
};

int rt_cpu_memo_new(struct rt_node *n)
{
	for (size_t i = 0; i < sizeof(covered) / sizeof(covered[0]); i++)
		if (!strcmp(n->proto->op_type, covered[i])) {
			n->memo = calloc(1, sizeof(*n->memo));
			return n->memo ? 0 : -ENOMEM;
		}
	return 0;
}

void rt_cpu_memo_free(struct rt_node *n)
{
	if (!n->memo)
		return;
	memo_clear(n->memo);
	free(n->memo);
	n->memo = NULL;
}

static void key_of(const struct art_session *s, const struct rt_node *n, struct rt_memo_key *key)
{
	memset(key, 0, sizeof(*key) * RT_MEMO_KEYS);
	/* n->nin, not the proto's count: fusion gives MatMul a bias input. */
	for (int i = 0; i < RT_MEMO_KEYS && i < n->nin; i++) {
		if (n->in[i] < 0 || !s->vals[n->in[i]].t.data)
			continue;
		const struct art_tensor *t = &s->vals[n->in[i]].t;
		key[i].present = 1;
		key[i].dtype = t->dtype;
		key[i].ndim = t->ndim;
		memcpy(key[i].dims, t->dims, sizeof(int64_t) * (size_t)t->ndim);
		if (s->vals[n->in[i]].is_const)
			key[i].cdata = t->data;
	}
}

void rt_md_plain_dt(dnnl_memory_desc_t *md, int ndim, const int64_t *dims, dnnl_data_type_t dt)
{
	dnnl_dims_t d, st;
	int64_t step = 1;
	for (int i = ndim - 1; i >= 0; i--) {
		d[i] = dims[i];
		st[i] = step;
		step *= dims[i];
	}
	dnnl_memory_desc_init_by_strides(md, ndim, d, dt, st);
}

void rt_md_plain(dnnl_memory_desc_t *md, int ndim, const int64_t *dims)
{
	rt_md_plain_dt(md, ndim, dims, dnnl_f32);
}

/* oneDNN's status as what the caller does next: out of memory is an
 * error, anything else (unimplemented, a shape it refuses) declines. */
static int status_rc(struct art_session *s, const struct rt_node *n, dnnl_status_t st)
{
	if (st == dnnl_success)
		return 0;
	if (st == dnnl_out_of_memory)
		return rt_err(s, -ENOMEM, "node '%s' (%s): oneDNN out of memory", n->name,
			      n->proto->op_type);
	return RT_CPU_DECLINED;
}

/* Elements of a reorder on fewer threads than this run on one: a node
 * big enough for 2 threads can still have an operand small enough that
 * the second thread's wake costs more than its half of the copy
 * (melspectrogram's STFT convs: the 25K-element output reorder took
 * 13 us on 2 threads, 4 us on 1). The bound is node_threads()'s for an
 * elementwise op (RT_SERIAL_WORK / 8). oneDNN's reorder fixes its thread
 * split when it is made, so it is made and run on the same count. */
#define RT_SERIAL_REORDER (1 << 19)

/* The OpenMP threads before a reorder of MD, after setting one when it
 * is small; reorder_threads_end() puts them back. */
static int reorder_threads(const struct rt_cpu *c, const dnnl_memory_desc_t *md)
{
	int was = omp_get_max_threads();
	int64_t elems = 1;
	for (int i = 0; md && i < md->ndims; i++)
		elems *= md->dims[i];
	/* c->serial_work is set by the time a node's reorders are made. */
	double bound = c->serial_work > 0 ? c->serial_work / 8 : RT_SERIAL_REORDER;
	if (was > 1 && md && (double)elems < bound)
		omp_set_num_threads(1);
	return was;
}

static void reorder_threads_end(int was)
{
	if (omp_get_max_threads() != was)
		omp_set_num_threads(was);
}

static int reorder_make(const struct rt_cpu *c, const dnnl_memory_desc_t *from,
			const dnnl_memory_desc_t *to, dnnl_primitive_t *out)
{
	dnnl_primitive_desc_t pd;
	int was = reorder_threads(c, from);
	dnnl_status_t st =
		dnnl_reorder_primitive_desc_create(&pd, from, c->engine, to, c->engine, NULL);
	if (st == dnnl_success) {
		st = dnnl_primitive_create(out, pd);
		dnnl_primitive_desc_destroy(pd);
	}
	reorder_threads_end(was);
	return st;
}

static dnnl_status_t reorder_run(const struct rt_cpu *c, dnnl_primitive_t r, dnnl_memory_t from,
				 dnnl_memory_t to)
{
	dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
	const dnnl_memory_desc_t *md = NULL;
	if (dnnl_memory_get_memory_desc(from, &md) != dnnl_success)
		md = NULL;
	int was = reorder_threads(c, md);
	dnnl_status_t st = dnnl_primitive_execute(r, c->stream, 2, a);
	reorder_threads_end(was);
	return st;
}

int rt_memo_arg_add(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m, int arg,
		    int input, const dnnl_memory_desc_t *user, const dnnl_memory_desc_t *prim)
{
	struct rt_cpu *c = s->cpu;
	struct rt_memo_arg *a = &m->args[m->nargs++];
	a->arg = arg;
	a->input = input;
	if (input == RT_ARG_SCRATCH) {
		a->mode = RT_ARG_ONCE; /* nothing to bind at each run */
		dnnl_status_t st =
			dnnl_memory_create(&a->user, user, c->engine, DNNL_MEMORY_ALLOCATE);
		a->prim = a->user;
		if (st == dnnl_success)
			st = dnnl_memory_get_data_handle(a->user, &m->scratch);
		return status_rc(s, n, st);
	}
	dnnl_status_t st = dnnl_memory_create(&a->user, user, c->engine, DNNL_MEMORY_NONE);
	if (st != dnnl_success)
		return status_rc(s, n, st);
	if (dnnl_memory_desc_equal(user, prim)) {
		a->mode = RT_ARG_DIRECT;
		a->prim = a->user;
		return 0;
	}
	a->mode = RT_ARG_REORDER;
	st = dnnl_memory_create(&a->prim, prim, c->engine, DNNL_MEMORY_ALLOCATE);
	if (st == dnnl_success)
		st = input >= 0 ? reorder_make(c, user, prim, &a->reorder)
				: reorder_make(c, prim, user, &a->reorder);
	if (st != dnnl_success || input < 0 || !rt_cpu_is_const(s, n, input))
		return status_rc(s, n, st);
	/* A constant (weights): into the primitive's layout once, here. The
	 * key holds its data pointer, so other data makes a new primitive. */
	/* oneDNN only reads a reorder's source; its API has no const handle. */
	dnnl_memory_set_data_handle(a->user, (void *)rt_in(s, n, input)->data);
	st = reorder_run(c, a->reorder, a->user, a->prim);
	if (st == dnnl_success)
		st = dnnl_stream_wait(c->stream);
	a->mode = RT_ARG_ONCE;
	return status_rc(s, n, st);
}

int rt_memo_prim(struct art_session *s, struct rt_cpu_memo *m, const void *op_desc,
		 const_dnnl_primitive_attr_t attr, dnnl_primitive_desc_t *pd)
{
	dnnl_status_t st = dnnl_primitive_desc_create(pd, op_desc, attr, s->cpu->engine, NULL);
	if (st != dnnl_success) {
		*pd = NULL;
		return st == dnnl_out_of_memory ? -ENOMEM : RT_CPU_DECLINED;
	}
	st = dnnl_primitive_create(&m->prim, *pd);
	if (st != dnnl_success) {
		dnnl_primitive_desc_destroy(*pd);
		*pd = NULL;
		m->prim = NULL;
		return st == dnnl_out_of_memory ? -ENOMEM : RT_CPU_DECLINED;
	}
	return 0;
}

int rt_post_act(const struct rt_node *n, dnnl_post_ops_t po)
{
	float a = n->act_alpha, b = n->act_beta;
	dnnl_status_t st = dnnl_success;
	switch (n->act) {
	case ARES_ACT_NONE:
		break;
	case ARES_ACT_RELU:
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
		break;
	case ARES_ACT_LEAKY_RELU:
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, a, 0.0f);
		break;
	case ARES_ACT_CLIP:
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip_v2, a, b);
		break;
	case ARES_ACT_SIGMOID:
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_logistic, 0.0f, 0.0f);
		break;
	case ARES_ACT_HARD_SIGMOID: /* oneDNN 2.6 has none: alpha * x + beta, then [0, 1] */
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_linear, a, b);
		if (st == dnnl_success)
			st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip_v2, 0.0f,
							  1.0f);
		break;
	case ARES_ACT_HARD_SWISH: /* x * relu6(x + 3) / 6, as ONNX's */
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_hardswish, 0.0f, 0.0f);
		break;
	/* ARES_ACT_TANH: declined. oneDNN 2.6's AVX2 tanh kernel jumps to a
	 * bad address under QEMU's TCG (the guests the device tests run in;
	 * measured: standalone and as a MatMul post-op, every other activation
	 * runs), so the loops keep tanh everywhere. */
	case ARES_ACT_GELU:
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_gelu_erf, 0.0f, 0.0f);
		break;
	default:
		return RT_CPU_DECLINED;
	}
	/* The scalar tail (graph/fuse.c): a run of Mul and Add steps is one
	 * linear post-op, a Max or Min a clip. oneDNN 2.6 gives a second
	 * post-op of one eltwise kind the first one's parameters, so the
	 * fusion makes no tail that needs one; refused here all the same. */
	float la = 1.0f, lb = 0.0f;
	int lin = 0, lins = n->act == ARES_ACT_HARD_SIGMOID;
	int clips = n->act == ARES_ACT_HARD_SIGMOID || n->act == ARES_ACT_CLIP;
	for (int k = 0; k <= n->ntail && st == dnnl_success; k++) {
		int op = k < n->ntail ? n->tail[k].op : 0;
		float c = k < n->ntail ? n->tail[k].v : 0.0f;
		if (op == RT_TAIL_MUL || op == RT_TAIL_ADD) {
			la *= op == RT_TAIL_MUL ? c : 1.0f;
			lb = op == RT_TAIL_MUL ? lb * c : lb + c;
			lin = 1;
			continue;
		}
		if (lin && lins++)
			return RT_CPU_DECLINED;
		if (lin)
			st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_linear, la, lb);
		la = 1.0f, lb = 0.0f, lin = 0;
		if (st != dnnl_success || !op)
			break;
		if (clips++)
			return RT_CPU_DECLINED;
		if (op == RT_TAIL_MAX)
			st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip_v2, c,
							  INFINITY);
		else if (op == RT_TAIL_MIN)
			st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip_v2, -INFINITY,
							  c);
		else
			return RT_CPU_DECLINED;
	}
	return st == dnnl_success ? 0 : RT_CPU_DECLINED;
}

static int ensure_engine(struct art_session *s)
{
	struct rt_cpu *c = s->cpu;
	if (c->stream)
		return 0;
	if (!c->engine && dnnl_engine_create(&c->engine, dnnl_cpu, 0) != dnnl_success)
		return rt_err(s, -ENOMEM, "oneDNN: no CPU engine");
	if (dnnl_stream_create(&c->stream, c->engine, dnnl_stream_default_flags) != dnnl_success)
		return rt_err(s, -ENOMEM, "oneDNN: no CPU stream");
	return 0;
}

/* HOLD: output 0 stays in the primitive's layout (cpu/layout.c). */
static int memo_exec(struct art_session *s, const struct rt_node *n, struct rt_cpu_memo *m,
		     void *out, int hold)
{
	struct rt_cpu *c = s->cpu;
	dnnl_exec_arg_t ea[RT_MEMO_ARGS];
	dnnl_status_t st = dnnl_success;
	for (int i = 0; i < m->nargs && st == dnnl_success; i++) {
		struct rt_memo_arg *a = &m->args[i];
		ea[i].arg = a->arg;
		ea[i].memory = a->prim;
		if (a->mode == RT_ARG_ONCE)
			continue;
		if (a->input >= 0) {
			dnnl_memory_t held;
			int rc = rt_layout_take(s, n->in[a->input], a, &held);
			if (rc)
				return rc;
			if (held) {
				ea[i].memory = held;
				continue;
			}
		}
		/* oneDNN only reads inputs; its API has no const handle. */
		void *data = a->input >= 0 ? (void *)rt_in(s, n, a->input)->data : out;
		st = dnnl_memory_set_data_handle(a->user, data);
		if (st == dnnl_success && a->mode == RT_ARG_REORDER && a->input >= 0)
			st = reorder_run(c, a->reorder, a->user, a->prim);
	}
	if (st == dnnl_success)
		st = dnnl_primitive_execute(m->prim, c->stream, m->nargs, ea);
	for (int i = 0; i < m->nargs && st == dnnl_success; i++) {
		struct rt_memo_arg *a = &m->args[i];
		if (a->mode != RT_ARG_REORDER || a->input >= 0)
			continue;
		if (hold)
			rt_layout_hold(s, n->out[0], a);
		else
			st = reorder_run(c, a->reorder, a->prim, a->user);
	}
	if (st == dnnl_success)
		st = dnnl_stream_wait(c->stream);
	if (st != dnnl_success)
		return rt_err(s, st == dnnl_out_of_memory ? -ENOMEM : -EIO,
			      "node '%s' (%s): oneDNN failed to run (status %d)", n->name,
			      n->proto->op_type, (int)st);
	return 0;
}

/* Elements of input I of N, 0 when it is absent. */
static double in_elems(struct art_session *s, const struct rt_node *n, int i)
{
	const struct art_tensor *t = i < n->nin ? rt_in(s, n, i) : NULL;
	return t ? (double)art_tensor_elems(t) : 0;
}

/* A dim of input I of N counted from the end (1 = last), 1 when absent. */
static double in_dim(struct art_session *s, const struct rt_node *n, int i, int from_end)
{
	const struct art_tensor *t = i < n->nin ? rt_in(s, n, i) : NULL;
	return t && t->ndim >= from_end ? (double)t->dims[t->ndim - from_end] : 1;
}

/* A rough size of N's work at its current shapes, in multiply-adds for
 * the ops that do one per weight and output (within a small factor where
 * pads or broadcasting make the exact count costly to work out), else in
 * elements read, scaled to the same units. */
static double node_work(struct art_session *s, const struct rt_node *n)
{
	const char *op = n->proto->op_type;
	double x = in_elems(s, n, 0), w = in_elems(s, n, 1);
	if (!strcmp(op, "Conv") || !strcmp(op, "ConvTranspose")) {
		/* Output pixels times each one's C/g * k taps per filter:
		 * X * W / C at stride 1; strides divide Conv's outputs. */
		const struct art_tensor *t = rt_in(s, n, 0);
		double work = t && t->ndim >= 2 && t->dims[1] > 0 ? x * w / (double)t->dims[1] : 0;
		if (!strcmp(op, "Conv")) {
			int64_t st[RT_SP];
			int k = rt_attr_ints_capped(n, "strides", st, RT_SP);
			for (int i = 0; i < k; i++)
				work /= st[i] > 0 ? (double)st[i] : 1;
		}
		return work;
	}
	if (!strcmp(op, "Gemm")) {
		/* M * K * N: A's elements times B's output columns. */
		return x * in_dim(s, n, 1, rt_attr_i(n, "transB", 0) ? 2 : 1);
	}
	if (!strcmp(op, "MatMul")) {
		/* Every A row times B's columns, or every B column times A's
		 * rows, whichever is more (the other operand may broadcast). */
		double a_rows = in_dim(s, n, 0, 2), b_cols = in_dim(s, n, 1, 1);
		return x * b_cols > w * a_rows ? x * b_cols : w * a_rows;
	}
	/* Reading, combining and writing an element takes a core about as
	 * long as 8 multiply-adds of a conv's inner loop. */
	return 8 * (x > w ? x : w);
}

/*
 * Threads for N at its current shapes: the session's, or one when the
 * work is so small that handing half of it to another thread costs more
 * than it saves. Each oneDNN parallel region wakes the OpenMP team and
 * joins it at a barrier; with the passive wait policy (see README) that is
 * a futex wake and sleep per region, and on a host with more runnable
 * threads than CPUs the woken thread may wait for a time slice, which is
 * more than the whole run of a small node: silero_vad took 0.49 ms on 2
 * threads and 0.21 ms on 1, cls 1.5 ms and 0.86 ms. The bound, about
 * 100 us of one AVX-512 core's conv work, is where 2 threads stopped
 * losing on those models and on embedding's 3M multiply-add convs
 * (bench/models-bench.sh, 2 cores shared with other jobs).
 */
#define RT_SERIAL_WORK	    (1 << 22)
/*
 * The bound when the host has a CPU free for each of the session's
 * threads: the hand-off is then a wake of a thread whose CPU is idle.
 * embedding's convs (3.7M multiply-adds, 70-100 us each) ran on one
 * thread under the shared-host bound, so its 2 threads gained nothing
 * over 1 (0.94 ms both) while ONNX Runtime's gained 1.37x. Measured with
 * the run at real-time priority (chrt -f, a stand-in for an idle host on
 * a shared one), embedding at 2 threads: 4M 0.937 ms, 3M 0.88, 2.5M and
 * 2M 0.855, 1.5M 0.88, 1M 0.92 (smaller nodes lose more than they gain).
 */
#define RT_SERIAL_WORK_IDLE (1 << 21)

/* Tasks runnable on the host now (the fourth field of /proc/loadavg,
 * this thread included), or -1 when it cannot be read. */
static int host_runnable(void)
{
	FILE *f = fopen("/proc/loadavg", "re");
	if (!f)
		return -1;
	int r = -1;
	if (fscanf(f, "%*f %*f %*f %d/", &r) != 1)
		r = -1;
	fclose(f);
	return r;
}

/* The session's bound: ART_SERIAL_WORK, else the idle host's when no
 * more tasks are runnable than the session has threads as its first
 * oneDNN node is made (a benchmark or a device's only job), else the
 * shared host's. Chosen once, so every node of a run uses one rule. */
static double serial_work(struct rt_cpu *c)
{
	if (c->serial_work <= 0) {
		int r = host_runnable();
		c->serial_work = r >= 1 && r <= c->threads ? RT_SERIAL_WORK_IDLE : RT_SERIAL_WORK;
	}
	return c->serial_work;
}

int rt_cpu_threads_for(struct art_session *s, double work)
{
	int t = s->cpu->threads;
	return t > 1 && work < serial_work(s->cpu) ? 1 : t;
}

static int node_threads(struct art_session *s, const struct rt_node *n)
{
	return rt_cpu_threads_for(s, node_work(s, n));
}

int rt_cpu_run(struct art_session *s, const struct rt_node *n, rt_memo_build_fn build)
{
	struct rt_cpu *c = s->cpu;
	struct rt_cpu_memo *m = n->memo;
	if (!c || c->reference || !m)
		return RT_CPU_DECLINED;
	struct rt_memo_key key[RT_MEMO_KEYS];
	key_of(s, n, key);
	int rebuild = m->state == RT_MEMO_EMPTY || memcmp(key, m->key, sizeof(key));
	/* oneDNN splits a primitive's work for the thread count it is made
	 * with, so the count is chosen with the primitive and kept with it. */
	int threads = rebuild ? node_threads(s, n) : m->threads;
	int rc = 0, was = omp_get_max_threads();
	if (was != threads)
		omp_set_num_threads(threads);
	if (rebuild) {
		memo_clear(m);
		rc = ensure_engine(s);
		if (!rc)
			rc = build(s, n, m);
		if (rc) {
			memo_clear(m);
			/* Declined for these shapes: the loops run them, and
			 * the same shapes are not tried again. */
			if (rc == RT_CPU_DECLINED)
				m->state = RT_MEMO_DECLINED;
		} else {
			m->state = RT_MEMO_READY;
		}
		memcpy(m->key, key, sizeof(key));
		m->threads = threads;
	}
	if (!rc && m->state == RT_MEMO_DECLINED)
		rc = RT_CPU_DECLINED;
	if (n->nout >= 1)
		rt_layout_drop(s, n->out[0]);
	/* The loops read the inputs as stored. */
	if (rc == RT_CPU_DECLINED) {
		int prc = rt_layout_inputs_plain(s, n);
		if (prc)
			rc = prc;
	}
	int hold = 0;
	if (!rc && !m->post) {
		hold = rt_layout_may_hold(s, n);
		if (hold < 0)
			rc = hold;
	}
	void *out = NULL;
	/* The primitive (or the post pass) writes every element; a held
	 * output's plain buffer is written when a reader needs it
	 * (cpu/layout.c). */
	if (!rc)
		rc = rt_alloc_out_raw(s, n, 0, m->out_dtype ? m->out_dtype : ART_FLOAT, m->out_ndim,
				      m->out_dims, &out);
	if (!rc)
		rc = memo_exec(s, n, m, out, hold > 0);
	if (!rc && m->post)
		rc = m->post(s, n, m, out);
	if (was != threads)
		omp_set_num_threads(was);
	return rc;
}
