// SPDX-License-Identifier: MIT
/*
 * Runs in flight: an art_run owns its input and output tensors and an
 * arena slot of its own (activation arena and command streams emitted
 * against it), so several runs of one session can be queued on the device
 * at once. A model that is one device partition submits without waiting;
 * any other (CPU nodes between partitions, or no device) runs to completion
 * inside art_run_submit() through the session's own path, and
 * art_run_wait() then returns at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/device.h"

static void tensor_clear(struct art_tensor *t)
{
	free((void *)t->data);
	t->data = NULL;
}

/* The whole graph is one device partition (folded nodes aside). */
static int async_capable(const struct art_session *s)
{
	/* Plans reading host shapes or values need the session's values. */
	if (!s->dev || s->dev->nparts != 1 || s->dev->parts[0].nskeys || s->dev->parts[0].nakeys)
		return 0;
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		if (n->on_device)
			continue;
		for (int j = 0; j < n->nout; j++)
			if (n->out[j] >= 0 && !dev_is_const(s, n->out[j]))
				return 0;
	}
	return 1;
}

int art_run_create(art_session *s, art_run **out)
{
	*out = NULL;
	/* A run's inputs and outputs are tensors (dma-buf bindings, device
	 * slots): a model with sequences runs through art_session_run(). */
	for (int io = 0; io < 2; io++)
		for (int i = 0; i < (io ? s->noutputs : s->ninputs); i++)
			if ((io ? art_session_output_kind(s, i) : art_session_input_kind(s, i)) !=
			    ART_KIND_TENSOR)
				return rt_err(s, -ENOTSUP,
					      "%s '%s' is a sequence: runs take tensors only (use "
					      "art_session_set_input_sequence() and "
					      "art_session_run())",
					      io ? "output" : "input",
					      s->vals[io ? s->outputs[i] : s->inputs[i]].name);
	struct art_run *r = calloc(1, sizeof(*r));
	if (!r)
		return rt_err(s, -ENOMEM, "out of memory for a run");
	r->s = s;
	r->slot = -1;
	r->in = calloc((size_t)s->ninputs + 1, sizeof(*r->in));
	r->out = calloc((size_t)s->noutputs + 1, sizeof(*r->out));
	r->taken = calloc((size_t)s->noutputs + 1, 1);
	r->bin = calloc((size_t)s->ninputs + 1, sizeof(*r->bin));
	r->bout = calloc((size_t)s->noutputs + 1, sizeof(*r->bout));
	for (int i = 0; r->bin && i < s->ninputs; i++)
		r->bin[i].imp = -1;
	for (int i = 0; r->bout && i < s->noutputs; i++)
		r->bout[i].imp = -1;
	if (!r->in || !r->out || !r->taken || !r->bin || !r->bout) {
		art_run_destroy(r);
		return rt_err(s, -ENOMEM, "out of memory for a run");
	}
	if (async_capable(s)) {
		struct rt_device *d = s->dev;
		/* Slot 0 belongs to art_session_run(). */
		for (int i = 1; i < DEV_MAX_SLOTS && r->slot < 0; i++)
			if (!d->slots[i].busy && !d->slots[i].owned)
				r->slot = i;
		if (r->slot < 0) {
			art_run_destroy(r);
			return rt_err(s, -EBUSY, "every one of the %d run slots is in use",
				      DEV_MAX_SLOTS - 1);
		}
		d->slots[r->slot].owned = 1;
		if (r->slot >= d->nslots)
			d->nslots = r->slot + 1;
	}
	*out = r;
	return 0;
}

void art_run_destroy(art_run *r)
{
	if (!r)
		return;
	if (r->state == RUN_SUBMITTED)
		art_run_wait(r, -1);
	if (r->bin && r->bout)
		art_run_unbind(r);
	if (r->slot >= 0)
		r->s->dev->slots[r->slot].owned = 0;
	for (int i = 0; r->in && i < r->s->ninputs; i++)
		tensor_clear(&r->in[i]);
	for (int i = 0; r->out && i < r->s->noutputs; i++)
		tensor_clear(&r->out[i]);
	free(r->in);
	free(r->out);
	free(r->taken);
	free(r->bin);
	free(r->bout);
	free(r);
}

int art_run_set_input(art_run *r, int idx, const struct art_tensor *t)
{
	struct art_session *s = r->s;
	if (r->state == RUN_SUBMITTED)
		return rt_err(s, -EBUSY, "run is in flight: wait for it before setting inputs");
	size_t nbytes;
	int rc = rt_input_check(s, idx, t, &nbytes);
	if (rc)
		return rc;
	struct art_tensor copy;
	char what[300];
	snprintf(what, sizeof(what), "input '%s'", s->vals[s->inputs[idx]].name);
	if ((rc = rt_tensor_dup_err(s, what, t, &copy)))
		return rc;
	dev_unbind_one(r, &r->bin[idx]);
	tensor_clear(&r->in[idx]);
	r->in[idx] = copy;
	return 0;
}

static int copy_tensor(struct art_session *s, struct art_tensor *dst, const struct art_tensor *src)
{
	struct art_tensor copy;
	int rc = rt_tensor_dup_err(s, "output", src, &copy);
	if (rc)
		return rc;
	tensor_clear(dst);
	*dst = copy;
	return 0;
}

/* No device path: the session runs it now. */
static int run_through_session(struct art_run *r)
{
	struct art_session *s = r->s;
	int rc = 0;
	for (int i = 0; i < s->ninputs && !rc; i++)
		rc = art_session_set_input(s, i, &r->in[i]);
	if (!rc)
		rc = art_session_run(s);
	for (int i = 0; i < s->noutputs && !rc; i++) {
		struct art_tensor t;
		rc = art_session_get_output(s, i, &t);
		if (rc)
			rc = rt_err(s, rc, "output %d was not produced", i);
		else
			rc = copy_tensor(s, &r->out[i], &t);
	}
	return rc;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int art_run_submit(art_run *r)
{
	struct art_session *s = r->s;
	if (r->state == RUN_SUBMITTED)
		return rt_err(s, -EBUSY, "run is already in flight");
	for (int i = 0; i < s->ninputs; i++)
		if (!r->in[i].data && r->bin[i].imp < 0)
			return rt_err(s, -EINVAL, "run: input '%s' was not set",
				      s->vals[s->inputs[i]].name);
	const struct art_tensor **ts = calloc((size_t)s->ninputs + 1, sizeof(*ts));
	if (!ts)
		return rt_err(s, -ENOMEM, "out of memory checking input shapes");
	for (int i = 0; i < s->ninputs; i++)
		ts[i] = &r->in[i];
	int agree = rt_inputs_agree(s, ts);
	free(ts);
	if (agree)
		return agree;
	r->t_submit_ms = now_ms();
	memset(r->taken, 0, (size_t)s->noutputs);
	if (r->slot < 0) {
		int rc = run_through_session(r);
		r->state = rc ? RUN_IDLE : RUN_DONE;
		return rc;
	}
	struct rt_device *d = s->dev;
	struct dev_partition *p = &d->parts[0];
	const struct art_tensor **ins = calloc((size_t)p->nins + 1, sizeof(*ins));
	if (!ins)
		return rt_err(s, -ENOMEM, "out of memory");
	for (int i = 0; i < p->nins; i++)
		for (int k = 0; k < s->ninputs; k++)
			if (s->inputs[k] == p->ins[i])
				ins[i] = &r->in[k];
	struct dev_slot *sl = &d->slots[r->slot];
	int changed = 0;
	int rc = dev_prepare(s, 0, sl, ins);
	if (rc == -ENOEXEC)
		rc = -EINVAL;
	if (!rc)
		rc = dev_bind_resolve(r, sl, &changed);
	if (!rc && changed)
		rc = dev_prepare(s, 0, sl, ins);
	if (!rc) {
		dev_copy_in(s, 0, sl, ins);
		rc = dev_submit(s, 0, sl, &r->job);
	}
	free(ins);
	if (rc)
		return rc;
	sl->busy = 1;
	r->state = RUN_SUBMITTED;
	return 0;
}

int art_run_wait(art_run *r, int64_t timeout_ns)
{
	struct art_session *s = r->s;
	if (r->state == RUN_DONE)
		return 0;
	if (r->state != RUN_SUBMITTED)
		return rt_err(s, -EINVAL, "run was not submitted");
	struct rt_device *d = s->dev;
	struct dev_slot *sl = &d->slots[r->slot];
	if (timeout_ns >= 0 && dev_job_ready(s, &r->job, timeout_ns) == -ETIME)
		return rt_err(s, -ETIME, "run still in flight after %lld ns",
			      (long long)timeout_ns);
	int rc = dev_wait(s, 0, &r->job);
	sl->busy = 0;
	r->state = RUN_IDLE;
	if (rc)
		return rc;
	struct dev_partition *p = &d->parts[0];
	for (int i = 0; i < s->noutputs; i++) {
		int v = s->outputs[i];
		if (r->bout[i].imp >= 0) {
			/* The device wrote it into the caller's buffer. */
			const struct dev_val *x = &p->dv[v];
			tensor_clear(&r->out[i]);
			r->out[i].dtype = x->dtype;
			r->out[i].ndim = x->ndim;
			memcpy(r->out[i].dims, x->dims, sizeof(x->dims));
			continue;
		}
		if (dev_is_const(s, v)) {
			rc = copy_tensor(s, &r->out[i], &s->vals[v].t);
		} else {
			const struct dev_val *x = &p->dv[v], *rt = &p->dv[x->root];
			struct art_tensor t = {.dtype = x->dtype, .ndim = x->ndim};
			memcpy(t.dims, x->dims, sizeof(t.dims));
			t.data = (const uint8_t *)(rt->loc == DL_WEIGHTS ? d->weights_map
									 : sl->arena_map) +
				 rt->off;
			rc = copy_tensor(s, &r->out[i], &t);
		}
		if (rc)
			return rc;
	}
	r->state = RUN_DONE;
	s->runs++;
	return 0;
}

int art_run_get_output(const art_run *r, int idx, struct art_tensor *t)
{
	if (r->state != RUN_DONE || idx < 0 || idx >= r->s->noutputs)
		return -EINVAL;
	if (r->taken[idx])
		return -ENOENT;
	*t = r->out[idx];
	return 0;
}

int art_run_take_output(art_run *r, int idx, struct art_tensor *t)
{
	int rc = art_run_get_output(r, idx, t);
	if (rc)
		return rc;
	if (!t->data)
		return rt_err(r->s, -EINVAL,
			      "output %d was written into its bound dma-buf: no host data to take",
			      idx);
	r->out[idx].data = NULL;
	r->taken[idx] = 1;
	return 0;
}

int art_run_is_async(const art_run *r)
{
	return r->slot >= 0;
}
