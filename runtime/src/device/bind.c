// SPDX-License-Identifier: MIT
/*
 * Zero-copy: a run's inputs and outputs bound to the caller's device
 * buffers, given as dma-bufs (accel_bo_export() of the caller's own
 * device handle, or another driver's). Each dma-buf is imported once per
 * session device handle (the driver hands a second import the same GEM
 * handle, so a second wrapper would close it under the first); a bound
 * value's descriptors point into the import, and the stream of the run's
 * slot is emitted again whenever its bindings change.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "device/device.h"

#define NIMPORTS ((int)(sizeof(((struct rt_device *)0)->imports) / sizeof(struct dev_import)))

static int import_get(struct art_session *s, int fd)
{
	struct rt_device *d = s->dev;
	struct stat st;
	if (fstat(fd, &st))
		return rt_err(s, -errno, "dma-buf fd %d: %s", fd, strerror(errno));
	int free_slot = -1;
	for (int i = 0; i < NIMPORTS; i++) {
		struct dev_import *im = &d->imports[i];
		if (im->bo && im->dev == (uint64_t)st.st_dev && im->ino == (uint64_t)st.st_ino) {
			im->refs++;
			return i;
		}
		if (!im->bo && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return rt_err(s, -ENOSPC, "more than %d distinct dma-bufs bound at once", NIMPORTS);
	struct dev_import *im = &d->imports[free_slot];
	int rc = accel_bo_import(d->dev, fd, &im->bo);
	if (rc)
		return rt_err(s, rc, "importing dma-buf fd %d: %s", fd,
			      accel_device_last_error(d->dev));
	im->dev = (uint64_t)st.st_dev;
	im->ino = (uint64_t)st.st_ino;
	im->refs = 1;
	return free_slot;
}

void dev_unbind_one(struct art_run *r, struct run_bind *b)
{
	if (b->imp < 0)
		return;
	struct dev_import *im = &r->s->dev->imports[b->imp];
	if (--im->refs == 0) {
		accel_bo_free(im->bo);
		memset(im, 0, sizeof(*im));
	}
	b->imp = -1;
}

int art_run_unbind(art_run *r)
{
	if (r->state == RUN_SUBMITTED)
		return rt_err(r->s, -EBUSY, "run is in flight: wait for it before unbinding");
	for (int i = 0; i < r->s->ninputs; i++)
		dev_unbind_one(r, &r->bin[i]);
	for (int i = 0; i < r->s->noutputs; i++)
		dev_unbind_one(r, &r->bout[i]);
	return 0;
}

static int bind(struct art_run *r, struct run_bind *b, int fd, uint64_t offset)
{
	struct art_session *s = r->s;
	if (r->slot < 0)
		return rt_err(s, -ENOTSUP,
			      "zero-copy binding needs a model that is one device partition");
	if (r->state == RUN_SUBMITTED)
		return rt_err(s, -EBUSY, "run is in flight: wait for it before binding");
	int imp = import_get(s, fd);
	if (imp < 0)
		return imp;
	dev_unbind_one(r, b);
	b->imp = imp;
	b->off = offset;
	return 0;
}

int art_run_bind_input_dmabuf(art_run *r, int idx, int dmabuf_fd, uint64_t offset,
			      const struct art_tensor *t)
{
	struct art_session *s = r->s;
	int rc = rt_input_matches_decl(s, idx, t);
	if (rc)
		return rc;
	if (offset % art_dtype_size(t->dtype))
		return rt_err(s, -EINVAL, "input '%s': offset %llu is not a multiple of %zu",
			      s->vals[s->inputs[idx]].name, (unsigned long long)offset,
			      art_dtype_size(t->dtype));
	rc = bind(r, &r->bin[idx], dmabuf_fd, offset);
	if (rc)
		return rc;
	free((void *)r->in[idx].data);
	r->in[idx] = *t;
	r->in[idx].data = NULL;
	return 0;
}

int art_run_bind_output_dmabuf(art_run *r, int idx, int dmabuf_fd, uint64_t offset)
{
	struct art_session *s = r->s;
	if (idx < 0 || idx >= s->noutputs)
		return rt_err(s, -EINVAL, "output index %d out of range (%d outputs)", idx,
			      s->noutputs);
	if (offset % 8)
		return rt_err(s, -EINVAL, "output '%s': offset %llu is not a multiple of 8",
			      s->vals[s->outputs[idx]].name, (unsigned long long)offset);
	return bind(r, &r->bout[idx], dmabuf_fd, offset);
}

static int add_bo(struct dev_slot *sl, accel_bo *bo)
{
	for (int i = 0; i < sl->next_bos; i++)
		if (sl->ext_bos[i] == bo)
			return 0;
	if (sl->next_bos == (int)(sizeof(sl->ext_bos) / sizeof(sl->ext_bos[0])))
		return -ENOSPC;
	sl->ext_bos[sl->next_bos++] = bo;
	return 0;
}

static int check_fits(struct art_session *s, const char *what, const char *name,
		      const struct dev_import *im, uint64_t off, uint64_t bytes)
{
	if (off > accel_bo_size(im->bo) || bytes > accel_bo_size(im->bo) - off)
		return rt_err(s, -EINVAL,
			      "%s '%s': %llu bytes at offset %llu do not fit the bound %llu-byte "
			      "buffer",
			      what, name, (unsigned long long)bytes, (unsigned long long)off,
			      (unsigned long long)accel_bo_size(im->bo));
	return 0;
}

int dev_bind_resolve(struct art_run *r, struct dev_slot *sl, int *changed)
{
	struct art_session *s = r->s;
	struct rt_device *d = s->dev;
	const struct dev_partition *p = &d->parts[0];
	uint64_t *ext = calloc((size_t)s->nvals + 1, sizeof(*ext));
	int rc = 0;
	if (!ext)
		return rt_err(s, -ENOMEM, "out of memory");
	sl->next_bos = 0;
	for (int k = 0; k < s->ninputs && !rc; k++) {
		const struct run_bind *b = &r->bin[k];
		if (b->imp < 0)
			continue;
		const struct dev_import *im = &d->imports[b->imp];
		uint64_t bytes =
			(uint64_t)art_tensor_elems(&r->in[k]) * art_dtype_size(r->in[k].dtype);
		rc = check_fits(s, "input", s->vals[s->inputs[k]].name, im, b->off, bytes);
		if (!rc)
			rc = add_bo(sl, im->bo);
		ext[s->inputs[k]] = accel_bo_va(im->bo) + b->off;
	}
	for (int k = 0; k < s->noutputs && !rc; k++) {
		const struct run_bind *b = &r->bout[k];
		if (b->imp < 0)
			continue;
		int v = s->outputs[k], root = p->dv[v].root;
		const struct dev_val *x = &p->dv[v];
		if (p->dv[root].def < 0) {
			rc = rt_err(s, -EINVAL,
				    "output '%s' is not computed by the device (an input or a "
				    "constant): it cannot be bound",
				    s->vals[v].name);
			break;
		}
		const struct dev_import *im = &d->imports[b->imp];
		uint64_t bytes = art_dtype_size(x->dtype);
		for (int i = 0; i < x->ndim; i++)
			bytes *= (uint64_t)x->dims[i];
		rc = check_fits(s, "output", s->vals[v].name, im, b->off, bytes);
		if (!rc)
			rc = add_bo(sl, im->bo);
		ext[root] = accel_bo_va(im->bo) + b->off;
	}
	if (rc == -ENOSPC)
		rc = rt_err(s, rc, "too many bound buffers");
	if (rc) {
		free(ext);
		return rc;
	}
	*changed = !sl->ext_va || memcmp(ext, sl->ext_va, (size_t)s->nvals * sizeof(*ext));
	if (*changed) {
		free(sl->ext_va);
		sl->ext_va = ext;
		sl->cmd_gen[0] = 0;
	} else {
		free(ext);
	}
	return 0;
}
