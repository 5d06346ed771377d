# ares-device-plugin: the kubelet device-plugin (API v1beta1, gRPC, C++).
# Included by the top-level Makefile after libaccel/libaccel.mk. Built with
# Debian's libgrpc++-dev and protobuf-compiler-grpc.

DP_GEN := $(BUILD)/deviceplugin/gen
DP_PROTO := deviceplugin/api/v1beta1/api.proto
DP_GEN_SRCS := $(DP_GEN)/api.pb.cc $(DP_GEN)/api.grpc.pb.cc
DP_SRCS := $(wildcard deviceplugin/src/*.cc)
DP_HDRS := $(wildcard deviceplugin/src/*.h) libaccel/include/accel.h
DP_OBJS := $(patsubst deviceplugin/src/%.cc,$(BUILD)/deviceplugin/%.o,$(DP_SRCS)) \
	$(patsubst $(DP_GEN)/%.cc,$(BUILD)/deviceplugin/gen-%.o,$(DP_GEN_SRCS))
DP_CXXFLAGS := -std=c++17 -O2 -g $(shell pkg-config --cflags grpc++ protobuf)
DP_LIBS := $(shell pkg-config --libs grpc++ protobuf)

$(DP_GEN_SRCS) $(DP_GEN)/api.pb.h $(DP_GEN)/api.grpc.pb.h &: $(DP_PROTO)
	@mkdir -p $(DP_GEN)
	protoc -I deviceplugin/api/v1beta1 --cpp_out=$(DP_GEN) --grpc_out=$(DP_GEN) \
		--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) $(DP_PROTO)

# Generated code is not ours to warn about.
$(BUILD)/deviceplugin/gen-%.o: $(DP_GEN)/%.cc $(DP_GEN)/api.pb.h
	$(CXX) $(DP_CXXFLAGS) -I$(DP_GEN) -c -o $@ $<

$(BUILD)/deviceplugin/%.o: deviceplugin/src/%.cc $(DP_HDRS) $(DP_GEN)/api.grpc.pb.h
	@mkdir -p $(@D)
	$(CXX) $(DP_CXXFLAGS) $(WARN) -I$(DP_GEN) -Ilibaccel/include -c -o $@ $<

$(BUILD)/bin/ares-device-plugin: $(DP_OBJS) $(LIBACCEL_SO)
	@mkdir -p $(@D)
	$(CXX) -o $@ $(DP_OBJS) $(ACCEL_LINK_BIN) $(DP_LIBS)

ALL_TARGETS += $(BUILD)/bin/ares-device-plugin

# `make install-device-plugin` (DESTDIR and PREFIX honoured, as `make
# install`, which it does not run): a separate target because the plugin
# pulls in the gRPC runtime that a node without Kubernetes does not need.
# It installs the binary next to libaccel's, its manual page, and the
# DaemonSet manifest under share/ares/kubernetes.
DP_PREFIX = $(or $(PREFIX),/usr/local)
DP_MANIFEST := deviceplugin/deploy/ares-device-plugin.yaml
.PHONY: install-device-plugin uninstall-device-plugin
install-device-plugin: $(BUILD)/bin/ares-device-plugin
	install -d $(DESTDIR)$(DP_PREFIX)/bin $(DESTDIR)$(DP_PREFIX)/share/ares/kubernetes \
		$(DESTDIR)$(DP_PREFIX)/share/man/man8
	install -m 0755 $(BUILD)/bin/ares-device-plugin $(DESTDIR)$(DP_PREFIX)/bin/
	install -m 0644 deviceplugin/ares-device-plugin.8 $(DESTDIR)$(DP_PREFIX)/share/man/man8/
	install -m 0644 $(DP_MANIFEST) $(DESTDIR)$(DP_PREFIX)/share/ares/kubernetes/

uninstall-device-plugin:
	rm -f $(DESTDIR)$(DP_PREFIX)/bin/ares-device-plugin \
		$(DESTDIR)$(DP_PREFIX)/share/man/man8/ares-device-plugin.8 \
		$(DESTDIR)$(DP_PREFIX)/share/ares/kubernetes/$(notdir $(DP_MANIFEST))
	-rmdir $(DESTDIR)$(DP_PREFIX)/share/ares/kubernetes $(DESTDIR)$(DP_PREFIX)/share/ares 2>/dev/null
