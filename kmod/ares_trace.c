// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Ares NPU: instantiates the tracepoints declared in ares_trace.h.
 */

#define CREATE_TRACE_POINTS
#include "ares_trace.h"
