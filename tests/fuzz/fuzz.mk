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
	$(BUILD)/fuzz/runtime/onnx.pb-c.o
FUZZ_TARGETS := $(BUILD)/fuzz/fuzz_onnx $(BUILD)/fuzz/fuzz_tensor

$(BUILD)/fuzz/runtime/onnx.pb-c.o: $(RT_GEN)/onnx.pb-c.c $(RT_GEN)/onnx.pb-c.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RT_CPPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/runtime/%.o: runtime/src/%.c $(RT_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RT_CPPFLAGS) -Iruntime/src $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
		-DART_BUILD -c -o $@ $<

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_input.h $(FUZZ_RT_OBJS) $(LIBACCEL_SO)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(RT_CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_RT_OBJS) \
		-lprotobuf-c -lm -L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../lib'

.PHONY: test-fuzz
test-fuzz: $(FUZZ_TARGETS)
	tests/fuzz/run-fuzz.sh $(BUILD)

# Keep the instrumented objects between runs (pattern-rule intermediates).
.SECONDARY: $(FUZZ_RT_OBJS)
