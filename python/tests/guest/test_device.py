# SPDX-License-Identifier: MIT
"""The ares package on the device path, in the QEMU guest with ares.ko and
the emulated device (the models-device guest suite runs it): real models
with device=0 against onnxruntime-node's outputs and the CPU path, runs in
flight through the runtime's art_run API, the per-run profile's device
records, and ares.devices() on a live device."""

import errno
import os
import threading
import time

import numpy as np
import pytest

import ares
from modelref import assert_close, models

# The device's coverage of the models is what these tests check, so every
# node the device can run goes there (placement by benefit would keep the
# small models' nodes on the CPU, where they are faster).
os.environ["ART_PLACEMENT"] = "device"

# Every model tests/models/models.txt runs on the device path.
DEVICE_MODELS = models("device")


def test_the_models_are_there():
    assert {"alexa", "melspectrogram", "cls", "rec", "det"} <= {m.name for m in DEVICE_MODELS}


@pytest.mark.parametrize("model", DEVICE_MODELS, ids=str)
def test_model_on_device_matches_reference_and_cpu(model):
    dev = ares.Session(model.path, device=0)
    assert dev.device == 0
    feed = model.inputs()
    expected = model.expected()
    names = [a.name for a in dev.outputs]
    got = dev.run(None, feed)
    st = dev.stats()
    assert st["device_nodes"] > 0 and st["device_submits"] > 0, st
    assert any(p.device != "cpu" for p in dev.placement())
    cpu = ares.Session(model.path, device="cpu").run(None, feed)
    for name, d, c in zip(names, got, cpu):
        assert_close(model, name, d, expected[name])
        assert_close(model, name + " (device vs cpu)", d, c)


def head():
    (m,) = [m for m in DEVICE_MODELS if m.name == "alexa"]
    return m


def test_runs_in_flight_on_the_device():
    m = head()
    s = ares.Session(m.path, device=0, fallback=False)
    (name,) = m.inputs()
    base = m.inputs()[name]
    rng = np.random.default_rng(5)
    feeds = [{name: (base + rng.standard_normal(base.shape, dtype=np.float32)).astype(np.float32)}
             for _ in range(12)]
    want = [s.run(None, f) for f in feeds]
    submits = s.stats()["device_submits"]
    futures = [s.run_async(None, f) for f in feeds]
    for fut, w in zip(futures, want):
        for a, b in zip(fut.result(timeout=600), w):
            np.testing.assert_array_equal(a, b)
    assert s.stats()["device_submits"] == submits + len(feeds)
    # The worker's runs hold their slots until the session closes.
    s.close()
    # Two art_runs queued on the device before either is waited for.
    r1, r2 = ares._ares.Run(s._cs), ares._ares.Run(s._cs)
    assert r1.is_async and r2.is_async
    r1.set_inputs([feeds[0][name]])
    r2.set_inputs([feeds[1][name]])
    r1.submit()
    r2.submit()
    r2.wait()
    r1.wait()
    np.testing.assert_array_equal(r1.outputs([0])[0], want[0][0])
    np.testing.assert_array_equal(r2.outputs([0])[0], want[1][0])


def test_no_fallback_refuses_a_model_the_device_cannot_run_whole():
    (vad,) = [m for m in models("device") if m.name == "silero_vad"]
    with pytest.raises(ares.Error, match="not placed on the device") as e:
        ares.Session(vad.path, device=0, fallback=False)
    assert e.value.errno == errno.ENOTSUP


def test_profile_has_device_records():
    m = head()
    s = ares.Session(m.path, device=0, profiling=True)
    s.run(None, m.inputs())
    events = [e for e in s.profile()["traceEvents"] if e.get("ph") == "X"]
    device = [e for e in events if e["tid"] in (2, 3)]
    assert device, events
    assert all(e["args"]["measured_ns"] >= 0 and e["args"]["modeled_ns"] > 0 for e in device)


def test_devices_reports_the_live_device():
    m = head()
    s = ares.Session(m.path, device=0)
    feed = m.inputs()
    before = ares.devices(interval=0)[0]
    stop = threading.Event()

    def load():
        while not stop.is_set():
            s.run(None, feed)

    t = threading.Thread(target=load)
    t.start()
    try:
        (d,) = ares.devices(interval=1.0)
    finally:
        stop.set()
        t.join()
    assert d.index == 0 and d.node == "/dev/accel/accel0" and d.error is None
    assert d.state == "running"
    assert d.hw_version == "1.0.0"
    assert d.fw_version and d.fw_version == d.fw_image_version
    assert d.driver_version and d.pci_id == "1af4:1110"
    assert d.num_queues == len(d.queues) > 0
    assert d.jobs_completed > before.jobs_completed
    assert d.busy_ns > before.busy_ns
    # Runs completed during the sampling window, so the device was busy.
    assert 0 < d.utilisation <= 1


def test_sync_run_with_new_shapes_while_runs_are_in_flight():
    # The runtime plans one set of input shapes at a time (EBUSY while runs
    # of the old ones are in flight): run() waits for run_async's runs.
    (emb,) = [m for m in DEVICE_MODELS if m.name == "embedding"]
    s = ares.Session(emb.path, device=0)
    one = emb.inputs()["input_1"]
    two = np.concatenate([one, one])
    (want,) = s.run(None, {"input_1": one})
    futures = [s.run_async(None, {"input_1": one}) for _ in range(10)]
    # Until the worker has runs queued on the device, nothing is in the
    # way (white-box: its queue of runs in flight).
    deadline = time.monotonic() + 120
    while len(s._runner._inflight) < 2 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert len(s._runner._inflight) >= 2, "the worker never had two runs in flight"
    (both,) = s.run(None, {"input_1": two})
    assert both.shape[0] == 2
    assert_close(emb, "batch row 0", both[:1], want)
    assert_close(emb, "batch row 1", both[1:], want)
    for f in futures:
        np.testing.assert_array_equal(f.result(timeout=600)[0], want)
