// SPDX-License-Identifier: MIT
/*
 * Float CONV2D and MATMUL on oneDNN (Debian's libdnnl 2.6), with the GEMM
 * driver's plain loops (conv.c, matmul.c) as the oracle and the fallback:
 * anything oneDNN cannot take as it stands (f16, a zero or negative
 * stride, a window wholly in the padding, a refused primitive) declines
 * here and the loops run it.
 *
 * Threads: oneDNN runs single-threaded (its OpenMP thread count is set to
 * 1 on every thread that calls it) inside the tasks of our own worker
 * pool. The CP's seccomp filter refuses clone(2), so OpenMP may never
 * start a thread of its own; and an OpenMP pool would spin on the cores
 * QEMU's vCPU needs. Work splits into (image, block of output rows) for
 * CONV2D and (batch, block of rows) for MATMUL; every block is a
 * primitive of its own shape (the first and last conv blocks carry the
 * padding), made once and kept in a cache keyed by shape, strides,
 * dtypes and parameters.
 *
 * Layout: each task reorders its input rows from the strided view into
 * the primitive's chosen layout (blocked on AVX-512), convolves, and
 * reorders the rows back into y, all in the task's scratch so the block
 * stays in L2. Weights are reordered once per call (the guest may change
 * them between jobs). MATMUL reads and writes the views in place when
 * they are plain matrices and gathers the others (struct dn_mm).
 *
 * Numerics (docs/hw-spec.md section 12): f32 accumulation throughout, the
 * bias and the activation applied in f32 before the conversion to y's
 * dtype, which rounds to nearest even. bf16 inputs multiply exactly and
 * accumulate in f32 (vdpbf16ps flushes bf16 subnormals, below the
 * tolerance the tests state). Quantised CONV2D and MATMUL never use
 * oneDNN's requantisation (its rounding and saturation are not the
 * documented formula): they take only its exact int32 products and finish
 * in the loops' own epilogue (see below); int8 depthwise stays on the loops.
 */
#include <omp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <oneapi/dnnl/dnnl.h>
#include <immintrin.h>

#include "internal.h"

#define DN_CACHE_MAX   128
#define DN_KEY_MAX     48
/* Input plus output rows of one task in bytes: the task's working set stays in L2. */
#define DN_BLOCK_BYTES (512 * 1024)

/* ---- switches ---- */

static int dn_mode = -1; /* -1 not read yet, 0 plain loops, 1 oneDNN */

static int dn_enabled(void)
{
	int v = __atomic_load_n(&dn_mode, __ATOMIC_RELAXED);

	if (v < 0) {
		const char *e = getenv("ARES_COMPUTE_DNNL");

		v = !(e && (!strcmp(e, "0") || !strcmp(e, "off")));
		__atomic_store_n(&dn_mode, v, __ATOMIC_RELAXED);
	}
	/* A scalar cap means no SIMD at all: the loops, not oneDNN's JIT. */
	return v && ck_isa() != CK_ISA_SCALAR;
}

int ck_dnnl_enabled(void)
{
	return dn_enabled();
}

void compute_force_dnnl(int on)
{
	__atomic_store_n(&dn_mode, on ? 1 : 0, __ATOMIC_RELAXED);
}

/* ---- engine, per-thread stream, cache ---- */

static pthread_once_t dn_once = PTHREAD_ONCE_INIT;
static dnnl_engine_t dn_engine;
static pthread_key_t dn_stream_key;
/* Serialises callers: held for a whole call, so no cache entry is evicted while used. */
static pthread_mutex_t dn_lock = PTHREAD_MUTEX_INITIALIZER;

struct dn_entry {
	int64_t key[DN_KEY_MAX];
	uint64_t used;
	dnnl_primitive_t prim, src_in, dst_out, wei_in; /* reorders: NULL for MATMUL */
	dnnl_memory_desc_t wei_md;
	size_t src_bytes, dst_bytes, scratch_bytes;
};

static struct dn_entry *dn_cache[DN_CACHE_MAX];
static uint64_t dn_clock;
static atomic_uint_fast64_t dn_runs;

uint64_t compute_dnnl_runs(void)
{
	return atomic_load(&dn_runs);
}

static void dn_stream_free(void *s)
{
	dnnl_stream_destroy(s);
}

static void dn_init(void)
{
	const char *e = getenv("ARES_COMPUTE_ISA");

	/* The cap of isa.c applies to oneDNN's JIT too; it must precede its first use. */
	if (e && !strcmp(e, "avx2"))
		dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx2);
	if (pthread_key_create(&dn_stream_key, dn_stream_free))
		return;
	if (dnnl_engine_create(&dn_engine, dnnl_cpu, 0) != dnnl_success)
		dn_engine = NULL;
}

/* The calling thread made single-threaded for oneDNN, and its stream. */
static dnnl_stream_t dn_thread_stream(void)
{
	dnnl_stream_t s;

	if (omp_get_max_threads() != 1)
		omp_set_num_threads(1);
	s = pthread_getspecific(dn_stream_key);
	if (!s) {
		if (dnnl_stream_create(&s, dn_engine, dnnl_stream_default_flags) != dnnl_success)
			return NULL;
		if (pthread_setspecific(dn_stream_key, s)) {
			dnnl_stream_destroy(s);
			return NULL;
		}
	}
	return s;
}

static void dn_entry_free(struct dn_entry *e)
{
	if (!e)
		return;
	if (e->prim)
		dnnl_primitive_destroy(e->prim);
	if (e->src_in)
		dnnl_primitive_destroy(e->src_in);
	if (e->dst_out)
		dnnl_primitive_destroy(e->dst_out);
	if (e->wei_in)
		dnnl_primitive_destroy(e->wei_in);
	free(e);
}

static struct dn_entry *dn_lookup(const int64_t *key)
{
	int lru = 0;

	for (int i = 0; i < DN_CACHE_MAX; i++) {
		if (!dn_cache[i]) {
			lru = i;
			break;
		}
		if (!memcmp(dn_cache[i]->key, key, sizeof(dn_cache[i]->key))) {
			dn_cache[i]->used = ++dn_clock;
			return dn_cache[i];
		}
		if (dn_cache[i]->used < dn_cache[lru]->used)
			lru = i;
	}
	return NULL;
}

/* Puts a new entry in the slot of the least recently used one. */
static void dn_insert(struct dn_entry *e)
{
	int lru = 0;

	for (int i = 0; i < DN_CACHE_MAX; i++) {
		if (!dn_cache[i]) {
			lru = i;
			break;
		}
		if (dn_cache[i]->used < dn_cache[lru]->used)
			lru = i;
	}
	dn_entry_free(dn_cache[lru]);
	e->used = ++dn_clock;
	dn_cache[lru] = e;
}

/* Appends values to a key; the rest stays zero. */
struct dn_keyb {
	int64_t *k;
	int n;
};

static void kput(struct dn_keyb *b, int64_t v)
{
	if (b->n < DN_KEY_MAX)
		b->k[b->n++] = v;
}

static dnnl_data_type_t dn_dt(uint32_t dt)
{
	switch (dt) {
	case ARES_DTYPE_F32:
		return dnnl_f32;
	case ARES_DTYPE_BF16:
		return dnnl_bf16;
	}
	return dnnl_data_type_undef; /* f16: oneDNN 2.6 has no f16 conv on these hosts */
}

static int dn_reorder(dnnl_primitive_t *out, const dnnl_memory_desc_t *from,
		      const dnnl_memory_desc_t *to)
{
	dnnl_primitive_desc_t pd;
	dnnl_status_t st =
		dnnl_reorder_primitive_desc_create(&pd, from, dn_engine, to, dn_engine, NULL);

	if (st != dnnl_success)
		return -1;
	st = dnnl_primitive_create(out, pd);
	dnnl_primitive_desc_destroy(pd);
	return st == dnnl_success ? 0 : -1;
}

/* The fused activation as post-ops (after an optional sum with scale @sum). */
static int dn_attr(dnnl_primitive_attr_t *attr, uint32_t act, float a, float b, int with_sum,
		   float sum, float oscale)
{
	dnnl_post_ops_t po;
	dnnl_status_t st;

	if (dnnl_primitive_attr_create(attr) != dnnl_success)
		return -1;
	st = dnnl_primitive_attr_set_scratchpad_mode(*attr, dnnl_scratchpad_mode_user);
	if (st == dnnl_success && oscale != 1.0f)
		st = dnnl_primitive_attr_set_output_scales(*attr, 1, 0, &oscale);
	if (st != dnnl_success || dnnl_post_ops_create(&po) != dnnl_success) {
		dnnl_primitive_attr_destroy(*attr);
		return -1;
	}
	if (with_sum)
		st = dnnl_post_ops_append_sum(po, sum);
	switch (st == dnnl_success ? act : ARES_ACT_COUNT) {
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
	case ARES_ACT_HARD_SWISH: /* x relu6(x + 3) / 6, the formula of ARES_ACT_HARD_SWISH */
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_hardswish, 0.0f, 0.0f);
		break;
	case ARES_ACT_TANH:
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_tanh, 0.0f, 0.0f);
		break;
	case ARES_ACT_GELU:
		st = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_gelu_erf, 0.0f, 0.0f);
		break;
	default:
		/*
		 * HARD_SIGMOID too: 2.6 has no eltwise for it, and linear then
		 * clip_v2 turns NaN into 0 where the loops' fmaxf(0, fminf(1, v))
		 * give 1.
		 */
		st = dnnl_unimplemented;
	}
	if (st == dnnl_success)
		st = dnnl_primitive_attr_set_post_ops(*attr, po);
	dnnl_post_ops_destroy(po);
	if (st != dnnl_success) {
		dnnl_primitive_attr_destroy(*attr);
		return -1;
	}
	return 0;
}

static size_t dn_align(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* Makes @e's primitive from @pd, with its scratch sizes. */
static int dn_finish(struct dn_entry *e, dnnl_primitive_desc_t pd)
{
	const dnnl_memory_desc_t *sp =
		dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);

	e->scratch_bytes = sp ? dnnl_memory_desc_get_size(sp) : 0;
	return dnnl_primitive_create(&e->prim, pd) == dnnl_success ? 0 : -1;
}

/*
 * Makes @e's primitive for the op descriptor @desc under @attr, then caches
 * @e. Takes @attr, and @e on failure: NULL then.
 */
static struct dn_entry *dn_make(struct dn_entry *e, const void *desc, dnnl_primitive_attr_t attr,
				int no_ref)
{
	dnnl_primitive_desc_t pd;
	dnnl_status_t rc = dnnl_primitive_desc_create(&pd, desc, attr, dn_engine, NULL);
	const char *impl = NULL;

	dnnl_primitive_attr_destroy(attr);
	if (rc != dnnl_success) {
		free(e);
		return NULL;
	}
	/*
	 * oneDNN's reference matmul (its choice for a strided destination
	 * such as ConvTranspose's interleaved taps) computes every offset
	 * in C++ and ran 100x slower than the loops: declined, the loops run it.
	 */
	if (no_ref &&
	    dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) == dnnl_success &&
	    impl && !strncmp(impl, "ref", 3)) {
		dnnl_primitive_desc_destroy(pd);
		free(e);
		return NULL;
	}
	if (dn_finish(e, pd)) {
		dnnl_primitive_desc_destroy(pd);
		dn_entry_free(e);
		return NULL;
	}
	dnnl_primitive_desc_destroy(pd);
	dn_insert(e);
	return e;
}

/* ---- CONV2D ---- */

struct dn_conv {
	const struct compute_tensor *x, *wt, *y;
	const struct ares_conv2d_params *p;
	int64_t N, C, H, W, M, G, kh, kw, oh, ow, rb, nb;
	dnnl_data_type_t xdt, ydt, cdt; /* cdt: the primitive's dst (f32 unless bf16 in and out) */
	struct dn_entry **var;		/* per block */
	void **wbuf;			/* reordered weights per block (shared) */
	const float *bias;
	atomic_int failed;
};

/* Input rows [*i0, *i0 + *ih) and the pads of the block of output rows [r0, r1). */
static void dn_rows(const struct dn_conv *c, int64_t r0, int64_t r1, int64_t *i0, int64_t *ih,
		    int64_t *pt, int64_t *pb)
{
	int64_t a = r0 * c->p->stride_h - c->p->pad_top;
	int64_t e = (r1 - 1) * c->p->stride_h - c->p->pad_top + (c->kh - 1) * c->p->dilation_h + 1;

	*pt = a < 0 ? -a : 0;
	*pb = e > c->H ? e - c->H : 0;
	a = a < 0 ? 0 : a;
	e = e > c->H ? c->H : e;
	*i0 = a;
	*ih = e - a;
}

/*
 * A strided descriptor of the guest's view; nonzero when oneDNN refuses it.
 * A dimension of one element is never stepped along, so the guest may give
 * it any stride, up to 2^63 (its view is still one element), which oneDNN
 * may refuse as the size of the buffer; such a dimension gets the
 * outermost stride a dense layout would give it instead, so a descriptor
 * depends only on what the primitive cache's key holds. Any other refusal
 * (a stride times its dimension past 2^63) sends the op to the loops: left
 * unchecked it left *md uninitialised for dnnl_memory_create() to read
 * (fuzz_device: a stack overflow inside oneDNN, seen once).
 */
static int md_strided(dnnl_memory_desc_t *md, int nd, const int64_t *dims, const int64_t *str,
		      dnnl_data_type_t dt)
{
	dnnl_dims_t d, s;

	for (int i = 0; i < nd; i++) {
		d[i] = dims[i], s[i] = str[i];
		if (dims[i] == 1) {
			s[i] = 1;
			for (int j = i + 1; j < nd; j++)
				if (str[j] > 0 && dims[j] > 0 && str[j] * dims[j] > s[i])
					s[i] = str[j] * dims[j];
		}
	}
	return dnnl_memory_desc_init_by_strides(md, nd, d, dt, s) != dnnl_success;
}

static int dn_conv_user_mds(const struct dn_conv *c, int64_t ih, int64_t rows,
			    dnnl_memory_desc_t *src, dnnl_memory_desc_t *dst)
{
	int64_t sd[4] = {1, c->C, ih, c->W}, dd[4] = {1, c->M, rows, c->ow};

	return md_strided(src, 4, sd, c->x->stride, c->xdt) ||
	       md_strided(dst, 4, dd, c->y->stride, dn_dt(c->y->dtype));
}

static int dn_conv_wei_md(const struct dn_conv *c, dnnl_memory_desc_t *md, dnnl_data_type_t dt,
			  int any)
{
	const int64_t *s = c->wt->stride;
	int64_t Mg = c->M / c->G, Cg = c->C / c->G;
	int64_t d5[5] = {c->G, Mg, Cg, c->kh, c->kw}, s5[5] = {Mg * s[0], s[0], s[1], s[2], s[3]};
	dnnl_dims_t d;

	if (any) {
		for (int i = 0; i < (c->G == 1 ? 4 : 5); i++)
			d[i] = d5[i + (c->G == 1)];
		return dnnl_memory_desc_init_by_tag(md, c->G == 1 ? 4 : 5, d, dt,
						    dnnl_format_tag_any) != dnnl_success;
	}
	if (c->G == 1)
		return md_strided(md, 4, d5 + 1, s5 + 1, dt);
	return md_strided(md, 5, d5, s5, dt);
}

/* The primitive (and its reorders) of one block shape, from the cache or made now. */
static struct dn_entry *dn_conv_entry(const struct dn_conv *c, int64_t ih, int64_t rows, int64_t pt,
				      int64_t pb)
{
	const struct ares_conv2d_params *p = c->p;
	int64_t key[DN_KEY_MAX] = {0};
	struct dn_keyb kb = {key, 0};
	dnnl_memory_desc_t us, ud, s, w, b, d;
	dnnl_convolution_desc_t cd;
	dnnl_primitive_attr_t attr;
	dnnl_primitive_desc_t pd;
	struct dn_entry *e;
	int64_t sd[4] = {1, c->C, ih, c->W}, dd[4] = {1, c->M, rows, c->ow}, bd = c->M;
	dnnl_dims_t st = {p->stride_h, p->stride_w}, dil = {p->dilation_h - 1, p->dilation_w - 1};
	dnnl_dims_t pl = {pt, p->pad_left}, pr = {pb, p->pad_right}, dims;
	dnnl_status_t rc;

	kput(&kb, 1);
	kput(&kb, c->C), kput(&kb, ih), kput(&kb, c->W), kput(&kb, c->M), kput(&kb, rows);
	kput(&kb, c->ow), kput(&kb, c->G), kput(&kb, c->kh), kput(&kb, c->kw);
	kput(&kb, pt), kput(&kb, pb), kput(&kb, p->pad_left), kput(&kb, p->pad_right);
	kput(&kb, p->stride_h), kput(&kb, p->stride_w), kput(&kb, p->dilation_h);
	kput(&kb, p->dilation_w), kput(&kb, c->xdt), kput(&kb, c->ydt), kput(&kb, c->cdt);
	kput(&kb, p->activation), kput(&kb, p->act_alpha), kput(&kb, p->act_beta);
	for (int i = 0; i < 4; i++)
		kput(&kb, c->wt->stride[i]);
	for (int i = 1; i < 4; i++)
		kput(&kb, c->x->stride[i]), kput(&kb, c->y->stride[i]);
	e = dn_lookup(key);
	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e->key, key, sizeof(key));
	if (dn_conv_user_mds(c, ih, rows, &us, &ud) ||
	    dn_attr(&attr, p->activation, ck_f32(p->act_alpha), ck_f32(p->act_beta), 0, 0, 1.0f)) {
		free(e);
		return NULL;
	}
	/*
	 * Depthwise first asks for channel blocks (nChw16c, nChw8c): reordering
	 * NCHW into them costs far less than into the NHWC that "any" picks
	 * for it, and their JIT kernel is as fast.
	 */
	rc = dnnl_unimplemented;
	for (int t = c->C == c->G && c->M == c->G ? 0 : 2; t < 3 && rc != dnnl_success; t++) {
		static const dnnl_format_tag_t tags[3] = {dnnl_aBcd16b, dnnl_aBcd8b,
							  dnnl_format_tag_any};

		for (int i = 0; i < 4; i++)
			dims[i] = sd[i];
		dnnl_memory_desc_init_by_tag(&s, 4, dims, c->xdt, tags[t]);
		for (int i = 0; i < 4; i++)
			dims[i] = dd[i];
		dnnl_memory_desc_init_by_tag(&d, 4, dims, c->cdt, tags[t]);
		if (dn_conv_wei_md(c, &w, c->xdt, 1))
			break;
		dims[0] = bd;
		dnnl_memory_desc_init_by_tag(&b, 1, dims, dnnl_f32, dnnl_x);
		rc = dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference,
								dnnl_convolution_direct, &s, &w, &b,
								&d, st, dil, pl, pr);
		if (rc == dnnl_success)
			rc = dnnl_primitive_desc_create(&pd, &cd, attr, dn_engine, NULL);
		/* A blocked layout only where a JIT kernel takes it, not the reference one. */
		if (rc == dnnl_success && t < 2) {
			const char *impl = "";

			dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
			if (strncmp(impl, "jit", 3)) {
				dnnl_primitive_desc_destroy(pd);
				rc = dnnl_unimplemented;
			}
		}
	}
	dnnl_primitive_attr_destroy(attr);
	if (rc != dnnl_success) {
		free(e);
		return NULL;
	}
	e->wei_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
	s = *dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
	d = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
	e->src_bytes = dnnl_memory_desc_get_size(&s);
	e->dst_bytes = dnnl_memory_desc_get_size(&d);
	if (dn_conv_wei_md(c, &w, c->xdt, 0) || dn_finish(e, pd) ||
	    dn_reorder(&e->src_in, &us, &s) || dn_reorder(&e->dst_out, &d, &ud) ||
	    dn_reorder(&e->wei_in, &w, &e->wei_md)) {
		dnnl_primitive_desc_destroy(pd);
		dn_entry_free(e);
		return NULL;
	}
	dnnl_primitive_desc_destroy(pd);
	dn_insert(e);
	return e;
}

static int dn_exec(dnnl_primitive_t prim, dnnl_stream_t s, int n, const dnnl_exec_arg_t *a)
{
	return dnnl_primitive_execute(prim, s, n, a) == dnnl_success ? 0 : -1;
}

static void dn_conv_task(void *ctx, int64_t t, unsigned int worker)
{
	struct dn_conv *c = ctx;
	int64_t n = t / c->nb, blk = t % c->nb, r0 = blk * c->rb;
	int64_t r1 = r0 + c->rb < c->oh ? r0 + c->rb : c->oh, i0, ih, pt, pb;
	const struct dn_entry *e = c->var[blk];
	dnnl_stream_t s = dn_thread_stream();
	dnnl_memory_desc_t us, ud;
	const dnnl_memory_desc_t *ps, *pw, *pd, *psp;
	dnnl_memory_t mus = NULL, mud = NULL, ms = NULL, md = NULL, mw = NULL, mb = NULL,
		      msp = NULL;
	const_dnnl_primitive_desc_t ppd;
	int64_t bd = c->M;
	dnnl_dims_t bdims = {bd};
	dnnl_memory_desc_t bmd;
	char *scr;
	int bad = 1;

	(void)worker;
	if (!s || atomic_load(&c->failed))
		goto out;
	dn_rows(c, r0, r1, &i0, &ih, &pt, &pb);
	if (dn_conv_user_mds(c, ih, r1 - r0, &us, &ud) ||
	    dnnl_primitive_get_primitive_desc(e->prim, &ppd) != dnnl_success)
		goto out;
	ps = dnnl_primitive_desc_query_md(ppd, dnnl_query_src_md, 0);
	pw = dnnl_primitive_desc_query_md(ppd, dnnl_query_weights_md, 0);
	pd = dnnl_primitive_desc_query_md(ppd, dnnl_query_dst_md, 0);
	psp = dnnl_primitive_desc_query_md(ppd, dnnl_query_scratchpad_md, 0);
	dnnl_memory_desc_init_by_tag(&bmd, 1, bdims, dnnl_f32, dnnl_x);
	scr = ck_scratch(dn_align(e->src_bytes) + dn_align(e->dst_bytes) +
			 dn_align(e->scratch_bytes) + 64);
	{
		int64_t xi[4] = {n, 0, i0, 0}, yi[4] = {n, 0, r0, 0};

		if (dnnl_memory_create(&mus, &us, dn_engine, ck_at(c->x, xi)) ||
		    dnnl_memory_create(&mud, &ud, dn_engine, ck_at(c->y, yi)))
			goto out;
	}
	if (dnnl_memory_create(&ms, ps, dn_engine, scr) ||
	    dnnl_memory_create(&md, pd, dn_engine, scr + dn_align(e->src_bytes)) ||
	    dnnl_memory_create(&mw, pw, dn_engine, c->wbuf[blk]) ||
	    dnnl_memory_create(&mb, &bmd, dn_engine, (void *)c->bias) ||
	    (psp && e->scratch_bytes &&
	     dnnl_memory_create(&msp, psp, dn_engine,
				scr + dn_align(e->src_bytes) + dn_align(e->dst_bytes))))
		goto out;
	{
		dnnl_exec_arg_t in[2] = {{DNNL_ARG_FROM, mus}, {DNNL_ARG_TO, ms}};
		dnnl_exec_arg_t cv[5] = {{DNNL_ARG_SRC, ms},
					 {DNNL_ARG_WEIGHTS, mw},
					 {DNNL_ARG_BIAS, mb},
					 {DNNL_ARG_DST, md},
					 {DNNL_ARG_SCRATCHPAD, msp}};
		dnnl_exec_arg_t o[2] = {{DNNL_ARG_FROM, md}, {DNNL_ARG_TO, mud}};

		if (dn_exec(e->src_in, s, 2, in) || dn_exec(e->prim, s, msp ? 5 : 4, cv) ||
		    dn_exec(e->dst_out, s, 2, o) || dnnl_stream_wait(s) != dnnl_success)
			goto out;
	}
	bad = 0;
out:
	dnnl_memory_destroy(mus);
	dnnl_memory_destroy(mud);
	dnnl_memory_destroy(ms);
	dnnl_memory_destroy(md);
	dnnl_memory_destroy(mw);
	dnnl_memory_destroy(mb);
	dnnl_memory_destroy(msp);
	if (bad)
		atomic_store(&c->failed, 1);
}

/* Reorders the user's weights into the layout @e wants; NULL on failure. */
static void *dn_conv_weights(const struct dn_conv *c, const struct dn_entry *e, dnnl_stream_t s)
{
	dnnl_memory_desc_t uw;
	dnnl_memory_t mu = NULL, mw = NULL;
	void *buf = aligned_alloc(64, dn_align(dnnl_memory_desc_get_size(&e->wei_md)) + 64);
	int ok = 0;

	if (buf && !dn_conv_wei_md(c, &uw, c->xdt, 0) &&
	    dnnl_memory_create(&mu, &uw, dn_engine, c->wt->data) == dnnl_success &&
	    dnnl_memory_create(&mw, &e->wei_md, dn_engine, buf) == dnnl_success) {
		dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, mu}, {DNNL_ARG_TO, mw}};

		ok = !dn_exec(e->wei_in, s, 2, a) && dnnl_stream_wait(s) == dnnl_success;
	}
	dnnl_memory_destroy(mu);
	dnnl_memory_destroy(mw);
	if (!ok) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Every stride of a dimension longer than one is positive: what oneDNN's descriptors take. */
static int dn_strides_ok(const struct compute_tensor *t)
{
	for (unsigned int i = 0; i < t->rank; i++)
		if (t->shape[i] > 1 && t->stride[i] <= 0)
			return 0;
	return 1;
}

int ck_dnnl_conv2d(struct compute_workers *w, const struct ares_conv2d_params *p,
		   const struct compute_tensor *x, const struct compute_tensor *wt,
		   const struct compute_tensor *b, const struct compute_tensor *y)
{
	struct dn_conv c = {.x = x, .wt = wt, .y = y, .p = p};
	int64_t nthr = ck_nthreads(w), want, ih, i0, pt, pb;
	double row_bytes;
	struct dn_entry *var[64];
	void *wbuf[64] = {0};
	float *bias = NULL;
	dnnl_stream_t s;
	int rc = -1;

	if (!dn_enabled() || x->quant || wt->quant || y->quant)
		return -1;
	c.xdt = dn_dt(x->dtype), c.ydt = dn_dt(y->dtype);
	if (c.xdt == dnnl_data_type_undef || c.ydt == dnnl_data_type_undef ||
	    wt->dtype != x->dtype || !dn_strides_ok(x) || !dn_strides_ok(wt) || !dn_strides_ok(y))
		return -1;
	if (b && b->dtype != ARES_DTYPE_F32)
		return -1;
	c.cdt = c.xdt == dnnl_bf16 && c.ydt == dnnl_bf16 ? dnnl_bf16 : dnnl_f32;
	c.N = x->shape[0], c.C = x->shape[1], c.H = x->shape[2], c.W = x->shape[3];
	c.M = wt->shape[0], c.kh = wt->shape[2], c.kw = wt->shape[3], c.G = p->groups;
	c.oh = y->shape[2], c.ow = y->shape[3];
	/* No input pixel: y is the bias alone, which a zero-volume primitive would not write. */
	if (c.C < 1 || c.H < 1 || c.W < 1)
		return -1;
	/*
	 * Blocks of output rows: at least two per thread to balance, each
	 * within L2. In double: the guest picks the shapes and the stride.
	 */
	row_bytes = (double)c.C * (double)c.W * p->stride_h * (c.xdt == dnnl_bf16 ? 2 : 4) +
		    (double)c.M * (double)c.ow * (c.cdt == dnnl_bf16 ? 2 : 4);
	c.rb = row_bytes >= DN_BLOCK_BYTES ? 1 : (int64_t)(DN_BLOCK_BYTES / row_bytes);
	want = nthr > 1 ? (2 * nthr + c.N - 1) / c.N : 1;
	if (c.rb > (c.oh + want - 1) / want)
		c.rb = (c.oh + want - 1) / want;
	if (c.rb < 1)
		c.rb = 1;
	c.nb = (c.oh + c.rb - 1) / c.rb;
	if (c.nb > 64) {
		c.nb = 64;
		c.rb = (c.oh + 63) / 64;
		c.nb = (c.oh + c.rb - 1) / c.rb;
	}
	pthread_once(&dn_once, dn_init);
	if (!dn_engine)
		return -1;
	pthread_mutex_lock(&dn_lock);
	s = dn_thread_stream();
	bias = malloc((size_t)c.M * sizeof(float));
	if (!s || !bias)
		goto out;
	for (int64_t m = 0; m < c.M; m++)
		bias[m] = b && b->dtype != ARES_DTYPE_NONE
				  ? *(const float *)ck_ptr(b, m * b->stride[0])
				  : 0.0f;
	c.bias = bias;
	for (int64_t k = 0; k < c.nb; k++) {
		int64_t r0 = k * c.rb, r1 = r0 + c.rb < c.oh ? r0 + c.rb : c.oh;

		dn_rows(&c, r0, r1, &i0, &ih, &pt, &pb);
		if (ih < 1)
			goto out; /* a block wholly in the padding: the loops do it */
		var[k] = dn_conv_entry(&c, ih, r1 - r0, pt, pb);
		if (!var[k])
			goto out;
	}
	/* The weights once per distinct layout the blocks want (usually one). */
	for (int64_t k = 0; k < c.nb; k++) {
		for (int64_t j = 0; j < k && !wbuf[k]; j++)
			if (dnnl_memory_desc_equal(&var[j]->wei_md, &var[k]->wei_md))
				wbuf[k] = wbuf[j];
		if (!wbuf[k]) {
			wbuf[k] = dn_conv_weights(&c, var[k], s);
			if (!wbuf[k])
				goto out;
		}
	}
	c.var = var;
	c.wbuf = wbuf;
	atomic_init(&c.failed, 0);
	ck_parallel(w, c.N * c.nb, dn_conv_task, &c);
	rc = atomic_load(&c.failed) ? -1 : 0;
	if (!rc)
		atomic_fetch_add(&dn_runs, 1);
out:
	for (int64_t k = 0; k < c.nb; k++) {
		int shared = 0;

		for (int64_t j = 0; j < k; j++)
			shared |= wbuf[j] == wbuf[k];
		if (!shared)
			free(wbuf[k]);
	}
	free(bias);
	pthread_mutex_unlock(&dn_lock);
	return rc;
}

/* ---- MATMUL ---- */

struct dn_mm {
	const struct compute_tensor *a, *b, *c, *y;
	unsigned int r;
	int64_t M, N, K, rb, nb;
	int64_t am, ak, bk, bn; /* the primitive's strides: dense ones for a gathered operand */
	int64_t ym, yn;		/* y's, or the dense block's when y is scattered */
	/*
	 * A view oneDNN 2.6 does not take as a plain matrix (neither of its two
	 * strides 1, e.g. ConvTranspose's per-tap weights and output columns
	 * two cells apart) sends the whole call to its reference matmul, some
	 * hundred times slower; such an operand is gathered into a dense block
	 * of the task's scratch (y: computed there, then scattered), with its
	 * view's strides kept in va*, vb*.
	 */
	int ga, gb, gy;
	int64_t vam, vak, vbk, vbn;
	struct dn_entry *var[2]; /* full blocks, the last block */
	atomic_int failed;
};

/* A gathered operand larger than this declines to the loops (bounded scratch). */
#define DN_MM_GATHER_MAX ((int64_t)64 << 20)

/* A rows x cols view oneDNN's GEMM-based matmul takes: one stride 1, the other spanning it. */
static int dn_mm_plain(int64_t rows, int64_t cols, int64_t rs, int64_t cs)
{
	return (cs == 1 && (rows == 1 || rs >= cols)) || (rs == 1 && (cols == 1 || cs >= rows));
}

/* Offset of batch @bi (flattened over y's batch dimensions) in @t. */
static int64_t dn_batch_off(const struct compute_tensor *t, const struct compute_tensor *y,
			    int64_t bi)
{
	int64_t off = 0;

	for (int d = (int)y->rank - 3; d >= 0; d--) {
		off += bi % y->shape[d] * t->stride[d];
		bi /= y->shape[d];
	}
	return off;
}

static int dn_mm_mds(const struct dn_mm *m, int64_t rows, dnnl_memory_desc_t *s,
		     dnnl_memory_desc_t *w, dnnl_memory_desc_t *d)
{
	int64_t sd[2] = {rows, m->K}, ss[2] = {m->am, m->ak};
	int64_t wd[2] = {m->K, m->N}, ws[2] = {m->bk, m->bn};
	int64_t dd[2] = {rows, m->N}, ds[2] = {m->ym, m->yn};

	return md_strided(s, 2, sd, ss, dnnl_f32) || md_strided(w, 2, wd, ws, dnnl_f32) ||
	       md_strided(d, 2, dd, ds, dnnl_f32);
}

static struct dn_entry *dn_mm_entry(const struct dn_mm *m, const struct ares_matmul_params *p,
				    int64_t rows)
{
	int64_t key[DN_KEY_MAX] = {0};
	struct dn_keyb kb = {key, 0};
	dnnl_memory_desc_t s, w, d;
	dnnl_matmul_desc_t md;
	dnnl_primitive_attr_t attr;
	struct dn_entry *e;

	kput(&kb, 2);
	kput(&kb, rows), kput(&kb, m->N), kput(&kb, m->K), kput(&kb, m->am), kput(&kb, m->ak);
	kput(&kb, m->bk), kput(&kb, m->bn), kput(&kb, m->ym);
	kput(&kb, m->yn), kput(&kb, !!m->c), kput(&kb, p->alpha);
	kput(&kb, p->beta), kput(&kb, p->activation), kput(&kb, p->act_alpha);
	kput(&kb, p->act_beta);
	e = dn_lookup(key);
	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e->key, key, sizeof(key));
	if (dn_mm_mds(m, rows, &s, &w, &d) ||
	    dnnl_matmul_desc_init(&md, &s, &w, NULL, &d) != dnnl_success ||
	    dn_attr(&attr, p->activation, ck_f32(p->act_alpha), ck_f32(p->act_beta), !!m->c,
		    ck_f32(p->beta), ck_f32(p->alpha))) {
		free(e);
		return NULL;
	}
	return dn_make(e, &md, attr, 1);
}

static void dn_mm_task(void *ctx, int64_t t, unsigned int worker)
{
	struct dn_mm *m = ctx;
	int64_t bi = t / m->nb, blk = t % m->nb, r0 = blk * m->rb;
	int64_t rows = r0 + m->rb < m->M ? m->rb : m->M - r0;
	const struct dn_entry *e = m->var[rows == m->rb ? 0 : 1];
	const struct compute_tensor *y = m->y;
	unsigned int r = m->r;
	int64_t yoff = dn_batch_off(y, y, bi) + r0 * y->stride[r - 2];
	const char *pa = ck_ptr(m->a, dn_batch_off(m->a, y, bi) + r0 * m->vam);
	const char *pb = ck_ptr(m->b, dn_batch_off(m->b, y, bi));
	char *py = ck_ptr(y, yoff);
	size_t spb = dn_align(e->scratch_bytes + 64);
	size_t sab = m->ga ? dn_align((size_t)(rows * m->K) * sizeof(float)) : 0;
	size_t sbb = m->gb ? dn_align((size_t)(m->K * m->N) * sizeof(float)) : 0;
	size_t syb = m->gy ? dn_align((size_t)(rows * m->N) * sizeof(float)) : 0;
	char *scr;
	dnnl_stream_t s = dn_thread_stream();
	dnnl_memory_desc_t ms_, mw_, md_;
	const_dnnl_primitive_desc_t ppd;
	const dnnl_memory_desc_t *psp;
	dnnl_memory_t ms = NULL, mw = NULL, md = NULL, msp = NULL;
	int bad = 1;

	(void)worker;
	if (!s || atomic_load(&m->failed))
		goto out;
	/* One scratch: oneDNN's scratchpad, then the gathered a, b and y blocks. */
	scr = ck_scratch(spb + sab + sbb + syb);
	if (m->ga) {
		float *d = (float *)(scr + spb);

		for (int64_t i = 0; i < rows; i++)
			ck_load_f32(m->a->dtype, pa + i * m->vam * 4, m->vak, m->K, NULL,
				    d + i * m->K);
		pa = (const char *)d;
	}
	if (m->gb) {
		float *d = (float *)(scr + spb + sab);

		for (int64_t k = 0; k < m->K; k++)
			ck_load_f32(m->b->dtype, pb + k * m->vbk * 4, m->vbn, m->N, NULL,
				    d + k * m->N);
		pb = (const char *)d;
	}
	if (m->gy)
		py = scr + spb + sab + sbb;
	/* Gemm's C: into the destination first, where the sum post-op adds beta times it. */
	if (m->c) {
		const struct compute_tensor *c = m->c;
		int64_t coff = dn_batch_off(c, y, bi) + r0 * c->stride[r - 2];

		for (int64_t i = 0; i < rows; i++)
			ck_load_f32(c->dtype, ck_ptr(c, coff + i * c->stride[r - 2]),
				    c->stride[r - 1], m->N, NULL, (float *)py + i * m->ym);
	}
	if (dn_mm_mds(m, rows, &ms_, &mw_, &md_) ||
	    dnnl_primitive_get_primitive_desc(e->prim, &ppd) != dnnl_success)
		goto out;
	psp = dnnl_primitive_desc_query_md(ppd, dnnl_query_scratchpad_md, 0);
	if (dnnl_memory_create(&ms, &ms_, dn_engine, (void *)pa) ||
	    dnnl_memory_create(&mw, &mw_, dn_engine, (void *)pb) ||
	    dnnl_memory_create(&md, &md_, dn_engine, py) ||
	    (psp && e->scratch_bytes && dnnl_memory_create(&msp, psp, dn_engine, scr)))
		goto out;
	{
		dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, ms},
					{DNNL_ARG_WEIGHTS, mw},
					{DNNL_ARG_DST, md},
					{DNNL_ARG_SCRATCHPAD, msp}};

		if (dn_exec(e->prim, s, msp ? 4 : 3, a) || dnnl_stream_wait(s) != dnnl_success)
			goto out;
	}
	if (m->gy)
		for (int64_t i = 0; i < rows; i++)
			ck_store_f32(y->dtype, ck_ptr(y, yoff + i * y->stride[r - 2]),
				     y->stride[r - 1], m->N, NULL, (const float *)py + i * m->N);
	bad = 0;
out:
	dnnl_memory_destroy(ms);
	dnnl_memory_destroy(mw);
	dnnl_memory_destroy(md);
	dnnl_memory_destroy(msp);
	if (bad)
		atomic_store(&m->failed, 1);
}

int ck_dnnl_matmul(struct compute_workers *w, const struct ares_matmul_params *p,
		   const struct compute_tensor *a, const struct compute_tensor *b,
		   const struct compute_tensor *c, const struct compute_tensor *y, int64_t am,
		   int64_t ak, int64_t bk, int64_t bn, int64_t K)
{
	struct dn_mm m = {.a = a, .b = b, .c = c, .y = y, .r = y->rank};
	int64_t batch = 1, nthr = ck_nthreads(w), want;
	int rc = -1;

	if (!dn_enabled() || a->dtype != ARES_DTYPE_F32 || b->dtype != ARES_DTYPE_F32 ||
	    y->dtype != ARES_DTYPE_F32 || (c && c->dtype != ARES_DTYPE_F32))
		return -1;
	m.M = y->shape[m.r - 2], m.N = y->shape[m.r - 1], m.K = K;
	m.am = am, m.ak = ak, m.bk = bk, m.bn = bn;
	if (m.M < 1 || m.N < 1 || K < 1 || (m.M > 1 && am <= 0) ||
	    (K > 1 && (ak <= 0 || bk <= 0)) || (m.N > 1 && bn <= 0) || !dn_strides_ok(y))
		return -1;
	for (unsigned int d = 0; d + 2 < m.r; d++)
		batch *= y->shape[d];
	/* Size-1 dimensions still need a stride oneDNN accepts. */
	if (m.M == 1)
		m.am = m.am > 0 ? m.am : 1;
	if (K == 1)
		m.ak = m.ak > 0 ? m.ak : 1, m.bk = m.bk > 0 ? m.bk : 1;
	if (m.N == 1)
		m.bn = m.bn > 0 ? m.bn : 1;
	m.ym = y->stride[m.r - 2], m.yn = y->stride[m.r - 1];
	if (m.M == 1)
		m.ym = m.ym > 0 ? m.ym : m.N;
	if (m.N == 1)
		m.yn = m.yn > 0 ? m.yn : 1;
	want = nthr > 1 ? (2 * nthr + batch - 1) / batch : 1;
	m.rb = (m.M + want - 1) / want;
	m.nb = (m.M + m.rb - 1) / m.rb;
	m.vam = m.am, m.vak = m.ak, m.vbk = m.bk, m.vbn = m.bn;
	m.ga = !dn_mm_plain(m.rb, K, m.am, m.ak) ||
	       !dn_mm_plain(m.M - (m.nb - 1) * m.rb, K, m.am, m.ak);
	m.gb = !dn_mm_plain(K, m.N, m.bk, m.bn);
	m.gy = !dn_mm_plain(m.rb, m.N, m.ym, m.yn) || m.yn != 1;
	if ((m.ga && m.rb * K > DN_MM_GATHER_MAX / 4) || (m.gb && K * m.N > DN_MM_GATHER_MAX / 4) ||
	    (m.gy && m.rb * m.N > DN_MM_GATHER_MAX / 4))
		return -1;
	if (m.ga)
		m.am = K, m.ak = 1;
	if (m.gb)
		m.bk = m.N, m.bn = 1;
	if (m.gy)
		m.ym = m.N, m.yn = 1;
	pthread_once(&dn_once, dn_init);
	if (!dn_engine)
		return -1;
	pthread_mutex_lock(&dn_lock);
	if (!dn_thread_stream())
		goto out;
	m.var[0] = dn_mm_entry(&m, p, m.rb);
	m.var[1] = m.M % m.rb ? dn_mm_entry(&m, p, m.M % m.rb) : m.var[0];
	if (!m.var[0] || !m.var[1])
		goto out;
	atomic_init(&m.failed, 0);
	ck_parallel(w, batch * m.nb, dn_mm_task, &m);
	rc = atomic_load(&m.failed) ? -1 : 0;
	if (!rc)
		atomic_fetch_add(&dn_runs, 1);
out:
	pthread_mutex_unlock(&dn_lock);
	return rc;
}

const char *compute_dnnl_isa(void)
{
	if (!dn_enabled())
		return NULL;
	pthread_once(&dn_once, dn_init);
	if (!dn_engine)
		return NULL;
	switch (dnnl_get_effective_cpu_isa()) {
	case dnnl_cpu_isa_sse41:
		return "sse41";
	case dnnl_cpu_isa_avx:
		return "avx";
	case dnnl_cpu_isa_avx2:
		return "avx2";
	case dnnl_cpu_isa_avx2_vnni:
		return "avx2_vnni";
	case dnnl_cpu_isa_avx512_core:
		return "avx512_core";
	case dnnl_cpu_isa_avx512_core_vnni:
		return "avx512_core_vnni";
	case dnnl_cpu_isa_avx512_core_bf16:
		return "avx512_core_bf16";
	case dnnl_cpu_isa_avx512_core_amx:
		return "avx512_core_amx";
	default:
		return "other";
	}
}

void ck_dnnl_warm(void)
{
	float xa[9] = {0}, ya[9], wa[1] = {1};
	struct compute_tensor x = {.data = xa,
				   .dtype = ARES_DTYPE_F32,
				   .rank = 4,
				   .shape = {1, 1, 3, 3},
				   .stride = {9, 9, 3, 1}};
	struct compute_tensor wt = {.data = wa,
				    .dtype = ARES_DTYPE_F32,
				    .rank = 4,
				    .shape = {1, 1, 1, 1},
				    .stride = {1, 1, 1, 1}};
	struct compute_tensor y = x;
	struct ares_conv2d_params p = {
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1, .groups = 1};

	y.data = ya;
	/* Loads oneDNN's CPU detection, JIT and caches while system calls are still allowed. */
	ck_dnnl_conv2d(NULL, &p, &x, &wt, NULL, &y);
}

/*
 * ---- int8 MATMUL: oneDNN's exact int32 products, the loops' requantisation ----
 *
 * oneDNN computes only the raw product sum a' * b' of u8 a' and s8 b'
 * (no zero points, scales or post-ops: none of oneDNN's own rounding).
 * Each task copies its rows of a into a' = a (u8) or a + 128 (i8), and
 * the batch's b into b' = b (i8) or b - 128 (u8), contiguous, summing
 * rows and columns on the way; with za' and zb' the zero points moved
 * by the same shifts,
 *   sum (a - za)(b - zb) = sum a'b' - za' colsum(b') - zb' rowsum(a') + K za' zb'
 * holds modulo 2^32, where the loops' i32 accumulation wraps too, so the
 * accumulator is the loops' bit for bit. The caller's own store (the
 * loops' epilogue) then adds nothing new: scale, activation and
 * quantisation are the loops' code. Only on AVX-512 VNNI (or AMX):
 * there vpdpbusd sums u8 x s8 into int32 directly; oneDNN's older int8
 * kernels pair products in saturating int16 (vpmaddubsw).
 */
#define DN_MMI_ACC_MAX (1 << 20) /* int32 accumulators per task */

struct dn_mmi {
	const struct compute_tensor *a, *b, *y;
	const struct ck_gemm *g;
	int64_t M, N, K, rb, nb, am, ak, bk, bn, zb_step;
	int a_in_place, b_in_place; /* read where they are (else copied, row-major) */
	int32_t za;
	const int32_t *zb;
	struct dn_entry *var[2];
	atomic_int failed;
};

static int dn_has_vnni(void)
{
	unsigned int isa = (unsigned int)dnnl_get_effective_cpu_isa();

	return (isa & (unsigned int)dnnl_cpu_isa_avx512_core_vnni) ==
	       (unsigned int)dnnl_cpu_isa_avx512_core_vnni;
}

/*
 * The zero-point corrections' sums, vectorised (this path runs on AVX-512
 * VNNI hosts only, so AVX2 is there): the first over @len contiguous bytes
 * of each of @n lines @ls apart, the second down @n contiguous columns of
 * @len lines @ls apart. Bytes are u8, or s8 when @s8.
 */
__attribute__((target("avx2"))) static void dn_sum_lines(const uint8_t *p, int64_t n, int64_t ls,
							 int64_t len, int s8, uint32_t *out)
{
	const __m256i flip = _mm256_set1_epi8(s8 ? (char)0x80 : 0), zero = _mm256_setzero_si256();

	for (int64_t i = 0; i < n; i++) {
		const uint8_t *q = p + i * ls;
		__m256i acc = zero;
		uint64_t lanes[4];
		uint32_t sum = 0;
		int64_t k = 0;

		/* |u8 - 0x80| sums via vpsadbw: s8 values plus 128, taken back below. */
		for (; k + 32 <= len; k += 32)
			acc = _mm256_add_epi64(
				acc,
				_mm256_sad_epu8(
					_mm256_xor_si256(
						_mm256_loadu_si256((const __m256i *)(q + k)), flip),
					zero));
		_mm256_storeu_si256((__m256i *)lanes, acc);
		sum = (uint32_t)(lanes[0] + lanes[1] + lanes[2] + lanes[3]) -
		      (s8 ? 128u * (uint32_t)k : 0u);
		for (; k < len; k++)
			sum += s8 ? (uint32_t)(int32_t)(int8_t)q[k] : q[k];
		out[i] = sum;
	}
}

__attribute__((target("avx2"))) static void dn_sum_columns(const uint8_t *p, int64_t n, int64_t ls,
							   int64_t len, int s8, uint32_t *out)
{
	int64_t j = 0;

	for (; j + 8 <= n; j += 8) {
		__m256i acc = _mm256_setzero_si256();

		for (int64_t k = 0; k < len; k++) {
			__m128i v = _mm_loadl_epi64((const __m128i *)(p + k * ls + j));

			acc = _mm256_add_epi32(acc, s8 ? _mm256_cvtepi8_epi32(v)
						       : _mm256_cvtepu8_epi32(v));
		}
		_mm256_storeu_si256((__m256i *)(out + j), acc);
	}
	for (; j < n; j++) {
		uint32_t sum = 0;

		for (int64_t k = 0; k < len; k++)
			sum += s8 ? (uint32_t)(int32_t)(int8_t)p[k * ls + j] : p[k * ls + j];
		out[j] = sum;
	}
}

static struct dn_entry *dn_mmi_entry(const struct dn_mmi *m, int64_t rows)
{
	int64_t key[DN_KEY_MAX] = {0};
	struct dn_keyb kb = {key, 0};
	int64_t sd[2] = {rows, m->K}, wd[2] = {m->K, m->N}, dd[2] = {rows, m->N};
	int64_t ss[2] = {m->K, 1}, ws[2] = {m->N, 1}, ds[2] = {m->N, 1};
	dnnl_memory_desc_t s, w, d;
	dnnl_matmul_desc_t md;
	dnnl_primitive_attr_t attr;
	struct dn_entry *e;

	if (m->a_in_place)
		ss[0] = m->am, ss[1] = m->ak;
	if (m->b_in_place)
		ws[0] = m->bk, ws[1] = m->bn;
	kput(&kb, 3);
	kput(&kb, rows), kput(&kb, m->N), kput(&kb, m->K);
	kput(&kb, ss[0]), kput(&kb, ss[1]), kput(&kb, ws[0]), kput(&kb, ws[1]);
	e = dn_lookup(key);
	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	memcpy(e->key, key, sizeof(key));
	if (md_strided(&s, 2, sd, ss, dnnl_u8) || md_strided(&w, 2, wd, ws, dnnl_s8) ||
	    md_strided(&d, 2, dd, ds, dnnl_s32) ||
	    dnnl_matmul_desc_init(&md, &s, &w, NULL, &d) != dnnl_success ||
	    dnnl_primitive_attr_create(&attr) != dnnl_success) {
		free(e);
		return NULL;
	}
	if (dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) !=
	    dnnl_success) {
		dnnl_primitive_attr_destroy(attr);
		free(e);
		return NULL;
	}
	return dn_make(e, &md, attr, 0);
}

/* dst (s32) = src (u8) x wei (s8) on @e's primitive, @sp its scratchpad: 0 when done. */
static int dn_mmi_exec(const struct dn_entry *e, dnnl_stream_t s, const void *src, const void *wei,
		       void *dst, char *sp)
{
	const_dnnl_primitive_desc_t ppd;
	const dnnl_memory_desc_t *psp;
	dnnl_memory_desc_t ms_, mw_, md_;
	dnnl_memory_t ms = NULL, mw = NULL, md = NULL, msp = NULL;
	int rc = -1;

	if (dnnl_primitive_get_primitive_desc(e->prim, &ppd) != dnnl_success)
		return -1;
	psp = dnnl_primitive_desc_query_md(ppd, dnnl_query_scratchpad_md, 0);
	ms_ = *dnnl_primitive_desc_query_md(ppd, dnnl_query_src_md, 0);
	mw_ = *dnnl_primitive_desc_query_md(ppd, dnnl_query_weights_md, 0);
	md_ = *dnnl_primitive_desc_query_md(ppd, dnnl_query_dst_md, 0);
	if (dnnl_memory_create(&ms, &ms_, dn_engine, (void *)src) ||
	    dnnl_memory_create(&mw, &mw_, dn_engine, (void *)wei) ||
	    dnnl_memory_create(&md, &md_, dn_engine, dst) ||
	    (psp && e->scratch_bytes &&
	     dnnl_memory_create(&msp, psp, dn_engine,
				(void *)(((uintptr_t)sp + 63) & ~(uintptr_t)63))))
		goto out;
	{
		dnnl_exec_arg_t a[4] = {{DNNL_ARG_SRC, ms},
					{DNNL_ARG_WEIGHTS, mw},
					{DNNL_ARG_DST, md},
					{DNNL_ARG_SCRATCHPAD, msp}};

		if (!dn_exec(e->prim, s, msp ? 4 : 3, a) && dnnl_stream_wait(s) == dnnl_success)
			rc = 0;
	}
out:
	dnnl_memory_destroy(ms);
	dnnl_memory_destroy(mw);
	dnnl_memory_destroy(md);
	dnnl_memory_destroy(msp);
	return rc;
}

/*
 * One int8 product run, for MATMUL and CONV2D alike: under dn_lock,
 * @prep (if any) readies the caller's operands, the primitives for
 * blocks of @rb rows (and the last block of @rows) are found, and @task
 * runs @tasks times on the pool. 0 when every task succeeded.
 */
static int dn_mmi_run(struct compute_workers *w, struct dn_mmi *m, int64_t rows, int64_t rb,
		      int64_t tasks, ck_task_fn task, int (*prep)(void *), void *ctx)
{
	int rc = -1;

	pthread_mutex_lock(&dn_lock);
	if (!dn_thread_stream() || (prep && prep(ctx)))
		goto out;
	m->var[0] = dn_mmi_entry(m, rb);
	m->var[1] = rows % rb ? dn_mmi_entry(m, rows % rb) : m->var[0];
	if (!m->var[0] || !m->var[1])
		goto out;
	atomic_init(&m->failed, 0);
	ck_parallel(w, tasks, task, ctx);
	rc = atomic_load(&m->failed) ? -1 : 0;
	if (!rc)
		atomic_fetch_add(&dn_runs, 1);
out:
	pthread_mutex_unlock(&dn_lock);
	return rc;
}

static void dn_mmi_task(void *ctx, int64_t t, unsigned int worker)
{
	struct dn_mmi *m = ctx;
	int64_t bi = t / m->nb, r0 = t % m->nb * m->rb, N = m->N, K = m->K;
	int64_t rows = r0 + m->rb < m->M ? m->rb : m->M - r0;
	const struct dn_entry *e = m->var[rows == m->rb ? 0 : 1];
	const struct compute_tensor *y = m->y;
	int a_s8 = m->a->dtype == ARES_DTYPE_I8, b_u8 = m->b->dtype == ARES_DTYPE_U8;
	uint32_t za = (uint32_t)m->za + (a_s8 ? 128u : 0u);
	size_t o_acc = 0, o_a = o_acc + dn_align((size_t)(rows * N) * 4);
	size_t o_b = o_a + dn_align(m->a_in_place ? 0 : (size_t)(rows * K));
	size_t o_cs = o_b + dn_align(m->b_in_place ? 0 : (size_t)(K * N));
	size_t o_zb = o_cs + dn_align((size_t)N * 4), o_rs = o_zb + dn_align((size_t)N * 4);
	size_t o_sp = o_rs + dn_align((size_t)rows * 4);
	char *buf = ck_scratch(o_sp + e->scratch_bytes + 64);
	uint32_t *acc = (uint32_t *)(buf + o_acc), *colfix = (uint32_t *)(buf + o_cs);
	uint32_t *zbs = (uint32_t *)(buf + o_zb), *rowsum = (uint32_t *)(buf + o_rs);
	const uint8_t *abase =
		(const uint8_t *)ck_ptr(m->a, dn_batch_off(m->a, y, bi) + r0 * m->am);
	const uint8_t *bbase = (const uint8_t *)ck_ptr(m->b, dn_batch_off(m->b, y, bi));
	const uint8_t *ap = abase, *bp = bbase;
	int64_t am = m->am, ak = m->ak, bk = m->bk, bn = m->bn;
	int any_zb = 0;
	dnnl_stream_t s = dn_thread_stream();
	int bad = 1;

	(void)worker;
	if (!s || atomic_load(&m->failed))
		goto out;
	/* Copies: a' = a + 128 (i8), b' = b - 128 (u8), or a layout oneDNN cannot read. */
	if (!m->a_in_place) {
		uint8_t *c = (uint8_t *)(buf + o_a);

		for (int64_t i = 0; i < rows; i++)
			for (int64_t k = 0; k < K; k++)
				c[i * K + k] = (uint8_t)(abase[i * am + k * ak] + (a_s8 ? 128 : 0));
		ap = c, am = K, ak = 1;
	}
	if (!m->b_in_place) {
		uint8_t *c = (uint8_t *)(buf + o_b);

		for (int64_t k = 0; k < K; k++)
			for (int64_t n = 0; n < N; n++)
				c[k * N + n] = (uint8_t)(bbase[k * bk + n * bn] - (b_u8 ? 128 : 0));
		bp = c, bk = N, bn = 1;
	}
	for (int64_t n = 0; n < N; n++) {
		zbs[n] = (uint32_t)m->zb[n * m->zb_step] - (b_u8 ? 128u : 0u);
		any_zb |= zbs[n] != 0;
	}
	if (any_zb) {
		if (ak == 1)
			dn_sum_lines(ap, rows, am, K, 0, rowsum);
		else
			dn_sum_columns(ap, rows, ak, K, 0, rowsum);
	}
	if (za) {
		if (bk == 1)
			dn_sum_lines(bp, N, bn, K, 1, colfix);
		else
			dn_sum_columns(bp, N, bk, K, 1, colfix);
		for (int64_t n = 0; n < N; n++)
			colfix[n] = (uint32_t)K * za * zbs[n] - za * colfix[n];
	}
	if (dn_mmi_exec(e, s, ap, bp, acc, buf + o_sp))
		goto out;
	/* Row by row, unsigned: the loops' i32 wraps, and so does this. */
	for (int64_t i = 0; i < rows && (za || any_zb); i++) {
		uint32_t *row = acc + i * N, rs = any_zb ? rowsum[i] : 0;

		if (za)
			for (int64_t n = 0; n < N; n++)
				row[n] += colfix[n] - zbs[n] * rs;
		else
			for (int64_t n = 0; n < N; n++)
				row[n] -= zbs[n] * rs;
	}
	m->g->store(m->g, bi, r0, rows, 0, N, acc, N);
	bad = 0;
out:
	if (bad)
		atomic_store(&m->failed, 1);
}

int ck_dnnl_matmul_int(struct compute_workers *w, const struct ck_gemm *g,
		       const struct compute_tensor *a, const struct compute_tensor *b,
		       const struct compute_tensor *y, int64_t am, int64_t ak, int64_t bk,
		       int64_t bn, int32_t za, const int32_t *zb, int64_t zb_step)
{
	struct dn_mmi m = {.a = a, .b = b, .y = y, .g = g, .M = g->M, .N = g->N, .K = g->K};
	int64_t nthr = ck_nthreads(w), want;

	/* |a'b'| sums stay below 2^31: oneDNN's int32 is never asked to wrap. */
	if (!dn_enabled() || m.M < 1 || m.N < 1 || m.K < 1 || m.K > 65000)
		return -1;
	m.am = am, m.ak = ak, m.bk = bk, m.bn = bn;
	m.za = za, m.zb = zb, m.zb_step = zb_step;
	/* oneDNN reads u8 a and s8 b where they are if a dimension is contiguous. */
	m.a_in_place = a->dtype == ARES_DTYPE_U8 && (ak == 1 || am == 1) && am > 0 && ak > 0;
	m.b_in_place = b->dtype == ARES_DTYPE_I8 && (bn == 1 || bk == 1) && bk > 0 && bn > 0;
	want = nthr > 1 ? (2 * nthr + g->batch - 1) / g->batch : 1;
	m.rb = (m.M + want - 1) / want;
	/* A task's int32 rows stay within a few MB of scratch. */
	if (m.rb > 1 && m.rb * m.N > DN_MMI_ACC_MAX)
		m.rb = DN_MMI_ACC_MAX / m.N > 0 ? DN_MMI_ACC_MAX / m.N : 1;
	m.nb = (m.M + m.rb - 1) / m.rb;
	pthread_once(&dn_once, dn_init);
	if (!dn_engine || !dn_has_vnni())
		return -1;
	return dn_mmi_run(w, &m, m.M, m.rb, g->batch * m.nb, dn_mmi_task, NULL, &m);
}

/*
 * Integer CONV2D (groups of more than one channel) on the integer MATMUL
 * above, transposed so its single zero point is the input's: per (image,
 * group, block of output pixels), pixels x taps im2col [rows, K] times
 * weights [K, Mg]. The im2col is stored K-major ([K][rb]: each tap's row
 * copies straight from the input row) and read by oneDNN as a transposed
 * view. Padding cells hold the input's zero point itself, so they add
 * (zx - zx) * w = 0, as the loops' zeros do; i8 inputs go in as u8 plus
 * 128 (x ^ 0x80) with the zero point raised alike. The int32 sums, fixed
 * up modulo 2^32 as dn_mmi_task does, are turned to [Mg][rows] and go
 * through the loops' own store (bias, requantisation, activation).
 */
struct dn_cvi {
	const struct ck_gemm *g;
	const struct compute_tensor *x, *wv;
	int64_t G, Cg, Mg, H, W, kh, kw, ow, sh, sw, pt, pl, dh, dw;
	int64_t P, K, rb, nb;
	uint8_t flip, pad; /* 0x80 for i8 inputs; the zero point as stored in the im2col */
	uint32_t za;
	struct dn_wprep *wp; /* the weights, prepared (dn_cvi_prep) */
	int wp_cached;	     /* wp belongs to the cache (else freed after the run) */
	uint32_t *colfix;    /* [M] K za zb - za sum_k w */
	int32_t *zp;	     /* [M] the weights' zero points as given */
	struct dn_mmi m;
};

/*
 * ---- prepared int8 conv weights, kept across commands ----
 *
 * Preparing weights (the transpose to [G][K][Mg] s8, the zero points, the
 * column sums) cost as much as a small layer's product, every command.
 * The guest may rewrite any of its memory between commands, so an entry
 * stands only for the exact bytes it was made from: it keeps a copy of
 * the raw weights and their zero points and is used only when both equal
 * the command's (one compare of the weights, cheaper than the transpose);
 * otherwise it is made again. Found by the weights' host address, dtype,
 * shape, strides and groups; at most DN_WP_MAX entries and DN_WP_BYTES in
 * all, least recently used out first; larger weights are prepared per
 * command. Under dn_lock, held over the run that reads the entry.
 */
#define DN_WP_MAX   256
#define DN_WP_BYTES ((size_t)64 << 20)
#define DN_WP_KEY   12

struct dn_wprep {
	int64_t key[DN_WP_KEY];
	uint64_t used;
	size_t bytes;
	int any_zb;
	uint8_t *raw;	/* [M][K] the weights as read, in [m][ci][ky][kx] order */
	int32_t *zp;	/* [M] their zero points as given */
	int8_t *wt;	/* [G][K][Mg], u8 weights minus 128 */
	uint32_t *zbs;	/* [M] weight zero points, minus 128 for u8 weights */
	uint32_t *wsum; /* [M] sum_k wt */
};

static struct dn_wprep *dn_wp_cache[DN_WP_MAX];
static size_t dn_wp_total;
static atomic_uint_fast64_t dn_wp_hits;

uint64_t compute_dnnl_wcache_hits(void)
{
	return atomic_load(&dn_wp_hits);
}

static void dn_cvi_wkey(const struct compute_tensor *wt, int64_t G, int64_t *key)
{
	memset(key, 0, DN_WP_KEY * sizeof(*key));
	key[0] = (int64_t)(uintptr_t)wt->data, key[1] = wt->dtype, key[2] = G;
	for (int i = 0; i < 4; i++)
		key[3 + i] = wt->shape[i], key[7 + i] = wt->stride[i];
	key[11] = wt->quant;
}

/* 0 when the weights' bytes equal @ref's, which holds them in [m][ci][ky][kx] order. */
static int dn_cvi_wbytes(const struct compute_tensor *wt, int64_t M, int64_t K, const uint8_t *ref)
{
	int64_t Cg = wt->shape[1], kh = wt->shape[2], kw = wt->shape[3], dense = 1;
	int d = 3;

	for (; d >= 0 && (wt->shape[d] == 1 || wt->stride[d] == dense); d--)
		dense *= wt->shape[d];
	if (d < 0)
		return memcmp(ref, wt->data, (size_t)(M * K)) != 0;
	for (int64_t m = 0, i = 0; m < M; m++)
		for (int64_t ci = 0; ci < Cg; ci++)
			for (int64_t ky = 0; ky < kh; ky++) {
				const uint8_t *p = (const uint8_t *)ck_ptr(
					wt, m * wt->stride[0] + ci * wt->stride[1] +
						    ky * wt->stride[2]);

				for (int64_t kx = 0; kx < kw; kx++, i++)
					if (ref[i] != p[kx * wt->stride[3]])
						return 1;
			}
	return 0;
}

/* A new entry: the raw weights and zero points copied, transposed to [G][K][Mg] s8, summed. */
static struct dn_wprep *dn_wp_make(const struct dn_cvi *c, const int32_t *zp)
{
	const struct compute_tensor *wt = c->wv;
	int w_u8 = wt->dtype == ARES_DTYPE_U8;
	int64_t K = c->K, Mg = c->Mg, M = c->G * Mg;
	size_t bytes = sizeof(struct dn_wprep) + 2 * (size_t)(M * K) + 4 * (size_t)M * 4 + 16;
	struct dn_wprep *e = calloc(1, bytes);

	if (!e)
		return NULL;
	e->bytes = bytes;
	e->zp = (int32_t *)(e + 1);
	e->zbs = (uint32_t *)(e->zp + M);
	e->wsum = e->zbs + M;
	e->raw = (uint8_t *)(e->wsum + M);
	e->wt = (int8_t *)(e->raw + M * K);
	memcpy(e->zp, zp, (size_t)M * sizeof(*zp));
	for (int64_t m = 0, i = 0; m < M; m++) {
		int8_t *col = e->wt + (m / Mg) * K * Mg + m % Mg;
		uint32_t sum = 0;

		e->zbs[m] = (uint32_t)zp[m] - (w_u8 ? 128u : 0u);
		e->any_zb |= e->zbs[m] != 0;
		for (int64_t ci = 0, k = 0; ci < c->Cg; ci++) {
			for (int64_t ky = 0; ky < c->kh; ky++) {
				const uint8_t *p = (const uint8_t *)ck_ptr(
					wt, m * wt->stride[0] + ci * wt->stride[1] +
						    ky * wt->stride[2]);

				for (int64_t kx = 0; kx < c->kw; kx++, k++, i++) {
					uint8_t raw = p[kx * wt->stride[3]];
					int8_t v = (int8_t)(uint8_t)(raw - (w_u8 ? 128 : 0));

					e->raw[i] = raw;
					col[k * Mg] = v;
					sum += (uint32_t)(int32_t)v;
				}
			}
		}
		e->wsum[m] = sum;
	}
	return e;
}

static void dn_wp_drop(int i)
{
	dn_wp_total -= dn_wp_cache[i]->bytes;
	free(dn_wp_cache[i]);
	dn_wp_cache[i] = NULL;
}

/* A free slot with room for @bytes more, the least recently used entries dropped for it. */
static int dn_wp_room(size_t bytes)
{
	for (;;) {
		int free_slot = -1, old = -1;

		for (int i = 0; i < DN_WP_MAX; i++) {
			if (!dn_wp_cache[i]) {
				if (free_slot < 0)
					free_slot = i;
			} else if (old < 0 || dn_wp_cache[i]->used < dn_wp_cache[old]->used) {
				old = i;
			}
		}
		/* An empty cache has a free slot and room: bytes <= DN_WP_BYTES. */
		if (free_slot >= 0 && dn_wp_total + bytes <= DN_WP_BYTES)
			return free_slot;
		dn_wp_drop(old);
	}
}

/*
 * dn_mmi_run's prep for the conv (under dn_lock): the prepared weights,
 * from the cache when their bytes and zero points are unchanged, and the
 * column fix-ups for this input's zero point.
 */
static int dn_cvi_prep(void *ctx)
{
	struct dn_cvi *c = ctx;
	const struct compute_tensor *wt = c->wv;
	int64_t M = c->G * c->Mg, key[DN_WP_KEY];
	struct dn_wprep *e = NULL;

	for (int64_t m = 0; m < M; m++) {
		int64_t idx[4] = {m, 0, 0, 0};
		struct ck_qrow q;

		ck_qrow_of(wt, idx, 3, &q);
		c->zp[m] = q.z[0];
	}
	dn_cvi_wkey(wt, c->G, key);
	for (int i = 0; i < DN_WP_MAX; i++) {
		struct dn_wprep *o = dn_wp_cache[i];

		if (!o || memcmp(o->key, key, sizeof(key)))
			continue;
		if (!memcmp(o->zp, c->zp, (size_t)M * sizeof(*c->zp)) &&
		    !dn_cvi_wbytes(wt, M, c->K, o->raw))
			e = o;
		else
			dn_wp_drop(i); /* rewritten since: made again below */
		break;
	}
	c->wp_cached = 1;
	if (e) {
		atomic_fetch_add(&dn_wp_hits, 1);
	} else {
		e = dn_wp_make(c, c->zp);
		if (!e)
			return -1;
		memcpy(e->key, key, sizeof(key));
		c->wp_cached = e->bytes <= DN_WP_BYTES / 2;
		if (c->wp_cached) {
			int slot = dn_wp_room(e->bytes);

			dn_wp_cache[slot] = e;
			dn_wp_total += e->bytes;
		}
	}
	e->used = ++dn_clock;
	c->wp = e;
	for (int64_t m = 0; m < M; m++)
		c->colfix[m] = (uint32_t)c->K * c->za * e->zbs[m] - c->za * e->wsum[m];
	return 0;
}

static void dn_cvi_im2col(const struct dn_cvi *c, int64_t n, int64_t grp, int64_t p0, int64_t rows,
			  uint8_t *col)
{
	const struct compute_tensor *x = c->x;
	int64_t xs = c->sw * x->stride[3];

	for (int64_t k = 0; k < c->K; k++) {
		int64_t kx = k % c->kw, ky = k / c->kw % c->kh,
			ch = grp * c->Cg + k / (c->kw * c->kh);
		int64_t off = kx * c->dw - c->pl;
		int64_t lo = off >= 0 ? 0 : (-off + c->sw - 1) / c->sw;
		int64_t hi = c->W - 1 - off < 0 ? 0 : (c->W - 1 - off) / c->sw + 1; /* exclusive */
		const uint8_t *plane =
			(const uint8_t *)ck_ptr(x, n * x->stride[0] + ch * x->stride[1]);
		uint8_t *dst = col + k * c->rb;

		for (int64_t j = 0; j < rows;) {
			int64_t oy = (p0 + j) / c->ow, ox = (p0 + j) % c->ow;
			int64_t run = c->ow - ox < rows - j ? c->ow - ox : rows - j;
			int64_t iy = oy * c->sh - c->pt + ky * c->dh;
			int64_t a = ox > lo ? ox : lo, e = ox + run < hi ? ox + run : hi;

			if (iy < 0 || iy >= c->H || a >= e) {
				memset(dst + j, c->pad, (size_t)run);
			} else {
				const uint8_t *p = plane + iy * x->stride[2] +
						   (a * c->sw + off) * x->stride[3];
				uint8_t *d = dst + j + (a - ox);

				memset(dst + j, c->pad, (size_t)(a - ox));
				/* The unit and stride-2 loops are the ones the compiler vectorises.
				 */
				if (xs == 1 && !c->flip)
					memcpy(d, p, (size_t)(e - a));
				else if (xs == 1)
					for (int64_t t = 0; t < e - a; t++)
						d[t] = p[t] ^ 0x80;
				else if (xs == 2)
					for (int64_t t = 0; t < e - a; t++)
						d[t] = p[2 * t] ^ c->flip;
				else
					for (int64_t t = 0; t < e - a; t++)
						d[t] = p[t * xs] ^ c->flip;
				memset(dst + j + (e - ox), c->pad, (size_t)(ox + run - e));
			}
			j += run;
		}
	}
}

static void dn_cvi_task(void *ctx, int64_t t, unsigned int worker)
{
	struct dn_cvi *c = ctx;
	int64_t bi = t / c->nb, p0 = t % c->nb * c->rb, Mg = c->Mg, K = c->K;
	int64_t rows = p0 + c->rb < c->P ? c->rb : c->P - p0, grp = bi % c->G;
	const struct dn_entry *e = c->m.var[rows == c->rb ? 0 : 1];
	size_t o_acc = 0, o_tr = o_acc + dn_align((size_t)(rows * Mg) * 4);
	size_t o_col = o_tr + dn_align((size_t)(rows * Mg) * 4);
	size_t o_rs = o_col + dn_align((size_t)(K * c->rb)),
	       o_sp = o_rs + dn_align((size_t)rows * 4);
	char *buf = ck_scratch(o_sp + e->scratch_bytes + 64);
	uint32_t *acc = (uint32_t *)(buf + o_acc), *tr = (uint32_t *)(buf + o_tr);
	uint32_t *rowsum = (uint32_t *)(buf + o_rs);
	uint8_t *col = (uint8_t *)(buf + o_col);
	const uint32_t *zbs = c->wp->zbs + grp * Mg, *colfix = c->colfix + grp * Mg;
	dnnl_stream_t s = dn_thread_stream();
	int bad = 1;

	(void)worker;
	if (!s || atomic_load(&c->m.failed))
		goto out;
	dn_cvi_im2col(c, bi / c->G, grp, p0, rows, col);
	if (c->wp->any_zb)
		dn_sum_columns(col, rows, c->rb, K, 0, rowsum);
	if (dn_mmi_exec(e, s, col, c->wp->wt + grp * K * Mg, acc, buf + o_sp))
		goto out;
	/*
	 * The fix-ups and the turn to the store's [channel][pixel] order in
	 * one pass, 16 pixels at a time: their sums stay in L1 while each
	 * channel's 16 results go out as one cache line.
	 */
	for (int64_t i0 = 0; i0 < rows; i0 += 16) {
		int64_t i1 = i0 + 16 < rows ? i0 + 16 : rows;

		for (int64_t m = 0; m < Mg; m++) {
			uint32_t *out = tr + m * rows, cf = colfix[m], zb = zbs[m];

			for (int64_t i = i0; i < i1; i++)
				out[i] =
					acc[i * Mg + m] + cf - zb * (c->wp->any_zb ? rowsum[i] : 0);
		}
	}
	c->g->store(c->g, bi, 0, Mg, p0, rows, tr, rows);
	bad = 0;
out:
	if (bad)
		atomic_store(&c->m.failed, 1);
}

int ck_dnnl_conv2d_int(struct compute_workers *w, const struct ck_gemm *g,
		       const struct ares_conv2d_params *p, const struct compute_tensor *x,
		       const struct compute_tensor *wt, const struct compute_tensor *y)
{
	struct dn_cvi c = {
		.g = g, .x = x, .wv = wt, .G = p->groups, .Mg = g->M, .P = g->N, .K = g->K};
	int64_t nthr = ck_nthreads(w), want, M = c.G * c.Mg;
	int32_t zx = x->quant == ARES_QUANT_PER_TENSOR ? x->zero_point : 0;
	int rc;

	/* The zero point must fit the im2col's bytes; |a'b'| sums stay below 2^31. */
	if (!dn_enabled() || g->batch < 1 || c.P < 1 || c.Mg < 1 || c.K < 1 || c.K > 65000 ||
	    !ck_zp_is_value(x->dtype, zx))
		return -1;
	c.Cg = x->shape[1] / c.G, c.H = x->shape[2], c.W = x->shape[3];
	c.kh = wt->shape[2], c.kw = wt->shape[3], c.ow = y->shape[3];
	c.sh = p->stride_h, c.sw = p->stride_w, c.dh = p->dilation_h, c.dw = p->dilation_w;
	c.pt = p->pad_top, c.pl = p->pad_left;
	c.flip = x->dtype == ARES_DTYPE_I8 ? 0x80 : 0;
	c.za = (uint32_t)zx + (c.flip ? 128u : 0u);
	c.pad = (uint8_t)c.za;
	/* About two tasks a thread; a task's im2col and int32 sums stay in L2. */
	want = nthr > 1 ? (2 * nthr + g->batch - 1) / g->batch : 1;
	c.rb = (c.P + want - 1) / want;
	if (c.rb > 16 && c.rb * (c.K + 8 * c.Mg) > 2 * DN_BLOCK_BYTES)
		c.rb = 2 * DN_BLOCK_BYTES / (c.K + 8 * c.Mg) > 16
			       ? 2 * DN_BLOCK_BYTES / (c.K + 8 * c.Mg)
			       : 16;
	c.nb = (c.P + c.rb - 1) / c.rb;
	pthread_once(&dn_once, dn_init);
	if (!dn_engine || !dn_has_vnni())
		return -1;
	c.colfix = malloc((size_t)M * (sizeof(*c.colfix) + sizeof(*c.zp)));
	if (!c.colfix)
		return -1;
	c.zp = (int32_t *)(c.colfix + M);
	c.m.a_in_place = c.m.b_in_place = 1, c.m.am = c.m.bn = 1;
	c.m.N = c.Mg, c.m.K = c.K, c.m.ak = c.rb, c.m.bk = c.Mg;
	rc = dn_mmi_run(w, &c.m, c.P, c.rb, g->batch * c.nb, dn_cvi_task, dn_cvi_prep, &c);
	if (c.wp && !c.wp_cached)
		free(c.wp);
	free(c.colfix);
	return rc;
}
