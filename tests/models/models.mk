# tests/models: the real-model tests (npm models against onnxruntime-node).
# npy-compare is the comparison tool they share with the guest suite.

$(BUILD)/bin/npy-compare: tests/models/npy_compare.c runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< $(RT_LINK_BIN) -lm

MODEL_TEST_DEPS := $(BUILD)/bin/npy-compare $(BUILD)/bin/accel-run
ALL_TARGETS += $(BUILD)/bin/npy-compare
