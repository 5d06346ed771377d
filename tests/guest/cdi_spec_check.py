#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Checks accelctl's CDI spec for a guest with accel0 and accel1.

Usage: cdi_spec_check.py SPEC PCI0 PCI1 (run by containers-cdi.sh).
Exit 0 if the spec has one device per node (its node, then its udev
by-path name as a node of the same number) plus "all", and the
spec-wide ARES_VISIBLE_DEVICES=all; else a message naming what differs.
"""
import json
import os
import sys

spec = json.load(open(sys.argv[1]))
assert spec["cdiVersion"] == "0.5.0", spec["cdiVersion"]
assert spec["kind"] == "ares.dev/npu", spec["kind"]
devs = {d["name"]: d["containerEdits"]["deviceNodes"] for d in spec["devices"]}
assert sorted(devs) == ["0", "1", "all"], sorted(devs)
nodes = ["/dev/accel/accel0", "/dev/accel/accel1"]
for k, node in enumerate(nodes):
    st = os.stat(node)
    paths = [n["path"] for n in devs[str(k)]]
    link = "/dev/accel/by-path/pci-%s-accel" % sys.argv[2 + k]
    assert paths == [node, link], (k, paths)
    for n in devs[str(k)]:
        assert (n["type"], n["major"], n["minor"]) == ("c", os.major(st.st_rdev), os.minor(st.st_rdev)), n
        assert n.get("hostPath", n["path"]) == node, n
assert [n["path"] for n in devs["all"] if "hostPath" not in n] == nodes, devs["all"]
assert spec["containerEdits"]["env"] == ["ARES_VISIBLE_DEVICES=all"], spec["containerEdits"]
