// SPDX-License-Identifier: MIT
/*
 * accel-run: runs an ONNX model through the Ares runtime.
 *   accel-run MODEL.onnx [--input name=FILE ...] [--shape name=d0,d1,... ...]
 *             [--output-dir DIR] [--bench N] [--profile FILE] [--cpu]
 *             [--device N] [--no-fallback] [--no-opt] [--coverage]
 *             [--threads N] [--reference] [--precision bf16|f16|f32]
 *             [--placement benefit|device|cpu]
 *             [--submit auto|ioctl|user-queue] [-v]
 * Inputs come from .npy or TensorProto .pb files; an input not given is
 * filled with seeded random values (uniform [-1, 1) for floats, [0, 8) for
 * integers) of the shape --shape gives, else the model's, with its
 * symbolic dims chosen as --help documents (input_plan.c); each input's
 * shape and where each dim came from is printed before the run. --coverage
 * lists each node after the first run (so dynamic dims are bound):
 * placement, fused activation, inferred output type and shape, and why.
 * --threads N sets the CPU path's intra-op threads (default: ART_THREADS,
 * else the online CPUs); --reference runs CPU nodes on the plain-loop
 * kernels, not oneDNN. Loading shows progress on stderr when it is a
 * terminal, or with -v.
 * --placement benefit (the default: ART_PLACEMENT, else benefit) puts a
 * node on the device when the cost model finds that faster end to end,
 * device every node the device can run, cpu none (as --cpu).
 * --submit (art_session_options.submit; the default: ART_SUBMIT, else
 * auto) sends device jobs through a user queue when the device has one
 * (auto), always through the kernel context (ioctl), or fails without one
 * (user-queue).
 * --precision bf16 or f16 runs an f32 model's Conv, ConvTranspose, MatMul
 * and Gemm with operands rounded to that type and f32 sums
 * (art_session_options.precision); f32, the default, keeps the model's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ares_rt.h"
#include "input_plan.h"
#include "omp_passive.h"

static const char usage_text[] =
	"usage: accel-run MODEL.onnx [--input name=FILE ...] [--shape name=d0,d1,... ...]\n"
	"                 [--output-dir DIR] [--bench N] [--profile FILE]\n"
	"                 [--cpu] [--device N] [--no-fallback] [--no-opt] [--coverage]\n"
	"                 [--threads N] [--reference] [--precision bf16|f16|f32]\n"
	"                 [--placement benefit|device|cpu]\n"
	"                 [--submit auto|ioctl|user-queue] [-v] [--help]\n";

static void usage(void)
{
	fputs(usage_text, stderr);
	exit(2);
}

static void help(void)
{
	printf("%s\n"
	       "Runs MODEL.onnx through libares_rt and prints each input's and output's\n"
	       "type and shape.\n\n"
	       "  --input NAME=FILE      input NAME from a .npy or TensorProto .pb file\n"
	       "  --shape NAME=D0,D1,..  shape of the random input NAME (each dim at least 1;\n"
	       "                         rank and static dims as the model declares)\n"
	       "  --output-dir DIR       write each output to DIR/NAME.npy\n"
	       "  --bench N              N runs: median, p90, minimum time per run\n"
	       "  --profile FILE         the last run as Chrome-trace JSON\n"
	       "  --cpu, --device N, --no-fallback   where nodes run\n"
	       "  --no-opt               no graph optimisation\n"
	       "  --coverage             each node: placement, type, shape, why\n"
	       "  --threads N            CPU intra-op threads\n"
	       "  --reference            CPU nodes on the plain-loop kernels\n"
	       "  --precision P          bf16 or f16: Conv, MatMul, Gemm with rounded operands,\n"
	       "                         f32 sums (f32, the default, keeps the model's types)\n"
	       "  --placement P          benefit (default: where the cost model finds it faster),\n"
	       "                         device (every node the device runs) or cpu\n"
	       "  --submit S             auto (default: a user queue when the device has one),\n"
	       "                         ioctl (the kernel context) or user-queue (required)\n"
	       "  -v, --verbose          progress on stderr even when it is not a terminal\n\n"
	       "Inputs without --input get seeded random values (floats in [-1, 1),\n"
	       "integers in [0, 8)). Their symbolic dims (dim_param, or unnamed) are, in\n"
	       "order: the size --shape or an --input file gave the same dim_param on\n"
	       "any input; 1 for a leading (batch) dim; else %d (the smallest size the\n"
	       "audio models silero_vad and melspectrogram accept, and a multiple of\n"
	       "32 for image models). Each input's line says where each dim came from.\n",
	       usage_text, DEFAULT_DIM);
	exit(0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double next_uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / (double)(1ull << 53);
}

static const char *dtype_str(int d)
{
	return d ? art_dtype_name(d) : "?";
}

/* "float[1,3,-1,-1]": inferred type and shape, -1 dynamic, "[?]" rank unknown. */
static void shape_str(const struct art_tensor *t, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "%s[", dtype_str(t->dtype));
	if (t->ndim < 0)
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "?");
	for (int d = 0; d < t->ndim && o < len; d++)
		o += (size_t)snprintf(buf + o, len - o, "%s%lld", d ? "," : "",
				      (long long)t->dims[d]);
	if (o < len)
		snprintf(buf + o, len - o, "]");
}

/* "sequence of 3 float tensors: [2,3] [2,3] [1,3]" (the first 8 shapes). */
static void seq_str(const struct art_sequence *q, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "sequence of %d %s tensor%s%s", q->count,
				    dtype_str(q->elem_dtype), q->count == 1 ? "" : "s",
				    q->count ? ":" : "");
	for (int k = 0; k < q->count && k < 8 && o < len; k++) {
		const struct art_tensor *t = &q->items[k];
		o += (size_t)snprintf(buf + o, len - o, " [");
		for (int d = 0; d < t->ndim && o < len; d++)
			o += (size_t)snprintf(buf + o, len - o, "%s%lld", d ? "," : "",
					      (long long)t->dims[d]);
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "]");
	}
	if (q->count > 8 && o < len)
		snprintf(buf + o, len - o, " ...");
}

struct work_sum {
	double flops[2], bytes[2], cpu_us, dev_us;
	int unknown;
};

/* S's work, its subgraphs' included: each subgraph's session as it last
 * ran, times its runs in S's last run (the branch not taken adds
 * nothing; a Loop body counts once per iteration). */
static void add_work(const art_session *s, double times, struct work_sum *w)
{
	for (int i = 0; i < art_session_node_count(s); i++) {
		const char *name, *op, *dev, *why;
		struct art_node_cost c;
		art_session_placement(s, i, &name, &op, &dev, &why);
		if (strstr(why, "constant") == why || strstr(why, "shape arithmetic") == why)
			continue;
		/* Control flow's work is its subgraphs', added below. */
		int ctl = !strcmp(op, "If") || !strcmp(op, "Loop") || !strcmp(op, "Scan");
		if (art_session_node_cost(s, i, &c) || !c.known) {
			w->unknown += !ctl;
			continue;
		}
		int on = !strcmp(dev, "device");
		w->flops[on] += times * c.flops;
		w->bytes[on] += times * c.bytes;
		if (on)
			w->dev_us += times * c.device_us;
		else
			w->cpu_us += times * c.cpu_us;
	}
	for (int k = 0; k < art_session_subgraph_count(s); k++) {
		const art_session *sub;
		uint64_t calls;
		art_session_subgraph(s, k, NULL, &calls, &sub, NULL);
		if (sub && calls)
			add_work(sub, times * (double)calls, w);
	}
}

/* The share of the work on the device, by FLOPs and bytes, with the cost
 * model's estimates of the nodes each side runs. */
static void print_work_share(art_session *s)
{
	struct work_sum w = {{0, 0}, {0, 0}, 0, 0, 0};
	add_work(s, 1, &w);
	double ft = w.flops[0] + w.flops[1], bt = w.bytes[0] + w.bytes[1];
	printf("work: %.0f%% of %.3g FLOPs and %.0f%% of %.3g bytes on the device; estimated "
	       "cpu %.1f us, device %.1f us (modeled, without submit)",
	       ft > 0 ? 100.0 * w.flops[1] / ft : 0.0, ft, bt > 0 ? 100.0 * w.bytes[1] / bt : 0.0,
	       bt, w.cpu_us, w.dev_us);
	if (w.unknown)
		printf("; %d node(s) of unknown size", w.unknown);
	if (art_session_subgraph_count(s) > 0)
		printf("; subgraphs counted as they ran");
	printf("\n");
	struct art_cost_model cm;
	if (!art_session_cost_model(s, &cm))
		printf("cost model: submit %.1f us per partition (%s), CPU %.2fx the time on the "
		       "host its rates were measured on (%s)\n",
		       cm.submit_us, cm.submit_measured ? "measured" : "documented", cm.cpu_scale,
		       cm.cpu_measured ? "measured" : "documented");
}

/* Each node as the session runs it: placement, fused activation, inferred
 * output type and shape (bound to the inputs of the last run), and why. */
static int first_reduced(art_session *s)
{
	int i = 0;
	while (i < art_session_node_count(s) && !art_session_node_precision(s, i, NULL))
		i++;
	return i;
}

/* S's nodes, then its subgraphs' (LABEL before each name: "If_25/then_branch/"). */
static int print_nodes(const art_session *s, const char *label)
{
	int reduced = 0;
	for (int i = 0; i < art_session_node_count(s); i++) {
		const char *name, *op, *dev, *why, *oname;
		const char *fused = art_session_node_fused(s, i);
		char opf[64], shape[128];
		struct art_tensor info;
		const char *note, *prec = art_session_node_precision(s, i, &note);
		art_session_placement(s, i, &name, &op, &dev, &why);
		snprintf(opf, sizeof(opf), "%s%s%s", op, fused ? "+" : "", fused ? fused : "");
		if (art_session_node_output_info(s, i, 0, &oname, &info))
			snprintf(shape, sizeof(shape), "-");
		else
			shape_str(&info, shape, sizeof(shape));
		char full[256];
		snprintf(full, sizeof(full), "%s%s", label, name);
		printf("node %4d %-32s %-24s %-20s %-6s %s%s%s%s\n", i, full, opf, shape, dev, why,
		       prec || note ? " [" : "",
		       prec   ? prec
		       : note ? note
			      : "",
		       prec || note ? "]" : "");
		reduced += prec != NULL;
	}
	for (int k = 0; k < art_session_subgraph_count(s); k++) {
		const char *sl, *why;
		const art_session *sub;
		uint64_t calls;
		char pre[256];
		art_session_subgraph(s, k, &sl, &calls, &sub, &why);
		snprintf(pre, sizeof(pre), "%s%s/", label, sl);
		printf("subgraph %s%s: ran %llu time(s) in the last run, %s%s\n", label, sl,
		       (unsigned long long)calls,
		       sub ? "its own session" : "on the CPU node by node: ", sub ? "" : why);
		if (sub)
			reduced += print_nodes(sub, pre);
	}
	return reduced;
}

static void print_coverage(art_session *s)
{
	int reduced = print_nodes(s, "");
	struct art_session_stats st;
	art_session_get_stats(s, &st);
	int placed = st.device_nodes + st.cpu_nodes;
	printf("coverage: %d of %d nodes on the device (%.0f%%), %d partition(s), %d on "
	       "the "
	       "CPU, %d folded at load; device %d\n",
	       st.device_nodes, placed, placed ? 100.0 * st.device_nodes / placed : 0.0,
	       st.partitions, st.cpu_nodes, st.folded_nodes, art_session_device(s));
	printf("graph: %d nodes loaded, %d after optimisation\n", st.loaded_nodes,
	       art_session_node_count(s));
	print_work_share(s);
	if (reduced)
		printf("precision: %d nodes in %s\n", reduced,
		       art_session_node_precision(s, first_reduced(s), NULL));
}

/* Seeded random words for string tensor T: one allocation holding the
 * pointers and the text, so art_tensor_free() frees it like any other. */
static int random_strings(struct art_tensor *t)
{
	static const char *const words[] = {"monday", "Tuesday",  "WEDNESDAY", "thursday",
					    "friday", "Saturday", "sunday",    "week"};
	const size_t nwords = sizeof(words) / sizeof(words[0]), longest = 10;
	int64_t n = art_tensor_elems(t);
	if ((uint64_t)n > SIZE_MAX / (sizeof(char *) + longest))
		return -ENOMEM;
	char **p = malloc((size_t)n * (sizeof(char *) + longest) + 1);
	if (!p)
		return -ENOMEM;
	char *text = (char *)(p + n);
	for (int64_t i = 0; i < n; i++) {
		const char *w = words[(size_t)(next_uniform() * nwords) % nwords];
		p[i] = strcpy(text, w);
		text += strlen(w) + 1;
	}
	t->data = p;
	return 0;
}

/* Seeded random data for T, whose dtype and shape are set. */
static int random_input(struct art_tensor *t)
{
	size_t es = art_dtype_size(t->dtype);
	if (!es)
		return -ENOTSUP;
	if (t->dtype == ART_STRING)
		return random_strings(t);
	int64_t n = art_tensor_elems(t);
	size_t nbytes = (size_t)n * es;
	uint8_t *d = malloc(nbytes ? nbytes : 1);
	if (!d)
		return -ENOMEM;
	for (int64_t i = 0; i < n; i++) {
		double u = next_uniform();
		switch (t->dtype) {
		case ART_FLOAT:
			((float *)d)[i] = (float)(2 * u - 1);
			break;
		case ART_DOUBLE:
			((double *)d)[i] = 2 * u - 1;
			break;
		case ART_INT64:
			((int64_t *)d)[i] = (int64_t)(u * 8);
			break;
		case ART_INT32:
		case ART_UINT32:
			((int32_t *)d)[i] = (int32_t)(u * 8);
			break;
		case ART_UINT64:
			((uint64_t *)d)[i] = (uint64_t)(u * 8);
			break;
		case ART_INT16:
		case ART_UINT16:
			((uint16_t *)d)[i] = (uint16_t)(u * 8);
			break;
		case ART_FLOAT16: /* +-[0.5, 1): exponent 14, a random fraction */
			((uint16_t *)d)[i] = (uint16_t)((u < 0.5 ? 0x8000 : 0) | 0x3800 |
							((int)(u * 2048) & 0x3ff));
			break;
		case ART_BFLOAT16: { /* the top half of a float's bits */
			float f = (float)(2 * u - 1);
			uint32_t b;
			memcpy(&b, &f, sizeof(b));
			((uint16_t *)d)[i] = (uint16_t)(b >> 16);
			break;
		}
		default:
			d[i] = (uint8_t)(u * 2);
			break;
		}
	}
	t->data = d;
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct args {
	const char *model, *outdir, *profile;
	struct input_args in;
	int bench, coverage, verbose;
	struct art_session_options opts;
};

static int parse_int_arg(const char *s, int min)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || v < min || v > INT_MAX)
		usage();
	return (int)v;
}

/* The names ONNX gives the types, and their short forms; nothing else,
 * so a typo is not run as f32. */
static int parse_precision(const char *s)
{
	if (!strcmp(s, "bf16") || !strcmp(s, "bfloat16"))
		return ART_BFLOAT16;
	if (!strcmp(s, "f16") || !strcmp(s, "float16"))
		return ART_FLOAT16;
	if (!strcmp(s, "f32") || !strcmp(s, "float32"))
		return 0;
	fprintf(stderr, "accel-run: --precision %s: expected bf16, f16 or f32\n", s);
	exit(2);
}

static void parse_args(int argc, char **argv, struct args *a)
{
	a->opts.device_index = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--input") && i + 1 < argc) {
			char *eq = strchr(argv[++i], '=');
			if (!eq || a->in.nin == MAX_INPUTS)
				usage();
			*eq = 0;
			a->in.in_names[a->in.nin] = argv[i];
			a->in.in_files[a->in.nin++] = eq + 1;
		} else if (!strcmp(argv[i], "--shape") && i + 1 < argc) {
			char err[256];
			if (a->in.nshapes == MAX_INPUTS)
				usage();
			if (shape_arg_parse(argv[++i], &a->in.shapes[a->in.nshapes++], err,
					    sizeof(err))) {
				fprintf(stderr, "accel-run: %s\n", err);
				exit(2);
			}
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			a->verbose = 1;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			help();
		} else if (!strcmp(argv[i], "--output-dir") && i + 1 < argc) {
			a->outdir = argv[++i];
		} else if (!strcmp(argv[i], "--bench") && i + 1 < argc) {
			a->bench = atoi(argv[++i]);
			if (a->bench <= 0)
				usage();
		} else if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
			a->profile = argv[++i];
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			a->opts.device_index = parse_int_arg(argv[++i], 0);
		} else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
			a->opts.threads = parse_int_arg(argv[++i], 1);
		} else if (!strcmp(argv[i], "--precision") && i + 1 < argc) {
			a->opts.precision = parse_precision(argv[++i]);
		} else if (!strcmp(argv[i], "--reference")) {
			a->opts.flags |= ART_CPU_REFERENCE;
		} else if (!strcmp(argv[i], "--cpu")) {
			a->opts.flags |= ART_CPU_ONLY;
		} else if (!strcmp(argv[i], "--no-fallback")) {
			a->opts.flags |= ART_NO_FALLBACK;
		} else if (!strcmp(argv[i], "--no-opt")) {
			a->opts.flags |= ART_NO_OPT;
		} else if (!strcmp(argv[i], "--placement") && i + 1 < argc) {
			const char *p = argv[++i];
			a->opts.placement = !strcmp(p, "benefit")  ? ART_PLACEMENT_BENEFIT
					    : !strcmp(p, "device") ? ART_PLACEMENT_DEVICE
					    : !strcmp(p, "cpu")	   ? ART_PLACEMENT_CPU
								   : -1;
			if (a->opts.placement < 0) {
				fprintf(stderr,
					"accel-run: --placement '%s': expected benefit, "
					"device or cpu\n",
					p);
				exit(2);
			}
		} else if (!strcmp(argv[i], "--submit") && i + 1 < argc) {
			const char *p = argv[++i];
			a->opts.submit = !strcmp(p, "auto")	    ? ART_SUBMIT_AUTO
					 : !strcmp(p, "ioctl")	    ? ART_SUBMIT_IOCTL
					 : !strcmp(p, "user-queue") ? ART_SUBMIT_USER_QUEUE
								    : -1;
			if (a->opts.submit < 0) {
				fprintf(stderr,
					"accel-run: --submit '%s': expected auto, ioctl or "
					"user-queue\n",
					p);
				exit(2);
			}
		} else if (!strcmp(argv[i], "--coverage")) {
			a->coverage = 1;
		} else if (argv[i][0] == '-' || a->model) {
			usage();
		} else {
			a->model = argv[i];
		}
	}
	if (!a->model)
		usage();
}

/* Each input: random data where planned, a line saying its shape and
 * where it came from, then into the session. */
static int set_inputs(art_session *s, const struct args *a)
{
	int n = art_session_input_count(s), rc;
	struct input_plan *plan = calloc((size_t)n + 1, sizeof(*plan));
	char err[1024];

	if (!plan) {
		fprintf(stderr, "accel-run: out of memory\n");
		return 1;
	}
	rc = input_plan_make(s, &a->in, plan, err, sizeof(err));
	if (rc)
		fprintf(stderr, "accel-run: %s\n", err);
	for (int i = 0; i < n && !rc; i++) {
		struct input_plan *ip = &plan[i];
		char shape[256];
		if (ip->is_seq) {
			seq_str(&ip->seq, shape, sizeof(shape));
			printf("input %s: %s %s\n", ip->name, shape, ip->how);
			rc = art_session_set_input_sequence(s, i, &ip->seq);
			if (rc)
				fprintf(stderr, "accel-run: %s\n", art_session_errmsg(s));
			continue;
		}
		rc = ip->file ? 0 : random_input(&ip->t);
		if (rc) {
			fprintf(stderr, "accel-run: input '%s': %s %s\n", ip->name,
				rc == -ENOMEM ? "out of memory for random data of type"
					      : "cannot make random data of type",
				art_dtype_name(ip->t.dtype));
			break;
		}
		shape_str(&ip->t, shape, sizeof(shape));
		printf("input %s: %s %s\n", ip->name, shape, ip->how);
		rc = art_session_set_input(s, i, &ip->t);
		if (rc)
			fprintf(stderr, "accel-run: %s\n", art_session_errmsg(s));
	}
	input_plan_free(plan, n);
	free(plan);
	return rc;
}

/* One run, or --bench N runs with their median, p90 and minimum. */
static int run_model(art_session *s, int bench)
{
	int runs = bench ? bench : 1, rc = 0;
	double *times = calloc((size_t)runs, sizeof(double));

	if (!times) {
		fprintf(stderr, "accel-run: out of memory\n");
		return 1;
	}
	for (int r = 0; r < runs && !rc; r++) {
		double t0 = now_ms();
		rc = art_session_run(s);
		times[r] = now_ms() - t0;
		if (rc)
			fprintf(stderr, "accel-run: %s\n", art_session_errmsg(s));
		else if (bench >= 10 && (r + 1) % (bench / 10) == 0)
			fprintf(stderr, "\rbench: %d/%d runs", r + 1, bench);
	}
	if (!rc && bench) {
		qsort(times, (size_t)runs, sizeof(double), cmp_double);
		fprintf(stderr, "%s", bench >= 10 ? "\n" : "");
		printf("bench: %d runs, median %.3f ms, p90 %.3f ms, min %.3f ms\n", runs,
		       times[runs / 2], times[(runs * 9) / 10 < runs ? (runs * 9) / 10 : runs - 1],
		       times[0]);
	}
	free(times);
	return rc;
}

static void print_stats(art_session *s)
{
	struct art_session_stats st;

	art_session_get_stats(s, &st);
	printf("stats: runs %llu device_submits %llu compiles %llu partitions %d submit %s\n",
	       (unsigned long long)st.runs, (unsigned long long)st.device_submits,
	       (unsigned long long)st.compiles, st.partitions,
	       st.user_queue ? "user-queue" : "ioctl");
}

/* T's .npy as OUTDIR/NAME.npy (a '/' in NAME becomes '_'); string
 * tensors are named on stderr and skipped (.npy here holds numbers). */
static int save_npy(const char *outdir, const char *name, const struct art_tensor *t)
{
	char path[4096], safe[256];
	int rc;

	snprintf(safe, sizeof(safe), "%s", name);
	for (char *p = safe; *p; p++)
		if (*p == '/')
			*p = '_';
	mkdir(outdir, 0777);
	snprintf(path, sizeof(path), "%s/%s.npy", outdir, safe);
	if (t->dtype == ART_STRING) {
		fprintf(stderr,
			"accel-run: %s not written: a string tensor has no .npy form here\n", path);
		return 0;
	}
	rc = art_tensor_save_npy(path, t);
	if (rc)
		fprintf(stderr, "accel-run: cannot write %s: %s\n", path, strerror(-rc));
	return rc;
}

/* A string tensor's first elements, quoted, after its shape. */
static void print_strings(const struct art_tensor *t)
{
	int64_t n = art_tensor_elems(t);
	printf(" [");
	for (int64_t k = 0; k < n && k < 8; k++)
		printf("%s\"%.40s\"", k ? ", " : "", ((const char *const *)t->data)[k]);
	printf("%s]", n > 8 ? ", ..." : "");
}

/* Sequence output I: its items' shapes on stdout, item K as NAME.K.npy. */
static int write_sequence(art_session *s, int i, const char *name, const char *outdir)
{
	struct art_sequence q;
	char line[512], item[300];
	int rc = 0;

	if (art_session_get_output_sequence(s, i, &q)) {
		fprintf(stderr, "accel-run: sequence output %s was not produced\n", name);
		return -EINVAL;
	}
	seq_str(&q, line, sizeof(line));
	printf("output %s: %s\n", name, line);
	for (int k = 0; outdir && k < q.count && !rc; k++) {
		snprintf(item, sizeof(item), "%s.%d", name, k);
		rc = save_npy(outdir, item, &q.items[k]);
	}
	return rc;
}

/* Output I's shape on stdout, and its .npy in OUTDIR. */
static int write_output(art_session *s, int i, const char *outdir)
{
	const char *name;
	struct art_tensor info, t;

	art_session_output_info(s, i, &name, &info);
	if (art_session_output_kind(s, i) == ART_KIND_SEQUENCE)
		return write_sequence(s, i, name, outdir);
	if (art_session_get_output(s, i, &t)) {
		fprintf(stderr, "accel-run: output %s was not produced\n", name);
		return -EINVAL;
	}
	printf("output %s: type %s shape [", name, art_dtype_name(t.dtype));
	for (int d = 0; d < t.ndim; d++)
		printf("%s%lld", d ? ", " : "", (long long)t.dims[d]);
	printf("]");
	if (t.dtype == ART_STRING)
		print_strings(&t);
	printf("\n");
	return outdir ? save_npy(outdir, name, &t) : 0;
}

/* The session, with progress on stderr where a person waits for it
 * (about a second in the guest): a terminal, or -v. Never on stdout. */
static int create_session(const struct args *a, art_session **s)
{
	int show = a->verbose || isatty(STDERR_FILENO);
	struct stat st;
	double t0 = now_ms();

	if (show && !stat(a->model, &st))
		fprintf(stderr, "accel-run: loading %s (%.1f MB) and placing its nodes... ",
			a->model, st.st_size / 1e6);
	else if (show)
		fprintf(stderr, "accel-run: loading %s... ", a->model);
	int rc = art_session_create_opts(a->model, &a->opts, s);
	if (show && rc) {
		fprintf(stderr, "failed\n");
	} else if (show) {
		struct art_session_stats ss;
		art_session_get_stats(*s, &ss);
		fprintf(stderr, "done in %.2f s (%d nodes: %d on the device, %d on the CPU)\n",
			(now_ms() - t0) / 1e3, art_session_node_count(*s), ss.device_nodes,
			ss.cpu_nodes);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	art_session *s;
	int rc;

	omp_passive_wait(argv);

	parse_args(argc, argv, &a);
	rc = create_session(&a, &s);
	if (rc) {
		fprintf(stderr, "accel-run: %s\n", art_session_errmsg(s));
		art_session_destroy(s);
		return 1;
	}
	rc = set_inputs(s, &a);
	if (!rc && a.profile && art_session_set_profiling(s, 1)) {
		fprintf(stderr, "accel-run: %s\n", art_session_errmsg(s));
		rc = 1;
	}
	if (!rc)
		rc = run_model(s, a.bench);
	if (!rc && a.profile) {
		rc = art_session_write_profile(s, a.profile);
		if (rc)
			fprintf(stderr, "accel-run: %s\n", art_session_errmsg(s));
	}
	if (a.coverage)
		print_coverage(s);
	if (!rc && getenv("ART_STATS"))
		print_stats(s);
	for (int i = 0; i < art_session_output_count(s) && !rc; i++)
		rc = write_output(s, i, a.outdir);
	art_session_destroy(s);
	return rc ? 1 : 0;
}
