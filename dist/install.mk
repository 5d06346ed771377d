# Installation: `make install` / `make uninstall` (DESTDIR and PREFIX
# honoured), `make install-dkms` / `make uninstall-dkms`, and the host test
# of both (`make test-install`). Included by the top-level Makefile after the
# component fragments, whose outputs it installs.

ARES_VERSION := 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Kernel, firmware and udev look only in their own places, whatever PREFIX.
MODULEDIR ?= /lib/modules/$(KVER)/updates
FIRMWAREDIR ?= /lib/firmware
UDEVRULESDIR ?= $(or $(shell pkg-config --variable=udevdir udev 2>/dev/null),/lib/udev)/rules.d
DKMSSRCDIR ?= /usr/src/ares-$(ARES_VERSION)

# Shared libraries: the real file carries the full version, the SONAME link
# the ABI major (what programs load), the bare .so link is for linking.
LIBACCEL_VERSION := $(shell awk '/^\#define ACCEL_VERSION_(MAJOR|MINOR|PATCH) / \
	{ v = v (v == "" ? "" : ".") $$3 } END { print v }' libaccel/include/accel.h)
LIBARES_RT_VERSION := 1.0.0

INSTALL_LIBS := libaccel.so:$(LIBACCEL_VERSION) libares_rt.so:$(LIBARES_RT_VERSION)
INSTALL_BINS := accelctl accel-run ares-serve ares-quantize
INSTALL_MAN1 := libaccel/tools/accelctl.1 runtime/tools/accel-run.1 serve/ares-serve.1 \
	runtime/quantize/ares-quantize.1
# One page per public libaccel function (a page or a .so link to the page
# that describes it with its siblings).
INSTALL_MAN3 := $(wildcard libaccel/man/*.3)
INSTALL_CONTRACT_HDRS := $(wildcard include/ares/*.h)
INSTALL_PCS := $(BUILD)/pkgconfig/libaccel.pc $(BUILD)/pkgconfig/ares_rt.pc
UDEV_RULES := udev/60-ares.rules

$(BUILD)/pkgconfig/libaccel.pc: libaccel/libaccel.pc.in FORCE
$(BUILD)/pkgconfig/ares_rt.pc: runtime/ares_rt.pc.in FORCE
$(BUILD)/pkgconfig/libaccel.pc: PC_VERSION := $(LIBACCEL_VERSION)
$(BUILD)/pkgconfig/ares_rt.pc: PC_VERSION := $(LIBARES_RT_VERSION)
# Paths under PREFIX are written relative to ${prefix}, so a relocated
# tree needs only its prefix= line changed.
pc_rel = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
# Rewritten every time: the paths come from this make's PREFIX/LIBDIR.
$(INSTALL_PCS):
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pc_rel,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call pc_rel,$(INCLUDEDIR))|' -e 's|@VERSION@|$(PC_VERSION)|' $< >$@

.PHONY: install uninstall install-dkms uninstall-dkms test-install FORCE
FORCE:

install: kmod $(FW_IMAGE) $(LIBACCEL_SO) $(RT_SO) $(addprefix $(BUILD)/bin/,$(INSTALL_BINS)) \
		$(INSTALL_PCS) install-python
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/ares $(DESTDIR)$(INCLUDEDIR)/drm $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MODULEDIR) $(DESTDIR)$(FIRMWAREDIR)/ares $(DESTDIR)$(UDEVRULESDIR)
	install -m 0755 $(addprefix $(BUILD)/bin/,$(INSTALL_BINS)) $(DESTDIR)$(BINDIR)/
	set -e; for l in $(INSTALL_LIBS); do \
		so=$${l%%:*}; v=$${l#*:}; \
		install -m 0755 $(BUILD)/lib/$$so.$${v%%.*} $(DESTDIR)$(LIBDIR)/$$so.$$v; \
		ln -sf $$so.$$v $(DESTDIR)$(LIBDIR)/$$so.$${v%%.*}; \
		ln -sf $$so.$${v%%.*} $(DESTDIR)$(LIBDIR)/$$so; \
	done
	install -m 0644 libaccel/include/accel.h runtime/include/ares_rt.h $(INSTALL_CONTRACT_HDRS) \
		$(DESTDIR)$(INCLUDEDIR)/ares/
	install -m 0644 include/uapi/drm/ares_accel.h $(DESTDIR)$(INCLUDEDIR)/drm/
	install -m 0644 $(INSTALL_PCS) $(DESTDIR)$(PKGCONFIGDIR)/
	install -m 0644 $(INSTALL_MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(INSTALL_MAN3) $(DESTDIR)$(MANDIR)/man3/
	install -m 0644 kmod/ares.ko $(DESTDIR)$(MODULEDIR)/
	install -m 0644 $(FW_IMAGE) $(DESTDIR)$(FIRMWAREDIR)/ares/
	install -m 0644 $(UDEV_RULES) $(DESTDIR)$(UDEVRULESDIR)/
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
	ldconfig
	-udevadm control --reload
endif

uninstall: uninstall-python
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALL_BINS))
	set -e; for l in $(INSTALL_LIBS); do \
		so=$${l%%:*}; v=$${l#*:}; \
		rm -f $(DESTDIR)$(LIBDIR)/$$so $(DESTDIR)$(LIBDIR)/$$so.$${v%%.*} \
			$(DESTDIR)$(LIBDIR)/$$so.$$v; \
	done
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/ares/,accel.h ares_rt.h $(notdir $(INSTALL_CONTRACT_HDRS)))
	rm -f $(DESTDIR)$(INCLUDEDIR)/drm/ares_accel.h
	rm -f $(addprefix $(DESTDIR)$(PKGCONFIGDIR)/,$(notdir $(INSTALL_PCS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(INSTALL_MAN1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(INSTALL_MAN3)))
	rm -f $(DESTDIR)$(MODULEDIR)/ares.ko $(DESTDIR)$(FIRMWAREDIR)/ares/ares-fw.bin
	rm -f $(DESTDIR)$(UDEVRULESDIR)/$(notdir $(UDEV_RULES))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/ares $(DESTDIR)$(FIRMWAREDIR)/ares 2>/dev/null
ifeq ($(DESTDIR),)
	depmod -a $(KVER)
	ldconfig
	-udevadm control --reload
endif

# The DKMS source tree: exactly what the module build reads.
DKMS_SRCS := Kbuild kmod/Kbuild $(filter-out %.mod.c,$(wildcard kmod/*.c)) $(wildcard kmod/*.h) \
	$(wildcard include/ares/*.h) include/uapi/drm/ares_accel.h

install-dkms: dist/dkms.conf.in $(DKMS_SRCS)
	install -d $(DESTDIR)$(DKMSSRCDIR)
	tar -cf - $(DKMS_SRCS) | tar -xf - -C $(DESTDIR)$(DKMSSRCDIR)
	sed 's|@VERSION@|$(ARES_VERSION)|' dist/dkms.conf.in >$(DESTDIR)$(DKMSSRCDIR)/dkms.conf
ifeq ($(DESTDIR),)
	dkms add -m ares -v $(ARES_VERSION)
endif

uninstall-dkms:
ifeq ($(DESTDIR),)
	-dkms remove -m ares -v $(ARES_VERSION) --all
endif
	rm -rf $(DESTDIR)$(DKMSSRCDIR)

test-install: install-test-deps
	tests/install/test-install.sh

.PHONY: install-test-deps
install-test-deps: kmod $(FW_IMAGE) $(LIBACCEL_SO) $(RT_SO) \
	$(addprefix $(BUILD)/bin/,$(INSTALL_BINS))
