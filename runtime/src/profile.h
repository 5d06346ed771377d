/* SPDX-License-Identifier: MIT */
/* Per-run profile (profile.c): spans recorded while a run executes. */
#ifndef ART_PROFILE_H
#define ART_PROFILE_H

#include <stdint.h>

struct art_session;
struct dev_slot;

/* Chrome-trace tracks (tid). */
#define RT_PROF_HOST   1
#define RT_PROF_DEVICE 2
#define RT_PROF_MODEL  3

double rt_prof_now_us(void);
int rt_prof_on(const struct art_session *s);
void rt_prof_begin(struct art_session *s);
void rt_prof_add(struct art_session *s, const char *name, const char *cat, int tid, double ts,
		 double dur, int64_t measured_ns, int64_t modeled_ns);
/* Host phases of partition PIDX and its commands from SL's PROFILE records. */
void rt_prof_partition(struct art_session *s, int pidx, struct dev_slot *sl, double t_in,
		       double t_submit, double t_done, double t_out);
void rt_prof_free(struct art_session *s);

#endif
