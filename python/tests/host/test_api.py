# SPDX-License-Identifier: MIT
"""The package's surface on the host CPU path: what a session reports,
onnxruntime's run() conventions, the asynchronous path, profiles,
statistics and the device list."""

import asyncio
import errno
import concurrent.futures
import threading

import numpy as np
import pytest

import ares
from conftest import ONNX_DATA


def feed(rng=None, shape=(3, 4, 5)):
    rng = rng or np.random.default_rng(7)
    return {"x": rng.standard_normal(shape, dtype=np.float32),
            "y": rng.standard_normal(shape, dtype=np.float32)}


def test_inputs_and_outputs_are_node_args(add_model):
    s = ares.Session(add_model, device="cpu")
    assert [(a.name, a.type, a.dtype, a.shape) for a in s.inputs] == [
        ("x", "tensor(float)", np.dtype(np.float32), [3, 4, 5]),
        ("y", "tensor(float)", np.dtype(np.float32), [3, 4, 5])]
    (out,) = s.outputs
    assert (out.name, out.type, out.shape) == ("sum", "tensor(float)", [3, 4, 5])
    assert [a.name for a in s.get_inputs()] == ["x", "y"]
    assert [a.name for a in s.get_outputs()] == ["sum"]
    assert repr(out) == "NodeArg(name='sum', type='tensor(float)', shape=[3, 4, 5])"
    assert s.device is None


def test_run_takes_onnxruntime_arguments(add_model):
    s = ares.InferenceSession(add_model, device="cpu")
    f = feed()
    for names in (None, [], ["sum"]):
        (y,) = s.run(names, f)
        assert isinstance(y, np.ndarray) and y.dtype == np.float32 and y.shape == (3, 4, 5)
        np.testing.assert_array_equal(y, f["x"] + f["y"])
    (y,) = s.run(None, f, None)
    np.testing.assert_array_equal(y, f["x"] + f["y"])


def test_model_from_bytes(add_model):
    with open(add_model, "rb") as fh:
        data = fh.read()
    for model in (data, bytearray(data), memoryview(data)):
        s = ares.Session(model, device="cpu")
        f = feed()
        np.testing.assert_array_equal(s.run(None, f)[0], f["x"] + f["y"])


def test_contiguous_input_is_not_copied(add_model):
    s = ares.Session(add_model, device="cpu")
    f = feed()
    before = ares._ares.input_copies()
    s.run(None, f)
    assert ares._ares.input_copies() == before
    # A Fortran-ordered and a strided view must be copied to be read, and
    # still give the right sum.
    x = np.asfortranarray(f["x"])
    y = np.ascontiguousarray(np.repeat(f["y"], 2, axis=2))[:, :, ::2]
    (out,) = s.run(None, {"x": x, "y": y})
    assert ares._ares.input_copies() == before + 2
    np.testing.assert_array_equal(out, f["x"] + f["y"])
    # Big-endian data of the right dtype is converted, not refused.
    (out,) = s.run(None, {"x": f["x"].astype(">f4"), "y": f["y"]})
    np.testing.assert_array_equal(out, f["x"] + f["y"])


def test_outputs_do_not_alias_runtime_memory(add_model):
    s = ares.Session(add_model, device="cpu")
    f1, f2 = feed(np.random.default_rng(1)), feed(np.random.default_rng(2))
    (a,) = s.run(None, f1)
    (b,) = s.run(None, f2)
    np.testing.assert_array_equal(a, f1["x"] + f1["y"])
    np.testing.assert_array_equal(b, f2["x"] + f2["y"])


def test_outputs_are_handed_over_without_a_copy(add_model):
    s = ares.Session(add_model, device="cpu")
    f = feed()
    want = f["x"] + f["y"]
    before = ares._ares.output_copies()
    (a,) = s.run(None, f)
    (b,) = s.run(None, f)
    (c,) = s.run_async(None, f).result(timeout=60)
    assert ares._ares.output_copies() == before
    for y in (a, b, c):
        assert not y.flags.owndata and y.base is not None
        assert y.flags.writeable and y.flags.c_contiguous and y.flags.aligned
    # Each array is the caller's memory now: writing one changes no other
    # and no later run.
    a[...] = 0
    np.testing.assert_array_equal(b, want)
    np.testing.assert_array_equal(c, want)
    np.testing.assert_array_equal(s.run(None, f)[0], want)
    # An output asked for twice in one call: the runtime hands it over once,
    # so the second is a copy, not the same memory.
    y1, y2 = s.run(["sum", "sum"], f)
    assert ares._ares.output_copies() == before + 1
    assert not np.shares_memory(y1, y2)
    np.testing.assert_array_equal(y2, want)


def test_constant_output_is_copied_and_stays():
    # The output is a folded Constant: later runs must still see it, so the
    # runtime gives a copy instead of its own storage.
    s = ares.Session(f"{ONNX_DATA}/test_constant/model.onnx", device="cpu")
    before = ares._ares.output_copies()
    (a,) = s.run(None, {})
    want = a.copy()
    a[...] = 42
    (b,) = s.run(None, {})
    np.testing.assert_array_equal(b, want)
    assert not np.shares_memory(a, b)
    assert ares._ares.output_copies() == before


def test_run_async_future_and_await(add_model):
    s = ares.Session(add_model, device="cpu")
    feeds = [feed(np.random.default_rng(i)) for i in range(10)]
    futures = [s.run_async(None, f) for f in feeds]
    assert all(isinstance(f, concurrent.futures.Future) for f in futures)
    for fut, f in zip(futures, feeds):
        np.testing.assert_array_equal(fut.result(timeout=60)[0], f["x"] + f["y"])

    async def main():
        return await asyncio.gather(*(s.run_async(["sum"], f) for f in feeds))

    for (y,), f in zip(asyncio.run(main()), feeds):
        np.testing.assert_array_equal(y, f["x"] + f["y"])
    s.close()
    with pytest.raises(ares.Error, match="closed"):
        s.run_async(None, feeds[0])


def test_runs_from_many_threads(add_model):
    s = ares.Session(add_model, device="cpu", threads=1)
    errors = []

    def worker(seed):
        try:
            for i in range(20):
                f = feed(np.random.default_rng(seed * 100 + i))
                np.testing.assert_array_equal(s.run(None, f)[0], f["x"] + f["y"])
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_profile_is_the_runtime_trace(add_model):
    s = ares.Session(add_model, device="cpu", profiling=True)
    assert s.profiling
    s.run(None, feed())
    trace = s.profile()
    spans = [e for e in trace["traceEvents"] if e.get("ph") == "X"]
    assert {e["name"] for e in spans} >= {"run", "sum (Add, cpu)"}
    assert all(e["dur"] >= 0 for e in spans)


def test_stats_and_placement(add_model):
    s = ares.Session(add_model, device="cpu")
    s.run(None, feed())
    s.run(None, feed())
    st = s.stats()
    assert st["runs"] == 2 and st["cpu_nodes"] == 1 and st["device_nodes"] == 0
    (p,) = s.placement()
    assert (p.name, p.op, p.device) == ("sum", "Add", "cpu") and p.reason


def test_options_reach_the_runtime(add_model):
    f = feed()
    for kw in ({"threads": 1}, {"threads": 2}, {"optimize": False}, {"reference": True},
               {"precision": "fp32"}, {"precision": "bf16"}, {"precision": "f16"}):
        s = ares.Session(add_model, device="cpu", **kw)
        np.testing.assert_allclose(s.run(None, f)[0], f["x"] + f["y"], rtol=1e-6)


def test_devices_lists_what_libaccel_finds():
    found = ares.devices(interval=0)
    assert isinstance(found, list)
    for d in found:  # none on the host; the guest test checks the fields
        assert d.node.startswith("/dev/accel/accel")


def test_run_freed_by_a_collection_inside_a_session_call(add_model):
    # A Run in a reference cycle dies when the collector runs, which can be
    # inside a call that holds its session's lock (output arrays are made
    # there): its destruction must wait for the unlock, not deadlock.
    import gc
    s = ares.Session(add_model, device="cpu")
    f = feed()
    done = threading.Event()

    def churn():
        old = gc.get_threshold()
        gc.set_threshold(1)
        try:
            for _ in range(200):
                cycle = [ares._ares.Run(s._cs)]
                cycle.append(cycle)
                del cycle
                # The C call allocates no tracked object before its lock,
                # so the collection comes when the output list is made.
                s._cs.run([f["x"], f["y"]], [0])
        finally:
            gc.set_threshold(*old)
        done.set()

    t = threading.Thread(target=churn, daemon=True)
    t.start()
    t.join(timeout=120)
    assert done.is_set(), "a session call deadlocked on a Run freed inside it"
    np.testing.assert_array_equal(s.run(None, f)[0], f["x"] + f["y"])


def _round_bf16(a):
    """float32 to bfloat16, nearest even, widened back (finite values)."""
    u = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    u = (u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000
    return u.astype(np.uint32).view(np.float32)


def test_precision_bf16_rounds_matmul_operands():
    """precision='bf16' reaches the runtime: MatMul's operands are rounded
    to bfloat16 and the products summed in f32 (runtime/README.md)."""
    m = "/usr/include/onnx/backend/test/data/node/test_matmul_2d/model.onnx"
    rng = np.random.default_rng(5)
    f = {"a": rng.uniform(-1, 1, (3, 4)).astype(np.float32),
         "b": rng.uniform(-1, 1, (4, 3)).astype(np.float32)}
    f32 = ares.Session(m, device="cpu").run(None, f)[0]
    bf = ares.Session(m, device="cpu", precision="bf16").run(None, f)[0]
    want = _round_bf16(f["a"]).astype(np.float64) @ _round_bf16(f["b"]).astype(np.float64)
    np.testing.assert_allclose(bf, want, rtol=0, atol=4 * 2.0 ** -24 * 4)
    assert np.any(bf != f32)


def test_precision_value_checked_by_the_runtime():
    """The C API refuses a precision it does not know (EINVAL, naming it),
    whatever a caller below the package passes."""
    from ares import _ares
    m = "/usr/include/onnx/backend/test/data/node/test_matmul_2d/model.onnx"
    with pytest.raises(ares.Error, match=r"options: precision 7 is not 0, ART_BFLOAT16 \(16\) "
                                         r"or ART_FLOAT16 \(10\)") as e:
        _ares.Session(m, _ares.CPU_ONLY, -1, 0, 7)
    assert e.value.errno == errno.EINVAL
