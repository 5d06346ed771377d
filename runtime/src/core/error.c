// SPDX-License-Identifier: MIT
/* The per-session error message every layer reports through. */
#include <stdio.h>

#include "core/internal.h"

int rt_err(struct art_session *s, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return rc;
}
