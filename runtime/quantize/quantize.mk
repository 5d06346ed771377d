# runtime/quantize: libares_quant (a static library, API prefix aq_, header
# ares_quant.h) and the ares-quantize tool over it. It calls libares_rt's
# public API for the calibration runs and the generated onnx.pb-c for the
# ModelProto it reads and writes.

AQ_SRCS := $(filter-out runtime/quantize/ares_quantize.c,$(wildcard runtime/quantize/*.c))
AQ_OBJS := $(patsubst runtime/quantize/%.c,$(BUILD)/quantize/%.o,$(AQ_SRCS))
AQ_LIB := $(BUILD)/lib/libares_quant.a
AQ_HDRS := $(wildcard runtime/quantize/*.h) runtime/include/ares_rt.h $(RT_GEN)/onnx.pb-c.h

$(BUILD)/quantize/%.o: runtime/quantize/%.c $(AQ_HDRS)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -Iruntime/quantize $(CFLAGS_COMMON) -c -o $@ $<

$(AQ_LIB): $(AQ_OBJS) $(BUILD)/runtime/onnx.pb-c.o
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/bin/ares-quantize: runtime/quantize/ares_quantize.c runtime/quantize/ares_quant.h \
		$(AQ_LIB) $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -Iruntime/quantize $(CFLAGS_COMMON) -o $@ $< $(AQ_LIB) \
		$(RT_LINK_BIN) -lprotobuf-c -lm

ALL_TARGETS += $(AQ_LIB) $(BUILD)/bin/ares-quantize
RUNTIME_TEST_DEPS += $(BUILD)/bin/ares-quantize
