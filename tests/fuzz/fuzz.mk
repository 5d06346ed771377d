# Fuzz targets (libFuzzer, clang; the generated protobuf code is built as
# gcc builds it, without the warning flags): every file parser userspace exposes,
# built with ASan and UBSan over sanitizer-instrumented copies of the code
# under test. tests/fuzz/run-fuzz.sh runs each for a fixed, seeded number
# of inputs from a corpus of real files, so CI is deterministic.
# Included by the top-level Makefile after runtime/runtime.mk.

FUZZ_CC := clang
FUZZ_SAN := -std=c11 -O1 -g -fno-strict-aliasing -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS := $(FUZZ_SAN) $(WARN)
FUZZ_RT_OBJS := $(patsubst runtime/src/%.c,$(BUILD)/fuzz/runtime/%.o,$(RT_SRCS)) \
	$(BUILD)/fuzz/runtime/onnx.pb-c.o $(BUILD)/fuzz/runtime/onnx_seq.pb-c.o
FUZZ_TARGETS := $(BUILD)/fuzz/fuzz_onnx $(BUILD)/fuzz/fuzz_tensor $(BUILD)/fuzz/fuzz_device \
	$(BUILD)/fuzz/fuzz-device-seeds
# The device target: firmware job code on sim's engines and MMU.
FUZZ_DEV_SRCS := $(SIM_CORE_SRCS) sim/engine_run.c sim/engine_tensor.c sim/perf.c $(COMPUTE_SRCS) \
	firmware/fw_job.c firmware/fw_tensor.c firmware/fw_log.c
FUZZ_DEV_OBJS := $(FUZZ_DEV_SRCS:%.c=$(BUILD)/fuzz/%.o)

$(BUILD)/fuzz/runtime/onnx.pb-c.o: $(RT_GEN)/onnx.pb-c.c $(RT_GEN)/onnx.pb-c.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RT_CPPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/runtime/onnx_seq.pb-c.o: $(RT_GEN)/onnx_seq.pb-c.c $(RT_GEN)/onnx_seq.pb-c.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RT_CPPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/runtime/%.o: runtime/src/%.c $(RT_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RT_CPPFLAGS) -Iruntime/src $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
		-DART_BUILD -c -o $@ $<

$(BUILD)/fuzz/sim/%.o: sim/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS_COMMON) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/firmware/%.o: firmware/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS_COMMON) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/fuzz_device: tests/fuzz/fuzz_device.c $(FUZZ_DEV_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS_COMMON) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ -lz -lsodium -ldl -ldnnl -lgomp -lm \
		-lpthread

# Seeds for fuzz_device, written with libaccel's builder (a plain gcc build).
$(BUILD)/fuzz/fuzz-device-seeds: tests/fuzz/device_seeds.c $(LIBACCEL_SO)
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< -L$(BUILD)/lib -l:libaccel.so.1 \
		-Wl,-rpath,'$$ORIGIN/../lib'

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_input.h $(FUZZ_RT_OBJS) $(LIBACCEL_SO)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RT_CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_RT_OBJS) \
		-lprotobuf-c -ldnnl -lgomp -lm -L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../lib'

.PHONY: test-fuzz
test-fuzz: $(FUZZ_TARGETS)
	tests/fuzz/run-fuzz.sh $(BUILD)

# Keep the instrumented objects between runs (pattern-rule intermediates).
.SECONDARY: $(FUZZ_RT_OBJS) $(FUZZ_DEV_OBJS)
