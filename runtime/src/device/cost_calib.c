// SPDX-License-Identifier: MIT
/*
 * The cost model measured on the machine the session runs on, once at
 * session creation: the submit cost is one empty job's round trip through
 * ares.ko and the device, and the CPU's rates are the documented ones
 * (device/cost_model.c, measured on the development host) scaled by how
 * much longer a reference loop takes here than it took there. So a guest
 * whose CPU is emulated (QEMU TCG) and whose device answers from a native
 * emulator places differently from silicon beside a native CPU, each the
 * way that is faster on it. The device's compute stays its modeled time.
 * ART_PLACEMENT_CALIBRATE=0 keeps the documented constants.
 */
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "device/cost.h"
#include "device/device.h"

/* The reference loop: 16384 floats through a branch and a multiply, as the
 * plain-loop kernels do per element. */
#define CALIB_ELEMS  16384
/* Its best time on the development host (bench/placement-cost.sh's
 * machine, -O2, the best of 5 repeats; 15 processes gave 8943 to 9014),
 * in ns: 0.55 ns an element. */
#define CALIB_REF_NS 8950.0

static double calib_loop_ns(void)
{
	float *x = malloc(CALIB_ELEMS * sizeof(float));
	if (!x)
		return 0;
	for (int i = 0; i < CALIB_ELEMS; i++)
		x[i] = (float)((i * 7919) % 2001 - 1000) / 1000.0f;
	double best = 0;
	for (int rep = 0; rep < 5; rep++) {
		double t0 = rt_prof_now_us();
		for (int i = 0; i < CALIB_ELEMS; i++)
			x[i] = x[i] > 0 ? x[i] * 0.5f : x[i] * -1.5f;
		/* The stores must happen: the compiler sees the array read below. */
		__asm__ volatile("" : : "r"(x) : "memory");
		double t = (rt_prof_now_us() - t0) * 1e3;
		if (rep == 0 || t < best)
			best = t;
	}
	free(x);
	return best;
}

/* One job's round trip on the session's user queue, as dev_submit() and
 * dev_wait() make it; 0 when it failed. */
static double uq_round_trip_ns(struct rt_device *d, accel_bo *bo, uint32_t size)
{
	uint64_t ticket;
	uint32_t st = 1;
	double t0 = rt_prof_now_us();
	if (accel_uq_submit(d->uq, bo, 0, size, &ticket) ||
	    accel_uq_wait(d->uq, ticket, DEV_UQ_SPIN_NS, 10ll * 1000 * 1000 * 1000) ||
	    accel_uq_job_status(d->uq, ticket, &st) || st != ACCEL_JOB_OK)
		return 0;
	return (rt_prof_now_us() - t0) * 1e3;
}

/* One empty job's round trip, the best of SUBMIT_REPS (the first jobs of
 * a context are slower than the steady state a run sees), on the path the
 * session's jobs take; 0 when it failed. */
#define SUBMIT_REPS 8
static double submit_ns(struct rt_device *d)
{
	accel_cmdbuf *cb;
	accel_bo *bo = NULL;
	if (accel_cmdbuf_create(&cb))
		return 0;
	double best = 0;
	/* Uploaded once, as a partition's stream is: each job submits it. */
	if (!accel_cmdbuf_nop(cb, 8) && !accel_cmdbuf_upload(d->dev, cb, &bo)) {
		accel_bo *bos[1] = {bo};
		struct accel_submit_args a = {.cmd_bo = bo,
					      .cmd_size = (uint32_t)accel_cmdbuf_size(cb),
					      .bos = bos,
					      .bo_count = 1};
		for (int rep = 0; rep < SUBMIT_REPS; rep++) {
			accel_job *job;
			uint32_t st = 1;
			if (d->uq) {
				double t = uq_round_trip_ns(d, bo, a.cmd_size);
				if (t <= 0) {
					best = 0;
					break;
				}
				if (rep == 0 || t < best)
					best = t;
				continue;
			}
			double t0 = rt_prof_now_us();
			if (accel_submit(d->ctx, &a, &job)) {
				best = 0;
				break;
			}
			int rc = accel_job_wait(job, 10ll * 1000 * 1000 * 1000);
			if (!rc)
				rc = accel_job_status(job, &st);
			accel_job_destroy(job);
			double t = (rt_prof_now_us() - t0) * 1e3;
			if (rc || st != ACCEL_JOB_OK) {
				best = 0;
				break;
			}
			if (rep == 0 || t < best)
				best = t;
		}
	}
	accel_bo_free(bo);
	accel_cmdbuf_destroy(cb);
	return best;
}

void dev_cost_calibrate(struct art_session *s, struct dev_cost_model *m)
{
	*m = dev_cost_default;
	m->cpu_scale = 1;
	const char *env = getenv("ART_PLACEMENT_CALIBRATE");
	if (env && !strcmp(env, "0"))
		return;
	double sub = submit_ns(s->dev), loop = calib_loop_ns();
	if (sub > 0) {
		m->submit_ns = sub;
		m->measured |= DEV_COST_SUBMIT_MEASURED;
	}
	if (loop > 0) {
		/* Within reason: a loop preempted for a whole time slice says
		 * nothing of the CPU. */
		double f = loop / CALIB_REF_NS;
		m->cpu_scale = f < 0.1 ? 0.1 : f > 1000 ? 1000 : f;
		m->cpu_node_ns *= m->cpu_scale;
		m->cpu_flops_per_ns /= m->cpu_scale;
		m->cpu_elems_per_ns /= m->cpu_scale;
		m->measured |= DEV_COST_CPU_MEASURED;
	}
}
