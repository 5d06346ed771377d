# runtime/examples: applications over libares_rt's public API only.

# ares-ocr reads PNG with libpng and JPEG with libjpeg (Debian libpng-dev,
# libjpeg62-turbo-dev).
$(BUILD)/bin/ares-ocr: runtime/examples/ares_ocr.c runtime/examples/ocr_image.c \
		runtime/examples/ocr_image.h $(OMP_PASSIVE_SRC) runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -Iruntime/tools $(shell pkg-config --cflags libpng) $(CFLAGS_COMMON) -o $@ \
		runtime/examples/ares_ocr.c runtime/examples/ocr_image.c runtime/tools/omp_passive.c \
		$(RT_LINK_BIN) -ljson-c $(shell pkg-config --libs libpng) -ljpeg -lm

ALL_TARGETS += $(BUILD)/bin/ares-ocr
