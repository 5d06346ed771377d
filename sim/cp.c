/* SPDX-License-Identifier: MIT */
/*
 * The CP: fork() a child that dlopen()s the firmware payload from a memfd
 * and calls its entry with the hardware callbacks of include/ares/cp.h.
 *
 * A process rather than a thread so that a firmware crash is a real
 * exception the device can observe (the main process sees the child die)
 * and RESET can stop the CP whatever it is doing (SIGKILL).
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ares/cp.h>
#include <ares/regs.h>

#include "compute/compute.h"
#include "cp.h"

/*
 * wait() polls the TAIL registers for a while before sleeping in ppoll() on
 * the doorbell eventfds, because a doorbell wakeup costs tens of us. But a
 * fixed spin is harmful where cores are scarce: on a 2-core host an 80 us
 * spin after every job took the core the guest's vCPU needed to submit the
 * next one, so it made the next job later instead of catching it earlier.
 * So the spin is adaptive, per CP (issue 12):
 *
 *  - Work found while spinning after t ns: the spin paid off; keep the
 *    budget at least 2 * t (margin for jitter), capped at SIM_CP_SPIN_MAX_NS.
 *  - No spin (budget zero), and a doorbell with real work on a ring woke us
 *    within SIM_CP_SHORT_SLEEP_NS: a short spin would have caught it; start
 *    spinning with 1.5x that wait as the budget.
 *  - The spin ran out unused (however soon work comes after it): it was
 *    wasted; halve the budget, and drop it to zero below SIM_CP_SPIN_MIN_NS.
 *    A near miss after a spin must not grow the budget: when the spin is
 *    what starves the vCPU, the guest's next doorbell comes just after the
 *    spin ends, and growing on that would lock the spin at its ceiling. As
 *    it is, a starved vCPU makes the spins fail and the budget converges to
 *    zero exactly where spinning hurts.
 *
 * The clock is read every SIM_CP_SPIN_CHECK polls (each poll reads 2 regs per
 * queue, tens of ns), with a pause instruction in between to be kind to a
 * hyperthread sibling. A budget of zero still checks the rings once.
 *
 * User queues (hw-spec §15) ride on the same spin: it also polls the
 * doorbell-page TAIL of each user queue that was active when the wait began
 * (a list built once per wait, so the spin costs two loads per active queue
 * whatever ARES_NUM_UQ is). Their producers cannot ring while the device
 * polls, so before sleeping the wait publishes NEED_WAKEUP in those pages
 * and looks once more (uq_arm_wakeup), and it sleeps on ARES_VEC_UQ too.
 *
 * A user queue's near miss needs its own window: its producer rings only
 * because the device slept, after a system call (UQ_WAKE) that comes well
 * after its TAIL moved, so its ring is seldom within SIM_CP_SHORT_SLEEP_NS
 * even when a short spin would have caught the TAIL. In the guest that left
 * a polling producer paying UQ_WAKE on every job (22 us round trips against
 * 0.6 us once the spin runs, uq-lib's null_job). So a wakeup by ARES_VEC_UQ
 * with a moved TAIL within SIM_CP_SPIN_MAX_NS starts the spin too, but at
 * the smallest budget the hardware-queue rule would start (as if the TAIL
 * had come at the edge of its window): the spin then grows only if it pays.
 * Where the spin is what starves the producer (CP and producer on one
 * core), such a trial halves away unused, and restarting it at every ring
 * would break the rule above (a near miss after a failed spin must not
 * grow it): so each failed trial doubles the number of user-queue near
 * misses ignored before the next one (up to SIM_CP_UQ_BACKOFF_MAX), and a
 * spin that finds work resets it.
 */
#define SIM_CP_SPIN_MAX_NS	 80000ull /* the old fixed spin: the ceiling */
#define SIM_CP_SPIN_MIN_NS	 2000ull  /* below this, don't bother spinning */
#define SIM_CP_SHORT_SLEEP_NS	 20000ull /* a sleep this short counts as a near miss */
/* A user queue's ring this soon after the sleep began is a near miss too. */
#define SIM_CP_UQ_SHORT_SLEEP_NS SIM_CP_SPIN_MAX_NS
#define SIM_CP_UQ_BACKOFF_MAX	 1024u /* near misses ignored after failed trials, at most */
#define SIM_CP_SPIN_CHECK	 16    /* polls between clock reads */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* The user queues one wait watches: active, and no job of theirs on the engines. */
struct uq_watch {
	uint32_t n;
	uint32_t id[ARES_NUM_UQ];
};

struct sim_cp_ctx {
	struct sim_dev *dev;
	int notify_fd;
	struct compute_workers *workers; /* NULL: kernels run on the CP thread */
	uint64_t spin_ns;		 /* wait()'s adaptive spin budget, see SIM_CP_SPIN_MAX_NS */
	int uq_trial;			 /* the spin was started by a user queue's near miss */
	uint32_t uq_backoff;		 /* near misses the last failed trial had ignored */
	uint32_t uq_skip;		 /* user-queue near misses still to ignore */
};

static struct sim_dev *dev_of(void *ctx)
{
	return ((struct sim_cp_ctx *)ctx)->dev;
}

static __u64 cp_now_ns(void *ctx)
{
	(void)ctx;
	return sim_now_ns();
}

static int queue_work_pending(struct sim_dev *d, __u32 mask)
{
	uint32_t q;

	for (q = 0; q < ARES_NUM_QUEUES; q++)
		if ((mask & (1u << q)) && sim_rd32(d, ARES_REG_Q(q, ARES_Q_TAIL)) !=
						  sim_rd32(d, ARES_REG_Q(q, ARES_Q_HEAD)))
			return 1;
	return 0;
}

/*
 * STATUS is the firmware's word on which user queues it serves: a queue it
 * stopped (ERROR), never started (BAD_CONFIG) or whose job hangs (RUNNING)
 * has nothing for the spin to catch.
 */
static void uq_watch_build(struct sim_dev *d, struct uq_watch *w)
{
	uint32_t n, st;

	w->n = 0;
	for (n = 0; n < ARES_NUM_UQ; n++) {
		st = sim_rd32(d, ARES_REG_UQ(n, ARES_UQ_STATUS));
		if ((st & (ARES_UQ_STATUS_ACTIVE | ARES_UQ_STATUS_RUNNING)) ==
		    ARES_UQ_STATUS_ACTIVE)
			w->id[w->n++] = n;
	}
}

static uint32_t uq_db(uint32_t n, size_t field)
{
	return ARES_REG_UQ_DB(n) + (uint32_t)field;
}

/* Any TAIL the process moved counts, garbage included: the firmware judges it. */
static int uq_work_pending(struct sim_dev *d, const struct uq_watch *w)
{
	uint32_t i, n;

	for (i = 0; i < w->n; i++) {
		n = w->id[i];
		if (sim_rd32(d, uq_db(n, offsetof(struct ares_uq_doorbell, tail))) !=
		    sim_rd32(d, ARES_REG_UQ(n, ARES_UQ_HEAD)))
			return 1;
	}
	return 0;
}

static void uq_set_flags(struct sim_dev *d, const struct uq_watch *w, uint32_t flags)
{
	uint32_t i;

	for (i = 0; i < w->n; i++)
		sim_wr32(d, uq_db(w->id[i], offsetof(struct ares_uq_doorbell, flags)), flags);
}

/*
 * §15's handshake with producers that cannot ring while the device polls:
 * NEED_WAKEUP out, full barrier, every TAIL once more. A producer's TAIL
 * store either lands before this last look (seen here) or after it, and
 * then its own barrier makes it see NEED_WAKEUP and ring ARES_VEC_UQ.
 * Returns 1 (flags cleared again) if work came in.
 */
static int uq_arm_wakeup(struct sim_dev *d, const struct uq_watch *w)
{
	if (!w->n)
		return 0;
	uq_set_flags(d, w, ARES_UQ_DB_NEED_WAKEUP);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!uq_work_pending(d, w))
		return 0;
	uq_set_flags(d, w, 0);
	return 1;
}

static void drain(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

static void spin_hit(struct sim_cp_ctx *c, uint64_t waited)
{
	if (c->spin_ns < 2 * waited)
		c->spin_ns = 2 * waited < SIM_CP_SPIN_MAX_NS ? 2 * waited : SIM_CP_SPIN_MAX_NS;
}

static void spin_miss(struct sim_cp_ctx *c)
{
	c->spin_ns /= 2;
	if (c->spin_ns < SIM_CP_SPIN_MIN_NS)
		c->spin_ns = 0;
}

/* The doorbells the CP sleeps on: every queue's, then the user queues' one. */
#define SIM_CP_NUM_WAIT_FDS (ARES_NUM_QUEUES + 1)

static int cp_wait(void *ctx, __u32 queue_mask, __u64 timeout_ns)
{
	struct sim_cp_ctx *c = ctx;
	struct sim_dev *d = c->dev;
	struct pollfd pfd[SIM_CP_NUM_WAIT_FDS];
	uint64_t start = sim_now_ns(), now = start, spun, slept;
	uint64_t budget = c->spin_ns < timeout_ns ? c->spin_ns : timeout_ns;
	struct uq_watch uqs;
	struct timespec ts;
	int i, n, iter = 0;

	uq_watch_build(d, &uqs);
	for (;;) {
		if (queue_work_pending(d, queue_mask) || uq_work_pending(d, &uqs)) {
			if (budget) { /* spinning pays */
				c->uq_trial = 0;
				c->uq_backoff = 0;
			}
			spin_hit(c, now - start);
			return 1;
		}
		if (++iter % SIM_CP_SPIN_CHECK == 0 || !budget) {
			now = sim_now_ns();
			if (now - start >= budget)
				break;
		}
		cpu_relax();
	}
	spun = now - start;
	if (budget) {
		spin_miss(c); /* ran out unused, however soon work comes now */
		if (c->uq_trial && !c->spin_ns) {
			c->uq_trial = 0;
			c->uq_backoff = c->uq_backoff ? 2 * c->uq_backoff : 1;
			if (c->uq_backoff > SIM_CP_UQ_BACKOFF_MAX)
				c->uq_backoff = SIM_CP_UQ_BACKOFF_MAX;
			c->uq_skip = c->uq_backoff;
		}
	}
	if (spun >= timeout_ns)
		return 0;
	if (uq_arm_wakeup(d, &uqs))
		return 1;
	for (i = 0; i < ARES_NUM_QUEUES; i++)
		pfd[i].fd = d->db_fd[ARES_VEC_QUEUE(i)];
	pfd[ARES_NUM_QUEUES].fd = d->db_fd[ARES_VEC_UQ];
	for (i = 0; i < SIM_CP_NUM_WAIT_FDS; i++)
		pfd[i].events = POLLIN;
	ts.tv_sec = (time_t)((timeout_ns - spun) / 1000000000ull);
	ts.tv_nsec = (long)((timeout_ns - spun) % 1000000000ull);
	n = ppoll(pfd, SIM_CP_NUM_WAIT_FDS, &ts, NULL);
	/* Running again, if only for the heartbeat: producers need not ring now. */
	uq_set_flags(d, &uqs, 0);
	if (n <= 0)
		return 0;
	/* Drain before the caller rescans: a ring after this point wakes us again. */
	for (i = 0; i < SIM_CP_NUM_WAIT_FDS; i++)
		if (pfd[i].revents & POLLIN)
			drain(pfd[i].fd);
	/*
	 * Not spinning, and real work came soon: start spinning. A doorbell left
	 * over from a ring already served by polling wakes ppoll() at once with
	 * nothing new on the rings, and says nothing about timing.
	 */
	if (!budget) {
		slept = sim_now_ns() - start;
		if (slept < SIM_CP_SHORT_SLEEP_NS &&
		    (queue_work_pending(d, queue_mask) || uq_work_pending(d, &uqs)))
			spin_hit(c, slept - slept / 4); /* budget 1.5x the wait */
		else if (slept < SIM_CP_UQ_SHORT_SLEEP_NS &&
			 (pfd[ARES_NUM_QUEUES].revents & POLLIN) && uq_work_pending(d, &uqs)) {
			if (c->uq_skip) {
				c->uq_skip--;
			} else {
				spin_hit(c, SIM_CP_SHORT_SLEEP_NS / 2); /* budget the window */
				c->uq_trial = 1;
			}
		}
	}
	return 1;
}

static void cp_raise_irq(void *ctx, __u32 vector)
{
	sim_raise_irq(dev_of(ctx), vector);
}

static int cp_bus_read(void *ctx, __u64 bus, void *dst, __u64 len)
{
	const uint8_t *p = sim_mem_ptr(&dev_of(ctx)->mem, bus, len);

	if (!p)
		return -1;
	memcpy(dst, p, len);
	return 0;
}

static int cp_bus_write(void *ctx, __u64 bus, const void *src, __u64 len)
{
	uint8_t *p = sim_mem_ptr(&dev_of(ctx)->mem, bus, len);
	uint64_t v64;
	uint32_t v32;

	if (!p)
		return -1;
	/* Publish points (done_seqno) must be single stores, ordered after the data. */
	if (len == 8 && !(bus & 7)) {
		memcpy(&v64, src, 8);
		__atomic_store_n((uint64_t *)p, v64, __ATOMIC_RELEASE);
	} else if (len == 4 && !(bus & 3)) {
		memcpy(&v32, src, 4);
		__atomic_store_n((uint32_t *)p, v32, __ATOMIC_RELEASE);
	} else {
		memcpy(p, src, len);
	}
	return 0;
}

static int cp_bus_check(void *ctx, __u64 bus, __u64 len)
{
	return sim_mem_ptr(&dev_of(ctx)->mem, bus, len) ? 0 : -1;
}

static __u32 cp_va_read(void *ctx, __u32 asid, __u32 queue, __u64 va, void *dst, __u64 len)
{
	return sim_va_read(dev_of(ctx), asid, queue, va, dst, len);
}

static __u32 cp_va_write(void *ctx, __u32 asid, __u32 queue, __u64 va, const void *src, __u64 len)
{
	return sim_va_write(dev_of(ctx), asid, queue, va, src, len);
}

static __u32 cp_dma_copy(void *ctx, __u32 asid, __u32 queue, __u64 dst, __u64 src, __u64 size)
{
	return sim_engine_copy(dev_of(ctx), asid, queue, dst, src, size);
}

static __u32 cp_fill(void *ctx, __u32 asid, __u32 queue, __u64 dst, __u64 size, __u32 pattern)
{
	return sim_engine_fill(dev_of(ctx), asid, queue, dst, size, pattern);
}

static __u32 cp_gemm(void *ctx, __u32 asid, __u32 queue, const struct ares_cmd_gemm *cmd)
{
	return sim_engine_gemm(dev_of(ctx), asid, queue, cmd);
}

static __u32 cp_engine_run(void *ctx, __u32 asid, __u32 queue, const struct ares_cmd_hdr *cmd,
			   __u64 *modeled_ns)
{
	struct sim_cp_ctx *c = ctx;
	uint64_t ns = *modeled_ns;
	uint32_t st;

	st = sim_engine_run(c->dev, c->workers, asid, queue, cmd, &ns);
	*modeled_ns = ns;
	return st;
}

static void cp_report_ready(void *ctx, __u32 version, __u32 features)
{
	struct sim_cp_ctx *c = ctx;
	char b = SIM_CP_NOTIFY_READY;

	sim_wr32(c->dev, ARES_REG_FW_VERSION, version);
	sim_wr32(c->dev, ARES_REG_FW_FEATURES, features);
	sim_log(c->dev, "cp: firmware %u.%u.%u reports ready, features 0x%x",
		ARES_VERSION_MAJOR(version), ARES_VERSION_MINOR(version),
		ARES_VERSION_PATCH(version), features);
	/* The main process owns STATUS/BOOT_STATUS and the BOOT ack. */
	if (write(c->notify_fd, &b, 1) != 1)
		sim_log(c->dev, "cp: cannot notify READY: %s", strerror(errno));
}

static void cp_log(void *ctx, const char *line, __u32 len)
{
	static struct sim_log_limit fw_lines;

	if (sim_log_allow(dev_of(ctx), &fw_lines, "firmware"))
		sim_log(dev_of(ctx), "fw: %.*s", (int)len, line);
}

static int cp_queue_hung(void *ctx, __u32 queue)
{
	struct sim_dev *d = dev_of(ctx);

	if (queue < ARES_NUM_QUEUES)
		return !!(sim_rd32(d, ARES_REG_DBG_HANG_QUEUES) & (1u << queue));
	queue -= ARES_NUM_QUEUES;
	return queue < ARES_NUM_UQ && (sim_rd64(d, ARES_REG_DBG_HANG_UQS) & (1ull << queue));
}

static void __attribute__((noreturn))
cp_main(struct sim_dev *d, const uint8_t *payload, uint64_t len, uint64_t entry, int notify_fd)
{
	struct sim_cp_ctx ctx = {.dev = d, .notify_fd = notify_fd};
	struct ares_cp_ops ops = {
		.abi_version = ARES_CP_ABI_VERSION,
		.size = sizeof(ops),
		.regs = d->regs,
		.dev = &ctx,
		.now_ns = cp_now_ns,
		.wait = cp_wait,
		.raise_irq = cp_raise_irq,
		.bus_read = cp_bus_read,
		.bus_write = cp_bus_write,
		.bus_check = cp_bus_check,
		.va_read = cp_va_read,
		.va_write = cp_va_write,
		.dma_copy = cp_dma_copy,
		.fill = cp_fill,
		.gemm = cp_gemm,
		.report_ready = cp_report_ready,
		.log = cp_log,
		.queue_hung = cp_queue_hung,
		.engine_run = cp_engine_run,
	};
	struct link_map *lm = NULL;
	ares_cp_entry_fn fn;
	char path[64];
	void *h;
	int fd, ret;

	fd = memfd_create("ares-fw", 0);
	if (fd < 0 || write(fd, payload, len) != (ssize_t)len) {
		sim_log(d, "cp: cannot stage payload: %s", strerror(errno));
		_exit(SIM_CP_EXIT_LOAD);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		sim_log(d, "cp: payload is not loadable: %s", dlerror());
		_exit(SIM_CP_EXIT_LOAD);
	}
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
		sim_log(d, "cp: no link map: %s", dlerror());
		_exit(SIM_CP_EXIT_LOAD);
	}
	if (entry >= len) {
		sim_log(d, "cp: entry 0x%llx outside payload", (unsigned long long)entry);
		_exit(SIM_CP_EXIT_ENTRY);
	}
	/* Threads exist only in the CP child: fork() never copies a half-held pool lock. */
	ctx.workers = compute_workers_create(0);
	if (!ctx.workers)
		sim_log(d, "cp: no compute worker pool, kernels run on the CP thread");
	compute_workers_sync(ctx.workers);
	fn = (ares_cp_entry_fn)(lm->l_addr + entry);
	sim_log(d, "cp: entering firmware at base 0x%llx + 0x%llx", (unsigned long long)lm->l_addr,
		(unsigned long long)entry);
	/* Last: loading needed open(2) and mmap of the memfd, the firmware needs neither. */
	ret = sim_cp_sandbox_enter(d, notify_fd);
	if (ret) {
		sim_log(d, "cp: cannot enter the sandbox: %s; not entering the firmware",
			strerror(-ret));
		_exit(SIM_CP_EXIT_SANDBOX);
	}
	fn(&ops);
	sim_log(d, "cp: firmware returned from its entry");
	/* Not _exit(): a sanitizer's exit hook (LSan's ptrace) would break the sandbox. */
	syscall(SYS_exit_group, SIM_CP_EXIT_RETURNED);
	_exit(SIM_CP_EXIT_RETURNED);
}

pid_t sim_cp_start(struct sim_dev *d, const uint8_t *payload, uint64_t len, uint64_t entry,
		   int notify_fd, const int *close_fds, int nclose)
{
	sigset_t all;
	pid_t pid;
	int i;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		return pid;
	/* The CP must not outlive the device, nor keep the client connection open. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(SIM_CP_EXIT_LOAD);
	for (i = 0; i < nclose; i++)
		if (close_fds[i] >= 0)
			close(close_fds[i]);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	/* A firmware fault must kill the CP for real, even under a sanitizer's handlers. */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	cp_main(d, payload, len, entry, notify_fd);
}
