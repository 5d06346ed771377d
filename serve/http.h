/* SPDX-License-Identifier: MIT */
/* The HTTP side of ares-serve (http.c) and the server it serves. */
#ifndef ARES_SERVE_HTTP_H
#define ARES_SERVE_HTTP_H

#include <arpa/inet.h>
#include <stdarg.h>
#include <unistd.h>

#include "serve.h"

struct server {
	struct serve_options opts;
	struct repository repo;
	struct MHD_Daemon *mhd;
	unsigned port;		 /* bound port (opts.port may be 0) */
	atomic_uint connections; /* open client connections */
	atomic_uint in_flight;	 /* requests between first byte and response sent */
	atomic_bool draining;	 /* SIGTERM seen: not ready, no new connections */
};

int http_start(struct server *s, char *err, size_t errlen);
/* Stops accepting connections; requests in progress go on. */
void http_quiesce(struct server *s);
void http_stop(struct server *s);

#endif
