# runtime/examples: applications over libares_rt's public API only.

$(BUILD)/bin/ares-ocr: runtime/examples/ares_ocr.c runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< $(RT_LINK_BIN) -ljson-c -lm

ALL_TARGETS += $(BUILD)/bin/ares-ocr
