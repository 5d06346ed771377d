// SPDX-License-Identifier: MIT
/*
 * model-bench: latency and throughput of one model through libares_rt
 * with K runs in flight (figures, not assertions).
 *
 *   model-bench MODEL [--input name=FILE ...] [--runs N] [--inflight K] [--cpu]
 *
 * After one warm-up run (planning, the device streams emitted), K art_runs
 * are submitted and each is resubmitted as soon as it completes, round
 * robin, until N have completed. Latency is submit to completion of each
 * run; throughput is N over the whole time. A model that is not one device
 * partition runs inside art_run_submit(), so its K makes no difference
 * (the line says "sync").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ares_rt.h"
#include "omp_passive.h"

#define MAX_INPUTS   16
#define MAX_INFLIGHT 7 /* art_run_create()'s limit per session */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void usage(void)
{
	fprintf(stderr, "usage: model-bench MODEL [--input name=FILE ...] [--runs N] "
			"[--inflight K] [--cpu]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *model = NULL, *names[MAX_INPUTS], *files[MAX_INPUTS];
	int nin = 0, runs = 20, inflight = 1;
	unsigned flags = 0;

	omp_passive_wait(argv);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--input") && i + 1 < argc && nin < MAX_INPUTS) {
			char *eq = strchr(argv[++i], '=');
			if (!eq)
				usage();
			*eq = 0;
			names[nin] = argv[i];
			files[nin++] = eq + 1;
		} else if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--inflight") && i + 1 < argc) {
			inflight = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--cpu")) {
			flags |= ART_CPU_ONLY;
		} else if (argv[i][0] == '-' || model) {
			usage();
		} else {
			model = argv[i];
		}
	}
	if (!model || runs <= 0 || inflight < 1 || inflight > MAX_INFLIGHT)
		usage();

	int rc = 1, nruns = 0;
	art_session *s;
	art_run *r[MAX_INFLIGHT];
	struct art_tensor in[MAX_INPUTS];
	int idx[MAX_INPUTS], loaded = 0;
	double *lat = calloc((size_t)runs, sizeof(double));
	if (art_session_create(model, flags, &s)) {
		fprintf(stderr, "model-bench: %s\n", s ? art_session_errmsg(s) : "out of memory");
		goto out;
	}
	for (; loaded < nin; loaded++) {
		char err[512];
		idx[loaded] = -1;
		for (int i = 0; i < art_session_input_count(s); i++) {
			const char *name;
			struct art_tensor info;
			art_session_input_info(s, i, &name, &info);
			if (!strcmp(name, names[loaded]))
				idx[loaded] = i;
		}
		if (idx[loaded] < 0 ||
		    art_tensor_load(files[loaded], &in[loaded], err, sizeof(err))) {
			fprintf(stderr, "model-bench: input '%s': %s\n", names[loaded],
				idx[loaded] < 0 ? "no such input" : err);
			goto out;
		}
		if (art_session_set_input(s, idx[loaded], &in[loaded]))
			goto session_error;
	}
	if (!lat || art_session_run(s)) /* warm-up */
		goto session_error;
	for (; nruns < inflight; nruns++) {
		if (art_run_create(s, &r[nruns]))
			goto session_error;
		for (int i = 0; i < nin; i++)
			if (art_run_set_input(r[nruns], idx[i], &in[i]))
				goto session_error;
	}

	double start = now_ms(), sub[MAX_INFLIGHT];
	int submitted = 0, done = 0, busy[MAX_INFLIGHT] = {0};
	for (int k = 0; k < inflight && submitted < runs; k++, submitted++) {
		sub[k] = now_ms();
		if (art_run_submit(r[k]))
			goto session_error;
		busy[k] = 1;
	}
	/* Runs complete in submission order, so waiting round robin never
	 * waits behind a later one. */
	for (int k = 0; done < runs; k = (k + 1) % inflight) {
		if (!busy[k])
			continue;
		if (art_run_wait(r[k], -1))
			goto session_error;
		lat[done++] = now_ms() - sub[k];
		busy[k] = 0;
		if (submitted < runs) {
			sub[k] = now_ms();
			if (art_run_submit(r[k]))
				goto session_error;
			busy[k] = 1;
			submitted++;
		}
	}
	double total = now_ms() - start;
	qsort(lat, (size_t)done, sizeof(double), cmp_double);
	int p90 = (done * 9) / 10 < done ? (done * 9) / 10 : done - 1;
	printf("inflight %d (%s): %d runs, median %.3f ms, p90 %.3f ms, throughput %.1f runs/s\n",
	       inflight, art_run_is_async(r[0]) ? "async" : "sync", done, lat[done / 2], lat[p90],
	       done / (total / 1e3));
	rc = 0;
	goto out;
session_error:
	fprintf(stderr, "model-bench: %s\n", art_session_errmsg(s));
out:
	for (int k = 0; k < nruns; k++)
		art_run_destroy(r[k]);
	for (int i = 0; i < loaded; i++)
		art_tensor_free(&in[i]);
	art_session_destroy(s);
	free(lat);
	return rc;
}
