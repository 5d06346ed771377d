# python: the `ares` package, a CPython extension (ares._ares) over
# libares_rt and libaccel plus the Python modules around it. Built into
# $(BUILD)/python/ares, usable there with PYTHONPATH=$(BUILD)/python;
# installed by `make install` (dist/install.mk) into Debian's dist-packages.
# Debian's own interpreter, not one that happens to come first in PATH: the
# extension is built against its headers (python3-dev) and numpy.

PYTHON ?= /usr/bin/python3
PY_EXT_SUFFIX := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
PY_CPPFLAGS := $(RT_CPPFLAGS) -Ipython/src $(shell $(PYTHON) -c 'import sysconfig, numpy; \
	print("-I" + sysconfig.get_paths()["include"], "-I" + numpy.get_include())' 2>/dev/null)
PY_SRCS := $(wildcard python/src/*.c)
PY_OBJS := $(patsubst python/src/%.c,$(BUILD)/python/obj/%.o,$(PY_SRCS))
PY_MODULES := $(wildcard python/ares/*.py) python/ares/__init__.pyi python/ares/py.typed
PY_PKG := $(BUILD)/python/ares
PY_EXT := $(PY_PKG)/_ares$(PY_EXT_SUFFIX)
PY_LIBS := -L$(BUILD)/lib -l:libares_rt.so.1 -l:libaccel.so.1

$(BUILD)/python/obj/%.o: python/src/%.c python/src/ares_py.h runtime/include/ares_rt.h \
		libaccel/include/accel.h
	@mkdir -p $(@D)
	$(CC) $(PY_CPPFLAGS) $(CFLAGS_COMMON) -fPIC -fvisibility=hidden -c -o $@ $<

# In the build tree the libraries are two levels up (build/python/ares ->
# build/lib). Python's own symbols come from the interpreter that loads the
# module, so libpython is not linked (as Debian's extensions do).
$(PY_EXT): $(PY_OBJS) $(RT_SO) $(LIBACCEL_SO)
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(PY_OBJS) $(PY_LIBS) -Wl,-rpath,'$$ORIGIN/../../lib'

$(PY_PKG)/%: python/ares/%
	@mkdir -p $(@D)
	cp $< $@

PY_TARGETS := $(PY_EXT) $(patsubst python/ares/%,$(PY_PKG)/%,$(PY_MODULES))
ALL_TARGETS += $(PY_TARGETS)

.PHONY: python test-python
python: $(PY_TARGETS)

# The host tests (CPU path) need the model references that
# tests/models/run-model-tests.sh writes into $(BUILD)/model-ref first.
test-python: $(PY_TARGETS)
	python/tests/run-tests.sh $(BUILD)

# ---- make install / make uninstall (prerequisites of dist/install.mk's) ----
# Debian's layout: PREFIX=/usr goes to /usr/lib/python3/dist-packages, any
# other prefix (/usr/local by default) to PREFIX/lib/python3.X/dist-packages,
# both on Debian's python3 sys.path.
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PYTHONDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(PY_VERSION)/dist-packages)
PY_INST_EXT := $(BUILD)/python/install/_ares$(PY_EXT_SUFFIX)

# Linked again for the installed tree: its RUNPATH reaches LIBDIR from
# PYTHONDIR/ares, so a PREFIX outside ld.so's paths (/opt/ares) works too.
$(PY_INST_EXT): $(PY_OBJS) $(RT_SO) $(LIBACCEL_SO) FORCE
	@mkdir -p $(@D)
	$(CC) -shared -o $@ $(PY_OBJS) $(PY_LIBS) -Wl,-rpath,"\$$ORIGIN/$$($(PYTHON) -c \
		'import os, sys; print(os.path.relpath(sys.argv[1], sys.argv[2]))' \
		$(LIBDIR) $(PYTHONDIR)/ares)"

.PHONY: install-python uninstall-python
install-python: $(PY_INST_EXT) $(PY_MODULES)
	install -d $(DESTDIR)$(PYTHONDIR)/ares
	install -m 0644 $(PY_MODULES) $(DESTDIR)$(PYTHONDIR)/ares/
	install -m 0755 $(PY_INST_EXT) $(DESTDIR)$(PYTHONDIR)/ares/

uninstall-python:
	rm -f $(addprefix $(DESTDIR)$(PYTHONDIR)/ares/,$(notdir $(PY_MODULES) $(PY_INST_EXT)))
	rm -rf $(DESTDIR)$(PYTHONDIR)/ares/__pycache__
	-rmdir $(DESTDIR)$(PYTHONDIR)/ares 2>/dev/null
