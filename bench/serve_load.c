/* SPDX-License-Identifier: MIT */
/*
 * serve_load - a closed-loop HTTP/1.1 load generator for ares-serve: N
 * threads, each with one keep-alive connection, send the same POST back to
 * back for a fixed time and record every round trip. A C client instead of
 * Python's http.client, because on a one- or two-vCPU guest eight Python
 * clients took most of the CPU the server needed, so the benchmark measured
 * the clients.
 *
 *   serve_load -p PORT -u PATH -b BODY_FILE [-H 'Name: value']... [-c CLIENTS]
 *              [-d SECONDS] [-w WARMUP_SECONDS]
 *
 * Prints figures only (it never passes or fails on them), the last line for
 * scripts:
 *   serve_load: requests=N errors=N seconds=S rps=R p50_ms=M p90_ms=M p99_ms=M max_ms=M
 * A response other than 200 counts as an error; a broken connection ends
 * that client with a message, and the exit status is 1.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS   8
#define RESPONSE_HEAD 8192

struct load {
	int port;
	const char *path;
	char *request; /* head and body, sent with one write */
	size_t request_len;
	double seconds;
	double warmup;
};

struct client {
	pthread_t thread;
	const struct load *load;
	double *lat_ms;
	size_t n, cap;
	unsigned long errors;
	bool broken;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_local(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads one response; returns its status code, or -1 if the connection broke. */
static int read_response(int fd, char *buf)
{
	size_t have = 0;
	char *end = NULL;
	long status, body_len;
	const char *cl;

	while (!end) {
		ssize_t r;

		if (have == RESPONSE_HEAD - 1)
			return -1; /* a head this large is not ares-serve's */
		r = recv(fd, buf + have, RESPONSE_HEAD - 1 - have, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	if (sscanf(buf, "HTTP/1.%*d %ld", &status) != 1)
		return -1;
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (!cl || cl > end)
		return -1; /* ares-serve always sends a length; chunked is not expected */
	body_len = strtol(cl + 17, NULL, 10);
	if (body_len < 0)
		return -1;
	/* Drain the rest of the body; only the status is judged. */
	for (long left = body_len - (long)(have - (size_t)(end + 4 - buf)); left > 0;) {
		ssize_t r = recv(fd, buf, left < RESPONSE_HEAD ? (size_t)left : RESPONSE_HEAD, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		left -= r;
	}
	return (int)status;
}

static int record(struct client *c, double ms)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 4096;
		double *p = realloc(c->lat_ms, cap * sizeof(*p));

		if (!p)
			return -1;
		c->lat_ms = p;
		c->cap = cap;
	}
	c->lat_ms[c->n++] = ms;
	return 0;
}

static void *run_client(void *arg)
{
	struct client *c = arg;
	const struct load *l = c->load;
	char *buf = malloc(RESPONSE_HEAD);
	int fd = connect_local(l->port);
	double start = now_s(), measure_from = start + l->warmup;
	double stop = measure_from + l->seconds;

	if (!buf || fd < 0) {
		fprintf(stderr, "serve_load: cannot connect to 127.0.0.1:%d: %s\n", l->port,
			strerror(errno));
		c->broken = true;
		goto out;
	}
	for (double t0 = now_s(); t0 < stop; t0 = now_s()) {
		int status;

		if (send_all(fd, l->request, l->request_len) < 0 ||
		    (status = read_response(fd, buf)) < 0) {
			fprintf(stderr, "serve_load: connection broken after %zu requests\n", c->n);
			c->broken = true;
			break;
		}
		if (t0 < measure_from)
			continue;
		if (status != 200)
			c->errors++;
		if (record(c, (now_s() - t0) * 1e3) < 0) {
			c->broken = true;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)size + 1)) && fread(data, 1, (size_t)size, f) == (size_t)size) {
		*len = (size_t)size;
	} else {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

static int build_request(struct load *l, const char *body_path, const char **headers, int nh)
{
	size_t body_len, head_cap = 256 + strlen(l->path), used;
	char *body = read_file(body_path, &body_len);
	char *req;

	if (!body) {
		fprintf(stderr, "serve_load: cannot read body file %s: %s\n", body_path,
			strerror(errno));
		return -1;
	}
	for (int i = 0; i < nh; i++)
		head_cap += strlen(headers[i]) + 2;
	req = malloc(head_cap + body_len);
	if (!req) {
		free(body);
		return -1;
	}
	used = (size_t)snprintf(req, head_cap, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", l->path);
	for (int i = 0; i < nh; i++)
		used += (size_t)snprintf(req + used, head_cap - used, "%s\r\n", headers[i]);
	used += (size_t)snprintf(req + used, head_cap - used, "Content-Length: %zu\r\n\r\n",
				 body_len);
	memcpy(req + used, body, body_len);
	free(body);
	l->request = req;
	l->request_len = used + body_len;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: serve_load -p PORT -u PATH -b BODY_FILE [-H 'Name: value']... "
			"[-c CLIENTS] [-d SECONDS] [-w WARMUP_SECONDS]\n");
	exit(2);
}

static double parse_seconds(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || !(v >= 0 && v <= 86400)) {
		fprintf(stderr, "serve_load: %s must be 0 to 86400 seconds, got '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct load l = {.port = -1, .seconds = 10, .warmup = 1};
	const char *headers[MAX_HEADERS], *body_path = NULL;
	struct client *clients;
	int nh = 0, nclients = 8, opt, rc = 0;
	size_t total = 0, k = 0;
	unsigned long errors = 0;
	double *all;

	while ((opt = getopt(argc, argv, "p:u:b:H:c:d:w:")) != -1) {
		switch (opt) {
		case 'p':
			l.port = atoi(optarg);
			break;
		case 'u':
			l.path = optarg;
			break;
		case 'b':
			body_path = optarg;
			break;
		case 'H':
			if (nh == MAX_HEADERS || strpbrk(optarg, "\r\n")) {
				fprintf(stderr, "serve_load: at most %d headers, one line each\n",
					MAX_HEADERS);
				return 2;
			}
			headers[nh++] = optarg;
			break;
		case 'c':
			nclients = atoi(optarg);
			break;
		case 'd':
			l.seconds = parse_seconds(optarg, "-d");
			break;
		case 'w':
			l.warmup = parse_seconds(optarg, "-w");
			break;
		default:
			usage();
		}
	}
	if (l.port <= 0 || l.port > 65535 || !l.path || l.path[0] != '/' ||
	    strpbrk(l.path, " \r\n") || !body_path || nclients < 1 || nclients > 1024)
		usage();
	if (build_request(&l, body_path, headers, nh) < 0)
		return 1;
	clients = calloc((size_t)nclients, sizeof(*clients));
	if (!clients)
		return 1;
	for (int i = 0; i < nclients; i++) {
		clients[i].load = &l;
		if (pthread_create(&clients[i].thread, NULL, run_client, &clients[i])) {
			fprintf(stderr, "serve_load: cannot start client %d\n", i);
			return 1;
		}
	}
	for (int i = 0; i < nclients; i++) {
		pthread_join(clients[i].thread, NULL);
		total += clients[i].n;
		errors += clients[i].errors;
		rc |= clients[i].broken;
	}
	all = malloc((total ? total : 1) * sizeof(*all));
	if (!all)
		return 1;
	for (int i = 0; i < nclients; i++) {
		memcpy(all + k, clients[i].lat_ms, clients[i].n * sizeof(*all));
		k += clients[i].n;
		free(clients[i].lat_ms);
	}
	qsort(all, total, sizeof(*all), cmp_double);
#define PCT(p) (total ? all[(size_t)((total - 1) * (p))] : 0.0)
	printf("serve_load: requests=%zu errors=%lu seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f "
	       "p99_ms=%.3f max_ms=%.3f\n",
	       total, errors, l.seconds, l.seconds > 0 ? total / l.seconds : 0.0, PCT(0.50),
	       PCT(0.90), PCT(0.99), PCT(1.0));
#undef PCT
	free(all);
	free(clients);
	free(l.request);
	return rc;
}
