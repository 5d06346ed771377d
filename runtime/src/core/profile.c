// SPDX-License-Identifier: MIT
/*
 * Per-run profile as Chrome-trace JSON (chrome://tracing, Perfetto): host
 * spans for each CPU node and each device partition's copy-in, device and
 * copy-out phases, and one span per device command on two device tracks,
 * one with the times the device clock measured (PROFILE records around
 * every command) and one with the performance model's (docs/hw-spec.md
 * §14), placed from the partition's submit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "core/profile.h"

struct rt_prof_ev {
	char name[96];
	char cat[24];
	int tid;
	double ts, dur; /* microseconds since the run began */
	int64_t measured_ns, modeled_ns;
};

struct rt_profile {
	int on;
	double t0;
	struct rt_prof_ev *ev;
	int n, cap;
};

double rt_prof_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int rt_prof_on(const struct art_session *s)
{
	return s->prof && s->prof->on;
}

void rt_prof_begin(struct art_session *s)
{
	if (!rt_prof_on(s))
		return;
	s->prof->n = 0;
	s->prof->t0 = rt_prof_now_us();
}

void rt_prof_add(struct art_session *s, const char *name, const char *cat, int tid, double ts,
		 double dur, int64_t measured_ns, int64_t modeled_ns)
{
	struct rt_profile *p = s->prof;
	if (!rt_prof_on(s))
		return;
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 256;
		struct rt_prof_ev *ev = realloc(p->ev, (size_t)cap * sizeof(*ev));
		if (!ev)
			return; /* a profile missing spans beats a failed run */
		p->ev = ev;
		p->cap = cap;
	}
	struct rt_prof_ev *e = &p->ev[p->n++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->cat, sizeof(e->cat), "%s", cat);
	e->tid = tid;
	e->ts = ts - p->t0;
	e->dur = dur;
	e->measured_ns = measured_ns;
	e->modeled_ns = modeled_ns;
}

static void json_str(FILE *f, const char *str)
{
	fputc('"', f);
	for (const char *c = str; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if ((unsigned char)*c < 0x20)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

int art_session_write_profile(const art_session *s, const char *path)
{
	struct art_session *ms = (struct art_session *)s;
	if (!s->prof || !s->prof->n)
		return rt_err(ms, -ENODATA,
			      "no profiled run to write (enable profiling, then run)");
	FILE *f = fopen(path, "w");
	if (!f)
		return rt_err(ms, -errno, "%s: %s", path, strerror(errno));
	static const char *const tracks[] = {"", "host", "device (measured)", "device (modeled)"};
	fprintf(f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	for (int t = 1; t <= 3; t++)
		fprintf(f,
			"{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
			"\"args\":{\"name\":\"%s\"}},\n",
			t, tracks[t]);
	for (int i = 0; i < s->prof->n; i++) {
		const struct rt_prof_ev *e = &s->prof->ev[i];
		fprintf(f, "{\"name\":");
		json_str(f, e->name);
		fprintf(f, ",\"cat\":");
		json_str(f, e->cat);
		fprintf(f, ",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,\"dur\":%.3f", e->tid,
			e->ts, e->dur);
		if (e->tid != RT_PROF_HOST)
			fprintf(f, ",\"args\":{\"measured_ns\":%lld,\"modeled_ns\":%lld}",
				(long long)e->measured_ns, (long long)e->modeled_ns);
		fprintf(f, "}%s\n", i + 1 < s->prof->n ? "," : "");
	}
	fprintf(f, "]}\n");
	if (fclose(f))
		return rt_err(ms, -EIO, "%s: write failed", path);
	return 0;
}

int rt_prof_enable(struct art_session *s, int on)
{
	if (on && !s->prof) {
		s->prof = calloc(1, sizeof(*s->prof));
		if (!s->prof)
			return rt_err(s, -ENOMEM, "out of memory for the profile");
	}
	if (s->prof)
		s->prof->on = !!on;
	return 0;
}

void rt_prof_free(struct art_session *s)
{
	if (s->prof)
		free(s->prof->ev);
	free(s->prof);
	s->prof = NULL;
}
