// SPDX-License-Identifier: MIT
/*
 * ares-serve: serves the ONNX models of a model repository over the Open
 * Inference Protocol (KServe v2 REST). See serve/README.md and
 * ares-serve(1).
 *
 * Signals: SIGTERM and SIGINT are taken synchronously by the main thread
 * (sigwait) and blocked everywhere else, so the shutdown runs as ordinary
 * code: stop accepting, let the requests in progress finish, then stop.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "omp_passive.h"

#define SERVE_MMAP_THRESHOLD (256 * 1024)

static void usage(FILE *f)
{
	fprintf(f, "usage: ares-serve --model-repository DIR [--address A] [--port N]\n"
		   "                  [--port-file FILE] [--max-connections N] [--max-body BYTES]\n"
		   "                  [--device cpu|auto|N] [--threads N] [--drain-seconds N]\n");
}

static int parse_ulong(const char *opt, const char *s, unsigned long lo, unsigned long hi,
		       unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi) {
		fprintf(stderr, "ares-serve: %s %s: expected an integer from %lu to %lu\n", opt, s,
			lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_device(const char *s, int *out)
{
	unsigned long n;

	if (!strcmp(s, "cpu")) {
		*out = SERVE_DEV_CPU;
		return 0;
	}
	if (!strcmp(s, "auto")) {
		*out = SERVE_DEV_AUTO;
		return 0;
	}
	if (parse_ulong("--device", s, 0, 255, &n))
		return -1;
	*out = (int)n;
	return 0;
}

static int parse_args(int argc, char **argv, struct serve_options *o, const char **port_file)
{
	static const struct option opts[] = {
		{"model-repository", required_argument, NULL, 'r'},
		{"address", required_argument, NULL, 'a'},
		{"port", required_argument, NULL, 'p'},
		{"port-file", required_argument, NULL, 'P'},
		{"max-connections", required_argument, NULL, 'c'},
		{"max-body", required_argument, NULL, 'b'},
		{"device", required_argument, NULL, 'd'},
		{"threads", required_argument, NULL, 't'},
		{"drain-seconds", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	unsigned long v;

	*o = (struct serve_options){
		.address = "127.0.0.1",
		.port = 8000,
		.max_connections = 64,
		.max_body = 64u << 20,
		.device = SERVE_DEV_AUTO,
		.drain_seconds = 30,
	};
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->repository = optarg;
			break;
		case 'a':
			o->address = optarg;
			break;
		case 'p':
			if (parse_ulong("--port", optarg, 0, 65535, &v))
				return -1;
			o->port = (unsigned)v;
			break;
		case 'P':
			*port_file = optarg;
			break;
		case 'c':
			if (parse_ulong("--max-connections", optarg, 1, 4096, &v))
				return -1;
			o->max_connections = (unsigned)v;
			break;
		case 'b':
			if (parse_ulong("--max-body", optarg, 64, 1ul << 30, &v))
				return -1;
			o->max_body = v;
			break;
		case 'd':
			if (parse_device(optarg, &o->device))
				return -1;
			break;
		case 't':
			if (parse_ulong("--threads", optarg, 0, 1024, &v))
				return -1;
			o->threads = (int)v;
			break;
		case 'D':
			if (parse_ulong("--drain-seconds", optarg, 0, 3600, &v))
				return -1;
			o->drain_seconds = (unsigned)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || !o->repository) {
		fprintf(stderr, "ares-serve: %s\n",
			optind != argc ? "unexpected argument"
				       : "--model-repository DIR is required");
		usage(stderr);
		return -1;
	}
	return 0;
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[4200];
	FILE *f;

	/* Written whole, then renamed: a reader never sees half a number. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f)) {
		fprintf(stderr, "ares-serve: --port-file %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (rename(tmp, path)) {
		fprintf(stderr, "ares-serve: --port-file %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Waits until no request is in progress, at most DRAIN_SECONDS. */
static void drain(struct server *s)
{
	uint64_t deadline = serve_now_ns() + s->opts.drain_seconds * 1000000000ull;
	struct timespec ts = {0, 5000000};

	while (atomic_load(&s->in_flight) && serve_now_ns() < deadline)
		nanosleep(&ts, NULL);
	if (atomic_load(&s->in_flight))
		fprintf(stderr, "ares-serve: %u requests still in progress after %u s; stopping\n",
			atomic_load(&s->in_flight), s->opts.drain_seconds);
}

int main(int argc, char **argv)
{
	static struct server s;
	const char *port_file = NULL;
	char err[1024];
	sigset_t set;
	int sig, ret;

	omp_passive_wait(argv);
	if (parse_args(argc, argv, &s.opts, &port_file))
		return 2;
	/*
	 * glibc raises its mmap threshold each time a large block is freed,
	 * so later tensors (an OCR image is megabytes) come from the
	 * per-thread arenas and stay resident after they are freed: the
	 * server's RSS would climb under load with nothing leaked. A fixed
	 * threshold gives every large tensor back to the kernel on free.
	 */
	mallopt(M_MMAP_THRESHOLD, SERVE_MMAP_THRESHOLD);
	/* Before any thread exists, so every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = repo_load(&s.repo, &s.opts, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ares-serve: %s\n", err);
		return 1;
	}
	ret = http_start(&s, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ares-serve: %s\n", err);
		repo_stop(&s.repo);
		return 1;
	}
	for (int i = 0; i < s.repo.n; i++) {
		struct model *m = &s.repo.models[i];

		char dev[32] = "cpu";

		if (m->device >= 0)
			snprintf(dev, sizeof(dev), "accel%d", m->device);
		fprintf(stderr, "ares-serve: model %s on %s, %u instance%s, %s\n", m->name, dev,
			m->ninst, m->ninst == 1 ? "" : "s",
			m->batchable ? "batching" : "no batching");
	}
	fprintf(stderr, "ares-serve: listening on %s:%u\n", s.opts.address, s.port);
	if (port_file && write_port_file(port_file, s.port)) {
		http_stop(&s);
		repo_stop(&s.repo);
		return 1;
	}
	do
		ret = sigwait(&set, &sig);
	while (ret == EINTR);
	fprintf(stderr, "ares-serve: %s: finishing %u requests in progress\n", strsignal(sig),
		atomic_load(&s.in_flight));
	http_quiesce(&s);
	drain(&s);
	/* Requests still queued after the drain run now and their
	 * connections resume before the daemon that holds them stops. */
	repo_stop_batchers(&s.repo);
	http_stop(&s);
	repo_stop(&s.repo);
	fprintf(stderr, "ares-serve: stopped\n");
	return 0;
}
