/* SPDX-License-Identifier: MIT */
/*
 * Device log. One write(2) per line so the main process and the CP child
 * can share the descriptor without interleaving or duplicating stdio buffers
 * across fork().
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

void sim_log(const struct sim_dev *d, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n, m;

	if (d->log_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "ares-sim[%d] %llu.%06llu: ", (int)getpid(),
		     (unsigned long long)(sim_now_ns() / 1000000000ull),
		     (unsigned long long)(sim_now_ns() / 1000ull % 1000000ull));
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(d->log_fd, line, (size_t)n) < 0) {
		/* Nowhere left to report a failing log. */
	}
}
