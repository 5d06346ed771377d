# The device time of one accel-run --profile trace (its last run): the
# emulator's measured wall time (args.measured_ns) and the modeled time
# (args.modeled_ns, hw-spec §14) summed over the device commands, and the
# measured time by op type (the costliest first).
#   python3 bench/profile-device-time.py NAME PROFILE.json [TOP]
import json
import sys

name, path = sys.argv[1], sys.argv[2]
top = int(sys.argv[3]) if len(sys.argv) > 3 else 6
events = json.load(open(path))["traceEvents"]
cmds = [e for e in events if e.get("ph") == "X" and e.get("tid") == 3]
measured = sum(e["args"]["measured_ns"] for e in cmds)
modeled = sum(e["args"]["modeled_ns"] for e in cmds)
print(f"ares-guest {name} sim: measured {measured / 1e6:.3f} ms, modeled {modeled / 1e6:.3f} ms "
      f"({len(cmds)} device commands)")
by_op = {}
for e in cmds:
    t = by_op.setdefault(e["cat"], [0, 0, 0])
    t[0] += e["args"]["measured_ns"]
    t[1] += e["args"]["modeled_ns"]
    t[2] += 1
for op, (me, mo, n) in sorted(by_op.items(), key=lambda kv: -kv[1][0])[:top]:
    print(f"ares-guest {name} sim op {op}: measured {me / 1e6:.3f} ms, modeled {mo / 1e6:.3f} ms, {n} commands")
