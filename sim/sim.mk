# ares-sim, the device emulator, and the host unit tests of sim and of the
# hardware contract. See sim/README.md.

SIM_CORE_SRCS := sim/regs.c sim/log.c sim/irq.c sim/mem.c sim/mmu.c sim/engine.c sim/bootrom.c
SIM_SRCS := sim/main.c sim/ivshmem.c sim/ctrl.c sim/cp.c sim/cp_sandbox.c sim/engine_run.c sim/engine_tensor.c \
	sim/perf.c $(SIM_CORE_SRCS)
SIM_BIN := $(BUILD)/sim/ares-sim
# libsodium: the boot ROM's Ed25519 verify; libseccomp: the CP's sandbox.
SIM_LIBS := -lz -ldl -lsodium -lseccomp

# The boot ROM's fused key, from ARES_FW_VERIFY_KEY (firmware/firmware.mk).
# Regenerated every build, replaced only when the key changed.
SIM_FW_KEY_SRC := $(BUILD)/sim/gen/fw_verify_key.c
$(SIM_FW_KEY_SRC): $(ARES_FW_VERIFY_KEY) $(MKFWKEY) fw-key-check
	@mkdir -p $(dir $@)
	@$(MKFWKEY) c-source $(ARES_FW_VERIFY_KEY) $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi
$(BUILD)/sim/gen/fw_verify_key.o $(BUILD)/san/sim/gen/fw_verify_key.o: $(SIM_FW_KEY_SRC)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) -c $< -o $@

$(BUILD)/sim/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) -MMD -MP -c $< -o $@

$(BUILD)/san/sim/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) $(SAN_FLAGS) -MMD -MP -c $< -o $@

include sim/compute/compute.mk

$(SIM_BIN): $(SIM_SRCS:sim/%.c=$(BUILD)/sim/%.o) $(BUILD)/sim/gen/fw_verify_key.o $(COMPUTE_LIB)
	$(CC) $(CFLAGS_COMMON) $^ -o $@ $(SIM_LIBS) $(COMPUTE_LIBS)

# The sanitizer run of the end-to-end test drives a sanitized device too.
SIM_SAN_BIN := $(BUILD)/san/sim/ares-sim
$(SIM_SAN_BIN): $(SIM_SRCS:sim/%.c=$(BUILD)/san/sim/%.o) $(BUILD)/san/sim/gen/fw_verify_key.o \
		$(COMPUTE_SAN_LIB)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) $^ -o $@ $(SIM_LIBS) $(COMPUTE_LIBS)

.PHONY: sim
sim: $(SIM_BIN)

ALL_TARGETS += $(SIM_BIN)

# ---- host unit tests ----
CHECK_LIBS = $(shell pkg-config --libs check)
SIM_CORE_OBJS := $(SIM_CORE_SRCS:sim/%.c=%.o)

# name -> objects (relative to $(BUILD)/sim or $(BUILD)/san/sim)
SIM_TEST_test_contract := tests/test_contract.o
SIM_TEST_test_mmu := tests/test_mmu.o $(SIM_CORE_OBJS)
SIM_TEST_test_gemm := tests/test_gemm.o $(SIM_CORE_OBJS)
SIM_TEST_test_e2e := tests/test_e2e.o tests/e2e_client.o
SIM_TEST_test_e2e_compute := tests/test_e2e_compute.o tests/e2e_client.o
SIM_TEST_test_e2e_uq := tests/test_e2e_uq.o tests/e2e_client.o
SIM_TEST_test_bootrom := tests/test_bootrom.o bootrom.o gen/fw_verify_key.o
SIM_TESTS := test_contract test_mmu test_gemm test_bootrom test_e2e test_e2e_compute test_e2e_uq

define sim_test_rule
$(BUILD)/sim/tests/$(1): $(addprefix $(BUILD)/sim/,$(SIM_TEST_$(1)))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_COMMON) $$^ -o $$@ $$(CHECK_LIBS) $(SIM_LIBS)
$(BUILD)/san/sim/tests/$(1): $(addprefix $(BUILD)/san/sim/,$(SIM_TEST_$(1)))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS_COMMON) $$(SAN_FLAGS) $$^ -o $$@ $$(CHECK_LIBS) $(SIM_LIBS)
endef
$(foreach t,$(SIM_TESTS),$(eval $(call sim_test_rule,$(t))))

# The end-to-end test drives the real ares-sim and the real firmware images.
SIM_E2E_FW_DEF = -DARES_FW_DIR=\"$(abspath $(BUILD))/firmware\"
$(BUILD)/sim/tests/e2e_client.o: CPPFLAGS_COMMON += -DARES_SIM_BIN=\"$(abspath $(SIM_BIN))\"
$(BUILD)/san/sim/tests/e2e_client.o: CPPFLAGS_COMMON += -DARES_SIM_BIN=\"$(abspath $(SIM_SAN_BIN))\"
$(BUILD)/sim/tests/test_e2e.o $(BUILD)/san/sim/tests/test_e2e.o: CPPFLAGS_COMMON += $(SIM_E2E_FW_DEF)
$(BUILD)/sim/tests/test_e2e_compute.o $(BUILD)/san/sim/tests/test_e2e_compute.o: \
	CPPFLAGS_COMMON += $(SIM_E2E_FW_DEF)
$(BUILD)/sim/tests/test_e2e_uq.o $(BUILD)/san/sim/tests/test_e2e_uq.o: \
	CPPFLAGS_COMMON += $(SIM_E2E_FW_DEF)
$(BUILD)/sim/tests/test_bootrom.o $(BUILD)/san/sim/tests/test_bootrom.o: \
	CPPFLAGS_COMMON += $(SIM_E2E_FW_DEF)
$(BUILD)/sim/tests/test_bootrom: | $(FW_IMAGE)
$(BUILD)/san/sim/tests/test_bootrom: | $(FW_IMAGE)
$(BUILD)/sim/tests/test_e2e: | $(SIM_BIN) $(FW_IMAGE) $(FW_BAD_IMAGES) $(FW_STUB_IMAGES) \
	$(FW_EVIL_IMAGES) $(FW_SANDBOX_IMAGE)
$(BUILD)/san/sim/tests/test_e2e: | $(SIM_SAN_BIN) $(FW_IMAGE) $(FW_BAD_IMAGES) $(FW_STUB_IMAGES) \
	$(FW_EVIL_IMAGES) $(FW_SANDBOX_IMAGE)
$(BUILD)/sim/tests/test_e2e_compute: | $(SIM_BIN) $(FW_IMAGE)
$(BUILD)/san/sim/tests/test_e2e_compute: | $(SIM_SAN_BIN) $(FW_IMAGE)
$(BUILD)/sim/tests/test_e2e_uq: | $(SIM_BIN) $(FW_IMAGE)
$(BUILD)/san/sim/tests/test_e2e_uq: | $(SIM_SAN_BIN) $(FW_IMAGE)

UNIT_TESTS += $(SIM_TESTS:%=$(BUILD)/sim/tests/%)
UNIT_TESTS_SAN += $(SIM_TESTS:%=$(BUILD)/san/sim/tests/%)

-include $(wildcard $(BUILD)/sim/*.d $(BUILD)/sim/tests/*.d $(BUILD)/san/sim/*.d \
	$(BUILD)/san/sim/tests/*.d)
