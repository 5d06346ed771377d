/* SPDX-License-Identifier: MIT */
/*
 * ares-serve: an Open Inference Protocol (KServe v2 REST) model server over
 * libares_rt's public API. Types shared by its files: the server options,
 * the models of the repository with their request queues, and one pending
 * inference request.
 */
#ifndef ARES_SERVE_H
#define ARES_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ares_rt.h"

#define SERVE_VERSION	    "0.1.0"
#define SERVE_MAX_IO	    16 /* inputs or outputs of one served model */
#define SERVE_MAX_INST	    8  /* instances (sessions, device contexts) per model */
#define SERVE_NAME_MAX	    64
#define SERVE_LAT_BUCKETS   14
#define SERVE_BATCH_BUCKETS 8

/* Device choice: a model's sessions run on the CPU path, on any Ares device
 * (CPU where there is none), or on /dev/accel/accelN. */
enum serve_device { SERVE_DEV_AUTO = -1, SERVE_DEV_CPU = -2 };

struct serve_options {
	const char *repository;
	const char *address; /* IPv4 address to bind */
	unsigned port;
	unsigned max_connections; /* beyond it a request gets 429 */
	size_t max_body;	  /* bytes; a larger request body gets 413 */
	int device;		  /* default for models whose config names none */
	int threads;		  /* CPU-path threads per session (0: runtime's default) */
	unsigned drain_seconds;	  /* SIGTERM: how long in-flight requests may take */
};

/* The optional config.json of a model directory. */
struct model_config {
	int device;	       /* enum serve_device or N */
	unsigned max_batch;    /* 0 or 1: no batching */
	unsigned max_delay_us; /* how long the first request of a batch waits */
	bool pad_batch;	       /* run every batch at max_batch rows: one shape */
	bool idle_close;       /* close at half max_batch while no instance runs */
	unsigned instances;    /* sessions (device contexts) running batches at once */
	int threads;	       /* CPU-path threads per session */
	int precision;	       /* art_session_options.precision: 0 (fp32), bf16 or fp16 */
};

/* The spans of one request, first byte to response queued. */
enum serve_stage {
	SERVE_STAGE_READ,    /* headers seen to body read */
	SERVE_STAGE_PARSE,   /* JSON and input checks, to queued */
	SERVE_STAGE_QUEUE,   /* queued to its batch closed (the batching delay) */
	SERVE_STAGE_RUN,     /* batch closed to outputs copied (stack, run, split) */
	SERVE_STAGE_WAKE,    /* outputs copied to its connection resumed */
	SERVE_STAGE_RESPOND, /* response built and queued */
	SERVE_STAGES
};

/* Why a gatherer closed its batch (ares_serve_batches_closed_total). */
enum serve_close {
	SERVE_CLOSE_FULL,     /* max_batch rows */
	SERVE_CLOSE_DELAY,    /* the first request waited max_delay_us */
	SERVE_CLOSE_CLIENTS,  /* every connection's request in hand, no batch running */
	SERVE_CLOSE_IDLE,     /* idle_close: half of max_batch, no instance running */
	SERVE_CLOSE_STOPPING, /* SIGTERM: run what is queued */
	SERVE_CLOSES
};

struct io_info {
	char name[SERVE_NAME_MAX * 2];
	struct art_tensor decl; /* declared dtype and dims (-1 dynamic) */
};

struct model;

/* One inference request: validated inputs in, outputs out. The worker that
 * ran it fills the outputs and calls on_done, its last touch of it. */
struct request {
	struct model *m;
	struct art_tensor in[SERVE_MAX_IO];  /* data malloc'd, model's dtypes */
	int64_t batch;			     /* dim 0 of every input when batchable */
	bool batch_set;			     /* batch was taken from an input */
	struct art_tensor out[SERVE_MAX_IO]; /* data malloc'd by the worker */
	int status;			     /* HTTP status; 200 on success */
	char err[256];
	uint64_t enqueued_ns;  /* parsed and queued */
	uint64_t batched_ns;   /* its batch closed, taken by a worker */
	uint64_t completed_ns; /* its batch ran and its outputs are copied */
	void (*on_done)(struct request *r);
	void *ctx;	      /* on_done's */
	struct request *next; /* in the model's queue */
};

struct instance {
	struct model *m;
	int idx;
	art_session *s;
	art_run *run;
	pthread_t thread;
	bool started;
};

struct model_metrics {
	atomic_uint_fast64_t requests, failures;
	atomic_uint_fast64_t lat_buckets[SERVE_LAT_BUCKETS + 1]; /* last: +Inf */
	atomic_uint_fast64_t lat_sum_ns;
	atomic_uint_fast64_t batch_buckets[SERVE_BATCH_BUCKETS + 1];
	atomic_uint_fast64_t batch_sum, batches;
	atomic_uint_fast64_t compute_ns; /* submit to wait done, summed over batches */
	/* Where a successful request's time goes, summed over requests
	 * (enum serve_stage): what serve-bench divides into a breakdown. */
	atomic_uint_fast64_t stage_ns[SERVE_STAGES];
	atomic_uint_fast64_t batches_closed[SERVE_CLOSES]; /* batchable models */
};

struct model {
	char name[SERVE_NAME_MAX];
	char path[4096];
	struct model_config cfg;
	int nin, nout;
	struct io_info in[SERVE_MAX_IO], out[SERVE_MAX_IO];
	bool batchable; /* dim 0 of every input and output is dynamic */
	int device;	/* accelN the sessions run on, -1 for the CPU */
	struct instance inst[SERVE_MAX_INST];
	unsigned ninst;

	/* The queue of requests not yet taken by a worker. gathering is set
	 * while one worker collects a batch, so two idle workers do not split
	 * the requests of one batch between them. Idle workers wait on qcond
	 * and the gatherer on gcond, and an arrival wakes only the one that
	 * can act on it (under TCG every needless wakeup cost the guest's
	 * vCPUs what the HTTP threads needed). */
	pthread_mutex_t qlock; /* protects everything down to stopping */
	pthread_cond_t qcond;  /* a request waits and nobody gathers, or stop */
	pthread_cond_t gcond;  /* the gatherer's batch may fill, or stop */
	struct request *head, *tail;
	unsigned depth;
	int64_t queued_rows; /* rows of the queued requests */
	int64_t gather_need; /* rows the gatherer's batch still lacks */
	int64_t gather_rows; /* rows the gatherer's batch holds */
	unsigned running;    /* instances running a batch */
	bool gathering, stopping;

	struct model_metrics met;
};

struct repository {
	struct model *models;
	int n;
};

/* repository.c */
int repo_load(struct repository *r, const struct serve_options *o, char *err, size_t errlen);
struct model *repo_find(struct repository *r, const char *name);
/* Stops every model's workers once their queued requests ran (idempotent). */
void repo_stop_batchers(struct repository *r);
void repo_stop(struct repository *r);

/* config.c */
int model_config_load(const char *dir, const struct serve_options *o, struct model_config *c,
		      char *err, size_t errlen);

/* batcher.c */
int batcher_start(struct model *m, char *err, size_t errlen);
void batcher_stop(struct model *m);
/* Queues R on its model; R->on_done is called (from a worker, or from
 * here when the server is stopping) once it ran or was refused. */
void batcher_submit(struct request *r);
/* The open client connections, for the early close of a batch. */
void batcher_set_connections(unsigned n);
void request_init(struct request *r, struct model *m);
void request_free(struct request *r);

/* tensor_json.c: KServe datatype names and JSON <-> tensor data. */
const char *dtype_to_kserve(int dtype);
int dtype_from_kserve(const char *s);

/* metrics.c */
void metrics_observe_request(struct model *m, uint64_t ns, bool failed);
void metrics_observe_batch(struct model *m, unsigned size, uint64_t compute_ns);
/* T: the request's SERVE_STAGES + 1 instants, first byte to response queued. */
void metrics_observe_stages(struct model *m, const uint64_t *t);
void metrics_observe_response(unsigned status);
void metrics_set_connections(unsigned n);
/* Prometheus text for every model and device; malloc'd, NUL-terminated. */
char *metrics_render(struct repository *r, size_t *len);

uint64_t serve_now_ns(void);

#endif
