/* SPDX-License-Identifier: MIT */
/*
 * The hardware contract (include/ares/) and the uAPI (ares_accel.h) are
 * binary layouts shared by four programs: field offsets and alignment are
 * pinned here so an accidental edit fails loudly. The hardware structs'
 * sizes are not: ARES_ASSERT_SIZE in their headers already fails the build
 * of every program, so a run-time check of them could never fail. The uAPI
 * structs have no such assert, so their sizes are checked below.
 */
#include <check.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

#include <ares/cmd.h>
#include <ares/cp.h>
#include <ares/fw_image.h>
#include <ares/mmu.h>
#include <ares/queue.h>
#include <ares/regs.h>
#include <uapi/drm/ares_accel.h>

#define CHECK_SIZE(type, bytes)                                                                    \
	ck_assert_msg(sizeof(type) == (bytes), "sizeof(" #type "): expected %u, got %zu",          \
		      (unsigned)(bytes), sizeof(type))
#define CHECK_OFF(type, field, off)                                                                \
	ck_assert_msg(offsetof(type, field) == (off),                                              \
		      "offsetof(" #type ", " #field "): expected %u, got %zu", (unsigned)(off),    \
		      offsetof(type, field))
/* Same layout for 32- and 64-bit users: a multiple of 8 and no implicit padding at the end. */
#define CHECK_ABI(type)                                                                            \
	do {                                                                                       \
		ck_assert_msg(sizeof(type) % 8 == 0,                                               \
			      "sizeof(" #type ") = %zu, not a multiple of 8", sizeof(type));       \
		ck_assert_msg(alignof(type) <= 8, "alignof(" #type ") = %zu, more than 8",         \
			      alignof(type));                                                      \
	} while (0)

START_TEST(test_hw_command_structs_have_fixed_layout)
{
	CHECK_OFF(struct ares_cmd_hdr, flags, 2);
	CHECK_OFF(struct ares_cmd_hdr, size, 4);
	CHECK_OFF(struct ares_cmd_fence_write, va, 8);
	CHECK_OFF(struct ares_cmd_fence_write, value, 16);
	CHECK_OFF(struct ares_cmd_timestamp, va, 8);
	CHECK_OFF(struct ares_cmd_dma_copy, src_va, 8);
	CHECK_OFF(struct ares_cmd_dma_copy, dst_va, 16);
	CHECK_OFF(struct ares_cmd_dma_copy, size, 24);
	CHECK_OFF(struct ares_cmd_fill, dst_va, 8);
	CHECK_OFF(struct ares_cmd_fill, size, 16);
	CHECK_OFF(struct ares_cmd_fill, pattern, 24);
	CHECK_OFF(struct ares_cmd_fill, reserved, 28);
	CHECK_OFF(struct ares_cmd_gemm, m, 8);
	CHECK_OFF(struct ares_cmd_gemm, n, 12);
	CHECK_OFF(struct ares_cmd_gemm, k, 16);
	CHECK_OFF(struct ares_cmd_gemm, flags, 20);
	CHECK_OFF(struct ares_cmd_gemm, a_va, 24);
	CHECK_OFF(struct ares_cmd_gemm, b_va, 32);
	CHECK_OFF(struct ares_cmd_gemm, c_va, 40);
	CHECK_OFF(struct ares_cmd_gemm, lda, 48);
	CHECK_OFF(struct ares_cmd_gemm, ldb, 52);
	CHECK_OFF(struct ares_cmd_gemm, ldc, 56);
	CHECK_OFF(struct ares_cmd_gemm, reserved, 60);
	CHECK_ABI(struct ares_cmd_hdr);
	CHECK_ABI(struct ares_cmd_fence_write);
	CHECK_ABI(struct ares_cmd_timestamp);
	CHECK_ABI(struct ares_cmd_dma_copy);
	CHECK_ABI(struct ares_cmd_fill);
	CHECK_ABI(struct ares_cmd_gemm);
}
END_TEST

START_TEST(test_hw_queue_structs_have_fixed_layout)
{
	CHECK_OFF(struct ares_job_desc, cmd_va, 8);
	CHECK_OFF(struct ares_job_desc, cmd_size, 16);
	CHECK_OFF(struct ares_job_desc, asid, 20);
	CHECK_OFF(struct ares_job_desc, flags, 22);
	CHECK_OFF(struct ares_job_desc, reserved0, 24);
	CHECK_OFF(struct ares_job_desc, reserved1, 28);
	CHECK_OFF(struct ares_job_desc, tag, 32);
	CHECK_OFF(struct ares_job_desc, reserved, 40);
	CHECK_OFF(struct ares_queue_wb, done_seqno, 0);
	CHECK_OFF(struct ares_queue_wb, head, 8);
	CHECK_OFF(struct ares_queue_wb, error, 12);
	CHECK_OFF(struct ares_queue_wb, reserved, 16);
	CHECK_OFF(struct ares_uq_doorbell, tail, 0);
	CHECK_OFF(struct ares_uq_doorbell, flags, 4);
	CHECK_OFF(struct ares_uq_doorbell, reserved, 8);
	CHECK_OFF(struct ares_completion, status, 8);
	CHECK_OFF(struct ares_completion, error_offset, 12);
	CHECK_OFF(struct ares_completion, start_ns, 16);
	CHECK_OFF(struct ares_completion, end_ns, 24);
	ck_assert_uint_eq(ARES_COMPL_RECORD_OFFSET(3), 64 + 3 * 64);
	CHECK_ABI(struct ares_job_desc);
	CHECK_ABI(struct ares_queue_wb);
	CHECK_ABI(struct ares_completion);
}
END_TEST

START_TEST(test_fw_header_and_cp_ops_have_fixed_layout)
{
	CHECK_OFF(struct ares_fw_header, header_version, 4);
	CHECK_OFF(struct ares_fw_header, header_size, 8);
	CHECK_OFF(struct ares_fw_header, fw_version, 12);
	CHECK_OFF(struct ares_fw_header, payload_size, 16);
	CHECK_OFF(struct ares_fw_header, entry, 24);
	CHECK_OFF(struct ares_fw_header, payload_crc32, 32);
	CHECK_OFF(struct ares_fw_header, header_crc32, 36);
	CHECK_OFF(struct ares_fw_header, fw_features, 40);
	CHECK_OFF(struct ares_fw_header, fw_format, 44);
	CHECK_OFF(struct ares_fw_header, min_hw_version, 48);
	CHECK_OFF(struct ares_fw_header, sig_format, 52);
	CHECK_OFF(struct ares_fw_header, reserved, 56);
	CHECK_ABI(struct ares_fw_header);
	CHECK_OFF(struct ares_cp_ops, regs, 8);
	CHECK_OFF(struct ares_cp_ops, dev, 16);
	CHECK_OFF(struct ares_cp_ops, now_ns, 24);
	CHECK_OFF(struct ares_cp_ops, queue_hung, 128);
	CHECK_OFF(struct ares_cp_ops, engine_run, 136);
	CHECK_ABI(struct ares_cp_ops);
}
END_TEST

START_TEST(test_register_map_fits_bar2_and_is_aligned)
{
	ck_assert_uint_eq(ARES_BAR2_SIZE & (ARES_BAR2_SIZE - 1), 0);
	ck_assert_uint_le(ARES_REG_AS_ROOT(ARES_MAX_AS - 1) + 16, ARES_REG_QUEUE_BASE);
	ck_assert_uint_le(ARES_REG_Q(ARES_NUM_QUEUES - 1, ARES_Q_STATUS) + 4,
			  ARES_REG_DBG_HANG_QUEUES);
	ck_assert_uint_le(ARES_REG_FW_LOG_BASE + ARES_FW_LOG_SIZE, ARES_BAR2_SIZE);
	ck_assert_uint_eq(ARES_REG_CTRL_ARG0 % 8, 0);
	ck_assert_uint_eq(ARES_REG_CTRL_ARG1 % 8, 0);
	ck_assert_uint_eq(ARES_REG_RESET_COUNT % 8, 0);
	ck_assert_uint_eq(ARES_REG_HEARTBEAT % 8, 0);
	ck_assert_uint_eq(ARES_REG_FAULT_VA % 8, 0);
	ck_assert_uint_eq(ARES_REG_Q(1, ARES_Q_RING_BASE) % 8, 0);
	ck_assert_uint_eq(ARES_REG_Q(1, ARES_Q_COMPL_BASE) % 8, 0);
	ck_assert_uint_eq(ARES_FW_LOG_WRITE_POS % 8, 0);
	ck_assert_uint_eq(ARES_NUM_VECTORS, 11);
	ck_assert_uint_eq(ARES_VEC_UQ, ARES_NUM_VECTORS - 1);
	ck_assert_uint_le(ARES_REG_DBG_DROP_IRQS + 4, ARES_REG_DBG_HANG_UQS);
	ck_assert_uint_eq(ARES_REG_DBG_HANG_UQS % 8, 0);
	ck_assert_uint_le(ARES_REG_DBG_HANG_UQS + 8, ARES_REG_PERF_BASE);
	/* User queues: the block between PERF and the log, each page after the log. */
	ck_assert_uint_le(ARES_REG_PERF_CMDS + 8, ARES_REG_UQ_BASE);
	ck_assert_uint_le(ARES_REG_UQ(ARES_NUM_UQ - 1, ARES_UQ_BUSY_NS) + 8,
			  ARES_REG_UQ(ARES_NUM_UQ, 0));
	ck_assert_uint_le(ARES_REG_UQ(ARES_NUM_UQ, 0), ARES_REG_FW_LOG_BASE);
	ck_assert_uint_eq(ARES_REG_UQ(1, ARES_UQ_RING_BASE) % 8, 0);
	ck_assert_uint_eq(ARES_REG_UQ(1, ARES_UQ_COMPL_BASE) % 8, 0);
	ck_assert_uint_eq(ARES_REG_UQ(1, ARES_UQ_JOBS) % 8, 0);
	ck_assert_uint_eq(ARES_REG_UQ(1, ARES_UQ_BUSY_NS) % 8, 0);
	ck_assert_uint_le(ARES_REG_FW_LOG_BASE + ARES_FW_LOG_SIZE, ARES_REG_UQ_DB(0));
	ck_assert_uint_eq(ARES_REG_UQ_DB(1) % ARES_UQ_DB_PAGE, 0);
	ck_assert_uint_eq(ARES_UQ_DB_PAGE, 4096);
	ck_assert_uint_le(ARES_REG_UQ_DB(ARES_NUM_UQ - 1) + ARES_UQ_DB_PAGE, ARES_BAR2_SIZE);
	ck_assert_uint_eq(ARES_UQ_QUEUE_ID(0), ARES_NUM_QUEUES);
	ck_assert_uint_eq(ARES_PT_INDEX(0xff8000000000ull, 0), 0x1ff);
	ck_assert_uint_eq(ARES_PT_INDEX(0x1000ull, 3), 1);
}
END_TEST

START_TEST(test_uapi_structs_have_fixed_layout)
{
	CHECK_SIZE(struct drm_ares_query, 16);
	CHECK_OFF(struct drm_ares_query, data, 8);
	CHECK_SIZE(struct drm_ares_device_info, 64);
	CHECK_OFF(struct drm_ares_device_info, va_start, 32);
	CHECK_OFF(struct drm_ares_device_info, va_end, 40);
	CHECK_OFF(struct drm_ares_device_info, pci_vendor, 48);
	CHECK_OFF(struct drm_ares_device_info, pad, 60);
	CHECK_SIZE(struct drm_ares_queue_info, 32);
	CHECK_OFF(struct drm_ares_queue_info, jobs_completed, 16);
	CHECK_SIZE(struct drm_ares_bo_create, 24);
	CHECK_OFF(struct drm_ares_bo_create, flags, 8);
	CHECK_OFF(struct drm_ares_bo_create, handle, 12);
	CHECK_OFF(struct drm_ares_bo_create, va, 16);
	CHECK_SIZE(struct drm_ares_bo_info, 32);
	CHECK_OFF(struct drm_ares_bo_info, size, 8);
	CHECK_OFF(struct drm_ares_bo_info, mmap_offset, 24);
	CHECK_SIZE(struct drm_ares_ctx_create, 16);
	CHECK_OFF(struct drm_ares_ctx_create, ctx_id, 8);
	CHECK_SIZE(struct drm_ares_ctx_destroy, 8);
	CHECK_SIZE(struct drm_ares_submit, 64);
	CHECK_OFF(struct drm_ares_submit, cmd_va, 8);
	CHECK_OFF(struct drm_ares_submit, cmd_size, 16);
	CHECK_OFF(struct drm_ares_submit, bo_count, 20);
	CHECK_OFF(struct drm_ares_submit, bo_handles, 24);
	CHECK_OFF(struct drm_ares_submit, in_syncobjs, 32);
	CHECK_OFF(struct drm_ares_submit, in_syncobj_count, 40);
	CHECK_OFF(struct drm_ares_submit, out_syncobj, 44);
	CHECK_OFF(struct drm_ares_submit, seqno, 48);
	CHECK_OFF(struct drm_ares_submit, reserved, 56);
	CHECK_SIZE(struct drm_ares_bo_wait, 24);
	CHECK_OFF(struct drm_ares_bo_wait, timeout_ns, 8);
	CHECK_OFF(struct drm_ares_bo_wait, status, 16);
	CHECK_SIZE(struct drm_ares_debug, 16);
	CHECK_OFF(struct drm_ares_debug, arg, 8);
	CHECK_ABI(struct drm_ares_query);
	CHECK_ABI(struct drm_ares_device_info);
	CHECK_ABI(struct drm_ares_queue_info);
	CHECK_ABI(struct drm_ares_bo_create);
	CHECK_ABI(struct drm_ares_bo_info);
	CHECK_ABI(struct drm_ares_ctx_create);
	CHECK_ABI(struct drm_ares_ctx_destroy);
	CHECK_ABI(struct drm_ares_submit);
	CHECK_ABI(struct drm_ares_bo_wait);
	CHECK_ABI(struct drm_ares_debug);
}
END_TEST

START_TEST(test_uapi_job_status_matches_hardware_codes)
{
	ck_assert_int_eq(DRM_ARES_JOB_OK, ARES_JOB_OK);
	ck_assert_int_eq(DRM_ARES_JOB_INVALID_CMD, ARES_JOB_INVALID_CMD);
	ck_assert_int_eq(DRM_ARES_JOB_MMU_FAULT, ARES_JOB_MMU_FAULT);
	ck_assert_int_eq(DRM_ARES_JOB_TIMEOUT, ARES_JOB_TIMEOUT);
	ck_assert_int_eq(DRM_ARES_JOB_ABORTED, ARES_JOB_ABORTED);
	ck_assert_int_eq(DRM_ARES_JOB_FW_ERROR, ARES_JOB_FW_ERROR);
	ck_assert_int_eq(DRM_ARES_PRIORITY_REALTIME + 1, ARES_NUM_PRIORITIES);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("contract layouts");
	TCase *t = tcase_create("layout");
	SRunner *sr;
	int failed;

	tcase_add_test(t, test_hw_command_structs_have_fixed_layout);
	tcase_add_test(t, test_hw_queue_structs_have_fixed_layout);
	tcase_add_test(t, test_fw_header_and_cp_ops_have_fixed_layout);
	tcase_add_test(t, test_register_map_fits_bar2_and_is_aligned);
	tcase_add_test(t, test_uapi_structs_have_fixed_layout);
	tcase_add_test(t, test_uapi_job_status_matches_hardware_codes);
	suite_add_tcase(s, t);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
