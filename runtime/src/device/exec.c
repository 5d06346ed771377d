// SPDX-License-Identifier: MIT
/*
 * Device execution: opening the device, folding constants, uploading the
 * weights once, and running a partition: its input copies into the
 * activation arena, one submit of its command stream (emitted once per
 * plan and arena, then resubmitted), one wait, and its output copies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/half.h"
#include "device/device.h"
#include "core/precision.h"
#include "core/profile.h"

/* Host phases of partition PIDX and its commands from SL's PROFILE records. */
static void prof_partition(struct art_session *s, int pidx, struct dev_slot *sl, double t_in,
			   double t_submit, double t_done, double t_out)
{
	struct rt_device *d = s->dev;
	struct dev_partition *p = &d->parts[pidx];
	char name[96];
	if (!rt_prof_on(s))
		return;
	snprintf(name, sizeof(name), "partition %d copy-in", pidx);
	rt_prof_add(s, name, "transfer", RT_PROF_HOST, t_in, t_submit - t_in, 0, 0);
	snprintf(name, sizeof(name), "partition %d on the device (%d commands)", pidx, p->ncmds);
	rt_prof_add(s, name, "device", RT_PROF_HOST, t_submit, t_done - t_submit, 0, 0);
	snprintf(name, sizeof(name), "partition %d copy-out", pidx);
	rt_prof_add(s, name, "transfer", RT_PROF_HOST, t_done, t_out - t_done, 0, 0);
	if (!sl->prof_map || !p->cmd_node)
		return;
	const struct ares_profile_record *rec = sl->prof_map;
	for (int k = 1; k <= p->ncmds; k++) {
		const struct rt_node *n = &s->nodes[p->cmd_node[k - 1]];
		int64_t meas = (int64_t)(rec[k].now_ns - rec[k - 1].now_ns);
		int64_t mod = (int64_t)(rec[k].modeled_ns - rec[k - 1].modeled_ns);
		snprintf(name, sizeof(name), "%s (%s%s%s)", n->name, dev_op_name(n),
			 n->reduced ? ", " : "", n->reduced ? rt_precision_name(n->reduced) : "");
		rt_prof_add(s, name, n->proto->op_type, RT_PROF_DEVICE,
			    t_submit + (double)(rec[k - 1].now_ns - rec[0].now_ns) / 1e3,
			    (double)meas / 1e3, meas, mod);
		rt_prof_add(s, name, n->proto->op_type, RT_PROF_MODEL,
			    t_submit + (double)rec[k - 1].modeled_ns / 1e3, (double)mod / 1e3, meas,
			    mod);
	}
}

#define WAIT_NS		(120ll * 1000 * 1000 * 1000)
/* Ring of the session's user queue: more than the runs one session keeps in flight. */
#define UQ_RING_ENTRIES 64

static uint64_t align64(uint64_t x)
{
	return (x + 63) & ~63ull;
}

static int all_inputs_const(const struct art_session *s, const struct rt_node *n)
{
	for (int j = 0; j < n->nin; j++)
		if (n->in[j] >= 0 && !dev_is_const(s, n->in[j]))
			return 0;
	return n->nout > 0;
}

/* Nodes whose inputs are all constant run once here, on the CPU; their
 * outputs become constants (weights in Constant nodes, shape arithmetic
 * on them), so they neither split partitions nor run per inference. */
static int fold_constants(struct art_session *s)
{
	for (int i = 0; i < s->nnodes; i++) {
		struct rt_node *n = &s->nodes[i];
		if (!n->fn || !all_inputs_const(s, n))
			continue;
		int rc = n->fn(s, n);
		if (rc)
			return rc;
		for (int j = 0; j < n->nout; j++)
			if (n->out[j] >= 0)
				s->vals[n->out[j]].is_const = 1;
	}
	return 0;
}

static int upload_weights(struct art_session *s)
{
	struct rt_device *d = s->dev;
	uint64_t total = 0;
	d->wofs = malloc(((size_t)s->nvals + 1) * sizeof(uint64_t));
	if (!d->wofs)
		return -ENOMEM;
	d->nwofs = malloc(((size_t)s->nnodes + 1) * sizeof(uint64_t));
	if (!d->nwofs)
		return -ENOMEM;
	for (int v = 0; v < s->nvals; v++)
		d->wofs[v] = UINT64_MAX;
	for (int i = 0; i < s->nnodes; i++)
		d->nwofs[i] = UINT64_MAX;
	for (int i = 0; i < s->nnodes; i++) {
		const struct rt_node *n = &s->nodes[i];
		if (!n->on_device)
			continue;
		unsigned mask = dev_operand_mask(n);
		int convt = dev_convt_host_weights(s, n);
		if (convt) {
			/* Transformed once here rather than per run. */
			d->nwofs[i] = total;
			total += align64((uint64_t)art_tensor_elems(&s->vals[n->in[1]].t) * 4);
		}
		uint64_t qbytes = dev_quant_block_size(s, n);
		if (qbytes) {
			d->nwofs[i] = total;
			total += align64(qbytes);
		}
		uint64_t lbytes = dev_node_consts(s, n, NULL);
		if (lbytes) {
			d->nwofs[i] = total;
			total += align64(lbytes);
		}
		for (int j = 0; j < n->nin; j++) {
			int v = n->in[j];
			if (v < 0 || !(mask & (1u << j)) || !dev_is_const(s, v) ||
			    d->wofs[v] != UINT64_MAX || (convt && j == 1))
				continue;
			d->wofs[v] = total;
			total += align64((uint64_t)art_tensor_elems(&s->vals[v].t) *
					 (dev_widened_param(s, v) ? 4
					  : dev_reduced_weight(s, v)
						  ? 2
						  : art_dtype_size(s->vals[v].t.dtype)));
			if (!total)
				total = 64;
		}
	}
	if (!total)
		return 0;
	int rc = accel_bo_alloc(d->dev, total, 0, &d->weights);
	if (!rc)
		rc = accel_bo_map(d->weights, &d->weights_map);
	if (rc)
		return rt_err(s, rc, "device: cannot allocate %llu bytes of weights: %s",
			      (unsigned long long)total, accel_device_last_error(d->dev));
	for (int v = 0; v < s->nvals; v++) {
		if (d->wofs[v] == UINT64_MAX)
			continue;
		const struct art_tensor *t = &s->vals[v].t;
		uint8_t *dst = (uint8_t *)d->weights_map + d->wofs[v];
		if (dev_reduced_weight(s, v)) {
			const float *f = t->data;
			for (int64_t k = 0; k < art_tensor_elems(t); k++) {
				uint16_t h = rt_precision_bits(f[k], s->precision);
				memcpy(dst + 2 * k, &h, 2);
			}
			continue;
		}
		if (!dev_widened_param(s, v)) {
			memcpy(dst, t->data,
			       (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype));
			continue;
		}
		const uint16_t *h = t->data;
		for (int64_t k = 0; k < art_tensor_elems(t); k++) {
			float f = (float)(t->dtype == ART_FLOAT16 ? rt_f16_to_d(h[k])
								  : rt_bf16_to_d(h[k]));
			memcpy(dst + 4 * k, &f, 4);
		}
	}
	for (int i = 0; i < s->nnodes; i++) {
		if (d->nwofs[i] == UINT64_MAX)
			continue;
		uint8_t *dst = (uint8_t *)d->weights_map + d->nwofs[i];
		if (dev_quant_block_size(s, &s->nodes[i]))
			dev_quant_block_fill(s, &s->nodes[i], dst);
		else if (dev_node_consts(s, &s->nodes[i], NULL))
			dev_node_consts(s, &s->nodes[i], dst);
		else
			dev_convt_weights(&s->nodes[i], &s->vals[s->nodes[i].in[1]].t,
					  (float *)dst);
	}
	return 0;
}

/*
 * The user queue of the submit option: auto takes one when the device
 * gives one (no user queues, none free, or no address-space slot to pin
 * leave the ioctl path); user-queue must have one.
 */
static int open_user_queue(struct art_session *s, const char *node)
{
	struct rt_device *d = s->dev;
	if (s->submit == ART_SUBMIT_IOCTL)
		return 0;
	int rc = accel_uq_create(d->dev, ACCEL_PRIORITY_NORMAL, UQ_RING_ENTRIES, &d->uq);
	if (rc && s->submit == ART_SUBMIT_USER_QUEUE)
		return rt_err(s, rc, "device %s: user queue (submit user-queue): %s", node,
			      accel_device_last_error(d->dev));
	return 0;
}

int dev_open(struct art_session *s, int index)
{
	struct accel_device_entry ent[16];
	size_t cnt = 0;
	char err[256] = "";
	int rc = accel_enumerate(ent, 16, &cnt);
	if (rc || cnt == 0) {
		if (index >= 0)
			return rt_err(s, -ENODEV, "device %d: no such Ares device (none found)",
				      index);
		return -ENODEV;
	}
	size_t pick = 0;
	if (index >= 0 && getenv("ARES_VISIBLE_DEVICES")) {
		/* The process's devices are numbered from 0 in the list's order. */
		pick = (size_t)index < cnt && index < 16 ? (size_t)index : cnt;
		if (pick == cnt)
			return rt_err(s, -ENODEV,
				      "device %d: no such Ares device (%zu visible through "
				      "ARES_VISIBLE_DEVICES)",
				      index, cnt);
	} else if (index >= 0) {
		for (pick = 0; pick < cnt && pick < 16; pick++)
			if ((int)ent[pick].index == index)
				break;
		if (pick == cnt || pick == 16)
			return rt_err(s, -ENODEV, "device %d: no such Ares device (%zu found)",
				      index, cnt);
	}
	struct rt_device *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	s->dev = d;
	d->index = (int)ent[pick].index;
	rc = accel_device_open(ent[pick].node, &d->dev, err, sizeof(err));
	if (rc)
		return rt_err(s, rc, "device %s: %s", ent[pick].node, err);
	rc = accel_ctx_create(d->dev, ACCEL_PRIORITY_NORMAL, &d->ctx);
	if (rc)
		return rt_err(s, rc, "device %s: context: %s", ent[pick].node,
			      accel_device_last_error(d->dev));
	rc = open_user_queue(s, ent[pick].node);
	if (rc)
		return rc;
	d->nslots = 1;
	rc = fold_constants(s);
	if (rc)
		return rc;
	rc = dev_qdq_fuse(s, 0);
	if (rc)
		return rt_err(s, rc, "out of memory fusing QDQ patterns");
	dev_place(s);
	rc = dev_partition_graph(s);
	if (!rc)
		rc = upload_weights(s);
	return rc;
}

static void slot_free(struct rt_device *d, struct dev_slot *sl)
{
	if (sl->cmd)
		for (int i = 0; i < d->nparts; i++)
			accel_bo_free(sl->cmd[i]);
	free(sl->cmd);
	free(sl->cmd_size);
	free(sl->cmd_gen);
	free(sl->ext_va);
	accel_bo_free(sl->arena);
	accel_bo_free(sl->prof);
	memset(sl, 0, sizeof(*sl));
}

void dev_close(struct art_session *s)
{
	struct rt_device *d = s->dev;
	if (!d)
		return;
	/* First: with a user queue, every buffer freed would stop and restart it. */
	accel_uq_destroy(d->uq);
	for (int i = 0; i < DEV_MAX_SLOTS; i++)
		slot_free(d, &d->slots[i]);
	for (int i = 0; i < d->nparts; i++) {
		free(d->parts[i].ins);
		free(d->parts[i].outs);
		free(d->parts[i].dv);
		free(d->parts[i].in_shape);
		free(d->parts[i].cmd_node);
		free(d->parts[i].cpu_fallback);
		free(d->parts[i].skeys);
		free(d->parts[i].skey_shape);
		for (int k = 0; d->parts[i].akey_data && k < d->parts[i].nakeys; k++)
			free(d->parts[i].akey_data[k]);
		free(d->parts[i].akey_data);
		free(d->parts[i].akey_len);
		free(d->parts[i].akeys);
	}
	free(d->parts);
	free(d->cost);
	free(d->wofs);
	free(d->nwofs);
	for (int i = 0; i < 16; i++)
		accel_bo_free(d->imports[i].bo);
	accel_bo_free(d->weights);
	accel_ctx_destroy(d->ctx);
	accel_device_close(d->dev);
	free(d);
	s->dev = NULL;
}

static int same_shape(const struct art_tensor *a, const struct art_tensor *b)
{
	return a->dtype == b->dtype && a->ndim == b->ndim &&
	       !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->ndim);
}

static const struct art_tensor *in_tensor(struct art_session *s, struct dev_partition *p, int i,
					  const struct art_tensor *const *ins)
{
	return ins ? ins[i] : &s->vals[p->ins[i]].t;
}

/* Makes sure slot SL's arena holds partition P's plan for the input
 * tensors INS (one per p->ins; NULL: the session's values) and its stream
 * is emitted against it. */
/* P must be planned again: never planned, or the shapes of its inputs and
 * of the host values its plan read, or the values read as attributes,
 * differ from those it was planned for. */
static int needs_plan(struct art_session *s, struct dev_partition *p,
		      const struct art_tensor *const *ins)
{
	int replan = !p->planned;
	for (int i = 0; i < p->nins && !replan; i++)
		replan = !same_shape(in_tensor(s, p, i, ins), &p->in_shape[i]);
	for (int i = 0; i < p->nskeys && !replan; i++)
		replan = !same_shape(&s->vals[p->skeys[i]].t, &p->skey_shape[i]);
	for (int i = 0; i < p->nakeys && !replan; i++) {
		const struct art_tensor *t = &s->vals[p->akeys[i]].t;
		size_t len = (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype);
		replan = !p->akey_data || !t->data || len != p->akey_len[i] ||
			 memcmp(t->data, p->akey_data[i], len);
	}
	return replan;
}

/* The slot's PROFILE record buffer, large enough for P's stream, and the
 * first record in CB; its VA into *PROF_VA. */
static int prof_buffer(struct art_session *s, const struct dev_partition *p, struct dev_slot *sl,
		       accel_cmdbuf *cb, uint64_t *prof_va)
{
	struct rt_device *d = s->dev;
	/* A record before the first command and after each; Concat emits
	 * one command per input. */
	uint64_t ncmd_max = 1;
	for (int i = p->first; i <= p->last; i++)
		ncmd_max += (uint64_t)s->nodes[i].nin + 1;
	uint64_t need = 16ull * (ncmd_max + 1);
	if (!sl->prof || accel_bo_size(sl->prof) < need) {
		accel_bo_free(sl->prof);
		sl->prof = NULL;
		int rc = accel_bo_alloc(d->dev, need, 0, &sl->prof);
		if (!rc)
			rc = accel_bo_map(sl->prof, &sl->prof_map);
		if (rc)
			return rt_err(s, rc, "device: profile buffer: %s",
				      accel_device_last_error(d->dev));
	}
	*prof_va = accel_bo_va(sl->prof);
	accel_cmdbuf_profile(cb, *prof_va);
	return 0;
}

int dev_prepare(struct art_session *s, int pidx, struct dev_slot *sl,
		const struct art_tensor *const *ins)
{
	struct rt_device *d = s->dev;
	struct dev_partition *p = &d->parts[pidx];
	int rc;
	int replan = needs_plan(s, p, ins);
	if (replan)
		for (int i = 0; i < d->nslots; i++)
			if (d->slots[i].busy)
				return rt_err(s, -EBUSY,
					      "input shapes changed while runs of the old shapes "
					      "are in flight");
	if (replan && (rc = dev_plan(s, p, ins)))
		return rc == -EINVAL ? -ENOEXEC : rc;
	if (!sl->cmd) {
		sl->cmd = calloc((size_t)d->nparts, sizeof(*sl->cmd));
		sl->cmd_size = calloc((size_t)d->nparts, sizeof(*sl->cmd_size));
		sl->cmd_gen = calloc((size_t)d->nparts, sizeof(*sl->cmd_gen));
		if (!sl->cmd || !sl->cmd_size || !sl->cmd_gen)
			return -ENOMEM;
	}
	if (sl->arena_size < p->arena_size) {
		/* Streams emitted against the old arena point into freed memory. */
		accel_bo_free(sl->arena);
		sl->arena = NULL;
		for (int i = 0; i < d->nparts; i++)
			sl->cmd_gen[i] = 0;
		rc = accel_bo_alloc(d->dev, p->arena_size, 0, &sl->arena);
		if (!rc)
			rc = accel_bo_map(sl->arena, &sl->arena_map);
		if (rc) {
			sl->arena_size = 0;
			return rt_err(s, rc, "device: cannot allocate a %llu-byte arena: %s",
				      (unsigned long long)p->arena_size,
				      accel_device_last_error(d->dev));
		}
		sl->arena_size = accel_bo_size(sl->arena);
	}
	if (sl->cmd_gen[pidx] == p->plan_gen)
		return 0;
	accel_cmdbuf *cb;
	rc = accel_cmdbuf_create(&cb);
	if (rc)
		return rc;
	uint64_t prof_va = 0;
	if (d->profile && (rc = prof_buffer(s, p, sl, cb, &prof_va))) {
		accel_cmdbuf_destroy(cb);
		return rc;
	}
	int ncmds = 0, cap = 0;
	int *cmd_node = NULL;
	for (int i = p->first; i <= p->last && !rc; i++) {
		if (!s->nodes[i].on_device)
			continue;
		int before = ncmds;
		rc = dev_node_emit(s, &s->nodes[i], p->dv, cb, accel_bo_va(sl->arena),
				   d->weights ? accel_bo_va(d->weights) : 0, &ncmds, prof_va,
				   sl->ext_va);
		if (!rc && ncmds > cap) {
			cap = ncmds * 2 + 8;
			int *nc = realloc(cmd_node, (size_t)cap * sizeof(int));
			if (!nc)
				rc = -ENOMEM;
			else
				cmd_node = nc;
		}
		for (int k = before; k < ncmds && !rc; k++)
			cmd_node[k] = i;
	}
	free(p->cmd_node);
	p->cmd_node = cmd_node;
	if (!rc && accel_cmdbuf_error(cb))
		rc = rt_err(s, accel_cmdbuf_error(cb),
			    "device: partition %d: a command was refused by the builder", pidx);
	else if (rc && !s->err[0])
		rt_err(s, rc, "device: partition %d: emission failed", pidx);
	accel_bo_free(sl->cmd[pidx]);
	sl->cmd[pidx] = NULL;
	sl->cmd_size[pidx] = 0;
	if (!rc && ncmds > 0) {
		rc = accel_cmdbuf_upload(d->dev, cb, &sl->cmd[pidx]);
		if (rc)
			rt_err(s, rc, "device: uploading partition %d: %s", pidx,
			       accel_device_last_error(d->dev));
		sl->cmd_size[pidx] = (uint32_t)accel_cmdbuf_size(cb);
	}
	accel_cmdbuf_destroy(cb);
	if (rc)
		return rc;
	p->ncmds = ncmds;
	sl->cmd_gen[pidx] = p->plan_gen;
	return 0;
}

void dev_copy_in(struct art_session *s, int pidx, struct dev_slot *sl,
		 const struct art_tensor *const *ins)
{
	struct dev_partition *p = &s->dev->parts[pidx];
	for (int i = 0; i < p->nins; i++) {
		const struct art_tensor *t = in_tensor(s, p, i, ins);
		if (!t->data)
			continue; /* bound to the caller's device buffer */
		memcpy((uint8_t *)sl->arena_map + p->dv[p->ins[i]].off, t->data,
		       (size_t)art_tensor_elems(t) * art_dtype_size(t->dtype));
	}
}

/* The job on the user queue: no system call unless the device slept. */
static int submit_user_queue(struct art_session *s, int pidx, struct dev_slot *sl,
			     struct dev_job *job)
{
	struct rt_device *d = s->dev;
	int rc;
	/* Not with more than a slot per run in flight, but never lose a job. */
	while ((rc = accel_uq_submit(d->uq, sl->cmd[pidx], 0, sl->cmd_size[pidx], &job->ticket)) ==
	       -EAGAIN) {
		rc = accel_uq_wait(d->uq, job->ticket, DEV_UQ_SPIN_NS, WAIT_NS);
		if (rc)
			break;
	}
	if (rc)
		return rt_err(s, rc, "device: submit of partition %d on the user queue: %s", pidx,
			      accel_device_last_error(d->dev));
	return 0;
}

int dev_submit(struct art_session *s, int pidx, struct dev_slot *sl, struct dev_job *job)
{
	struct rt_device *d = s->dev;
	*job = (struct dev_job){0};
	if (!sl->cmd[pidx])
		return 0;
	/*
	 * Buffers imported from elsewhere are ordered by their dma-buf fences,
	 * which only the kernel's jobs take part in: those runs go through the
	 * context.
	 */
	if (d->uq && !sl->next_bos) {
		int rc = submit_user_queue(s, pidx, sl, job);
		if (!rc)
			d->submits++;
		return rc;
	}
	accel_bo *bos[4 + sizeof(sl->ext_bos) / sizeof(sl->ext_bos[0])] = {sl->arena,
									   sl->cmd[pidx]};
	uint32_t nb = 2;
	for (int i = 0; i < sl->next_bos; i++)
		bos[nb++] = sl->ext_bos[i];
	if (d->weights)
		bos[nb++] = d->weights;
	if (d->profile && sl->prof)
		bos[nb++] = sl->prof;
	struct accel_submit_args a = {.cmd_bo = sl->cmd[pidx],
				      .cmd_size = sl->cmd_size[pidx],
				      .bos = bos,
				      .bo_count = nb};
	int rc = accel_submit(d->ctx, &a, &job->job);
	if (rc)
		return rt_err(s, rc, "device: submit of partition %d: %s", pidx,
			      accel_device_last_error(d->dev));
	d->submits++;
	return 0;
}

int dev_job_ready(struct art_session *s, struct dev_job *job, int64_t timeout_ns)
{
	if (job->job)
		return accel_job_wait(job->job, timeout_ns);
	if (job->ticket)
		return accel_uq_wait(s->dev->uq, job->ticket, DEV_UQ_SPIN_NS, timeout_ns);
	return 0;
}

/* Waits for JOB and reads its ACCEL_JOB_* status into *ST. */
static int job_finish(struct art_session *s, struct dev_job *job, uint32_t *st)
{
	int rc;
	if (job->job) {
		rc = accel_job_wait(job->job, WAIT_NS);
		if (!rc)
			rc = accel_job_status(job->job, st);
		accel_job_destroy(job->job);
	} else {
		rc = accel_uq_wait(s->dev->uq, job->ticket, DEV_UQ_SPIN_NS, WAIT_NS);
		if (!rc)
			rc = accel_uq_job_status(s->dev->uq, job->ticket, st);
	}
	*job = (struct dev_job){0};
	return rc;
}

int dev_wait(struct art_session *s, int pidx, struct dev_job *job)
{
	uint32_t st = 0;
	if (!job->job && !job->ticket)
		return 0;
	int rc = job_finish(s, job, &st);
	if (rc)
		return rt_err(s, rc, "device: waiting for partition %d: %s (%s)", pidx,
			      accel_strerror(rc), accel_device_last_error(s->dev->dev));
	if (st != ACCEL_JOB_OK)
		return rt_err(s, -EIO, "device: partition %d (nodes '%s'..'%s') ended with %s",
			      pidx, s->nodes[s->dev->parts[pidx].first].name,
			      s->nodes[s->dev->parts[pidx].last].name, accel_job_status_name(st));
	return 0;
}

/* Copies partition PIDX's outputs from SL into host values. */
int dev_copy_out(struct art_session *s, int pidx, struct dev_slot *sl)
{
	struct rt_device *d = s->dev;
	struct dev_partition *p = &d->parts[pidx];
	for (int i = 0; i < p->nouts; i++) {
		int v = p->outs[i];
		const struct dev_val *x = &p->dv[v], *r = &p->dv[x->root];
		const uint8_t *src =
			(const uint8_t *)(r->loc == DL_WEIGHTS ? d->weights_map : sl->arena_map) +
			r->off;
		struct rt_value *val = &s->vals[v];
		struct art_tensor t = {.dtype = x->dtype, .ndim = x->ndim};
		memcpy(t.dims, x->dims, sizeof(t.dims));
		size_t bytes = (size_t)art_tensor_elems(&t) * art_dtype_size(t.dtype);
		void *buf = malloc(bytes ? bytes : 1);
		if (!buf)
			return rt_err(s, -ENOMEM, "out of memory for '%s'", val->name);
		memcpy(buf, src, bytes);
		free(val->buf);
		val->buf = buf;
		val->t = t;
		val->t.data = buf;
	}
	return 0;
}

int dev_run_partition(struct art_session *s, int pidx)
{
	struct rt_device *d = s->dev;
	struct dev_slot *sl = &d->slots[0];
	struct dev_job job;
	double t_prep = rt_prof_now_us();
	int rc = dev_prepare(s, pidx, sl, NULL);
	if (rc == -ENOEXEC) {
		/* The run's shapes do not fit the device (placement could not see
		 * them): the partition runs on the CPU when every node can. */
		struct dev_partition *p = &d->parts[pidx];
		for (int i = p->first; i <= p->last; i++)
			if (s->nodes[i].on_device && !s->nodes[i].fn)
				return -EINVAL;
		p->cpu_fallback = strdup(s->err);
		if (!p->cpu_fallback)
			return rt_err(s, -ENOMEM, "out of memory");
		s->err[0] = 0;
		return 1;
	}
	if (rc)
		return rc;
	double t_in = rt_prof_now_us();
	if (rt_prof_on(s)) {
		char name[64];
		snprintf(name, sizeof(name), "partition %d prepare (plan, emit when needed)", pidx);
		rt_prof_add(s, name, "prepare", RT_PROF_HOST, t_prep, t_in - t_prep, 0, 0);
	}
	dev_copy_in(s, pidx, sl, NULL);
	double t_submit = rt_prof_now_us();
	rc = dev_submit(s, pidx, sl, &job);
	if (!rc)
		rc = dev_wait(s, pidx, &job);
	double t_done = rt_prof_now_us();
	if (!rc)
		rc = dev_copy_out(s, pidx, sl);
	if (!rc)
		prof_partition(s, pidx, sl, t_in, t_submit, t_done, rt_prof_now_us());
	return rc;
}
