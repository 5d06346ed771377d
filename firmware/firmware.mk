# Ares firmware: a freestanding x86-64 ELF shared object entered through the
# CP ABI (include/ares/cp.h), wrapped by mkfwimage into ares-fw.bin. The
# guest kernel finds it as $(BUILD)/firmware/ares/ares-fw.bin.

FW_VERSION := 1.0.0
# ARES_FW_FEATURE_* (include/ares/regs.h): 0x1 user queues (hw-spec §15).
FW_FEATURES := 0x1
FW_VERSION_WORDS := $(subst ., ,$(FW_VERSION))

FW_SRCS := firmware/fw_main.c firmware/fw_queue.c firmware/fw_job.c firmware/fw_tensor.c \
	firmware/fw_log.c \
	firmware/fw_lib.c
FW_OBJS := $(FW_SRCS:firmware/%.c=$(BUILD)/firmware/pic/%.o)
FW_SO := $(BUILD)/firmware/ares-fw.so
FW_IMAGE := $(BUILD)/firmware/ares/ares-fw.bin
FW_BAD_IMAGES := $(BUILD)/firmware/ares-fw-corrupt-crc.bin $(BUILD)/firmware/ares-fw-bad-payload.bin
MKFWIMAGE := $(BUILD)/firmware/mkfwimage

# No libc, no unwinding, no stack protector: the CP gives the firmware
# nothing but the ops table. memcpy/memset come from fw_lib.c.
FW_CFLAGS := -std=c11 -O2 -g $(WARN) -fno-strict-aliasing -fPIC -ffreestanding \
	-fno-stack-protector -fvisibility=hidden -fno-builtin -fno-tree-loop-distribute-patterns \
	-fno-asynchronous-unwind-tables -mno-red-zone \
	-DFW_VERSION_MAJOR=$(word 1,$(FW_VERSION_WORDS)) \
	-DFW_VERSION_MINOR=$(word 2,$(FW_VERSION_WORDS)) \
	-DFW_VERSION_PATCH=$(word 3,$(FW_VERSION_WORDS)) -DFW_FEATURES=$(FW_FEATURES)
FW_LDFLAGS := -shared -nostdlib -Wl,--no-undefined -Wl,-z,now -Wl,-soname,ares-fw.so

$(BUILD)/firmware/pic/%.o: firmware/%.c
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(FW_CFLAGS) -MMD -MP -c $< -o $@

$(FW_SO): $(FW_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(FW_LDFLAGS) $(FW_OBJS) -lgcc -o $@

$(MKFWIMAGE): firmware/mkfwimage.c include/ares/fw_image.h include/ares/cp.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) $< -o $@ -lz -lsodium

# ---- signing (docs/hw-spec.md §4.1) ----
# ARES_FW_SIGNING_KEY names the Ed25519 signing key (a 32-byte seed, see
# mkfwkey.c) that signs every image; ARES_FW_VERIFY_KEY the 32-byte public
# key ares-sim's boot ROM trusts, by default the signing key's own. Unset,
# the signing key is a development key generated once into this build
# folder (as the kernel generates certs/signing_key.pem): never committed,
# so no published key boots code on anyone's sim, and a vendor swaps in
# its own with `make ARES_FW_SIGNING_KEY=vendor.key`.
MKFWKEY := $(BUILD)/firmware/mkfwkey
ARES_FW_DEV_KEY := $(BUILD)/firmware/keys/ares-dev-signing.key
ARES_FW_SIGNING_KEY ?= $(ARES_FW_DEV_KEY)
FW_SIGNING_PUB := $(BUILD)/firmware/keys/signing.pub
ARES_FW_VERIFY_KEY ?= $(FW_SIGNING_PUB)
FW_SIGN := --sign-key $(ARES_FW_SIGNING_KEY)

$(MKFWKEY): firmware/mkfwkey.c include/ares/fw_image.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) $< -o $@ -lsodium

$(ARES_FW_DEV_KEY): | $(MKFWKEY)
	@mkdir -p $(dir $@)
	$(MKFWKEY) generate $@

# Rewritten only when the key's content changes (a key named by a variable
# has no useful mtime), so images re-sign and the sim rebuilds exactly then.
.PHONY: fw-key-check
$(FW_SIGNING_PUB): $(ARES_FW_SIGNING_KEY) $(MKFWKEY) fw-key-check
	@mkdir -p $(dir $@)
	@$(MKFWKEY) public $(ARES_FW_SIGNING_KEY) $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# One rule writes all three images so they always come from the same build.
$(FW_IMAGE) $(FW_BAD_IMAGES) &: $(FW_SO) $(MKFWIMAGE) $(FW_SIGNING_PUB)
	@mkdir -p $(dir $(FW_IMAGE))
	$(MKFWIMAGE) --version $(FW_VERSION) --features $(FW_FEATURES) $(FW_SIGN) --out $(FW_IMAGE) \
		--corrupt-crc-out $(BUILD)/firmware/ares-fw-corrupt-crc.bin \
		--bad-payload-out $(BUILD)/firmware/ares-fw-bad-payload.bin $(FW_SO)

.PHONY: firmware
firmware: $(FW_IMAGE) $(FW_BAD_IMAGES)

# The same firmware under other header versions, for the driver's
# compatibility-range test (tests/guest/module-lifecycle.sh): 1.9.0 is a
# newer compatible release, 2.0.0 and 0.9.0 are outside the range.
FW_COMPAT_IMAGES := $(foreach v,1.9.0 2.0.0 0.9.0,$(BUILD)/firmware/compat/$(v)/ares/ares-fw.bin)
$(BUILD)/firmware/compat/%/ares/ares-fw.bin: $(FW_SO) $(MKFWIMAGE) $(FW_SIGNING_PUB)
	@mkdir -p $(dir $@)
	$(MKFWIMAGE) --version $* --features $(FW_FEATURES) $(FW_SIGN) --out $@ $(FW_SO)

# Misbehaving images for the device's boot tests (sim/tests/test_e2e.c).
FW_STUBS := exit-early:1 exit-after-ready:2 no-ready:3
FW_STUB_IMAGES := $(foreach s,$(FW_STUBS),$(BUILD)/firmware/stub/ares-fw-$(word 1,$(subst :, ,$(s))).bin)

define fw_stub_rule
$(BUILD)/firmware/stub/ares-fw-$(1).so: firmware/tests/fw_stub.c include/ares/cp.h
	@mkdir -p $$(dir $$@)
	$$(CC) -Iinclude $$(FW_CFLAGS) -DFW_STUB_MODE=$(2) $$(FW_LDFLAGS) $$< -o $$@
$(BUILD)/firmware/stub/ares-fw-$(1).bin: $(BUILD)/firmware/stub/ares-fw-$(1).so $$(MKFWIMAGE) \
		$$(FW_SIGNING_PUB)
	$$(MKFWIMAGE) --version 0.9.0 $$(FW_SIGN) --out $$@ $$<
endef
$(foreach s,$(FW_STUBS),$(eval $(call fw_stub_rule,$(word 1,$(subst :, ,$(s))),$(word 2,$(subst :, ,$(s))))))

ALL_TARGETS += $(FW_IMAGE) $(FW_BAD_IMAGES) $(MKFWIMAGE) $(MKFWKEY) $(FW_COMPAT_IMAGES)

# ---- host unit tests of firmware logic (the same sources, hosted) ----
$(BUILD)/firmware/host/%.o: firmware/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) -MMD -MP -c $< -o $@

$(BUILD)/san/firmware/host/%.o: firmware/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) $(SAN_FLAGS) -MMD -MP -c $< -o $@

FW_TEST_CMD_OBJS := firmware/tests/test_cmd_parse.o firmware/fw_job.o firmware/fw_tensor.o \
	firmware/fw_log.o
FW_TEST_IMAGE_OBJS := firmware/tests/test_fw_image.o
FW_TEST_QUEUE_OBJS := firmware/tests/test_fw_queue.o firmware/fw_queue.o firmware/fw_job.o \
	firmware/fw_tensor.o firmware/fw_log.o

$(BUILD)/firmware/tests/test_cmd_parse: $(FW_TEST_CMD_OBJS:firmware/%=$(BUILD)/firmware/host/%)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $^ -o $@ $(shell pkg-config --libs check)

$(BUILD)/san/firmware/tests/test_cmd_parse: $(FW_TEST_CMD_OBJS:firmware/%=$(BUILD)/san/firmware/host/%)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) $^ -o $@ $(shell pkg-config --libs check)

$(BUILD)/firmware/tests/test_fw_queue: $(FW_TEST_QUEUE_OBJS:firmware/%=$(BUILD)/firmware/host/%)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $^ -o $@ $(shell pkg-config --libs check)

$(BUILD)/san/firmware/tests/test_fw_queue: \
		$(FW_TEST_QUEUE_OBJS:firmware/%=$(BUILD)/san/firmware/host/%)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) $^ -o $@ $(shell pkg-config --libs check)

# The image test needs the boot ROM's check (sim/bootrom.c), its key and the built images.
$(BUILD)/firmware/tests/test_fw_image: $(FW_TEST_IMAGE_OBJS:firmware/%=$(BUILD)/firmware/host/%) \
		$(BUILD)/sim/bootrom.o $(BUILD)/sim/gen/fw_verify_key.o | $(FW_IMAGE) $(FW_BAD_IMAGES)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(filter %.o,$^) -o $@ $(shell pkg-config --libs check) -lz -lsodium

$(BUILD)/san/firmware/tests/test_fw_image: \
		$(FW_TEST_IMAGE_OBJS:firmware/%=$(BUILD)/san/firmware/host/%) \
		$(BUILD)/san/sim/bootrom.o $(BUILD)/sim/gen/fw_verify_key.o | $(FW_IMAGE) $(FW_BAD_IMAGES)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) $(filter %.o,$^) -o $@ \
		$(shell pkg-config --libs check) -lz -lsodium

$(BUILD)/firmware/host/tests/test_fw_image.o $(BUILD)/san/firmware/host/tests/test_fw_image.o: \
	CPPFLAGS_COMMON += -DARES_FW_IMAGE_DIR=\"$(abspath $(BUILD))/firmware\"

UNIT_TESTS += $(BUILD)/firmware/tests/test_cmd_parse $(BUILD)/firmware/tests/test_fw_image \
	$(BUILD)/firmware/tests/test_fw_queue
UNIT_TESTS_SAN += $(BUILD)/san/firmware/tests/test_cmd_parse \
	$(BUILD)/san/firmware/tests/test_fw_image $(BUILD)/san/firmware/tests/test_fw_queue

-include $(wildcard $(BUILD)/firmware/pic/*.d $(BUILD)/firmware/pic/sandbox/*.d \
	$(BUILD)/firmware/host/*.d \
	$(BUILD)/firmware/host/tests/*.d $(BUILD)/san/firmware/host/*.d \
	$(BUILD)/san/firmware/host/tests/*.d)

# TEST ONLY: a hostile payload (tests/fw_evil.c, an ELF constructor that
# marks the host) for the boot ROM's signature tests; never installed.
FW_EVIL_SO := $(BUILD)/firmware/test/evil/fw-evil.so
FW_EVIL_IMAGES := $(BUILD)/firmware/test/evil/ares-fw-evil-unsigned.bin \
	$(BUILD)/firmware/test/evil/ares-fw-evil-wrongkey.bin
$(FW_EVIL_SO): firmware/tests/fw_evil.c include/ares/cp.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_COMMON) $(CFLAGS_COMMON) -fPIC -shared $< -o $@
FW_EVIL_KEY := $(BUILD)/firmware/test/evil/attacker.key
$(FW_EVIL_KEY): | $(MKFWKEY)
	@mkdir -p $(dir $@)
	$(MKFWKEY) generate $@
$(FW_EVIL_IMAGES) &: $(FW_EVIL_SO) $(MKFWIMAGE) $(FW_EVIL_KEY)
	$(MKFWIMAGE) --version 1.0.0 --out $(BUILD)/firmware/test/evil/ares-fw-evil-unsigned.bin $<
	$(MKFWIMAGE) --version 1.0.0 --sign-key $(FW_EVIL_KEY) \
		--out $(BUILD)/firmware/test/evil/ares-fw-evil-wrongkey.bin $<

# TEST ONLY, signed by the build's key: the real firmware, except that
# DBG_FW_CRASH makes it try a system call the CP's sandbox forbids instead
# of a bad access (tests/guest/test_fw_sandbox.c, sim/tests/test_e2e.c).
# Laid out as a firmware_class.path folder.
FW_SANDBOX_IMAGE := $(BUILD)/firmware/test/sandbox/ares/ares-fw.bin
FW_SANDBOX_OBJS := $(BUILD)/firmware/pic/sandbox/fw_main.o $(filter-out %/fw_main.o,$(FW_OBJS))
$(BUILD)/firmware/pic/sandbox/fw_main.o: firmware/fw_main.c
	@mkdir -p $(dir $@)
	$(CC) -Iinclude $(FW_CFLAGS) -DFW_TEST_SANDBOX_PROBE -MMD -MP -c $< -o $@
$(BUILD)/firmware/test/sandbox/ares-fw.so: $(FW_SANDBOX_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(FW_LDFLAGS) $^ -lgcc -o $@
$(FW_SANDBOX_IMAGE): $(BUILD)/firmware/test/sandbox/ares-fw.so $(MKFWIMAGE) $(FW_SIGNING_PUB)
	@mkdir -p $(dir $@)
	$(MKFWIMAGE) --version $(FW_VERSION) --features $(FW_FEATURES) $(FW_SIGN) --out $@ $<

ALL_TARGETS += $(FW_EVIL_IMAGES) $(FW_SANDBOX_IMAGE)
