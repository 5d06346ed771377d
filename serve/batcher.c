// SPDX-License-Identifier: MIT
/*
 * Dynamic batching and the instances that run the batches. Each instance
 * of a model is one art_session with one art_run (its own device context
 * and arena) driven by its own worker thread: while one instance waits for
 * its device job (art_run_wait), another copies its batch in and submits,
 * so device work of one model overlaps. One session per instance rather
 * than several runs of one session because runs of one session must share
 * its input shapes while in flight, and batches differ in size.
 *
 * A worker takes the oldest request; when the model is batchable it keeps
 * collecting requests of the same non-batch shape until the batch holds
 * max_batch rows or the first request has waited max_delay_us, then runs
 * them as one tensor concatenated along dim 0 and hands each request its
 * rows of every output. Only one worker gathers at a time, so two idle
 * workers do not split one batch between them; the next one starts
 * gathering as soon as the first has its batch.
 *
 * A gatherer also closes its batch early once every open client
 * connection has a request in a batcher (queued or gathering) and no batch
 * runs: over HTTP/1.1 a connection carries one request at a time, so no
 * row can arrive before this batch is answered (bar a new connection),
 * and waiting out the delay would only add latency; a lone client gets
 * no delay at all. Any other open connection (idle, or sending something
 * else) keeps the max_delay_us wait.
 *
 * With the model's idle_close, it closes early too once it holds half of
 * max_batch rows while no instance of the model runs a batch: the device
 * would otherwise idle while the rest of the rows are still being
 * received. Under a steady closed-loop load this splits the clients into
 * two groups whose batches alternate, one group's HTTP work overlapping
 * the other's run. It is off by default: in the 2-vCPU guest, where the
 * HTTP work is what limits, the smaller batches cost more CPU per request
 * than the overlap gained (serve/README.md).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"

/* Over every model, for the early close: the open client connections (set
 * by the HTTP side), the infer requests the batchers hold, submitted and
 * not yet completed, and the batches running. */
static atomic_uint open_connections;
static atomic_uint requests_in_hand;
static atomic_uint batches_running;

void batcher_set_connections(unsigned n)
{
	atomic_store(&open_connections, n);
}

/* Every open connection's request is in a batcher and no batch runs:
 * nothing more can come before this batch runs. While a batch runs, its
 * clients come back when it is done, and waiting for them makes one
 * batch of what would be two (measured in the 2-vCPU guest, where the
 * HTTP work limits: closing then gave batches of 7.0 rows instead of 7.7
 * and no more throughput). */
static bool nothing_more_can_come(void)
{
	return !atomic_load(&batches_running) &&
	       atomic_load(&requests_in_hand) >= atomic_load(&open_connections);
}

/* The batch the gatherer holds may close at half: idle_close, no instance runs. */
static bool idle_half(const struct model *m, int64_t rows)
{
	return m->cfg.idle_close && !m->running && rows * 2 >= (int64_t)m->cfg.max_batch;
}

uint64_t serve_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void request_init(struct request *r, struct model *m)
{
	memset(r, 0, sizeof(*r));
	r->m = m;
	r->batch = 1;
}

void request_free(struct request *r)
{
	for (int i = 0; i < SERVE_MAX_IO; i++) {
		free((void *)r->in[i].data);
		free((void *)r->out[i].data);
	}
}

static void complete(struct request *r, int status, const char *err)
{
	r->completed_ns = serve_now_ns();
	r->status = status;
	if (err)
		snprintf(r->err, sizeof(r->err), "%s", err);
	atomic_fetch_sub(&requests_in_hand, 1);
	r->on_done(r); /* R may be gone after it */
}

static size_t tensor_bytes(const struct art_tensor *t)
{
	int64_t n = art_tensor_elems(t);

	return n < 0 ? 0 : (size_t)n * art_dtype_size(t->dtype);
}

/* Same dims past dim 0 on every input: then rows can be stacked. */
static bool stackable(const struct request *a, const struct request *b)
{
	for (int i = 0; i < a->m->nin; i++) {
		if (a->in[i].ndim != b->in[i].ndim)
			return false;
		for (int d = 1; d < a->in[i].ndim; d++)
			if (a->in[i].dims[d] != b->in[i].dims[d])
				return false;
	}
	return true;
}

/* Moves queued requests that fit into the batch. Caller holds qlock. */
static void take_fitting(struct model *m, struct request **batch, unsigned *nb, int64_t *rows)
{
	struct request **pp = &m->head, *prev = NULL;

	while (*pp && *rows < m->cfg.max_batch) {
		struct request *r = *pp;

		if (*rows + r->batch <= m->cfg.max_batch && stackable(batch[0], r)) {
			*pp = r->next;
			if (m->tail == r)
				m->tail = prev;
			m->depth--;
			m->queued_rows -= r->batch;
			r->next = NULL;
			batch[(*nb)++] = r;
			*rows += r->batch;
		} else {
			prev = r;
			pp = &r->next;
		}
	}
}

static int run_one(struct instance *in, struct request **batch, unsigned nb, int64_t rows,
		   char *err, size_t errlen);

/* Runs NB requests as one batch, or each alone when they are one or the
 * batched run failed (so one request the model refuses does not fail its
 * neighbours). */
static void run_batch(struct instance *in, struct request **batch, unsigned nb, int64_t rows)
{
	char err[256];
	int ret = run_one(in, batch, nb, rows, err, sizeof(err));

	if (ret && nb > 1) {
		for (unsigned i = 0; i < nb; i++)
			run_batch(in, &batch[i], 1, batch[i]->batch);
		return;
	}
	for (unsigned i = 0; i < nb; i++) {
		if (ret)
			complete(batch[i], ret == -EINVAL || ret == -E2BIG ? 400 : 500, err);
		else
			complete(batch[i], 200, NULL);
	}
}

static int run_one(struct instance *in, struct request **batch, unsigned nb, int64_t rows,
		   char *err, size_t errlen)
{
	struct model *m = in->m;
	void *stacked[SERVE_MAX_IO] = {0};
	int64_t run_rows = rows;
	bool stack = nb > 1;
	uint64_t t0;
	int ret = 0;

	/* Padding every batch to max_batch rows keeps one input shape, so
	 * the runtime keeps its plan (a new shape re-plans the partitions
	 * and remakes the CPU primitives, which costs more than the padded
	 * rows of a small model). */
	if (m->batchable && m->cfg.pad_batch && rows < m->cfg.max_batch) {
		run_rows = m->cfg.max_batch;
		stack = true;
	}
	for (int i = 0; i < m->nin; i++) {
		struct art_tensor t = batch[0]->in[i];

		if (stack) {
			size_t off = 0;

			t.dims[0] = run_rows;
			stacked[i] = calloc(1, tensor_bytes(&t) ? tensor_bytes(&t) : 1);
			if (!stacked[i]) {
				ret = -ENOMEM;
				snprintf(err, errlen, "out of memory stacking a batch of %lld rows",
					 (long long)rows);
				goto out;
			}
			for (unsigned r = 0; r < nb; r++) {
				size_t b = tensor_bytes(&batch[r]->in[i]);

				memcpy((char *)stacked[i] + off, batch[r]->in[i].data, b);
				off += b;
			}
			t.data = stacked[i];
		}
		ret = art_run_set_input(in->run, i, &t);
		if (ret)
			goto runtime_err;
	}
	t0 = serve_now_ns();
	ret = art_run_submit(in->run);
	if (!ret)
		ret = art_run_wait(in->run, -1);
	if (ret)
		goto runtime_err;
	metrics_observe_batch(m, (unsigned)rows, serve_now_ns() - t0);

	for (int o = 0; o < m->nout; o++) {
		struct art_tensor t;
		size_t total, row_bytes, off = 0;

		ret = art_run_get_output(in->run, o, &t);
		if (ret)
			goto runtime_err;
		if (stack && (t.ndim < 1 || t.dims[0] != run_rows)) {
			snprintf(err, errlen, "output %s has dim 0 %lld for a batch of %lld rows",
				 m->out[o].name, t.ndim < 1 ? 0LL : (long long)t.dims[0],
				 (long long)run_rows);
			ret = -EPROTO;
			goto out;
		}
		total = tensor_bytes(&t);
		row_bytes = stack ? total / (size_t)run_rows : total;
		for (unsigned r = 0; r < nb; r++) {
			struct art_tensor *dst = &batch[r]->out[o];
			size_t b = stack ? row_bytes * (size_t)batch[r]->batch : total;
			void *p = malloc(b ? b : 1);

			if (!p) {
				ret = -ENOMEM;
				snprintf(err, errlen, "out of memory copying output %s",
					 m->out[o].name);
				goto out;
			}
			memcpy(p, (const char *)t.data + off, b);
			off += b;
			free((void *)dst->data);
			*dst = t;
			if (stack)
				dst->dims[0] = batch[r]->batch;
			dst->data = p;
		}
	}
	goto out;
runtime_err:
	snprintf(err, errlen, "%s", art_session_errmsg(in->s));
out:
	for (int i = 0; i < m->nin; i++)
		free(stacked[i]);
	return ret;
}

/* The oldest request, off the queue. Caller holds qlock; the queue is not empty. */
static struct request *dequeue(struct model *m)
{
	struct request *r = m->head;

	m->head = r->next;
	if (!m->head)
		m->tail = NULL;
	m->depth--;
	m->queued_rows -= r->batch;
	r->next = NULL;
	return r;
}

/* Gathers queued requests into BATCH (which holds its first) until it has
 * max_batch rows, the first request's max_delay_us are over, or every
 * client's request is in hand; returns which (enum serve_close). Caller
 * holds qlock; the gatherer sleeps on gcond, which an arrival signals only
 * once the queue holds the rows the batch lacks or no client is left to
 * wait for. */
static enum serve_close gather(struct model *m, struct request **batch, unsigned *nb, int64_t *rows)
{
	uint64_t deadline = batch[0]->enqueued_ns + m->cfg.max_delay_us * 1000ull;
	enum serve_close why;

	m->gathering = true;
	for (;;) {
		struct timespec ts;

		take_fitting(m, batch, nb, rows);
		if (*rows >= m->cfg.max_batch) {
			why = SERVE_CLOSE_FULL;
			break;
		}
		if (m->stopping) {
			why = SERVE_CLOSE_STOPPING;
			break;
		}
		if (nothing_more_can_come()) {
			why = SERVE_CLOSE_CLIENTS;
			break;
		}
		if (idle_half(m, *rows)) {
			why = SERVE_CLOSE_IDLE;
			break;
		}
		if (serve_now_ns() >= deadline) {
			why = SERVE_CLOSE_DELAY;
			break;
		}
		m->gather_need = (int64_t)m->cfg.max_batch - *rows;
		m->gather_rows = *rows;
		/* gcond waits on CLOCK_MONOTONIC (batcher_start). */
		ts.tv_sec = (time_t)(deadline / 1000000000ull);
		ts.tv_nsec = (long)(deadline % 1000000000ull);
		pthread_cond_timedwait(&m->gcond, &m->qlock, &ts);
	}
	m->gathering = false;
	return why;
}

static void *worker(void *arg)
{
	struct instance *in = arg;
	struct model *m = in->m;
	struct request **batch =
		calloc(m->cfg.max_batch > 1 ? m->cfg.max_batch : 1, sizeof(*batch));
	bool ran = false; /* counted in m->running until qlock is taken again */

	if (!batch)
		abort(); /* a few hundred bytes at start-up */
	for (;;) {
		unsigned nb = 0;
		int64_t rows;
		uint64_t now;

		pthread_mutex_lock(&m->qlock);
		if (ran) {
			m->running--;
			atomic_fetch_sub(&batches_running, 1);
			/* No instance runs now: the gatherer may close early. */
			if (m->gathering &&
			    (idle_half(m, m->gather_rows) || nothing_more_can_come()))
				pthread_cond_signal(&m->gcond);
			ran = false;
		}
		while ((!m->head || m->gathering) && !m->stopping)
			pthread_cond_wait(&m->qcond, &m->qlock);
		if (!m->head) {
			pthread_mutex_unlock(&m->qlock);
			break; /* stopping, and nothing is left to run */
		}
		batch[nb++] = dequeue(m);
		rows = batch[0]->batch;
		if (m->batchable) {
			enum serve_close why = SERVE_CLOSE_FULL;

			if (rows < m->cfg.max_batch)
				why = gather(m, batch, &nb, &rows);
			atomic_fetch_add(&m->met.batches_closed[why], 1);
		}
		/* What is left waits for the next idle worker. */
		if (m->head)
			pthread_cond_signal(&m->qcond);
		m->running++;
		atomic_fetch_add(&batches_running, 1);
		ran = true;
		pthread_mutex_unlock(&m->qlock);
		now = serve_now_ns();
		for (unsigned i = 0; i < nb; i++)
			batch[i]->batched_ns = now;
		run_batch(in, batch, nb, rows);
	}
	free(batch);
	return NULL;
}

int batcher_start(struct model *m, char *err, size_t errlen)
{
	pthread_condattr_t ca;

	/* Deadlines are monotonic: a wall-clock step must not stall a batch. */
	pthread_cond_destroy(&m->gcond);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->gcond, &ca);
	pthread_condattr_destroy(&ca);
	for (unsigned i = 0; i < m->ninst; i++) {
		int ret = pthread_create(&m->inst[i].thread, NULL, worker, &m->inst[i]);

		if (ret) {
			snprintf(err, errlen, "model %s: worker thread: %s", m->name,
				 strerror(ret));
			return -ret;
		}
		m->inst[i].started = true;
	}
	return 0;
}

void batcher_stop(struct model *m)
{
	pthread_mutex_lock(&m->qlock);
	m->stopping = true;
	pthread_cond_broadcast(&m->qcond);
	pthread_cond_broadcast(&m->gcond);
	pthread_mutex_unlock(&m->qlock);
	for (unsigned i = 0; i < m->ninst; i++)
		if (m->inst[i].started) {
			pthread_join(m->inst[i].thread, NULL);
			m->inst[i].started = false;
		}
}

void batcher_submit(struct request *r)
{
	struct model *m = r->m;

	r->enqueued_ns = serve_now_ns();
	atomic_fetch_add(&requests_in_hand, 1); /* complete() takes it off */
	pthread_mutex_lock(&m->qlock);
	if (m->stopping) {
		pthread_mutex_unlock(&m->qlock);
		complete(r, 503, "the server is shutting down");
		return;
	}
	if (m->tail)
		m->tail->next = r;
	else
		m->head = r;
	m->tail = r;
	m->depth++;
	m->queued_rows += r->batch;
	/* Wake the gatherer only when its batch may be full now (rows of
	 * other shapes may still leave it short: it sleeps again), no
	 * client is left to wait for, or it may close at half (idle_close);
	 * else an idle worker when nobody gathers. */
	if (m->gathering) {
		if (m->queued_rows >= m->gather_need || nothing_more_can_come() ||
		    idle_half(m, m->gather_rows + m->queued_rows))
			pthread_cond_signal(&m->gcond);
	} else {
		pthread_cond_signal(&m->qcond);
	}
	pthread_mutex_unlock(&m->qlock);
}
