#!/usr/bin/python3
"""Checks an accel-run --profile file: valid Chrome-trace JSON whose host
track has the run span, and (with --device OPS) one measured and one
modeled span per device command naming each op in OPS, with modeled_ns > 0.
Usage: profile_check.py FILE [--device OP,OP,...] [--cpu OP,...]"""
import json
import sys


def main():
    path = sys.argv[1]
    with open(path) as f:
        doc = json.load(f)
    ev = [e for e in doc["traceEvents"] if e.get("ph") == "X"]
    host = [e for e in ev if e["tid"] == 1]
    if not any(e["name"] == "run" for e in host):
        sys.exit(f"{path}: no 'run' span on the host track")
    args = sys.argv[2:]
    while args:
        kind, ops = args[0], args[1].split(",")
        args = args[2:]
        for op in ops:
            if kind == "--cpu":
                if not any(e["cat"] == op and e["name"].endswith(", cpu)") for e in host):
                    sys.exit(f"{path}: no host span for CPU op {op}")
                continue
            meas = [e for e in ev if e["tid"] == 2 and e["cat"] == op]
            mod = [e for e in ev if e["tid"] == 3 and e["cat"] == op]
            if not meas or len(meas) != len(mod):
                sys.exit(f"{path}: op {op}: {len(meas)} measured and {len(mod)} modeled spans")
            for e in mod:
                if e["args"]["modeled_ns"] <= 0 or e["args"]["measured_ns"] < 0:
                    sys.exit(f"{path}: op {op}: bad times {e['args']}")
    print(f"{path}: {len(ev)} spans ok")


main()
