/* SPDX-License-Identifier: MIT */
/*
 * Host unit tests of the op table (include/ares/op_table.h): the
 * invariants its consumers rely on for every row, so a new row that breaks
 * one fails here, and the shared descriptor rules of hw-spec §12.1, one
 * rule at a time, as the firmware, the emulator and libaccel call them.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "ares/op_table.h"

#define ROWS(NAME, name, code, type, engine, tiling) (code),
static const unsigned int v1_ops[] = {ARES_V1_OP_TABLE(ROWS)};
static const unsigned int tensor_ops[] = {ARES_TENSOR_OP_TABLE(ROWS)};
#undef ROWS
#define NAMES(NAME, name, code, type, engine, tiling) #NAME,
static const char *const op_names[] = {ARES_OP_TABLE(NAMES)};
#undef NAMES

#define N_V1	 (sizeof(v1_ops) / sizeof(v1_ops[0]))
#define N_TENSOR (sizeof(tensor_ops) / sizeof(tensor_ops[0]))

START_TEST(test_every_row_is_found_by_its_opcode_and_nothing_else)
{
	unsigned int found = 0;

	for (unsigned int op = 0; op < ARES_OP_SLOTS + 4; op++)
		found += ares_op_info(op) != NULL;
	ck_assert_uint_eq(found, N_V1 + N_TENSOR);
	ck_assert_ptr_null(ares_op_info(0x0005));
	ck_assert_ptr_null(ares_op_info(ARES_OP_SLOTS));
	ck_assert_ptr_null(ares_op_info(0xffff));
	ck_assert_str_eq(ares_op_info(ARES_OP_CONV2D)->name, "CONV2D");
	ck_assert_uint_eq(ares_op_info(ARES_OP_NORM)->size, sizeof(struct ares_cmd_norm));
	ck_assert_uint_eq(ares_op_info(ARES_OP_NOP)->size, sizeof(struct ares_cmd_hdr));
}
END_TEST

/*
 * The opcodes are an ABI: every command stream ever written carries them.
 * These are the numbers shipped so far; renumbering a row or typing a new
 * row's number over an old one fails here.
 */
START_TEST(test_opcodes_keep_their_numbers_and_are_unique_below_the_slots)
{
	static const struct {
		const char *name;
		unsigned int code;
	} historic[] = {
		{"NOP", 0x00},	    {"FENCE_WRITE", 0x01}, {"TIMESTAMP", 0x02},
		{"DMA_COPY", 0x03}, {"FILL", 0x04},	   {"GEMM", 0x10},
		{"PROFILE", 0x50},  {"CONV2D", 0x20},	   {"MATMUL", 0x21},
		{"ELTWISE", 0x30},  {"POOL", 0x31},	   {"REDUCE", 0x32},
		{"SOFTMAX", 0x33},  {"NORM", 0x34},	   {"RESIZE", 0x35},
		{"PRELU", 0x36},    {"COPY", 0x40},	   {"PAD", 0x41},
		{"GATHER", 0x42},   {"FILL_TENSOR", 0x43},
	};
	const unsigned int n_hist = sizeof(historic) / sizeof(historic[0]);
	unsigned int codes[N_V1 + N_TENSOR];

	memcpy(codes, v1_ops, sizeof(v1_ops));
	memcpy(codes + N_V1, tensor_ops, sizeof(tensor_ops));
	ck_assert_uint_eq(N_V1 + N_TENSOR, sizeof(op_names) / sizeof(op_names[0]));
	for (unsigned int i = 0; i < N_V1 + N_TENSOR; i++) {
		ck_assert_msg(codes[i] < ARES_OP_SLOTS, "%s: opcode %#x is not below %#x",
			      op_names[i], codes[i], ARES_OP_SLOTS);
		for (unsigned int j = 0; j < i; j++)
			ck_assert_msg(codes[i] != codes[j], "%s and %s share opcode %#x",
				      op_names[j], op_names[i], codes[i]);
		ck_assert_str_eq(ares_op_info(codes[i])->name, op_names[i]);
	}
	/* Every opcode that ever shipped is still in the table with its number. */
	for (unsigned int h = 0; h < n_hist; h++) {
		const struct ares_op_info *op = ares_op_info(historic[h].code);

		ck_assert_msg(op && !strcmp(op->name, historic[h].name),
			      "opcode %#x: expected %s, found %s", historic[h].code,
			      historic[h].name, op ? op->name : "no row");
	}
	ck_assert_uint_eq(ARES_OP_CONV2D, 0x20);
	ck_assert_uint_eq(ARES_OP_PRELU, 0x36);
	ck_assert_uint_eq(ARES_OP_FILL_TENSOR, 0x43);
}
END_TEST

START_TEST(test_v1_rows_have_no_operands_and_run_as_one_tile)
{
	for (unsigned int i = 0; i < N_V1; i++) {
		const struct ares_op_info *op = ares_op_info(v1_ops[i]);

		ck_assert_msg(op->n_operands == 0 && op->operands == NULL,
			      "%s: expected no operand list", op->name);
		ck_assert_msg(op->tiling == ARES_TILE_NONE, "%s: expected ARES_TILE_NONE",
			      op->name);
		ck_assert_msg(op->size >= 8 && op->size % 8 == 0, "%s: size %u", op->name,
			      op->size);
	}
}
END_TEST

START_TEST(test_tensor_rows_list_whole_descriptors_inputs_first)
{
	for (unsigned int i = 0; i < N_TENSOR; i++) {
		const struct ares_op_info *op = ares_op_info(tensor_ops[i]);
		int seen_out = 0;

		ck_assert_msg(op->engine != ARES_ENGINE_CP, "%s: a tensor op needs an engine",
			      op->name);
		ck_assert_msg(op->tiling != ARES_TILE_NONE || op->n_operands, "%s", op->name);
		ck_assert_msg(op->n_operands >= 1 && op->n_operands <= ARES_MAX_OPERANDS,
			      "%s: %u operands", op->name, op->n_operands);
		ck_assert_msg(op->operands[op->n_operands].name == NULL,
			      "%s: operand list not terminated", op->name);
		for (unsigned int k = 0; k < op->n_operands; k++) {
			const struct ares_operand *o = &op->operands[k];
			unsigned int io = o->role & (ARES_OPND_IN | ARES_OPND_OUT);

			ck_assert_msg(io == ARES_OPND_IN || io == ARES_OPND_OUT,
				      "%s.%s: expected exactly one of IN and OUT", op->name,
				      o->name);
			ck_assert_msg(
				o->offset >= sizeof(struct ares_cmd_hdr) && o->offset % 8 == 0 &&
					o->offset + sizeof(struct ares_tensor_desc) <= op->size,
				"%s.%s: offset %u outside the %u-byte command", op->name, o->name,
				o->offset, op->size);
			/* The emulator opens inputs first so a faulting input writes nothing. */
			ck_assert_msg(!(seen_out && io == ARES_OPND_IN),
				      "%s.%s: input after output", op->name, o->name);
			seen_out |= io == ARES_OPND_OUT;
			for (unsigned int j = 0; j < k; j++)
				ck_assert_msg(op->operands[j].offset +
							      sizeof(struct ares_tensor_desc) <=
						      o->offset,
					      "%s.%s overlaps %s.%s or is out of order", op->name,
					      o->name, op->name, op->operands[j].name);
		}
		ck_assert_msg(seen_out, "%s: no output", op->name);
	}
}
END_TEST

/* A valid packed f32 [2][3] view. */
static struct ares_tensor_desc good(void)
{
	struct ares_tensor_desc t = {.va = 0x1000, .dtype = ARES_DTYPE_F32, .rank = 2};

	t.shape[0] = 2, t.shape[1] = 3;
	t.stride[0] = 3, t.stride[1] = 1;
	return t;
}

static int desc_valid(const struct ares_tensor_desc *t, __u64 *bytes)
{
	return ares_desc_check(t, 0, bytes);
}

START_TEST(test_dtype_sizes_are_those_of_rule_1)
{
	static const unsigned int want[ARES_DTYPE_COUNT] = {0, 4, 2, 2, 1, 1, 4, 8, 1};

	for (unsigned int dt = 0; dt < ARES_DTYPE_COUNT + 2; dt++)
		ck_assert_msg(ares_dtype_size(dt) == (dt < ARES_DTYPE_COUNT ? want[dt] : 0),
			      "dtype %u: expected %u bytes, got %u", dt,
			      dt < ARES_DTYPE_COUNT ? want[dt] : 0, ares_dtype_size(dt));
}
END_TEST

START_TEST(test_descriptor_rules_one_by_one)
{
	struct ares_tensor_desc t = good(), z = {0};
	__u64 bytes = 1;

	ck_assert(desc_valid(&t, &bytes));
	ck_assert_uint_eq(bytes, 24);
	/* Absent: only where optional, and all zero. */
	ck_assert(!ares_desc_check(&z, 0, &bytes));
	ck_assert(ares_desc_check(&z, 1, &bytes) && bytes == 0);
	z.va = 8;
	ck_assert(!ares_desc_check(&z, 1, &bytes));
	/* 1: dtype */
	t.dtype = ARES_DTYPE_COUNT;
	ck_assert(!desc_valid(&t, &bytes) && !ares_desc_layout_ok(&t));
	/* 2: rank, entries past it */
	t = good(), t.rank = ARES_MAX_RANK + 1;
	ck_assert(!desc_valid(&t, &bytes) && !ares_desc_layout_ok(&t));
	t = good(), t.stride[2] = 1;
	ck_assert(!desc_valid(&t, &bytes) && !ares_desc_layout_ok(&t));
	/* 3: dimensions and element count, also for an empty view */
	t = good(), t.shape[1] = ARES_MAX_DIM;
	ck_assert(!desc_valid(&t, &bytes) && ares_desc_layout_ok(&t));
	t = good(), t.shape[0] = 0, t.shape[1] = ARES_MAX_DIM;
	ck_assert(!desc_valid(&t, &bytes));
	t = good(), t.shape[0] = 0;
	ck_assert(desc_valid(&t, &bytes) && bytes == 0);
	t = good(), t.shape[0] = 1ull << 24, t.shape[1] = (1ull << 24) + 1;
	t.stride[0] = t.stride[1] = 0;
	ck_assert(!desc_valid(&t, &bytes));
	/* 4: alignment */
	t = good(), t.va = 0x1002;
	ck_assert(!desc_valid(&t, &bytes) && !ares_desc_layout_ok(&t));
	/* 5: extent inside the VA space, without overflow */
	t = good(), t.va = (1ull << ARES_VA_BITS) - 20;
	ck_assert(!desc_valid(&t, &bytes));
	t = good(), t.va = (1ull << ARES_VA_BITS) - 24;
	ck_assert(desc_valid(&t, &bytes) && bytes == 24);
	t = good(), t.stride[0] = 1ull << 62;
	ck_assert(!desc_valid(&t, &bytes) && ares_desc_layout_ok(&t));
	/* 6: quantisation */
	t = good(), t.scale = 0x3f800000u;
	ck_assert(!desc_valid(&t, &bytes));
	t = good(), t.quant = ARES_QUANT_PER_TENSOR, t.scale = 0x3f800000u;
	ck_assert(!desc_valid(&t, &bytes)); /* F32 cannot carry it */
	t.dtype = ARES_DTYPE_I8, t.va = 0x1001, t.zero_point = (__u32)-128;
	ck_assert(desc_valid(&t, &bytes));
	t.zero_point = 128;
	ck_assert(!desc_valid(&t, &bytes));
	t.dtype = ARES_DTYPE_U8;
	ck_assert(desc_valid(&t, &bytes));
	t.scale = 0x7f800000u; /* inf */
	ck_assert(!desc_valid(&t, &bytes));
	t = good(), t.dtype = ARES_DTYPE_U8, t.quant = ARES_QUANT_PER_CHANNEL, t.quant_axis = 1;
	t.qparams_va = 0x2000;
	ck_assert(desc_valid(&t, &bytes));
	t.quant_axis = 2;
	ck_assert(!desc_valid(&t, &bytes));
	t.quant_axis = 1, t.qparams_va = 0x2002;
	ck_assert(!desc_valid(&t, &bytes));
	t.qparams_va = (1ull << ARES_VA_BITS) - 16; /* 3 channels need 24 bytes */
	ck_assert(!desc_valid(&t, &bytes));
	t = good(), t.quant = ARES_QUANT_PER_CHANNEL + 1;
	ck_assert(!desc_valid(&t, &bytes) && !ares_desc_layout_ok(&t));
}
END_TEST

START_TEST(test_float_bits_and_zero_points)
{
	ck_assert(ares_f32_positive(0x3f800000u));
	ck_assert(ares_f32_positive(0x00000001u)); /* the smallest subnormal */
	ck_assert(!ares_f32_positive(0));
	ck_assert(!ares_f32_positive(0x80000000u));
	ck_assert(!ares_f32_positive(0xbf800000u));
	ck_assert(!ares_f32_positive(0x7f800000u));
	ck_assert(!ares_f32_positive(0x7fc00000u));
	ck_assert(ares_zero_point_ok(ARES_DTYPE_I8, -128) &&
		  !ares_zero_point_ok(ARES_DTYPE_I8, 128));
	ck_assert(ares_zero_point_ok(ARES_DTYPE_U8, 255) && !ares_zero_point_ok(ARES_DTYPE_U8, -1));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("op table");
	TCase *t = tcase_create("op table");
	SRunner *r;
	int failed;

	tcase_add_test(t, test_every_row_is_found_by_its_opcode_and_nothing_else);
	tcase_add_test(t, test_opcodes_keep_their_numbers_and_are_unique_below_the_slots);
	tcase_add_test(t, test_v1_rows_have_no_operands_and_run_as_one_tile);
	tcase_add_test(t, test_tensor_rows_list_whole_descriptors_inputs_first);
	tcase_add_test(t, test_dtype_sizes_are_those_of_rule_1);
	tcase_add_test(t, test_descriptor_rules_one_by_one);
	tcase_add_test(t, test_float_bits_and_zero_points);
	suite_add_tcase(s, t);
	r = srunner_create(s);
	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
