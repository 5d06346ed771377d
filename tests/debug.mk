# The debug guest kernel (KASAN, lockdep, kmemleak, UBSAN, failure
# injection), the ares.ko built against it, the suites that run on it, and
# the soak. Included by the top-level Makefile.
#
#   make debug-kernel   build it once (cached outside the clone; see
#                       scripts/build-debug-kernel.sh), ~11+ min on 2 cores
#   make debug-kmod     ares.ko for it, in $(BUILD)/debug-kmod/kmod/
#   make test-debug     the guest suites on it, kmemleak after each, and
#                       allocation-failure injection (scripts/run-debug-tests.sh)
#   make soak           the mixed workload on Debian's kernel (SOAK_MINUTES,
#                       default 10; SOAK_KERNEL=debug for the debug kernel)

DEBUG_KMOD := $(BUILD)/debug-kmod

.PHONY: debug-kernel debug-kmod test-debug soak

debug-kernel:
	scripts/build-debug-kernel.sh >/dev/null

# Kbuild of 6.12 writes an external module's objects next to its sources,
# so the tree's kmod/ (built for Debian's kernel) is copied, timestamps
# kept so that an unchanged file is not rebuilt.
debug-kmod: debug-kernel
	@mkdir -p $(DEBUG_KMOD)/kmod $(DEBUG_KMOD)/include
	@cp -p Kbuild $(DEBUG_KMOD)/
	@cp -p kmod/Kbuild kmod/*.c kmod/*.h $(DEBUG_KMOD)/kmod/
	@cp -pR include/. $(DEBUG_KMOD)/include/
	$(MAKE) -C "$$(scripts/build-debug-kernel.sh --dir)/src" M=$(CURDIR)/$(DEBUG_KMOD) modules

test-debug: all debug-kmod
	scripts/run-debug-tests.sh

soak: all
	scripts/run-soak.sh
