# runtime: libares_rt.so.1 (API prefix art_), the accel-run tool and the
# ONNX conformance runner. The protobuf-c code for ONNX is generated at
# build time from the system onnx.proto (libonnx-dev), never committed.

ONNX_PROTO := /usr/include/onnx/onnx.proto
RT_GEN := $(BUILD)/runtime/gen
RT_SRCS := $(wildcard runtime/src/*.c runtime/src/*/*.c)
RT_OBJS := $(patsubst runtime/src/%.c,$(BUILD)/runtime/%.o,$(RT_SRCS)) $(BUILD)/runtime/onnx.pb-c.o \
	$(BUILD)/runtime/onnx_seq.pb-c.o
RT_HDRS := runtime/include/ares_rt.h $(wildcard runtime/src/*.h runtime/src/*/*.h) $(RT_GEN)/onnx.pb-c.h \
	$(RT_GEN)/onnx_seq.pb-c.h libaccel/include/accel.h
RT_SO := $(BUILD)/lib/libares_rt.so.1
# oneDNN (libdnnl-dev) runs the CPU path's heavy ops; Debian builds it on
# OpenMP, whose thread count the runtime sets per session (cpu/dnnl.c).
RT_LIBS := -lprotobuf-c -ldnnl -lgomp -lm -L$(BUILD)/lib -l:libaccel.so.1
RT_CPPFLAGS := $(CPPFLAGS_COMMON) -Iruntime/include -Ilibaccel/include -I$(RT_GEN)
RT_LINK_BIN := -L$(BUILD)/lib -l:libares_rt.so.1 -Wl,-rpath,'$$ORIGIN/../lib'
ONNX_TESTDATA := /usr/include/onnx/backend/test/data

# protoc-c names its output after the input path, so generate from a copy.
$(RT_GEN)/onnx.pb-c.c $(RT_GEN)/onnx.pb-c.h: $(ONNX_PROTO)
	@mkdir -p $(RT_GEN)
	cp $(ONNX_PROTO) $(RT_GEN)/onnx.proto
	cd $(RT_GEN) && protoc-c --c_out=. onnx.proto

$(BUILD)/runtime/onnx.pb-c.o: $(RT_GEN)/onnx.pb-c.c $(RT_GEN)/onnx.pb-c.h
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -std=c11 -O2 -g -fPIC -fvisibility=hidden -c -o $@ $<

# SequenceProto (onnx-data.proto's, which Debian does not ship): ours.
$(RT_GEN)/onnx_seq.pb-c.c $(RT_GEN)/onnx_seq.pb-c.h: runtime/proto/onnx_seq.proto $(RT_GEN)/onnx.pb-c.h
	cp runtime/proto/onnx_seq.proto $(RT_GEN)/onnx_seq.proto
	cd $(RT_GEN) && protoc-c --c_out=. onnx_seq.proto

$(BUILD)/runtime/onnx_seq.pb-c.o: $(RT_GEN)/onnx_seq.pb-c.c $(RT_GEN)/onnx_seq.pb-c.h
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -std=c11 -O2 -g -fPIC -fvisibility=hidden -c -o $@ $<

$(BUILD)/runtime/%.o: runtime/src/%.c $(RT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -Iruntime/src $(CFLAGS_COMMON) -fPIC -fvisibility=hidden -DART_BUILD -c -o $@ $<

$(RT_SO): $(RT_OBJS) runtime/runtime.map $(LIBACCEL_SO)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libares_rt.so.1 -Wl,--version-script=runtime/runtime.map \
		-Wl,--no-undefined -Wl,-rpath,'$$ORIGIN' -o $@ $(RT_OBJS) $(RT_LIBS)
	ln -sf libares_rt.so.1 $(BUILD)/lib/libares_rt.so

# The OpenMP wait policy every program that runs models on a shared host
# sets (runtime/tools/omp_passive.c): accel-run, ares-ocr, model-bench,
# ares-serve.
OMP_PASSIVE_SRC := runtime/tools/omp_passive.c runtime/tools/omp_passive.h

$(BUILD)/bin/accel-run: runtime/tools/accel_run.c runtime/tools/input_plan.c runtime/tools/input_plan.h \
		$(OMP_PASSIVE_SRC) runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $(filter %.c,$^) $(RT_LINK_BIN)

$(BUILD)/bin/onnx-conformance: runtime/tests/conformance.c runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< $(RT_LINK_BIN) -lm

# The device provider's guest test writes its model with the generated code.
$(BUILD)/bin/art-device-test: runtime/tests/device_test.c runtime/tests/test_check.h runtime/include/ares_rt.h \
		$(RT_SO) \
		$(BUILD)/runtime/onnx.pb-c.o
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< $(BUILD)/runtime/onnx.pb-c.o $(RT_LINK_BIN) \
		$(ACCEL_LINK_BIN) -lprotobuf-c -lm

$(BUILD)/bin/art-input-test: runtime/tests/input_test.c runtime/tests/test_check.h \
		runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< $(RT_LINK_BIN)

$(BUILD)/bin/art-seqstr-test: runtime/tests/seqstr_test.c runtime/tests/test_check.h \
		runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) $(CFLAGS_COMMON) -o $@ $< $(RT_LINK_BIN)

RUNTIME_TEST_DEPS := $(BUILD)/bin/accel-run $(BUILD)/bin/onnx-conformance $(BUILD)/bin/npy-compare \
	$(BUILD)/bin/art-input-test $(BUILD)/bin/art-seqstr-test
ALL_TARGETS += $(RT_SO) $(RUNTIME_TEST_DEPS) $(BUILD)/bin/art-device-test

.PHONY: test-conformance
test-conformance: $(BUILD)/bin/onnx-conformance
	$(BUILD)/bin/onnx-conformance --expect runtime/tests/conformance-expected.txt \
		--xfail runtime/tests/conformance-xfail.txt \
		$(addprefix $(ONNX_TESTDATA)/,node pytorch-converted pytorch-operator simple)

# The CPU kernels are the oracle, but the real models run dozens of convs
# on them: let the compiler vectorise their inner loops.
$(BUILD)/runtime/cpu/kernels_conv.o $(BUILD)/runtime/cpu/kernels_linalg.o: CFLAGS_COMMON += -O3
# ConvTranspose's col2im splits its channels on the session's OpenMP
# threads (the team oneDNN uses, libgomp, linked above).
$(BUILD)/runtime/cpu/dnnl_conv.o: CFLAGS_COMMON += -fopenmp
