# Ares top-level build. `make` builds every component, `make test` runs the
# host unit tests and then the guest tests in QEMU, `make run` runs the main
# job. Components add their targets through their own *.mk fragment;
# `make install`, `make install-dkms` and their uninstall twins are in
# dist/install.mk.

BUILD ?= build
KVER ?= $(shell scripts/kernel-version.sh)
KDIR ?= /lib/modules/$(KVER)/build

CC ?= gcc
WARN := -Wall -Wextra -Werror
CPPFLAGS_COMMON := -D_GNU_SOURCE -Iinclude -I/usr/include/libdrm
CFLAGS_COMMON := -std=c11 -O2 -g $(WARN) -fno-strict-aliasing
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Filled in by the fragments.
ALL_TARGETS :=
UNIT_TESTS :=
UNIT_TESTS_SAN :=
GUEST_TARGETS :=

.PHONY: all kmod test test-unit test-guest run clean format format-check checkpatch
all:

include firmware/firmware.mk
include sim/sim.mk
include libaccel/libaccel.mk
include runtime/runtime.mk
include runtime/quantize/quantize.mk
include deviceplugin/deviceplugin.mk
include tests/tests.mk
include runtime/examples/examples.mk
include serve/serve.mk
include tests/models/models.mk
include tests/fuzz/fuzz.mk
include bench/bench.mk
include python/python.mk
include dist/install.mk
include tests/debug.mk

all: $(ALL_TARGETS) $(GUEST_TARGETS) kmod

kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

test: all $(UNIT_TESTS) $(UNIT_TESTS_SAN) $(FUZZ_TARGETS) $(SERVE_TEST_DEPS)
	scripts/run-unit-tests.sh $(UNIT_TESTS) -- $(UNIT_TESTS_SAN)
	runtime/tests/run-runtime-tests.sh $(BUILD)
	tests/fuzz/run-fuzz.sh $(BUILD)
	tests/models/run-model-tests.sh $(BUILD)
	runtime/quantize/tests/run-quant-tests.sh $(BUILD)
	python/tests/run-tests.sh $(BUILD)
	serve/tests/run-serve-tests.sh $(BUILD)
	tests/scripts/test-run-inputs.sh $(BUILD)
	tests/install/test-install.sh
	scripts/run-guest-tests.sh

test-unit: $(UNIT_TESTS) $(UNIT_TESTS_SAN) $(RUNTIME_TEST_DEPS) $(MODEL_TEST_DEPS) $(FUZZ_TARGETS) \
		$(PY_TARGETS) \
		$(SERVE_TEST_DEPS)
	scripts/run-unit-tests.sh $(UNIT_TESTS) -- $(UNIT_TESTS_SAN)
	runtime/tests/run-runtime-tests.sh $(BUILD)
	tests/fuzz/run-fuzz.sh $(BUILD)
	tests/models/run-model-tests.sh $(BUILD)
	runtime/quantize/tests/run-quant-tests.sh $(BUILD)
	python/tests/run-tests.sh $(BUILD)
	serve/tests/run-serve-tests.sh $(BUILD)
	tests/scripts/test-run-inputs.sh $(BUILD)

test-guest: all
	scripts/run-guest-tests.sh

# TEXT and MODEL reach the main job as typed: $(value ...) keeps make from
# expanding "$1" in TEXT='Price: $12.50', and each is one single-quoted
# shell word. RUN_MAIN_JOB is for the test of this quoting
# (tests/scripts/test-make-run-quoting.sh).
RUN_MAIN_JOB ?= scripts/run-main-job.sh
shell_quote = '$(subst ','\'',$(1))'
run: all
	TEXT=$(call shell_quote,$(value TEXT)) MODEL=$(call shell_quote,$(value MODEL)) \
		$(RUN_MAIN_JOB) $(ARGS)

format:
	clang-format -i $(shell git ls-files '*.c' '*.h' | grep -v '^kmod/' | grep -v '^include/')

format-check:
	scripts/format-check.sh

checkpatch:
	scripts/checkpatch.sh

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null 2>&1
