// SPDX-License-Identifier: MIT
/*
 * The worker pool: the caller plus threads-1 helpers take tasks of one
 * kernel call from a shared counter, so tiles of uneven cost balance
 * themselves. Helpers sleep on a condition variable between calls.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

struct compute_workers {
	unsigned int n; /* threads including the caller */
	pthread_t *th;
	pthread_mutex_t lock; /* protects gen, busy, quit and the job fields */
	pthread_cond_t wake;  /* gen moved or quit */
	pthread_cond_t idle;  /* busy reached 0 */
	uint64_t gen;
	unsigned int busy;
	int quit;
	ck_task_fn fn;
	void *ctx;
	int64_t ntasks;
	atomic_int_fast64_t next;
};

struct helper_arg {
	struct compute_workers *w;
	unsigned int id;
};

static void run_tasks(struct compute_workers *w, unsigned int id)
{
	for (;;) {
		int64_t t = atomic_fetch_add(&w->next, 1);

		if (t >= w->ntasks)
			break;
		w->fn(w->ctx, t, id);
	}
}

static void *helper(void *arg)
{
	struct compute_workers *w = ((struct helper_arg *)arg)->w;
	unsigned int id = ((struct helper_arg *)arg)->id;
	uint64_t seen = 0;

	free(arg);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->quit && w->gen == seen)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->quit)
			break;
		seen = w->gen;
		pthread_mutex_unlock(&w->lock);
		run_tasks(w, id);
		pthread_mutex_lock(&w->lock);
		if (--w->busy == 0)
			pthread_cond_signal(&w->idle);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct compute_workers *compute_workers_create(unsigned int threads)
{
	struct compute_workers *w;
	unsigned int i;

	if (!threads) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		threads = c > 0 ? (unsigned int)c : 1;
	}
	if (threads > 256)
		threads = 256;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->th = calloc(threads, sizeof(*w->th));
	if (!w->th) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->idle, NULL);
	w->n = 1;
	for (i = 1; i < threads; i++) {
		struct helper_arg *a = malloc(sizeof(*a));

		if (!a)
			break;
		a->w = w;
		a->id = i;
		if (pthread_create(&w->th[i], NULL, helper, a)) {
			free(a);
			break;
		}
		w->n++;
	}
	if (w->n != threads) {
		compute_workers_destroy(w);
		return NULL;
	}
	return w;
}

void compute_workers_destroy(struct compute_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	for (unsigned int i = 1; i < w->n; i++)
		pthread_join(w->th[i], NULL);
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->th);
	free(w);
}

static void sync_task(void *ctx, int64_t t, unsigned int id)
{
	(void)ctx;
	(void)t;
	(void)id;
}

void compute_workers_sync(struct compute_workers *w)
{
	/* Every helper counts itself out of busy, so this waits for all of them. */
	if (w && w->n > 1)
		ck_parallel(w, w->n, sync_task, NULL);
	ck_dnnl_warm();
}

unsigned int ck_nthreads(struct compute_workers *w)
{
	return w ? w->n : 1;
}

void ck_parallel(struct compute_workers *w, int64_t ntasks, ck_task_fn fn, void *ctx)
{
	if (ntasks <= 0)
		return;
	if (!w || w->n == 1 || ntasks == 1) {
		for (int64_t t = 0; t < ntasks; t++)
			fn(ctx, t, 0);
		return;
	}
	pthread_mutex_lock(&w->lock);
	w->fn = fn;
	w->ctx = ctx;
	w->ntasks = ntasks;
	atomic_store(&w->next, 0);
	w->busy = w->n - 1;
	w->gen++;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	run_tasks(w, 0);
	pthread_mutex_lock(&w->lock);
	while (w->busy)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

/*
 * Per-thread scratch: kernels need a few hundred KiB per task, and fresh
 * allocations that size are mmap()ed and page-faulted in every time.
 */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

struct scratch {
	size_t size;
	void *p;
};

static void scratch_free(void *v)
{
	struct scratch *s = v;

	free(s->p);
	free(s);
}

static void scratch_init(void)
{
	if (pthread_key_create(&scratch_key, scratch_free))
		abort();
}

void *ck_scratch(size_t bytes)
{
	struct scratch *s;

	pthread_once(&scratch_once, scratch_init);
	s = pthread_getspecific(scratch_key);
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s || pthread_setspecific(scratch_key, s))
			abort();
	}
	if (s->size < bytes) {
		free(s->p);
		s->p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
		if (!s->p)
			abort(); /* the emulator cannot go on without it */
		s->size = bytes;
	}
	return s->p;
}
