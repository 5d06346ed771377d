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

/* Relaxed atomics: the CP's compute workers may share a limit; a count off by one is fine. */
int sim_log_allow(const struct sim_dev *d, struct sim_log_limit *l, const char *what)
{
	uint64_t now = sim_now_ns(), start = __atomic_load_n(&l->window_start_ns, __ATOMIC_RELAXED);
	uint32_t dropped;

	if (now - start >= 1000000000ull &&
	    __atomic_compare_exchange_n(&l->window_start_ns, &start, now, 0, __ATOMIC_RELAXED,
					__ATOMIC_RELAXED)) {
		dropped = __atomic_exchange_n(&l->dropped, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&l->lines, 0, __ATOMIC_RELAXED);
		if (dropped)
			sim_log(d, "log: %u %s lines dropped (more than %u a second)", dropped,
				what, SIM_LOG_LIMIT_LINES);
	}
	if (__atomic_fetch_add(&l->lines, 1, __ATOMIC_RELAXED) < SIM_LOG_LIMIT_LINES)
		return 1;
	__atomic_fetch_add(&l->dropped, 1, __ATOMIC_RELAXED);
	return 0;
}
