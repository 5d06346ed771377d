# The compute kernels of ares-sim's engines (sim/compute/README.md): a
# static library for ares-sim, a sanitized twin for the tests, the unit
# test and the host benchmark. Included from sim/sim.mk.

COMPUTE_SRCS := $(wildcard sim/compute/*.c)
COMPUTE_LIB := $(BUILD)/sim/libares-compute.a
COMPUTE_SAN_LIB := $(BUILD)/san/sim/libares-compute.a
# oneDNN (libdnnl-dev) runs float CONV2D and MATMUL (dnnl.c); Debian builds
# it on OpenMP, whose per-thread count dnnl.c sets, hence libgomp.
COMPUTE_LIBS := -ldnnl -lgomp -lm -lpthread

# -O3: GCC's -O2 vectorises only loops whose trip count is a multiple of
# the vector width, and these kernels are loops of arbitrary length.
$(COMPUTE_SRCS:sim/%.c=$(BUILD)/sim/%.o) $(COMPUTE_SRCS:sim/%.c=$(BUILD)/san/sim/%.o): \
	CFLAGS_COMMON += -O3

$(COMPUTE_LIB): $(COMPUTE_SRCS:sim/%.c=$(BUILD)/sim/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(COMPUTE_SAN_LIB): $(COMPUTE_SRCS:sim/%.c=$(BUILD)/san/sim/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

ALL_TARGETS += $(COMPUTE_LIB)

# Unit test: every kernel against naive references in the test.
$(BUILD)/sim/tests/test_compute: $(BUILD)/sim/tests/test_compute.o $(COMPUTE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $^ -o $@ $(CHECK_LIBS) $(COMPUTE_LIBS)
$(BUILD)/san/sim/tests/test_compute: $(BUILD)/san/sim/tests/test_compute.o $(COMPUTE_SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) $^ -o $@ $(CHECK_LIBS) $(COMPUTE_LIBS)

UNIT_TESTS += $(BUILD)/sim/tests/test_compute
UNIT_TESTS_SAN += $(BUILD)/san/sim/tests/test_compute

# Unit test: oneDNN's kernels inside the CP's real seccomp filter.
$(BUILD)/sim/tests/test_compute_sandbox: $(BUILD)/sim/tests/test_compute_sandbox.o \
		$(BUILD)/sim/cp_sandbox.o $(COMPUTE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $^ -o $@ $(CHECK_LIBS) -lseccomp $(COMPUTE_LIBS)
$(BUILD)/san/sim/tests/test_compute_sandbox: $(BUILD)/san/sim/tests/test_compute_sandbox.o \
		$(BUILD)/san/sim/cp_sandbox.o $(COMPUTE_SAN_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) $^ -o $@ $(CHECK_LIBS) -lseccomp $(COMPUTE_LIBS)

UNIT_TESTS += $(BUILD)/sim/tests/test_compute_sandbox
UNIT_TESTS_SAN += $(BUILD)/san/sim/tests/test_compute_sandbox

OPENBLAS_CFLAGS = $(shell pkg-config --cflags openblas)
OPENBLAS_LIBS = $(shell pkg-config --libs openblas)

# Host benchmark against OpenBLAS (bench only; ares-sim never links it).
$(BUILD)/bench/compute_bench: bench/compute_bench.c $(COMPUTE_LIB) sim/compute/compute.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) -Isim/compute $(OPENBLAS_CFLAGS) $(CFLAGS_COMMON) $< -o $@ \
		$(COMPUTE_LIB) $(OPENBLAS_LIBS) $(COMPUTE_LIBS)

ALL_TARGETS += $(BUILD)/bench/compute_bench

-include $(wildcard $(BUILD)/sim/compute/*.d $(BUILD)/san/sim/compute/*.d)
