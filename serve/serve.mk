# serve/: ares-serve, the Open Inference Protocol model server over
# libares_rt's public API (serve/README.md). Included by the top-level
# Makefile after runtime/runtime.mk.

SERVE_SRCS := $(wildcard serve/*.c)
SERVE_HDRS := $(wildcard serve/*.h)

$(BUILD)/bin/ares-serve: $(SERVE_SRCS) $(SERVE_HDRS) $(OMP_PASSIVE_SRC) runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -Iruntime/tools $(CFLAGS_COMMON) -pthread -o $@ $(SERVE_SRCS) \
		runtime/tools/omp_passive.c $(RT_LINK_BIN) \
		$(shell pkg-config --libs libmicrohttpd) -ljson-c -lm

ALL_TARGETS += $(BUILD)/bin/ares-serve

# The ASan/UBSan twin the host test also runs (over the uninstrumented
# libares_rt: the server's own code is what it checks).
$(BUILD)/san/bin/ares-serve: $(SERVE_SRCS) $(SERVE_HDRS) $(OMP_PASSIVE_SRC) runtime/include/ares_rt.h \
		$(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -Iruntime/tools $(CFLAGS_COMMON) $(SAN_FLAGS) -pthread -o $@ $(SERVE_SRCS) \
		runtime/tools/omp_passive.c \
		-L$(BUILD)/lib -l:libares_rt.so.1 -Wl,-rpath,'$$ORIGIN/../../lib' \
		$(shell pkg-config --libs libmicrohttpd) -ljson-c -lm

# The host test on the CPU path (part of `make test-unit`; alone: make test-serve).
SERVE_TEST_DEPS := $(BUILD)/bin/ares-serve $(BUILD)/san/bin/ares-serve $(BUILD)/bin/accel-run
.PHONY: test-serve
test-serve: $(SERVE_TEST_DEPS)
	serve/tests/run-serve-tests.sh $(BUILD)
