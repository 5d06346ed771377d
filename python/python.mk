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
