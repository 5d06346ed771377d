/* SPDX-License-Identifier: MIT */
/* Per-run profile (core/profile.c): spans recorded while a run executes;
 * the device's spans are added by device/exec.c. */
#ifndef ART_PROFILE_H
#define ART_PROFILE_H

#include <stdint.h>

struct art_session;

/* Chrome-trace tracks (tid). */
#define RT_PROF_HOST   1
#define RT_PROF_DEVICE 2
#define RT_PROF_MODEL  3

double rt_prof_now_us(void);
int rt_prof_on(const struct art_session *s);
void rt_prof_begin(struct art_session *s);
void rt_prof_add(struct art_session *s, const char *name, const char *cat, int tid, double ts,
		 double dur, int64_t measured_ns, int64_t modeled_ns);
/* Starts (ON) or stops recording; -ENOMEM when the profile cannot be made. */
int rt_prof_enable(struct art_session *s, int on);
void rt_prof_free(struct art_session *s);

#endif
