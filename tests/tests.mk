# Tests: host unit tests (Check) with ASan/UBSan twins, guest test programs
# run in QEMU by tests/guest/run-all.sh, and the null-job benchmark.
# Included by the top-level Makefile after libaccel/libaccel.mk.

CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS := $(shell pkg-config --libs check)

# ---- unit tests ----
UNIT_TEST_NAMES := test_cmdbuf test_cmdbuf_tensor test_op_table test_visible test_no_device
UNIT_TEST_BINS := $(addprefix $(BUILD)/tests/unit/,$(UNIT_TEST_NAMES))
UNIT_TEST_SAN_BINS := $(addprefix $(BUILD)/san/tests/unit/,$(UNIT_TEST_NAMES))

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIBACCEL_A) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) $(CFLAGS_COMMON) $(CHECK_CFLAGS) -o $@ $< \
		$(LIBACCEL_A) $(LIBACCEL_LIBS) $(CHECK_LIBS)

# The sanitized twin links sanitized libaccel objects, so the library code
# under test is instrumented too, not only the test.
LIBACCEL_SAN_OBJS := $(patsubst libaccel/src/%.c,$(BUILD)/san/libaccel/%.o,$(LIBACCEL_SRCS))

$(BUILD)/san/libaccel/%.o: libaccel/src/%.c $(LIBACCEL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) -Ilibaccel/src $(LIBACCEL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/san/tests/unit/%: tests/unit/%.c $(LIBACCEL_SAN_OBJS) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) $(CFLAGS_COMMON) $(SAN_FLAGS) $(CHECK_CFLAGS) -o $@ $< \
		$(LIBACCEL_SAN_OBJS) $(LIBACCEL_LIBS) $(CHECK_LIBS)

# Objects built for pattern rules are "intermediate" to make; keep them.
.SECONDARY: $(LIBACCEL_SAN_OBJS)

UNIT_TESTS += $(UNIT_TEST_BINS)
UNIT_TESTS_SAN += $(UNIT_TEST_SAN_BINS)

# The runtime's placement decision: the cost model alone, which knows no
# session, linked with the test.
PLACEMENT_COST_SRCS := tests/unit/test_placement_cost.c runtime/src/device/cost_model.c
PLACEMENT_COST_DEPS := $(PLACEMENT_COST_SRCS) runtime/src/device/cost.h
$(BUILD)/tests/unit/test_placement_cost: $(PLACEMENT_COST_DEPS)
	@mkdir -p $(@D)
	$(CC) -Iruntime/src $(CFLAGS_COMMON) $(CHECK_CFLAGS) -o $@ $(PLACEMENT_COST_SRCS) $(CHECK_LIBS)
$(BUILD)/san/tests/unit/test_placement_cost: $(PLACEMENT_COST_DEPS)
	@mkdir -p $(@D)
	$(CC) -Iruntime/src $(CFLAGS_COMMON) $(SAN_FLAGS) $(CHECK_CFLAGS) -o $@ \
		$(PLACEMENT_COST_SRCS) $(CHECK_LIBS)
UNIT_TESTS += $(BUILD)/tests/unit/test_placement_cost
UNIT_TESTS_SAN += $(BUILD)/san/tests/unit/test_placement_cost

# ---- guest tests (each program proves one behaviour) ----
GUEST_TEST_NAMES := $(patsubst tests/guest/%.c,%,$(wildcard tests/guest/test_*.c))
GUEST_TEST_BINS := $(addprefix $(BUILD)/tests/guest/,$(GUEST_TEST_NAMES))

$(BUILD)/tests/guest/%: tests/guest/%.c tests/guest/guest_util.c tests/guest/guest_util.h \
		$(LIBACCEL_SO) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) -Itests/guest $(CFLAGS_COMMON) -o $@ $< tests/guest/guest_util.c \
		-L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../../lib' \
		$(LIBACCEL_LIBS) -lm

$(BUILD)/bench/null_job: bench/null_job.c $(LIBACCEL_SO) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< $(ACCEL_LINK_BIN) -ldrm -lm

GUEST_TARGETS += $(GUEST_TEST_BINS) $(BUILD)/bench/null_job

# The driver's own raw-ioctl smoke and recovery test (no libaccel), so a
# libaccel bug cannot hide a driver bug and vice versa.
$(BUILD)/tests/guest/kmod_smoke: tests/guest/kmod/kmod_smoke.c include/uapi/drm/ares_accel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) -o $@ $<

GUEST_TARGETS += $(BUILD)/tests/guest/kmod_smoke

# Drives the registers of an unbound device with garbage (hot-unplug.sh).
$(BUILD)/tests/guest/reg_garbage: tests/guest/reg_garbage.c include/ares/regs.h \
		tests/guest/guest_util.c tests/guest/guest_util.h $(LIBACCEL_SO) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) -Itests/guest $(CFLAGS_COMMON) -o $@ $< tests/guest/guest_util.c \
		-L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../../lib' $(LIBACCEL_LIBS)

GUEST_TARGETS += $(BUILD)/tests/guest/reg_garbage

# Removes the device it tests, so it is not a test_* of run-all.sh: the
# hot-unplug suite (tests/guest/hot-unplug.sh) runs it.
$(BUILD)/tests/guest/unplug_client: tests/guest/unplug_client.c tests/guest/guest_util.c \
		tests/guest/guest_util.h $(LIBACCEL_SO) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) -Itests/guest $(CFLAGS_COMMON) -o $@ $< tests/guest/guest_util.c \
		-L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../../lib' $(LIBACCEL_LIBS)

GUEST_TARGETS += $(BUILD)/tests/guest/unplug_client

# Leaves hung jobs behind for the unplug: also only for hot-unplug.sh.
$(BUILD)/tests/guest/backpressure_client: tests/guest/backpressure_client.c \
		tests/guest/guest_util.c tests/guest/guest_util.h $(LIBACCEL_SO) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) -Itests/guest $(CFLAGS_COMMON) -o $@ $< tests/guest/guest_util.c \
		-L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../../lib' $(LIBACCEL_LIBS)

GUEST_TARGETS += $(BUILD)/tests/guest/backpressure_client

# Needs two devices (vm-run.sh --devices 2): the multi-device suite
# (tests/guest/multi-device.sh) runs it.
$(BUILD)/tests/guest/multi_device_client: tests/guest/multi_device_client.c \
		tests/guest/guest_util.c tests/guest/guest_util.h $(LIBACCEL_SO) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) -Itests/guest $(CFLAGS_COMMON) -o $@ $< tests/guest/guest_util.c \
		-L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../../lib' $(LIBACCEL_LIBS)

GUEST_TARGETS += $(BUILD)/tests/guest/multi_device_client

# Allocation-failure injection over the driver's ioctls and probe; needs the
# debug kernel (make test-debug runs it through tests/guest/alloc-fail.sh).
$(BUILD)/tests/guest/alloc_fail: tests/guest/kmod/alloc_fail.c include/uapi/drm/ares_accel.h \
		include/ares/cmd.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) -o $@ $<

GUEST_TARGETS += $(BUILD)/tests/guest/alloc_fail

# The soak's worker (tests/guest/soak.sh, make soak): not a test_* of
# run-all.sh, it runs until told to stop.
$(BUILD)/tests/guest/soak_worker: tests/guest/soak_worker.c $(LIBACCEL_SO) libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< \
		-L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../../lib' $(LIBACCEL_LIBS) -lm

GUEST_TARGETS += $(BUILD)/tests/guest/soak_worker
