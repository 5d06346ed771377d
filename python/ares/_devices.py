# SPDX-License-Identifier: MIT
"""ares.devices(): what each Ares device is and how busy it is.

Identity, firmware and queues come from libaccel (DEVICE_INFO and
QUEUE_INFO ioctls); the state and the busy counters from the driver's
stable sysfs group (docs/sysfs.md), sampled twice for utilisation.
"""

import dataclasses
import time
from typing import Optional, Tuple

from . import _ares

SYSFS_ACCEL = "/sys/class/accel"


@dataclasses.dataclass(frozen=True)
class Queue:
    """One hardware queue (QUEUE_INFO)."""
    index: int
    priority: int
    ring_entries: int
    jobs_pending: int
    jobs_completed: int


@dataclasses.dataclass(frozen=True)
class Device:
    """One Ares device.

    ``error`` is set (and the libaccel fields are None) when the node could
    not be opened or queried. ``utilisation`` is the device's busy share in
    [0, 1] over the sampling interval of ``devices()`` (None without one);
    ``busy_ns`` and ``jobs_completed`` count since the driver bound it.
    """
    index: int
    node: str
    pci_address: str
    pci_id: str
    numa_node: Optional[int]
    state: Optional[str]
    hw_version: Optional[str]
    fw_version: Optional[str]
    fw_image_version: Optional[str]
    driver_version: Optional[str]
    fw_features: Optional[int]
    caps: Optional[int]
    num_queues: Optional[int]
    reset_count: Optional[int]
    busy_ns: Optional[int]
    jobs_completed: Optional[int]
    utilisation: Optional[float]
    queues: Tuple[Queue, ...]
    error: Optional[str]


def _sysfs(index, name):
    try:
        with open(f"{SYSFS_ACCEL}/accel{index}/device/ares/{name}") as f:
            return f.read().strip()
    except OSError:
        return None


def _sysfs_int(index, name):
    v = _sysfs(index, name)
    try:
        return int(v) if v is not None else None
    except ValueError:
        return None


def _busy(entries):
    return {e["index"]: (time.monotonic_ns(), _sysfs_int(e["index"], "busy_ns"))
            for e in entries}


def devices(interval=0.1):
    """Lists the Ares devices of this machine (an empty list when there is
    none), each a Device. ``interval`` seconds separate the two samples of
    the busy counter that give ``utilisation``; 0 skips the sampling (and
    the wait) and leaves ``utilisation`` None."""
    if interval < 0:
        raise ValueError(f"interval {interval!r}: expected seconds >= 0")
    entries = _ares.devices()
    before = _busy(entries) if interval else {}
    if interval and entries:
        time.sleep(interval)
    after = _busy(entries) if interval else {}
    found = []
    for e in entries:
        i = e["index"]
        util = None
        if i in before and before[i][1] is not None and after[i][1] is not None:
            dt = after[i][0] - before[i][0]
            # busy_ns grows when a job completes, by its whole time: a job
            # that started before the window can push the share past 1.
            util = min(1.0, max(0.0, (after[i][1] - before[i][1]) / dt)) if dt > 0 else None
        found.append(Device(
            index=i,
            node=e["node"],
            pci_address=e["pci_address"],
            pci_id=f"{e['pci_vendor']:04x}:{e['pci_device']:04x}",
            numa_node=e["numa_node"] if e["numa_node"] >= 0 else None,
            state=_sysfs(i, "state"),
            hw_version=e.get("hw_version"),
            fw_version=e.get("fw_version"),
            fw_image_version=_sysfs(i, "fw_image_version"),
            driver_version=e.get("driver_version"),
            fw_features=e.get("fw_features"),
            caps=e.get("caps"),
            num_queues=e.get("num_queues"),
            reset_count=e.get("reset_count"),
            busy_ns=after[i][1] if i in after else _sysfs_int(i, "busy_ns"),
            jobs_completed=_sysfs_int(i, "jobs_completed"),
            utilisation=util,
            queues=tuple(Queue(**q) for q in e.get("queues", ())),
            error=e.get("error"),
        ))
    return found
