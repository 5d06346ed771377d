/* SPDX-License-Identifier: MIT */
/*
 * The OpenMP wait policy of a program that runs models through libares_rt
 * on a shared host: accel-run, ares-ocr, model-bench and ares-serve call
 * omp_passive_wait() first thing in main().
 */
#ifndef ARES_TOOLS_OMP_PASSIVE_H
#define ARES_TOOLS_OMP_PASSIVE_H

/* Runs the program again (same ARGV) with OMP_WAIT_POLICY=PASSIVE unless
 * the environment already sets a policy; returns only when it did not
 * (a policy was set, or /proc/self/exe could not be run). */
void omp_passive_wait(char **argv);

#endif
