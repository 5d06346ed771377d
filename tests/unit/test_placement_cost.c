// SPDX-License-Identifier: MIT
/*
 * Placement by benefit (runtime/src/device/cost_model.c) on small graphs
 * with fixed cost constants: a scalar op stays on the CPU, a large Conv
 * goes to the device, a run of nodes goes there when its sum pays though
 * no node alone does, and the device model follows hw-spec §14.
 */
#include <check.h>
#include <stdlib.h>

#include "device/cost.h"

/* Round numbers, so the expected sums can be worked by hand. */
static const struct dev_cost_model fixed = {
	.submit_ns = 20000,
	.transfer_ns_per_byte = 0.1,
	.cpu_node_ns = 1000,
	.cpu_flops_per_ns = 40,
	.cpu_elems_per_ns = 0.5,
};

START_TEST(device_model_follows_the_spec)
{
	/* 1 vector op over 12 bytes: 100 per command + 20 per tile + 1 cycle. */
	struct dev_work scalar = {.engine = DE_VECTOR, .vector_ops = 1, .elems = 3, .bytes = 12};
	ck_assert_double_eq_tol(dev_work_device_ns(&scalar), 121, 1e-9);
	/* 2^20 f32 MACs at 256 per ns = 4096 ns; 64 KiB of bytes = 1024 ns. */
	struct dev_work mm = {
		.engine = DE_TENSOR, .macs_per_ns = 256, .macs = 1 << 20, .bytes = 65536};
	ck_assert_double_eq_tol(dev_work_device_ns(&mm), 100 + 20 + 4096, 1e-9);
	/* Views emit nothing. */
	struct dev_work view = {.engine = DE_NONE, .bytes = 400};
	ck_assert_double_eq_tol(dev_work_device_ns(&view), 0, 1e-9);
	/* CPU: per node, plus FLOPs for MAC ops, elements otherwise. */
	ck_assert_double_eq_tol(dev_work_cpu_ns(&fixed, &scalar), 1000 + 6, 1e-9);
	ck_assert_double_eq_tol(dev_work_cpu_ns(&fixed, &mm), 1000 + 2.0 * (1 << 20) / 40, 1e-9);
}
END_TEST

/* One node reading value 0 (a graph input), writing value 1 (an output). */
static int place_one(const struct dev_work *w, double in_bytes, double out_bytes, double *cpu,
		     double *dev)
{
	static const int r[] = {0}, wr[] = {1};
	struct dev_chain_node n = {.capable = 1,
				   .cpu_ns = dev_work_cpu_ns(&fixed, w),
				   .dev_ns = dev_work_device_ns(w),
				   .reads = r,
				   .nreads = 1,
				   .writes = wr,
				   .nwrites = 1};
	double bytes[] = {in_bytes, out_bytes};
	unsigned char out[] = {0, 1};
	struct dev_chain c = {1, &n, 2, bytes, out};
	int on = -1;
	ck_assert_int_eq(dev_cost_choose(&fixed, &c, &on, cpu, dev), 0);
	return on;
}

START_TEST(scalar_op_stays_on_the_cpu)
{
	/* silero_vad's Equal on two scalars: 1 us on the CPU against a 20 us
	 * submit. */
	struct dev_work eq = {.engine = DE_VECTOR, .vector_ops = 1, .elems = 3, .bytes = 17};
	double cpu, dev;
	ck_assert_int_eq(place_one(&eq, 8, 1, &cpu, &dev), 0);
	ck_assert_double_eq_tol(cpu, 1006, 1e-9);
	ck_assert_double_eq_tol(dev, 20000 + 100 + 20 + 1 + (8 + 1) * 0.1, 1e-9);
}
END_TEST

START_TEST(big_conv_goes_to_the_device)
{
	/* 64 -> 64 channels, 3x3, 56x56: 115.6M MACs; 5.8 ms on the CPU at
	 * 40 FLOP/ns, 0.45 ms modeled, plus 20 us and 1.6 us of copies. */
	double macs = 64.0 * 64 * 9 * 56 * 56, act = 64.0 * 56 * 56 * 4;
	struct dev_work conv = {.engine = DE_TENSOR,
				.macs_per_ns = 256,
				.macs = macs,
				.elems = 2 * act / 4,
				.bytes = 2 * act + 64 * 64 * 9 * 4};
	double cpu, dev;
	ck_assert_int_eq(place_one(&conv, act, act, &cpu, &dev), 1);
	ck_assert(dev < cpu);
}
END_TEST

START_TEST(run_pays_though_no_node_alone_does)
{
	/* Eight elementwise ops on 4096 floats in a chain: each 9.2 us on the
	 * CPU (1 + 8192 elements / 0.5 ... per node) against 20 us of submit
	 * alone, but 8 of them share one submit. */
	enum { N = 8 };
	struct dev_work op = {
		.engine = DE_VECTOR, .vector_ops = 4096, .elems = 8192, .bytes = 32768};
	struct dev_chain_node nodes[N];
	int ids[N + 1];
	double bytes[N + 1];
	unsigned char out[N + 1] = {0};
	for (int i = 0; i <= N; i++) {
		ids[i] = i;
		bytes[i] = 16384;
	}
	out[N] = 1;
	for (int i = 0; i < N; i++)
		nodes[i] = (struct dev_chain_node){.capable = 1,
						   .cpu_ns = dev_work_cpu_ns(&fixed, &op),
						   .dev_ns = dev_work_device_ns(&op),
						   .reads = &ids[i],
						   .nreads = 1,
						   .writes = &ids[i + 1],
						   .nwrites = 1};
	struct dev_chain one = {1, nodes, 2, bytes, (unsigned char[]){0, 1}};
	int on1 = -1, on[N];
	double cpu[N], dev[N];
	ck_assert_int_eq(dev_cost_choose(&fixed, &one, &on1, NULL, NULL), 0);
	ck_assert_int_eq(on1, 0);
	struct dev_chain all = {N, nodes, N + 1, bytes, out};
	ck_assert_int_eq(dev_cost_choose(&fixed, &all, on, cpu, dev), 0);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(on[i], 1);
	/* One partition: in and out copied once, the intermediates stay. */
	ck_assert_double_eq_tol(dev[0], 20000 + N * dev_work_device_ns(&op) + 2 * 16384 * 0.1,
				1e-6);
	ck_assert_double_eq_tol(dev_cost_segment(&fixed, &all, 0, N), dev[0], 1e-6);
	ck_assert(dev[0] < cpu[0]);
}
END_TEST

START_TEST(incapable_node_splits_and_forced_nodes_stay)
{
	/* big conv, an op the device cannot run, big conv: two partitions;
	 * a node that cannot run on the CPU goes to the device whatever it
	 * costs. */
	struct dev_work conv = {
		.engine = DE_TENSOR, .macs_per_ns = 256, .macs = 1e8, .elems = 1e5, .bytes = 4e5};
	int ids[5] = {0, 1, 2, 3, 4};
	double bytes[5] = {4e5, 4e5, 4e5, 4e5, 4};
	unsigned char out[5] = {0, 0, 0, 0, 1};
	struct dev_chain_node n[4];
	for (int i = 0; i < 4; i++)
		n[i] = (struct dev_chain_node){.capable = i != 1,
					       .cpu_ns = dev_work_cpu_ns(&fixed, &conv),
					       .dev_ns = dev_work_device_ns(&conv),
					       .reads = &ids[i],
					       .nreads = 1,
					       .writes = &ids[i + 1],
					       .nwrites = 1};
	/* A tiny op without a CPU kernel. */
	n[3].cpu_ns = DEV_COST_INF;
	n[3].dev_ns = 121;
	struct dev_chain c = {4, n, 5, bytes, out};
	int on[4];
	ck_assert_int_eq(dev_cost_choose(&fixed, &c, on, NULL, NULL), 0);
	ck_assert_int_eq(on[0], 1);
	ck_assert_int_eq(on[1], 0);
	ck_assert_int_eq(on[2], 1);
	ck_assert_int_eq(on[3], 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("placement_cost");
	TCase *tc = tcase_create("decide");
	tcase_add_test(tc, device_model_follows_the_spec);
	tcase_add_test(tc, scalar_op_stays_on_the_cpu);
	tcase_add_test(tc, big_conv_goes_to_the_device);
	tcase_add_test(tc, run_pays_though_no_node_alone_does);
	tcase_add_test(tc, incapable_node_splits_and_forced_nodes_stay);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
