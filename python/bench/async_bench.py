#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Throughput of Session.run (one run at a time) against Session.run_async
(up to 7 runs in flight through the runtime's art_run API) for real
models, on the device and on the CPU path. Prints medians over repeats,
side by side; never passes or fails on time.

    PYTHONPATH=build/python ARES_BUILD=$PWD/build python/bench/async_bench.py [--runs N] [--repeats R] [MODEL...]

(in the guest for the device: scripts/vm-run.sh -- sh -c '...'). The
models are those of tests/models with their reference inputs
(tests/models/run-model-tests.sh --ref-only build writes them).
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

import ares  # noqa: E402
from modelref import models  # noqa: E402


def rate(fn, runs, repeats):
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(runs)
        rates.append(runs / (time.perf_counter() - t))
    return statistics.median(rates)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("names", nargs="*", default=["alexa", "embedding"])
    args = ap.parse_args()
    places = ["cpu"] + ([0] if ares.devices(interval=0) else [])
    print(f"{'model':<12} {'path':<7} {'async':>5} {'run/s sync':>11} {'run/s async':>12} {'ratio':>6}")
    for m in [m for m in models("cpu") if m.name in args.names]:
        feed = m.inputs()
        for place in places:
            s = ares.Session(m.path, device=place)
            s.run(None, feed)  # plan and warm up
            is_async = ares._ares.Run(s._cs).is_async

            def sync(n):
                for _ in range(n):
                    s.run(None, feed)

            def asynchronous(n):
                for f in [s.run_async(None, feed) for _ in range(n)]:
                    f.result()

            a = rate(sync, args.runs, args.repeats)
            b = rate(asynchronous, args.runs, args.repeats)
            path = "device" if place == 0 else "cpu"
            print(f"{m.name:<12} {path:<7} {str(is_async):>5} {a:11.1f} {b:12.1f} {b / a:6.2f}")
            s.close()


if __name__ == "__main__":
    main()
