#!/bin/sh
# The main job: boots the guest with the emulated Ares NPU, loads the
# driver, and runs an f32 GEMM through the whole stack, printing the result
# check and the timings. Arguments are passed to ares-gemm-demo.
set -u
cd "$(dirname "$0")/.."
exec scripts/vm-run.sh --timeout 600 -- build/bin/ares-gemm-demo "$@"
