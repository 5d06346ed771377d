/* SPDX-License-Identifier: MIT */
/*
 * The compute kernels inside the CP's real seccomp filter (sim/cp_sandbox.c),
 * set up as sim/cp.c does it: the worker pool started and synced, then the
 * sandbox entered, then work whose oneDNN primitives (JIT code, scratch) are
 * all made after the filter is in place. A system call the filter refuses
 * kills the child with SIGSYS, which the parent reports.
 *
 * Skipped under valgrind: its own system calls do not pass the filter.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <valgrind/valgrind.h>

#include "../compute/internal.h"
#include "../cp.h"

static uint32_t fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static void dense(struct compute_tensor *t, void *data, uint32_t dt, unsigned int rank,
		  const int64_t *shape)
{
	int64_t s = 1;

	memset(t, 0, sizeof(*t));
	t->data = data;
	t->dtype = dt;
	t->rank = rank;
	for (int k = (int)rank - 1; k >= 0; k--) {
		t->shape[k] = shape[k];
		t->stride[k] = s;
		s *= shape[k];
	}
}

/* Convolutions and matmuls of shapes no primitive was made for before the sandbox;
 * the depthwise one takes dw.c's kernels and their per-thread scratch. */
static int work_in_sandbox(struct compute_workers *w)
{
	static const struct {
		int64_t C, H, M, k, s, g;
		uint32_t act, dt;
	} cv[] = {
		{64, 28, 64, 3, 1, 1, ARES_ACT_RELU, ARES_DTYPE_F32},
		{32, 17, 32, 3, 2, 32, ARES_ACT_HARD_SWISH, ARES_DTYPE_F32},
		{16, 20, 48, 1, 1, 1, ARES_ACT_SIGMOID, ARES_DTYPE_F32},
		{32, 14, 32, 3, 1, 1, ARES_ACT_GELU, ARES_DTYPE_BF16},
	};
	uint64_t before = compute_dnnl_runs();

	for (size_t i = 0; i < sizeof(cv) / sizeof(cv[0]); i++) {
		int64_t oh = (cv[i].H + 2 * (cv[i].k / 2) - cv[i].k) / cv[i].s + 1;
		int64_t sx[4] = {1, cv[i].C, cv[i].H, cv[i].H};
		int64_t sw[4] = {cv[i].M, cv[i].C / cv[i].g, cv[i].k, cv[i].k};
		int64_t sy[4] = {1, cv[i].M, oh, oh};
		void *x = calloc((size_t)(sx[1] * sx[2] * sx[3]), 4);
		void *wt = calloc((size_t)(sw[0] * sw[1] * sw[2] * sw[3]), 4);
		void *y = calloc((size_t)(sy[1] * sy[2] * sy[3]), 4);
		struct compute_tensor tx, tw, ty;
		struct ares_conv2d_params p = {.stride_h = (uint32_t)cv[i].s,
					       .stride_w = (uint32_t)cv[i].s,
					       .pad_top = (uint32_t)(cv[i].k / 2),
					       .pad_left = (uint32_t)(cv[i].k / 2),
					       .pad_bottom = (uint32_t)(cv[i].k / 2),
					       .pad_right = (uint32_t)(cv[i].k / 2),
					       .dilation_h = 1,
					       .dilation_w = 1,
					       .groups = (uint32_t)cv[i].g,
					       .activation = cv[i].act};

		if (!x || !wt || !y)
			return 2;
		dense(&tx, x, cv[i].dt, 4, sx);
		dense(&tw, wt, cv[i].dt, 4, sw);
		dense(&ty, y, cv[i].dt, 4, sy);
		if (compute_conv2d(w, &p, &tx, &tw, NULL, &ty, NULL) != ARES_JOB_OK)
			return 3;
		free(x);
		free(wt);
		free(y);
	}
	{
		int64_t sa[3] = {2, 37, 53}, sb[3] = {2, 53, 29}, sy[3] = {2, 37, 29};
		float *a = calloc(2 * 37 * 53, 4), *b = calloc(2 * 53 * 29, 4),
		      *y = calloc(2 * 37 * 29, 4);
		struct compute_tensor ta, tb, ty;
		struct ares_matmul_params p = {.alpha = fbits(0.5f), .activation = ARES_ACT_TANH};

		if (!a || !b || !y)
			return 2;
		dense(&ta, a, ARES_DTYPE_F32, 3, sa);
		dense(&tb, b, ARES_DTYPE_F32, 3, sb);
		dense(&ty, y, ARES_DTYPE_F32, 3, sy);
		if (compute_matmul(w, &p, &ta, &tb, NULL, &ty, NULL) != ARES_JOB_OK)
			return 3;
		free(a);
		free(b);
		free(y);
	}
	/*
	 * Every one but the depthwise conv (the NCHW kernels of dw.c, run here
	 * for their scratch) on oneDNN, or this proved nothing about it.
	 */
	return compute_dnnl_runs() - before == 4 ? 0 : 4;
}

/*
 * In the forked child, as sim/cp.c sets up the CP: the worker pool started
 * and synced, then the filter. Exits 2 (no pool) or 5 (no sandbox).
 */
static struct compute_workers *enter_cp_sandbox(void)
{
	struct sim_dev d;
	struct compute_workers *w;

	memset(&d, 0, sizeof(d));
	for (int i = 0; i < ARES_NUM_VECTORS; i++)
		d.db_fd[i] = d.irq_fd[i] = -1;
	d.log_fd = -1;
	w = compute_workers_create(2);
	if (!w)
		_exit(2);
	compute_workers_sync(w);
	if (sim_cp_sandbox_enter(&d, -1))
		_exit(5);
	return w;
}

/*
 * Each worker frees blocks below the mmap threshold from its own arena
 * until the heap's top passes glibc's default trim threshold: glibc then
 * shrinks the heap, and asks /proc/sys/vm/overcommit_memory the first time.
 */
static void churn_arena(void *ctx, int64_t t, unsigned int id)
{
	void *p[16];

	(void)ctx;
	(void)t;
	(void)id;
	for (int round = 0; round < 64; round++) {
		for (int k = 0; k < 16; k++) {
			p[k] = malloc(60000 + (size_t)k * 1024);
			if (p[k])
				memset(p[k], k, 4096);
		}
		for (int k = 15; k >= 0; k--)
			free(p[k]);
	}
}

static void expect_clean_exit(pid_t pid, const char *what)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!WIFSIGNALED(status),
		      "%s: the sandboxed child died of signal %d (SIGSYS: a refused system call)",
		      what, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "%s: the sandboxed child exited with %d", what, WEXITSTATUS(status));
}

START_TEST(worker_heap_trimming_opens_nothing_inside_the_cp_sandbox)
{
	pid_t pid;

	if (RUNNING_ON_VALGRIND)
		return;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		ck_parallel(enter_cp_sandbox(), 8, churn_arena, NULL);
		syscall(SYS_exit_group, 0);
	}
	expect_clean_exit(pid, "arena churn");
}
END_TEST

START_TEST(onednn_conv_and_matmul_run_inside_the_cp_sandbox)
{
	int status;
	pid_t pid;

	if (RUNNING_ON_VALGRIND)
		return;
	ck_assert_ptr_nonnull(compute_dnnl_isa());
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int rc = work_in_sandbox(enter_cp_sandbox());

		/* exit_group directly: exit handlers are not the CP's business. */
		syscall(SYS_exit_group, rc);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!WIFSIGNALED(status),
		      "the sandboxed child died of signal %d (SIGSYS: a refused system call)",
		      WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "the sandboxed child exited with %d (2 ENOMEM, 3 a kernel refused, "
		      "4 not run on oneDNN, 5 no sandbox)",
		      WEXITSTATUS(status));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compute in the CP sandbox");
	TCase *t = tcase_create("sandbox");
	SRunner *r;
	int failed;

	tcase_set_timeout(t, 120);
	tcase_add_test(t, onednn_conv_and_matmul_run_inside_the_cp_sandbox);
	tcase_add_test(t, worker_heap_trimming_opens_nothing_inside_the_cp_sandbox);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
