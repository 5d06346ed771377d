// SPDX-License-Identifier: MIT
/*
 * libgomp (under Debian's oneDNN) reads OMP_WAIT_POLICY once, in its own
 * constructor, and by default spins at the end of each parallel region.
 * On a host with more runnable threads than CPUs (the shared machines
 * here) a spinning thread holds a CPU its partner needs, and 2 threads ran
 * 10-40x slower than 1 (det: 1116 ms against 74 ms at load 18; passive:
 * 96 ms). Nothing set in this process reaches libgomp any more (it has
 * read the environment before main, and libc resets environ after a
 * preinit function), so the program runs itself again once with the
 * policy set. A policy the user set is kept.
 */
#include <stdlib.h>
#include <unistd.h>

#include "omp_passive.h"

void omp_passive_wait(char **argv)
{
	if (getenv("OMP_WAIT_POLICY"))
		return;
	setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
	execv("/proc/self/exe", argv);
	/* No /proc: run on with libgomp's default. */
}
