// SPDX-License-Identifier: MIT
/*
 * The model repository: one directory per model, named as the model is
 * served, holding model.onnx and an optional config.json. Each model gets
 * its instances (one art_session each, so one device context each) and
 * its batcher. A model that fails to load fails the server's start with
 * the runtime's message: serving a repository half-loaded would answer
 * "unknown model" for a model the operator thinks is there.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve.h"

static bool name_ok(const char *n)
{
	size_t len = strlen(n);

	if (!len || len >= SERVE_NAME_MAX || n[0] == '.')
		return false;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Declared inputs and outputs, from the first instance. Dim 0 of every
 * input and output dynamic makes the model batchable. */
static int read_io(struct model *m, char *err, size_t errlen)
{
	art_session *s = m->inst[0].s;
	const char *name;

	m->nin = art_session_input_count(s);
	m->nout = art_session_output_count(s);
	if (m->nin < 1 || m->nin > SERVE_MAX_IO || m->nout < 1 || m->nout > SERVE_MAX_IO) {
		snprintf(err, errlen, "model %s: %d inputs and %d outputs (1 to %d of each served)",
			 m->name, m->nin, m->nout, SERVE_MAX_IO);
		return -ENOTSUP;
	}
	m->batchable = m->cfg.max_batch > 1;
	for (int i = 0; i < m->nin + m->nout; i++) {
		bool is_in = i < m->nin;
		struct io_info *io = is_in ? &m->in[i] : &m->out[i - m->nin];
		int ret = is_in ? art_session_input_info(s, i, &name, &io->decl)
				: art_session_output_info(s, i - m->nin, &name, &io->decl);

		if (ret) {
			snprintf(err, errlen, "model %s: %s", m->name, art_session_errmsg(s));
			return ret;
		}
		snprintf(io->name, sizeof(io->name), "%s", name);
		if (!dtype_to_kserve(io->decl.dtype)) {
			snprintf(err, errlen, "model %s: %s %s has element type %s, not served",
				 m->name, is_in ? "input" : "output", name,
				 art_dtype_name(io->decl.dtype));
			return -ENOTSUP;
		}
		if (io->decl.ndim < 1 || io->decl.dims[0] != -1)
			m->batchable = false;
	}
	return 0;
}

static int load_model(struct model *m, const char *dir, const char *name,
		      const struct serve_options *o, char *err, size_t errlen)
{
	char cerr[384];
	int ret;

	snprintf(m->name, sizeof(m->name), "%s", name);
	snprintf(m->path, sizeof(m->path), "%s/%s/model.onnx", dir, name);
	pthread_mutex_init(&m->qlock, NULL);
	pthread_cond_init(&m->qcond, NULL);
	pthread_cond_init(&m->gcond, NULL);
	{
		char mdir[4200];

		snprintf(mdir, sizeof(mdir), "%s/%s", dir, name);
		ret = model_config_load(mdir, o, &m->cfg, cerr, sizeof(cerr));
	}
	if (ret) {
		snprintf(err, errlen, "model %s: %s", name, cerr);
		return ret;
	}
	m->device = -1;
	for (unsigned i = 0; i < m->cfg.instances; i++) {
		struct art_session_options so = {
			.flags = m->cfg.device == SERVE_DEV_CPU ? ART_CPU_ONLY : 0,
			.device_index = m->cfg.device >= 0 ? m->cfg.device : -1,
			.threads = m->cfg.threads,
			.precision = m->cfg.precision,
		};
		struct instance *in = &m->inst[i];

		in->m = m;
		in->idx = (int)i;
		ret = art_session_create_opts(m->path, &so, &in->s);
		if (ret) {
			snprintf(err, errlen, "model %s: %s", name,
				 in->s ? art_session_errmsg(in->s) : strerror(-ret));
			return ret;
		}
		m->ninst = i + 1;
		ret = art_run_create(in->s, &in->run);
		if (ret) {
			snprintf(err, errlen, "model %s: art_run_create: %s", name,
				 art_session_errmsg(in->s));
			return ret;
		}
		m->device = art_session_device(in->s);
	}
	ret = read_io(m, err, errlen);
	if (ret)
		return ret;
	return batcher_start(m, err, errlen);
}

void repo_stop_batchers(struct repository *r)
{
	for (int i = 0; i < r->n; i++)
		batcher_stop(&r->models[i]);
}

static void free_model(struct model *m)
{
	batcher_stop(m);
	for (unsigned i = 0; i < m->ninst; i++) {
		if (m->inst[i].run)
			art_run_destroy(m->inst[i].run);
		art_session_destroy(m->inst[i].s);
	}
	pthread_mutex_destroy(&m->qlock);
	pthread_cond_destroy(&m->qcond);
	pthread_cond_destroy(&m->gcond);
}

int repo_load(struct repository *r, const struct serve_options *o, char *err, size_t errlen)
{
	DIR *d = opendir(o->repository);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	*r = (struct repository){0};
	if (!d) {
		snprintf(err, errlen, "model repository %s: %s", o->repository, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		char p[4200];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/model.onnx", o->repository, de->d_name);
		if (stat(p, &st) || !S_ISREG(st.st_mode))
			continue;
		if (!name_ok(de->d_name)) {
			snprintf(err, errlen,
				 "model directory \"%s\": a model name is 1 to %d of A-Z a-z 0-9 _ "
				 "- "
				 ". and does not start with '.'",
				 de->d_name, SERVE_NAME_MAX - 1);
			ret = -EINVAL;
			goto out;
		}
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 8) * sizeof(*nn));

			if (!nn) {
				ret = -ENOMEM;
				goto out;
			}
			names = nn;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = -ENOMEM;
			goto out;
		}
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "model repository %s: no DIR/model.onnx in it",
			 o->repository);
		ret = -ENOENT;
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	r->models = calloc(n, sizeof(*r->models));
	if (!r->models) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r->n = (int)i + 1;
		ret = load_model(&r->models[i], o->repository, names[i], o, err, errlen);
		if (ret)
			break;
	}
	if (ret)
		repo_stop(r);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return ret;
}

struct model *repo_find(struct repository *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->models[i].name, name))
			return &r->models[i];
	return NULL;
}

void repo_stop(struct repository *r)
{
	for (int i = 0; i < r->n; i++)
		free_model(&r->models[i]);
	free(r->models);
	*r = (struct repository){0};
}
