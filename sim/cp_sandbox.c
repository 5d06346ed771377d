/* SPDX-License-Identifier: MIT */
/*
 * The CP's sandbox, entered after the verified payload is loaded and
 * before its entry runs. A signature says who built the firmware, not
 * that it has no bugs: a guest that finds one (a descriptor the firmware
 * mis-parses) would otherwise hold the emulator's host privileges. The CP
 * keeps only what the CP ABI needs: the descriptors of the device
 * (doorbell and interrupt eventfds, the READY pipe, the log), memory, time,
 * futexes for the compute workers, and its own death. Anything else, from
 * open(2) to execve(2), socket(2) or ptrace(2), kills the whole CP
 * (SECCOMP_RET_KILL_PROCESS); the main process sees SIGSYS and reports
 * STATUS.FATAL with FATAL_CAUSE = ARES_FATAL_CP_SANDBOX.
 *
 * libseccomp (Debian libseccomp-dev) writes the BPF: it resolves syscall
 * numbers per architecture and checks the architecture itself, which a
 * hand-written filter must remember to do.
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <seccomp.h>

#include "cp.h"

/*
 * Everything the CP does once the firmware runs. The worker threads have
 * already started (compute_workers_sync), so no thread start-up calls.
 */
static const int cp_allowed[] = {
	/* eventfds, READY pipe, log (fds are the only ones left open) */
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(ppoll),
	SCMP_SYS(poll),
	/* device clock and sleeping (the vDSO may fall back to the syscall) */
	SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_getres),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
	/* malloc in the engines, the compute worker pool */
	SCMP_SYS(mmap),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(mprotect),
	SCMP_SYS(madvise),
	SCMP_SYS(brk),
	SCMP_SYS(futex),
	SCMP_SYS(sched_yield),
	/* sim_log's pid, and dying (abort() masks signals first) */
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
};

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Closes every descriptor not in @keep (at most 32 of them). */
static int close_others(const int *keep, int nkeep)
{
	int k[32], n = 0, i;
	unsigned int from = 0;

	for (i = 0; i < nkeep && n < (int)(sizeof(k) / sizeof(k[0])); i++)
		if (keep[i] >= 0)
			k[n++] = keep[i];
	qsort(k, (size_t)n, sizeof(k[0]), cmp_int);
	for (i = 0; i < n; i++) {
		if ((unsigned int)k[i] > from && close_range(from, (unsigned int)k[i] - 1, 0))
			return -errno;
		from = (unsigned int)k[i] + 1;
	}
	return close_range(from, ~0u, 0) ? -errno : 0;
}

int sim_cp_sandbox_enter(const struct sim_dev *d, int notify_fd)
{
	int keep[ARES_NUM_QUEUES + 1 + ARES_NUM_VECTORS + 3], n = 0, ret;
	scmp_filter_ctx ctx;
	size_t i;

	/*
	 * The CP sleeps on the queues' doorbells and the user queues' one;
	 * control and fault are the main process's.
	 */
	for (i = 0; i < ARES_NUM_QUEUES; i++)
		keep[n++] = d->db_fd[ARES_VEC_QUEUE(i)];
	keep[n++] = d->db_fd[ARES_VEC_UQ];
	for (i = 0; i < ARES_NUM_VECTORS; i++)
		keep[n++] = d->irq_fd[i];
	keep[n++] = notify_fd;
	keep[n++] = d->log_fd;
	/* stderr stays for sanitizer reports; it is the emulator's own, not the guest's. */
	keep[n++] = STDERR_FILENO;
	ret = close_others(keep, n);
	if (ret)
		return ret;
	/*
	 * glibc's malloc opens /proc/sys/vm/overcommit_memory the first time it
	 * would shrink a thread arena's heap: lazily, from whichever compute
	 * worker frees enough, inside the filter (seen in a guest run as a CP
	 * killed for openat). Heaps that are never trimmed never ask.
	 * Setting the trim threshold also stops glibc raising the mmap
	 * threshold as it sees large blocks freed, so the engines' per-job
	 * buffers would each be a fresh mmap with its page faults (alexa's
	 * device run went from 0.07 to 0.5 ms in the guest): keep them in the
	 * heap, up to the largest threshold glibc takes. A sanitizer's
	 * allocator, which has no glibc arenas, refuses mallopt: nothing to
	 * do there.
	 */
	(void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
	(void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
	/* libseccomp sets it too; said here so no setuid binary can ever follow. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	/* The compute workers run firmware-chosen work too: one filter for every thread. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; !ret && i < sizeof(cp_allowed) / sizeof(cp_allowed[0]); i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, cp_allowed[i], 0);
	/* abort() signals itself; no other process may be signalled. */
	if (!ret)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	return ret;
}
