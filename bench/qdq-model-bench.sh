#!/bin/sh
# Figures, not assertions: where the modeled device time (hw-spec §14, the
# modeled_ns of accel-run --profile's device commands; deterministic) of a
# quantized model goes, next to its f32 original, per op type: the total
# of each, int8 / f32, and the commands of each op type in both runs
# (placement by benefit, the default). The int8 model is a QDQ file such as
# ares-quantize writes (runtime/quantize/README.md). Run in the guest:
#
#   scripts/vm-run.sh -- bench/qdq-model-bench.sh F32.onnx INT8.onnx NAME=INPUT.npy [TOP]
#
# TOP (default 12) also lists the int8 run's TOP most expensive commands.
# Each model runs RUNS times (default 5) and the last, warm run is profiled:
# its "measured" line is the emulator's own time for the device commands
# (measured_ns: wall time on the device clock, so the host's load shows in it).
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build}
[ $# -ge 3 ] || {
	echo "usage: $0 F32.onnx INT8.onnx NAME=INPUT.npy [TOP]" >&2
	exit 2
}
T=$(mktemp -d /tmp/qdqbench.XXXXXX)
trap 'rm -rf "$T"' EXIT
runs=${RUNS:-5}
"$B/bin/accel-run" "$1" --device 0 --input "$3" --bench "$runs" --profile "$T/f32.json" >/dev/null
"$B/bin/accel-run" "$2" --device 0 --input "$3" --bench "$runs" --profile "$T/int8.json" \
	--coverage >"$T/cov"
echo "int8 nodes fused QDQ on int8: $(grep -c 'fused QDQ on int8' "$T/cov" || true)"
/usr/bin/python3 - "$T/f32.json" "$T/int8.json" "${4:-12}" <<'PY'
import json
import sys


def commands(path):
    ev = json.load(open(path))["traceEvents"]
    return [e for e in ev if e.get("ph") == "X" and e.get("tid") == 3]


def by_op(cmds):
    out = {}
    for e in cmds:
        t = out.setdefault(e["cat"], [0, 0, 0])
        t[0] += e["args"]["modeled_ns"]
        t[1] += 1
        t[2] += e["args"]["measured_ns"]
    return out


f, q = commands(sys.argv[1]), commands(sys.argv[2])
ft, qt = sum(e["args"]["modeled_ns"] for e in f), sum(e["args"]["modeled_ns"] for e in q)
print(f"modeled f32 {ft / 1e3:.1f} us ({len(f)} commands), int8 {qt / 1e3:.1f} us "
      f"({len(q)} commands), int8/f32 {qt / ft:.3f}")
fm, qm = sum(e["args"]["measured_ns"] for e in f), sum(e["args"]["measured_ns"] for e in q)
print(f"measured (emulator) f32 {fm / 1e3:.1f} us, int8 {qm / 1e3:.1f} us, int8/f32 {qm / fm:.3f}")
fo, qo = by_op(f), by_op(q)
print(f"{'op':22s} {'f32 us':>9s} {'n':>4s} {'int8 us':>9s} {'n':>4s}"
      f" {'meas f32':>9s} {'meas int8':>9s}")
for op in sorted(set(fo) | set(qo), key=lambda o: -qo.get(o, [0])[0]):
    a, b = fo.get(op, [0, 0, 0]), qo.get(op, [0, 0, 0])
    print(f"{op:22s} {a[0] / 1e3:9.1f} {a[1]:4d} {b[0] / 1e3:9.1f} {b[1]:4d}"
          f" {a[2] / 1e3:9.1f} {b[2] / 1e3:9.1f}")
print("int8 commands by modeled time:")
for e in sorted(q, key=lambda e: -e["args"]["modeled_ns"])[:int(sys.argv[3])]:
    print(f"  {e['args']['modeled_ns'] / 1e3:8.1f} us  {e['name']}")
PY
