# libaccel: libaccel.so.1 + libaccel.a, the accelctl tool and the GEMM demo.
# Included by the top-level Makefile; uses its CC, BUILD, *_COMMON flags.

LIBACCEL_SRCS := $(wildcard libaccel/src/*.c)
LIBACCEL_HDRS := libaccel/include/accel.h libaccel/src/internal.h \
	$(wildcard include/ares/*.h) include/uapi/drm/ares_accel.h
LIBACCEL_OBJS := $(patsubst libaccel/src/%.c,$(BUILD)/libaccel/%.o,$(LIBACCEL_SRCS))
LIBACCEL_SO := $(BUILD)/lib/libaccel.so.1
LIBACCEL_A := $(BUILD)/lib/libaccel.a
LIBACCEL_LIBS := -ldrm -lpci

# Users of the library: only the public header.
ACCEL_CPPFLAGS := $(CPPFLAGS_COMMON) -Ilibaccel/include
LIBACCEL_CFLAGS := $(CFLAGS_COMMON) -fPIC -fvisibility=hidden -DACCEL_BUILD
# Programs find libaccel.so.1 relative to themselves, so the build tree runs
# unchanged in the guest over 9p.
ACCEL_LINK_BIN := -L$(BUILD)/lib -l:libaccel.so.1 -Wl,-rpath,'$$ORIGIN/../lib' $(LIBACCEL_LIBS)

$(BUILD)/libaccel/%.o: libaccel/src/%.c $(LIBACCEL_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) -Ilibaccel/src $(LIBACCEL_CFLAGS) -c -o $@ $<

$(LIBACCEL_SO): $(LIBACCEL_OBJS) libaccel/libaccel.map scripts/check-libaccel-exports.sh
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libaccel.so.1 -Wl,--version-script=libaccel/libaccel.map \
		-Wl,--no-undefined -o $@ $(LIBACCEL_OBJS) $(LIBACCEL_LIBS)
	scripts/check-libaccel-exports.sh libaccel/include/accel.h libaccel/libaccel.map $@ || \
		{ rm -f $@; exit 1; }
	ln -sf libaccel.so.1 $(BUILD)/lib/libaccel.so

$(LIBACCEL_A): $(LIBACCEL_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(LIBACCEL_OBJS)

# accelctl writes its --json documents with json-c (Debian libjson-c-dev).
ACCELCTL_SRCS := $(wildcard libaccel/tools/accelctl*.c)
$(BUILD)/bin/accelctl: $(ACCELCTL_SRCS) libaccel/tools/accelctl_ext.h libaccel/include/accel.h \
		$(LIBACCEL_SO)
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) $(shell pkg-config --cflags json-c) $(CFLAGS_COMMON) -o $@ \
		$(ACCELCTL_SRCS) \
		$(ACCEL_LINK_BIN) $(shell pkg-config --libs json-c)

$(BUILD)/bin/ares-gemm-demo: libaccel/examples/gemm_demo.c libaccel/include/accel.h $(LIBACCEL_SO)
	@mkdir -p $(@D)
	$(CC) $(ACCEL_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< $(ACCEL_LINK_BIN) -lm

ALL_TARGETS += $(LIBACCEL_SO) $(LIBACCEL_A) $(BUILD)/bin/accelctl $(BUILD)/bin/ares-gemm-demo
