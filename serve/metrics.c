// SPDX-License-Identifier: MIT
/*
 * Prometheus text exposition (format 0.0.4) of what the server did:
 * requests and failures per model, request latency and batch size
 * histograms, queue depth, compute time, open connections, responses by
 * status, and for each device a model runs on its busy time from the
 * driver's sysfs counter (busy_ns, docs/sysfs.md: device time of all
 * completed jobs, whoever submitted them) with the busy share since the
 * previous scrape.
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static const double lat_bounds[SERVE_LAT_BUCKETS] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
						     0.1,    0.2,   0.5,   1,	  2,	5,    10};
static const unsigned batch_bounds[SERVE_BATCH_BUCKETS] = {1, 2, 4, 8, 16, 32, 64, 128};

static const char *const stage_names[SERVE_STAGES] = {"read", "parse", "queue",
						      "run",  "wake",  "respond"};

static const char *const close_names[SERVE_CLOSES] = {"full", "delay", "clients", "idle",
						      "stopping"};

static atomic_uint_fast64_t responses[600];
static atomic_uint connections;

/* Previous busy sample per device, for the share between scrapes. */
static pthread_mutex_t busy_lock = PTHREAD_MUTEX_INITIALIZER; /* protects prev_* */
static uint64_t prev_busy[256], prev_t[256];

void metrics_observe_response(unsigned status)
{
	if (status < 600)
		atomic_fetch_add(&responses[status], 1);
}

void metrics_set_connections(unsigned n)
{
	atomic_store(&connections, n);
}

void metrics_observe_request(struct model *m, uint64_t ns, bool failed)
{
	double s = (double)ns / 1e9;
	int b = 0;

	atomic_fetch_add(&m->met.requests, 1);
	if (failed)
		atomic_fetch_add(&m->met.failures, 1);
	while (b < SERVE_LAT_BUCKETS && s > lat_bounds[b])
		b++;
	atomic_fetch_add(&m->met.lat_buckets[b], 1);
	atomic_fetch_add(&m->met.lat_sum_ns, ns);
}

void metrics_observe_batch(struct model *m, unsigned size, uint64_t compute_ns)
{
	int b = 0;

	while (b < SERVE_BATCH_BUCKETS && size > batch_bounds[b])
		b++;
	atomic_fetch_add(&m->met.batch_buckets[b], 1);
	atomic_fetch_add(&m->met.batch_sum, size);
	atomic_fetch_add(&m->met.batches, 1);
	atomic_fetch_add(&m->met.compute_ns, compute_ns);
}

void metrics_observe_stages(struct model *m, const uint64_t *t)
{
	for (int k = 0; k < SERVE_STAGES; k++)
		if (t[k + 1] > t[k])
			atomic_fetch_add(&m->met.stage_ns[k], t[k + 1] - t[k]);
}

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void out(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		char *np = realloc(b->p, b->cap * 2 + (size_t)n + 1);

		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = b->cap * 2 + (size_t)n + 1;
	}
}

static int read_busy_ns(int dev, uint64_t *v)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/accel/accel%d/device/ares/busy_ns", dev);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%" SCNu64, v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static void devices(struct buf *b, struct repository *r)
{
	bool seen[256] = {0};

	out(b, "# HELP ares_serve_device_busy_seconds_total Device time of all completed jobs "
	       "(sysfs busy_ns).\n# TYPE ares_serve_device_busy_seconds_total counter\n");
	out(b, "# HELP ares_serve_device_busy_ratio Share of wall time the device was busy since "
	       "the previous scrape.\n# TYPE ares_serve_device_busy_ratio gauge\n");
	for (int i = 0; i < r->n; i++) {
		int d = r->models[i].device;
		uint64_t busy, now = serve_now_ns();

		if (d < 0 || d > 255 || seen[d])
			continue;
		seen[d] = true;
		if (read_busy_ns(d, &busy))
			continue;
		out(b, "ares_serve_device_busy_seconds_total{device=\"accel%d\"} %.9f\n", d,
		    (double)busy / 1e9);
		pthread_mutex_lock(&busy_lock);
		if (prev_t[d] && now > prev_t[d] && busy >= prev_busy[d])
			out(b, "ares_serve_device_busy_ratio{device=\"accel%d\"} %.6f\n", d,
			    (double)(busy - prev_busy[d]) / (double)(now - prev_t[d]));
		prev_busy[d] = busy;
		prev_t[d] = now;
		pthread_mutex_unlock(&busy_lock);
	}
}

static void histogram(struct buf *b, const char *name, const char *model,
		      atomic_uint_fast64_t *buckets, int nb, const double *bounds, double sum)
{
	uint64_t cum = 0;

	for (int k = 0; k < nb; k++) {
		cum += atomic_load(&buckets[k]);
		out(b, "%s_bucket{model=\"%s\",le=\"%g\"} %" PRIu64 "\n", name, model, bounds[k],
		    cum);
	}
	cum += atomic_load(&buckets[nb]);
	out(b, "%s_bucket{model=\"%s\",le=\"+Inf\"} %" PRIu64 "\n", name, model, cum);
	out(b, "%s_sum{model=\"%s\"} %.9f\n", name, model, sum);
	out(b, "%s_count{model=\"%s\"} %" PRIu64 "\n", name, model, cum);
}

char *metrics_render(struct repository *r, size_t *len)
{
	struct buf b = {.p = malloc(8192), .cap = 8192};
	double bb[SERVE_BATCH_BUCKETS];

	if (!b.p)
		return NULL;
	b.p[0] = 0;
	for (int k = 0; k < SERVE_BATCH_BUCKETS; k++)
		bb[k] = batch_bounds[k];
	out(&b, "# HELP ares_serve_requests_total Inference requests per model.\n"
		"# TYPE ares_serve_requests_total counter\n");
	for (int i = 0; i < r->n; i++)
		out(&b, "ares_serve_requests_total{model=\"%s\"} %" PRIu64 "\n", r->models[i].name,
		    (uint64_t)atomic_load(&r->models[i].met.requests));
	out(&b, "# HELP ares_serve_failures_total Inference requests answered with an error.\n"
		"# TYPE ares_serve_failures_total counter\n");
	for (int i = 0; i < r->n; i++)
		out(&b, "ares_serve_failures_total{model=\"%s\"} %" PRIu64 "\n", r->models[i].name,
		    (uint64_t)atomic_load(&r->models[i].met.failures));
	out(&b, "# HELP ares_serve_request_duration_seconds Inference request latency, first "
		"byte to response.\n# TYPE ares_serve_request_duration_seconds histogram\n");
	for (int i = 0; i < r->n; i++) {
		struct model *m = &r->models[i];

		histogram(&b, "ares_serve_request_duration_seconds", m->name, m->met.lat_buckets,
			  SERVE_LAT_BUCKETS, lat_bounds,
			  (double)atomic_load(&m->met.lat_sum_ns) / 1e9);
	}
	out(&b, "# HELP ares_serve_batch_size Rows per batch run.\n"
		"# TYPE ares_serve_batch_size histogram\n");
	for (int i = 0; i < r->n; i++) {
		struct model *m = &r->models[i];

		histogram(&b, "ares_serve_batch_size", m->name, m->met.batch_buckets,
			  SERVE_BATCH_BUCKETS, bb, (double)atomic_load(&m->met.batch_sum));
	}
	out(&b, "# HELP ares_serve_queue_depth Requests waiting for an instance.\n"
		"# TYPE ares_serve_queue_depth gauge\n");
	for (int i = 0; i < r->n; i++) {
		struct model *m = &r->models[i];
		unsigned d;

		pthread_mutex_lock(&m->qlock);
		d = m->depth;
		pthread_mutex_unlock(&m->qlock);
		out(&b, "ares_serve_queue_depth{model=\"%s\"} %u\n", m->name, d);
	}
	out(&b, "# HELP ares_serve_compute_seconds_total Time from submit to completion of the "
		"model's batches.\n# TYPE ares_serve_compute_seconds_total counter\n");
	for (int i = 0; i < r->n; i++)
		out(&b, "ares_serve_compute_seconds_total{model=\"%s\"} %.9f\n", r->models[i].name,
		    (double)atomic_load(&r->models[i].met.compute_ns) / 1e9);
	out(&b, "# HELP ares_serve_request_stage_seconds_total Time successful requests spent in "
		"each stage, summed.\n# TYPE ares_serve_request_stage_seconds_total counter\n");
	for (int i = 0; i < r->n; i++)
		for (int k = 0; k < SERVE_STAGES; k++)
			out(&b,
			    "ares_serve_request_stage_seconds_total{model=\"%s\",stage=\"%s\"} "
			    "%.9f\n",
			    r->models[i].name, stage_names[k],
			    (double)atomic_load(&r->models[i].met.stage_ns[k]) / 1e9);
	out(&b, "# HELP ares_serve_batches_closed_total Batches of a batchable model by why "
		"gathering stopped.\n# TYPE ares_serve_batches_closed_total counter\n");
	for (int i = 0; i < r->n; i++)
		for (int k = 0; k < SERVE_CLOSES; k++)
			out(&b,
			    "ares_serve_batches_closed_total{model=\"%s\",reason=\"%s\"} %" PRIu64
			    "\n",
			    r->models[i].name, close_names[k],
			    (uint64_t)atomic_load(&r->models[i].met.batches_closed[k]));
	devices(&b, r);
	{
		/* Live heap (small chunks in every arena plus mmapped ones):
		 * unlike RSS, not raised by free memory the allocator keeps,
		 * so a leak shows in it directly. */
		struct mallinfo2 mi = mallinfo2();

		out(&b,
		    "# HELP ares_serve_heap_bytes Bytes of heap in use (mallinfo2 uordblks + "
		    "hblkhd).\n# TYPE ares_serve_heap_bytes gauge\nares_serve_heap_bytes %zu\n",
		    mi.uordblks + mi.hblkhd);
	}
	out(&b,
	    "# HELP ares_serve_connections Open client connections.\n"
	    "# TYPE ares_serve_connections gauge\nares_serve_connections %u\n",
	    atomic_load(&connections));
	out(&b, "# HELP ares_serve_http_responses_total Responses by HTTP status.\n"
		"# TYPE ares_serve_http_responses_total counter\n");
	for (unsigned s = 100; s < 600; s++) {
		uint64_t n = atomic_load(&responses[s]);

		if (n)
			out(&b, "ares_serve_http_responses_total{code=\"%u\"} %" PRIu64 "\n", s, n);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
