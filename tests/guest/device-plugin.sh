#!/bin/sh
# Guest suite for ares-device-plugin (vm-run.sh --devices 2
# --module-args fault_injection=1, for a lost heartbeat): a fake
# kubelet (tests/guest/kubelet/fake_kubelet.py, Debian's python3-grpcio)
# drives it through the device-plugin API v1beta1 (docs/kubernetes.md).
set -u
root=${ARES_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
gen=/tmp/dp-test/gen
mkdir -p "$gen"
# Stubs from the same .proto the plugin is built from.
/usr/bin/python3 -m grpc_tools.protoc -I "$root/deviceplugin/api/v1beta1" \
	--python_out="$gen" --grpc_python_out="$gen" "$root/deviceplugin/api/v1beta1/api.proto" ||
	{ echo "FAIL device_plugin: cannot generate the Python stubs"; exit 1; }
exec /usr/bin/python3 "$root/tests/guest/kubelet/fake_kubelet.py" "$root" "$gen"
