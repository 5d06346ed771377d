# bench: model-bench, real models through libares_rt with runs in flight
# (bench/models-bench.sh drives it).

$(BUILD)/bench/model-bench: bench/model_bench.c $(OMP_PASSIVE_SRC) runtime/include/ares_rt.h $(RT_SO)
	@mkdir -p $(@D)
	$(CC) $(RT_CPPFLAGS) -Iruntime/tools $(CFLAGS_COMMON) -o $@ $(filter %.c,$^) $(RT_LINK_BIN)

ALL_TARGETS += $(BUILD)/bench/model-bench

# serve_load: a C load client for bench/serve-bench (ares-serve over HTTP).
$(BUILD)/bench/serve_load: bench/serve_load.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) -pthread -o $@ $<

ALL_TARGETS += $(BUILD)/bench/serve_load
