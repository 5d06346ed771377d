// SPDX-License-Identifier: MIT
/* Session: loads the ONNX model with protobuf-c, builds the value table and
 * the node list, checks each node against the kernel table, and runs. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/cost.h"
#include "device/device.h"
#include <ares/tensor.h>

#include "cpu/dnnl.h"
#include "cpu/kernels.h"
#include "cpu/precision.h"
#include "graph/graph.h"
#include "core/internal.h"
#include "core/precision.h"
#include "core/profile.h"
#include "subgraph.h"

const char *art_session_errmsg(const art_session *s)
{
	return s ? s->err : "no session (out of memory)";
}

/*
 * proto2 leaves unset strings NULL: every name the loader and the passes
 * compare must be present, in the graph and in every subgraph.
 */
static int check_names(struct art_session *s, const Onnx__GraphProto *g, const char *path)
{
	for (size_t i = 0; i < g->n_initializer; i++)
		if (!g->initializer[i]->name)
			return rt_err(s, -EINVAL, "%s: initializer %zu has no name", path, i);
	for (size_t i = 0; i < g->n_input; i++)
		if (!g->input[i]->name)
			return rt_err(s, -EINVAL, "%s: graph input %zu has no name", path, i);
	for (size_t i = 0; i < g->n_output; i++)
		if (!g->output[i]->name)
			return rt_err(s, -EINVAL, "%s: graph output %zu has no name", path, i);
	for (size_t i = 0; i < g->n_value_info; i++)
		if (!g->value_info[i]->name)
			return rt_err(s, -EINVAL, "%s: value_info %zu has no name", path, i);
	for (size_t i = 0; i < g->n_node; i++) {
		const Onnx__NodeProto *np = g->node[i];
		if (!np->op_type || !np->op_type[0])
			return rt_err(s, -EINVAL, "%s: node %zu has no op_type", path, i);
		for (size_t k = 0; k < np->n_attribute; k++) {
			const Onnx__AttributeProto *a = np->attribute[k];
			int rc;
			if (!a->name)
				return rt_err(s, -EINVAL,
					      "%s: node %zu (%s): attribute %zu has no name", path,
					      i, np->op_type, k);
			for (size_t m = 0; m < k; m++)
				if (!strcmp(np->attribute[m]->name, a->name))
					return rt_err(
						s, -EINVAL,
						"%s: node %zu (%s): attribute '%s' given twice",
						path, i, np->op_type, a->name);
			if (a->g && (rc = check_names(s, a->g, path)))
				return rc;
			for (size_t m = 0; m < a->n_graphs; m++)
				if ((rc = check_names(s, a->graphs[m], path)))
					return rc;
		}
	}
	return 0;
}

static int read_model(struct art_session *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return rt_err(s, -errno, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	rewind(f);
	uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	size_t got = fread(buf, 1, (size_t)len, f);
	fclose(f);
	if (got != (size_t)len) {
		free(buf);
		return rt_err(s, -EIO, "%s: short read", path);
	}
	s->model = onnx__model_proto__unpack(NULL, (size_t)len, buf);
	free(buf);
	if (!s->model)
		return rt_err(s, -EINVAL,
			      "%s: not a valid ONNX ModelProto (malformed or truncated protobuf, "
			      "%ld bytes)",
			      path, len);
	if (!s->model->graph)
		return rt_err(s, -EINVAL, "%s: model has no graph", path);
	return check_names(s, s->model->graph, path);
}

static int check_opset(struct art_session *s, const char *path)
{
	s->opset = -1;
	for (size_t i = 0; i < s->model->n_opset_import; i++) {
		const Onnx__OperatorSetIdProto *o = s->model->opset_import[i];
		if (!o->domain || !o->domain[0] || !strcmp(o->domain, "ai.onnx"))
			s->opset = o->version;
	}
	if (s->opset < 1 || s->opset > 21)
		return rt_err(s, -ENOTSUP,
			      "%s: default-domain opset %lld is not supported (1 to 21)", path,
			      (long long)s->opset);
	return rt_opset_upgrade(s);
}

static int build_node(struct art_session *s, const Onnx__NodeProto *np, struct rt_node *n, size_t i,
		      const char *base_dir, int in_subgraph);

static int build_graph(struct art_session *s, const char *base_dir)
{
	const Onnx__GraphProto *g = s->model->graph;
	int rc;
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *tp = g->initializer[i];
		int v = rt_value_get(s, tp->name ? tp->name : "");
		if (v < 0)
			return v;
		if (s->vals[v].defined)
			return rt_err(s, -EINVAL, "initializer '%s' is defined twice", tp->name);
		rc = rt_tensor_from_proto(tp, base_dir, &s->vals[v].t, &s->vals[v].buf, s->err,
					  sizeof(s->err));
		if (rc)
			return rc;
		s->vals[v].is_const = 1;
		s->vals[v].defined = 1;
	}
	s->inputs = calloc(g->n_input + 1, sizeof(int));
	s->outputs = calloc(g->n_output + 1, sizeof(int));
	s->nodes = calloc(g->n_node + 1, sizeof(*s->nodes));
	if (!s->inputs || !s->outputs || !s->nodes)
		return -ENOMEM;
	for (size_t i = 0; i < g->n_input; i++) {
		int v = rt_value_get(s, g->input[i]->name);
		if (v < 0)
			return v;
		if (!rt_declared_kind(g->input[i], NULL))
			return rt_err(s, -ENOTSUP,
				      "graph input '%s': only tensor and sequence-of-tensor inputs "
				      "are supported (not maps, optionals or nested sequences)",
				      g->input[i]->name);
		if (!s->vals[v].is_const)
			s->inputs[s->ninputs++] = v;
		s->vals[v].defined = 1;
	}
	for (size_t i = 0; i < g->n_output; i++) {
		int v = rt_value_get(s, g->output[i]->name);
		if (v < 0)
			return v;
		s->outputs[s->noutputs++] = v;
	}
	for (size_t i = 0; i < g->n_node; i++) {
		rc = build_node(s, g->node[i], &s->nodes[s->nnodes++], i, base_dir, 0);
		if (rc)
			return rc;
	}
	return 0;
}

/* Builds subgraph G of node OWNER into *OUT; its values join the session's
 * table. Values it reads from outer scopes are appended to OWNER's in[]. */
static int build_subgraph(struct art_session *s, struct rt_node *owner, const Onnx__GraphProto *g,
			  const char *base_dir, struct rt_graph **out)
{
	struct rt_graph *sg = calloc(1, sizeof(*sg));
	*out = sg;
	if (!sg)
		return -ENOMEM;
	sg->inputs = calloc(g->n_input + 1, sizeof(int));
	sg->outputs = calloc(g->n_output + 1, sizeof(int));
	sg->nodes = calloc(g->n_node + 1, sizeof(*sg->nodes));
	if (!sg->inputs || !sg->outputs || !sg->nodes)
		return -ENOMEM;
	int first = s->nvals, rc;
	for (size_t i = 0; i < g->n_initializer; i++) {
		const Onnx__TensorProto *tp = g->initializer[i];
		int v = rt_value_get(s, tp->name ? tp->name : "");
		if (v < 0)
			return v;
		if (s->vals[v].defined)
			return rt_err(s, -EINVAL, "initializer '%s' is defined twice", tp->name);
		rc = rt_tensor_from_proto(tp, base_dir, &s->vals[v].t, &s->vals[v].buf, s->err,
					  sizeof(s->err));
		if (rc)
			return rc;
		s->vals[v].is_const = 1;
		s->vals[v].defined = 1;
	}
	for (size_t i = 0; i < g->n_input; i++) {
		int v = rt_value_get(s, g->input[i]->name);
		if (v < 0)
			return v;
		sg->inputs[sg->ninputs++] = v;
		s->vals[v].defined = 1;
	}
	for (size_t i = 0; i < g->n_node; i++) {
		rc = build_node(s, g->node[i], &sg->nodes[sg->nnodes++], i, base_dir, 1);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < g->n_output; i++) {
		int v = rt_value_find(s, g->output[i]->name);
		if (v < 0)
			return rt_err(s, -EINVAL,
				      "node '%s': subgraph output '%s' is never produced",
				      owner->name, g->output[i]->name);
		sg->outputs[sg->noutputs++] = v;
	}
	/* Values created for this subgraph (index >= FIRST) are its own; any
	 * other it reads comes from an outer scope. */
	int extra = 0, *in;
	for (int k = 0; k < sg->nnodes; k++)
		extra += sg->nodes[k].nin;
	in = realloc(owner->in, (size_t)(owner->nin + extra + sg->noutputs + 1) * sizeof(int));
	if (!in)
		return -ENOMEM;
	owner->in = in;
	for (int k = 0; k <= sg->nnodes; k++) {
		const int *refs = k < sg->nnodes ? sg->nodes[k].in : sg->outputs;
		int nref = k < sg->nnodes ? sg->nodes[k].nin : sg->noutputs;
		for (int j = 0; j < nref; j++) {
			int v = refs[j], dup = 0;
			if (v < 0 || v >= first)
				continue;
			for (int m = (int)owner->proto->n_input; m < owner->nin; m++)
				dup |= owner->in[m] == v;
			if (!dup)
				owner->in[owner->nin++] = v;
		}
	}
	return 0;
}

static int build_node(struct art_session *s, const Onnx__NodeProto *np, struct rt_node *n, size_t i,
		      const char *base_dir, int in_subgraph)
{
	n->proto = np;
	n->name = np->name && np->name[0] ? np->name : (np->n_output ? np->output[0] : "?");
	if (np->domain && np->domain[0] && strcmp(np->domain, "ai.onnx"))
		return rt_err(s, -ENOTSUP, "node %zu '%s': op %s of domain '%s' is not supported",
			      i, n->name, np->op_type, np->domain);
	n->fn = rt_kernel_lookup(np->op_type);
	/* An op without a CPU kernel may still run on the device; that is
	 * settled once placement is known (check_runnable()). */
	if (!n->fn && (in_subgraph || !dev_op_lookup(np->op_type)))
		return rt_err(s, -ENOTSUP, "node %zu '%s': unknown or unsupported op %s", i,
			      n->name, np->op_type);
	/* Training-mode Dropout draws random masks: no reference to match. */
	if (!strcmp(np->op_type, "Dropout") && np->n_input >= 3 && np->input[2][0])
		return rt_err(s, -ENOTSUP,
			      "node %zu '%s': Dropout with a training_mode input is not "
			      "supported",
			      i, n->name);
	n->in = calloc(np->n_input + 1, sizeof(int));
	n->out = calloc(np->n_output + 1, sizeof(int));
	if (!n->in || !n->out || rt_cpu_memo_new(n))
		return -ENOMEM;
	for (size_t j = 0; j < np->n_input; j++) {
		n->in[j] = -1;
		if (np->input[j][0]) {
			n->in[j] = rt_value_find(s, np->input[j]);
			if (n->in[j] < 0)
				return rt_err(s, -EINVAL,
					      "node %zu '%s': input '%s' is produced by no "
					      "earlier node",
					      i, n->name, np->input[j]);
		}
	}
	n->nin = (int)np->n_input;
	for (size_t j = 0; j < np->n_output; j++) {
		n->out[j] = -1;
		if (np->output[j][0]) {
			n->out[j] = rt_value_get(s, np->output[j]);
			if (n->out[j] < 0)
				return n->out[j];
			/* Single assignment: a kernel's output must never be its input. */
			if (s->vals[n->out[j]].defined)
				return rt_err(s, -EINVAL,
					      "node %zu '%s': output '%s' is already defined by an "
					      "initializer, a graph input or an earlier node",
					      i, n->name, np->output[j]);
			s->vals[n->out[j]].defined = 1;
		}
	}
	n->nout = (int)np->n_output;
	/* Kernels write their first output; only the recurrent ops' is optional. */
	if ((!np->n_output || !np->output[0][0]) && strcmp(np->op_type, "LSTM") &&
	    strcmp(np->op_type, "GRU") && strcmp(np->op_type, "RNN"))
		return rt_err(s, -EINVAL, "node %zu '%s': %s needs its first output", i, n->name,
			      np->op_type);
	n->partition = -1;
	n->placement_reason = "no Ares device present";
	/* If's branches and Loop's body. */
	for (size_t k = 0; k < np->n_attribute; k++) {
		const Onnx__AttributeProto *a = np->attribute[k];
		int slot = !strcmp(a->name, "then_branch") || !strcmp(a->name, "body") ? 0
			   : !strcmp(a->name, "else_branch")			       ? 1
										       : -1;
		if (slot < 0 || !a->g)
			continue;
		int rc = build_subgraph(s, n, a->g, base_dir, &n->sub[slot]);
		if (rc)
			return rc;
	}
	/* Last, so checks can look at the subgraphs too. */
	return rt_kernel_check_attrs(s, n);
}

static int node_folded(const struct art_session *s, const struct rt_node *n)
{
	if (n->on_device || n->nout == 0)
		return 0;
	for (int j = 0; j < n->nout; j++)
		if (n->out[j] >= 0 && !(s->vals[n->out[j]].is_const && s->vals[n->out[j]].t.data))
			return 0;
	return 1;
}

/* Every node left on the CPU needs a kernel there. */
static int check_runnable(struct art_session *s)
{
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		if (n->on_device || node_folded(s, n))
			continue;
		if (n->fn) {
			int rc = rt_kernel_check_dtypes(s, n, 1);
			if (rc)
				return rc;
			continue;
		}
		return rt_err(s, -ENOTSUP,
			      "node %d '%s': unknown or unsupported op %s (no CPU kernel; not on "
			      "the device: %s)",
			      i, n->name, n->proto->op_type,
			      (s->flags & ART_CPU_ONLY) ? "--cpu requested" : n->placement_reason);
	}
	return 0;
}

static int check_no_fallback(struct art_session *s)
{
	int bad = 0;
	for (int i = 0; i < s->nnodes; i++)
		bad += !s->nodes[i].on_device && !s->nodes[i].plan_time &&
		       !node_folded(s, &s->nodes[i]);
	if (!bad)
		return 0;
	size_t o = (size_t)snprintf(s->err, sizeof(s->err),
				    "--no-fallback: %d node(s) not placed on the device:", bad);
	for (int i = 0; i < s->nnodes && o < sizeof(s->err); i++) {
		const struct rt_node *n = &s->nodes[i];
		if (n->on_device || n->plan_time || node_folded(s, n))
			continue;
		o += (size_t)snprintf(
			s->err + o, sizeof(s->err) - o, " %s(%s: %s)", n->name, n->proto->op_type,
			(s->flags & ART_CPU_ONLY) ? "--cpu requested" : n->placement_reason);
	}
	return -ENOTSUP;
}

/* The placement option, else ART_PLACEMENT, else benefit; forcing the
 * device is what ART_NO_FALLBACK checks, so it implies it. */
static int resolve_placement(struct art_session *s, int placement)
{
	static const char *const names[] = {"", "benefit", "device", "cpu"};
	if (placement < ART_PLACEMENT_DEFAULT || placement > ART_PLACEMENT_CPU)
		return rt_err(s, -EINVAL,
			      "options: placement %d is not ART_PLACEMENT_BENEFIT (1), _DEVICE "
			      "(2) or _CPU (3)",
			      placement);
	const char *env = getenv("ART_PLACEMENT");
	if (!placement && env && *env) {
		for (int i = ART_PLACEMENT_BENEFIT; i <= ART_PLACEMENT_CPU; i++)
			if (!strcmp(env, names[i]))
				placement = i;
		if (!placement)
			return rt_err(s, -EINVAL,
				      "ART_PLACEMENT='%s': expected benefit, device or cpu", env);
	}
	if (!placement)
		placement = ART_PLACEMENT_BENEFIT;
	if (placement == ART_PLACEMENT_CPU)
		s->flags |= ART_CPU_ONLY;
	if (s->flags & ART_NO_FALLBACK)
		placement = ART_PLACEMENT_DEVICE;
	s->placement = placement;
	return 0;
}

/* The submit option, else ART_SUBMIT, else auto. */
static int resolve_submit(struct art_session *s, int submit)
{
	static const char *const names[] = {"", "auto", "ioctl", "user-queue"};
	if (submit < ART_SUBMIT_DEFAULT || submit > ART_SUBMIT_USER_QUEUE)
		return rt_err(s, -EINVAL,
			      "options: submit %d is not ART_SUBMIT_AUTO (1), _IOCTL (2) or "
			      "_USER_QUEUE (3)",
			      submit);
	const char *env = getenv("ART_SUBMIT");
	if (!submit && env && *env) {
		for (int i = ART_SUBMIT_AUTO; i <= ART_SUBMIT_USER_QUEUE; i++)
			if (!strcmp(env, names[i]))
				submit = i;
		if (!submit)
			return rt_err(s, -EINVAL,
				      "ART_SUBMIT='%s': expected auto, ioctl or user-queue", env);
	}
	s->submit = submit ? submit : ART_SUBMIT_AUTO;
	return 0;
}

/* A session of MODEL_PATH, or of MODEL (owned from here on; MODEL_PATH
 * then only names it in messages) whose external data lies in BASE_DIR. */
static int session_create(const char *model_path, Onnx__ModelProto *model, const char *base_dir,
			  struct art_session *parent, const struct art_session_options *opts,
			  art_session **out)
{
	struct art_session *s = calloc(1, sizeof(*s));
	*out = s;
	if (!s) {
		if (model)
			onnx__model_proto__free_unpacked(model, NULL);
		return -ENOMEM;
	}
	s->model = model;
	s->parent = parent;
	if (!opts)
		return rt_err(s, -EINVAL, "no options");
	s->opts = *opts;
	for (size_t i = 0; i < sizeof(opts->reserved) / sizeof(opts->reserved[0]); i++)
		if (opts->reserved[i])
			return rt_err(s, -EINVAL, "options: reserved[%zu] is not zero", i);
	const unsigned known = ART_CPU_ONLY | ART_NO_FALLBACK | ART_NO_OPT | ART_CPU_REFERENCE;
	if (opts->flags & ~known)
		return rt_err(s, -EINVAL, "options: unknown flags 0x%x", opts->flags & ~known);
	s->flags = opts->flags;
	if (opts->precision && opts->precision != ART_BFLOAT16 && opts->precision != ART_FLOAT16)
		return rt_err(
			s, -EINVAL,
			"options: precision %d is not 0, ART_BFLOAT16 (%d) or ART_FLOAT16 (%d)",
			opts->precision, ART_BFLOAT16, ART_FLOAT16);
	s->precision = opts->precision;
	int rc = resolve_placement(s, opts->placement);
	if (!rc)
		rc = resolve_submit(s, opts->submit);
	if (rc)
		return rc;
	/* An operator's cap on what one hostile or mistaken model may allocate. */
	s->max_tensor_bytes = RT_MAX_TENSOR_BYTES;
	const char *cap = getenv("ART_MAX_TENSOR_BYTES");
	if (cap && *cap) {
		char *end;
		unsigned long long v = strtoull(cap, &end, 0);
		if (*end || !v || v > RT_MAX_TENSOR_BYTES)
			return rt_err(s, -EINVAL,
				      "ART_MAX_TENSOR_BYTES='%s': expected 1 to %llu bytes", cap,
				      (unsigned long long)RT_MAX_TENSOR_BYTES);
		s->max_tensor_bytes = v;
	}
	rc = rt_cpu_open(s, opts);
	if (rc)
		return rc;
	rc = model ? check_names(s, model->graph, model_path) : read_model(s, model_path);
	if (rc)
		return rc;
	rc = check_opset(s, model_path);
	if (rc)
		return rc;
	char *dup = strdup(model_path);
	s->base_dir = base_dir ? strdup(base_dir) : dup ? strdup(dirname(dup)) : NULL;
	free(dup);
	if (!s->base_dir)
		return -ENOMEM;
	rc = build_graph(s, s->base_dir);
	if (rc == -ENOMEM)
		rt_err(s, rc, "out of memory loading %s", model_path);
	if (rc)
		return rc;
	rc = rt_graph_optimize(s);
	if (rc == -ENOMEM)
		rt_err(s, rc, "out of memory optimising %s", model_path);
	if (rc)
		return rc;
	rc = rt_precision_pick(s);
	if (rc)
		return rc;
	if (!(s->flags & ART_CPU_ONLY)) {
		rc = dev_open(s, opts->device_index);
		if (rc == -ENODEV && opts->device_index < 0 && !s->dev) {
			rc = 0;
		} else if (rc) {
			if (!s->err[0])
				rt_err(s, rc, "device: %s", strerror(-rc));
			return rc;
		}
	}
	if (!s->dev) {
		rc = rt_graph_optimize_host(s);
		if (rc == -ENOMEM)
			rt_err(s, rc, "out of memory optimising %s", model_path);
		if (rc)
			return rc;
	}
	rc = check_runnable(s);
	if (!rc && (s->flags & ART_NO_FALLBACK))
		rc = check_no_fallback(s);
	if (!rc && s->dev)
		s->run_subgraph = rt_subgraph_run;
	return rc;
}

int art_session_create_opts(const char *model_path, const struct art_session_options *opts,
			    art_session **out)
{
	return session_create(model_path, NULL, NULL, NULL, opts, out);
}

int rt_session_create_child(struct art_session *parent, const char *label, Onnx__ModelProto *model,
			    art_session **out)
{
	struct art_session_options o = parent->opts;
	/* A body's CPU nodes are the parent's to allow or refuse: the If or
	 * Loop node itself already stays on the CPU. */
	o.flags &= ~(unsigned)ART_NO_FALLBACK;
	o.placement = parent->placement;
	o.submit = parent->submit;
	return session_create(label, model, parent->base_dir, parent, &o, out);
}

int art_session_create(const char *model_path, unsigned flags, art_session **out)
{
	struct art_session_options o = {.flags = flags, .device_index = -1};
	return art_session_create_opts(model_path, &o, out);
}

int art_session_device(const art_session *s)
{
	return s->dev ? s->dev->index : -1;
}

int art_session_get_stats(const art_session *s, struct art_session_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->runs = s->runs;
	st->loaded_nodes = s->loaded_nodes;
	st->folded_nodes = s->graph_folded;
	if (s->dev) {
		st->device_submits = s->dev->submits;
		st->compiles = s->dev->compiles;
		st->partitions = s->dev->nparts;
		st->user_queue = !!s->dev->uq;
		for (int i = 0; i < s->dev->nparts; i++)
			st->fallback_partitions += !!s->dev->parts[i].cpu_fallback;
	}
	for (int i = 0; i < s->nnodes; i++) {
		if (s->nodes[i].on_device)
			st->device_nodes++;
		else if (node_folded(s, &s->nodes[i]) || s->nodes[i].plan_time)
			st->folded_nodes++;
		else
			st->cpu_nodes++;
	}
	return 0;
}

void art_session_destroy(art_session *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nvals; i++) {
		rt_value_clear(&s->vals[i]);
		free(s->vals[i].name);
	}
	rt_subgraph_free(s); /* before the values its sessions were made from */
	dev_close(s);
	rt_prof_free(s);
	for (int i = 0; i < s->nnodes; i++)
		rt_node_free(&s->nodes[i]);
	free(s->vals);
	free(s->nodes);
	free(s->inputs);
	free(s->outputs);
	free(s->taken);
	rt_graph_free(s);
	rt_cpu_close(s); /* after the nodes: their primitives use its engine */
	if (s->model)
		onnx__model_proto__free_unpacked(s->model, NULL);
	free(s->base_dir);
	free(s);
}

int art_session_input_count(const art_session *s)
{
	return s->ninputs;
}

int art_session_output_count(const art_session *s)
{
	return s->noutputs;
}

static const Onnx__ValueInfoProto *find_vi(Onnx__ValueInfoProto **vis, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(vis[i]->name, name))
			return vis[i];
	return NULL;
}

static const Onnx__ValueInfoProto *io_decl(const art_session *s, int input, int idx)
{
	const Onnx__GraphProto *g = s->model->graph;
	if (input)
		return idx >= 0 && idx < s->ninputs
			       ? find_vi(g->input, g->n_input, s->vals[s->inputs[idx]].name)
			       : NULL;
	return idx >= 0 && idx < s->noutputs
		       ? find_vi(g->output, g->n_output, s->vals[s->outputs[idx]].name)
		       : NULL;
}

int art_session_input_info(const art_session *s, int idx, const char **name,
			   struct art_tensor *info)
{
	if (idx < 0 || idx >= s->ninputs)
		return -EINVAL;
	*name = s->vals[s->inputs[idx]].name;
	rt_declared_info(find_vi(s->model->graph->input, s->model->graph->n_input, *name), info);
	rt_declared_kind(io_decl(s, 1, idx), info->dtype ? NULL : &info->dtype);
	return 0;
}

const char *art_session_input_dim_name(const art_session *s, int idx, int d)
{
	if (idx < 0 || idx >= s->ninputs)
		return NULL;
	const char *name = s->vals[s->inputs[idx]].name;
	return rt_dim_param(find_vi(s->model->graph->input, s->model->graph->n_input, name), d);
}

int art_session_output_info(const art_session *s, int idx, const char **name,
			    struct art_tensor *info)
{
	if (idx < 0 || idx >= s->noutputs)
		return -EINVAL;
	*name = s->vals[s->outputs[idx]].name;
	rt_declared_info(find_vi(s->model->graph->output, s->model->graph->n_output, *name), info);
	rt_declared_kind(io_decl(s, 0, idx), info->dtype ? NULL : &info->dtype);
	return 0;
}

int art_session_set_input(art_session *s, int idx, const struct art_tensor *t)
{
	size_t nbytes;
	int rc = rt_input_check(s, idx, t, &nbytes);
	if (rc)
		return rc;
	struct rt_value *v = &s->vals[s->inputs[idx]];
	struct art_tensor copy;
	char what[300];
	snprintf(what, sizeof(what), "input '%s'", v->name);
	rc = rt_tensor_dup_err(s, what, t, &copy);
	if (rc)
		return rc;
	rt_value_clear(v);
	v->t = copy;
	v->buf = (void *)copy.data;
	return 0;
}

int art_session_input_kind(const art_session *s, int idx)
{
	if (idx < 0 || idx >= s->ninputs)
		return -EINVAL;
	return rt_declared_kind(io_decl(s, 1, idx), NULL);
}

int art_session_output_kind(const art_session *s, int idx)
{
	if (idx < 0 || idx >= s->noutputs)
		return -EINVAL;
	const struct rt_value *v = &s->vals[s->outputs[idx]];
	/* What the last run made, else what the model declares. */
	if (v->seq)
		return ART_KIND_SEQUENCE;
	if (v->t.data)
		return ART_KIND_TENSOR;
	return rt_declared_kind(io_decl(s, 0, idx), NULL);
}

int art_session_set_input_sequence(art_session *s, int idx, const struct art_sequence *seq)
{
	if (idx < 0 || idx >= s->ninputs)
		return rt_err(s, -EINVAL, "input index %d out of range (%d inputs)", idx,
			      s->ninputs);
	struct rt_value *v = &s->vals[s->inputs[idx]];
	int elem;
	if (rt_declared_kind(io_decl(s, 1, idx), &elem) != ART_KIND_SEQUENCE)
		return rt_err(s, -EINVAL,
			      "input '%s' is not a sequence (set it with art_session_set_input())",
			      v->name);
	if (!seq || seq->count < 0 || (seq->count && !seq->items))
		return rt_err(s, -EINVAL, "input '%s': no sequence, or a negative count", v->name);
	/* An empty sequence in a file may leave its element type open. */
	int want = !seq->elem_dtype && !seq->count && elem ? elem : seq->elem_dtype;
	if (!art_dtype_size(want) || (elem && want != elem))
		return rt_err(s, -EINVAL, "input '%s': expected a sequence of %s, got %s", v->name,
			      art_dtype_name(elem ? elem : ART_FLOAT),
			      art_dtype_name(seq->elem_dtype));
	struct rt_seq *q = rt_seq_new(want);
	if (!q)
		return rt_err(s, -ENOMEM, "input '%s': out of memory", v->name);
	for (int i = 0; i < seq->count; i++) {
		const struct art_tensor *t = &seq->items[i];
		int64_t elems = art_tensor_elems(t), bad;
		const char *why = t->dtype != seq->elem_dtype ? "its element type differs"
				  : t->ndim < 0 || t->ndim > ART_MAX_DIMS || elems < 0 ? "bad shape"
				  : (uint64_t)elems > s->max_tensor_bytes / art_dtype_size(t->dtype)
					  ? "over the tensor size limit"
				  : elems && !t->data ? "no data"
						      : NULL;
		int rc = why ? -EINVAL : rt_seq_insert(q, i, t, &bad);
		if (rc) {
			rt_seq_free(q);
			return rt_err(s, rc, "input '%s': item %d (%s): %s", v->name, i,
				      art_dtype_name(t->dtype),
				      why	      ? why
				      : rc == -ENOMEM ? "out of memory"
						      : "a string element is NULL");
		}
	}
	rt_value_clear(v);
	memset(&v->t, 0, sizeof(v->t));
	v->seq = q;
	return 0;
}

int art_session_get_output_sequence(const art_session *s, int idx, struct art_sequence *seq)
{
	if (idx < 0 || idx >= s->noutputs || !s->vals[s->outputs[idx]].seq)
		return -EINVAL;
	const struct rt_seq *q = s->vals[s->outputs[idx]].seq;
	seq->elem_dtype = q->elem;
	seq->count = q->n;
	seq->items = q->items;
	return 0;
}

/* The inputs set so far give each dim_param one size. */
static int inputs_agree(struct art_session *s)
{
	const struct art_tensor **ts = calloc((size_t)s->ninputs + 1, sizeof(*ts));
	if (!ts)
		return rt_err(s, -ENOMEM, "out of memory checking input shapes");
	for (int i = 0; i < s->ninputs; i++)
		ts[i] = &s->vals[s->inputs[i]].t;
	int rc = rt_inputs_agree(s, ts);
	free(ts);
	return rc;
}

int art_session_run(art_session *s)
{
	for (int i = 0; i < s->ninputs; i++)
		if (!s->vals[s->inputs[i]].t.data && !s->vals[s->inputs[i]].seq)
			return rt_err(s, -EINVAL, "input '%s' was not set",
				      s->vals[s->inputs[i]].name);
	int rc = inputs_agree(s);
	if (!rc)
		rc = rt_graph_bind_inputs(s);
	if (rc)
		return rc;
	if (s->taken)
		memset(s->taken, 0, (size_t)s->noutputs);
	rt_subgraph_run_begin(s);
	rt_prof_begin(s);
	double t_run = rt_prof_now_us();
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		if (n->on_device && !s->dev->parts[n->partition].cpu_fallback) {
			rc = dev_run_partition(s, n->partition);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				i = s->dev->parts[n->partition].last;
				continue;
			}
		}
		if (node_folded(s, n))
			continue;
		for (int j = 0; j < n->nout; j++)
			if (n->out[j] >= 0 && !s->vals[n->out[j]].is_const)
				rt_value_clear(&s->vals[n->out[j]]);
		double t0 = rt_prof_now_us();
		rc = rt_kernel_check_dtypes(s, n, 0);
		if (rc)
			return rc;
		rc = n->reduced ? rt_cpu_run_reduced(s, &s->nodes[i]) : n->fn(s, n);
		if (rc)
			return rc;
		if (rt_prof_on(s)) {
			char name[96];
			snprintf(name, sizeof(name), "%s (%s, cpu%s%s)", n->name, n->proto->op_type,
				 n->reduced ? ", " : "",
				 n->reduced ? rt_precision_name(n->reduced) : "");
			rt_prof_add(s, name, n->proto->op_type, RT_PROF_HOST, t0,
				    rt_prof_now_us() - t0, 0, 0);
		}
	}
	rt_prof_add(s, "run", "run", RT_PROF_HOST, t_run, rt_prof_now_us() - t_run, 0, 0);
	s->runs++;
	return 0;
}

int art_session_get_output(const art_session *s, int idx, struct art_tensor *t)
{
	if (idx < 0 || idx >= s->noutputs)
		return -EINVAL;
	if (s->taken && s->taken[idx])
		return -ENOENT;
	if (!s->vals[s->outputs[idx]].t.data)
		return -EINVAL;
	*t = s->vals[s->outputs[idx]].t;
	return 0;
}

/* Output OIDX's storage may leave with a caller only when the next run
 * writes that value again and no other output names it. */
static int rewritten_by_each_run(const art_session *s, int oidx)
{
	int v = s->outputs[oidx];
	if (s->vals[v].is_const)
		return 0;
	for (int i = 0; i < s->noutputs; i++)
		if (i != oidx && s->outputs[i] == v)
			return 0;
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		for (int j = 0; j < n->nout; j++)
			if (n->out[j] == v)
				return !n->plan_time && !node_folded(s, n);
	}
	return 0; /* a graph input passed through */
}

int art_session_take_output(art_session *s, int idx, struct art_tensor *t)
{
	struct art_tensor cur;
	int rc = art_session_get_output(s, idx, &cur);
	if (rc)
		return rc;
	if (!s->taken) {
		s->taken = calloc((size_t)s->noutputs, 1);
		if (!s->taken)
			return rt_err(s, -ENOMEM, "out of memory handing over an output");
	}
	struct rt_value *v = &s->vals[s->outputs[idx]];
	if (rewritten_by_each_run(s, idx)) {
		*t = v->t;
		v->buf = NULL;
		v->t.data = NULL;
	} else {
		/* A deep copy: a string tensor's text comes with it. */
		rc = rt_tensor_dup_err(s, "output", &cur, t);
		if (rc)
			return rc;
	}
	s->taken[idx] = 1;
	return 0;
}

int art_session_node_count(const art_session *s)
{
	return s->nnodes;
}

int art_session_placement(const art_session *s, int idx, const char **name, const char **op,
			  const char **device, const char **reason)
{
	if (idx < 0 || idx >= s->nnodes)
		return -EINVAL;
	*name = s->nodes[idx].name;
	*op = s->nodes[idx].proto->op_type;
	*device = s->nodes[idx].on_device ? "device" : "cpu";
	*reason = (s->flags & ART_CPU_ONLY) ? "--cpu requested" : s->nodes[idx].placement_reason;
	if (s->nodes[idx].on_device && s->dev->parts[s->nodes[idx].partition].cpu_fallback) {
		*device = "cpu";
		*reason = s->dev->parts[s->nodes[idx].partition].cpu_fallback;
	}
	return 0;
}

int art_session_node_cost(const art_session *s, int idx, struct art_node_cost *c)
{
	if (idx < 0 || idx >= s->nnodes || !c)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	struct dev_work w;
	if (!dev_node_work(s, &s->nodes[idx], &w))
		return 0;
	c->known = 1;
	c->flops = w.engine == DE_TENSOR ? 2 * w.macs : w.vector_ops;
	c->bytes = w.bytes;
	const struct dev_cost_model *m = s->dev && s->dev->cost ? s->dev->cost : &dev_cost_default;
	c->cpu_us = dev_work_cpu_ns(m, &w) / 1e3;
	c->device_us = dev_work_device_ns(&w) / 1e3;
	return 0;
}

int art_session_cost_model(const art_session *s, struct art_cost_model *m)
{
	if (!m)
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	if (!s->dev || !s->dev->cost)
		return -ENODATA;
	m->submit_us = s->dev->cost->submit_ns / 1e3;
	m->cpu_scale = s->dev->cost->cpu_scale;
	m->submit_measured = !!(s->dev->cost->measured & DEV_COST_SUBMIT_MEASURED);
	m->cpu_measured = !!(s->dev->cost->measured & DEV_COST_CPU_MEASURED);
	return 0;
}

int art_session_node_output_info(const art_session *s, int idx, int j, const char **name,
				 struct art_tensor *info)
{
	if (idx < 0 || idx >= s->nnodes || j < 0 || j >= s->nodes[idx].nout)
		return -EINVAL;
	int v = s->nodes[idx].out[j];
	*name = v >= 0 ? s->vals[v].name : "";
	if (v >= 0) {
		*info = s->vals[v].info;
	} else {
		memset(info, 0, sizeof(*info));
		info->ndim = -1;
	}
	return 0;
}

const char *art_session_node_fused(const art_session *s, int idx)
{
	static const char *const acts[ARES_ACT_COUNT] = {"",	       "relu",	  "leaky_relu",
							 "clip",       "sigmoid", "hard_sigmoid",
							 "hard_swish", "tanh",	  "gelu"};
	static const char *const with_bias[ARES_ACT_COUNT] = {
		"bias",		"bias+relu",	     "bias+leaky_relu", "bias+clip",
		"bias+sigmoid", "bias+hard_sigmoid", "bias+hard_swish", "bias+tanh",
		"bias+gelu"};
	/* A Conv's scalar tail (Mul, Add, Max, Min by constants), CPU only. */
	static const char *const with_tail[ARES_ACT_COUNT] = {
		"scalars",	   "relu+scalars",	   "leaky_relu+scalars", "clip+scalars",
		"sigmoid+scalars", "hard_sigmoid+scalars", "hard_swish+scalars", "tanh+scalars",
		"gelu+scalars"};
	if (idx < 0 || idx >= s->nnodes)
		return NULL;
	const struct rt_node *n = &s->nodes[idx];
	int act = n->act >= 0 && n->act < ARES_ACT_COUNT ? n->act : 0;
	if (n->ntail)
		return with_tail[act];
	if (!strcmp(n->proto->op_type, "MatMul") && n->nin > 2 && n->in[2] >= 0)
		return with_bias[act];
	return act ? acts[act] : NULL;
}

/* ---- helpers for kernels ---- */

int art_session_set_profiling(art_session *s, int on)
{
	int rc = rt_prof_enable(s, on);
	if (rc)
		return rc;
	if (s->dev && s->dev->profile != !!on) {
		/* Streams carry PROFILE commands only when profiling: re-emit. */
		s->dev->profile = !!on;
		for (int i = 0; i < DEV_MAX_SLOTS; i++)
			if (s->dev->slots[i].cmd_gen)
				memset(s->dev->slots[i].cmd_gen, 0,
				       (size_t)s->dev->nparts * sizeof(uint64_t));
	}
	return 0;
}

const char *art_session_node_precision(const art_session *s, int idx, const char **note)
{
	if (idx < 0 || idx >= s->nnodes)
		return NULL;
	if (note)
		*note = s->nodes[idx].precision_note;
	return rt_precision_name(s->nodes[idx].reduced);
}
