# SPDX-License-Identifier: MIT
"""Bad input raises ares.Error (an OSError and a RuntimeError) with the
runtime's errno and a message naming what is wrong, and leaves the session
usable."""

import errno

import numpy as np
import pytest

import ares


def good():
    x = np.ones((3, 4, 5), np.float32)
    return {"x": x, "y": x}


def test_error_is_oserror_and_runtimeerror():
    assert issubclass(ares.Error, OSError) and issubclass(ares.Error, RuntimeError)


def test_bad_path():
    with pytest.raises(ares.Error) as e:
        ares.Session("/nonexistent/model.onnx")
    assert e.value.errno == errno.ENOENT
    assert "/nonexistent/model.onnx" in e.value.strerror


def test_not_a_model(tmp_path):
    p = tmp_path / "junk.onnx"
    p.write_bytes(b"\xff" * 64)
    with pytest.raises(ares.Error, match="not a valid ONNX") as e:
        ares.Session(p)
    assert e.value.errno == errno.EINVAL
    with pytest.raises(ares.Error, match="^.*model bytes: not a valid ONNX") as e:
        ares.Session(b"\xff" * 64)


@pytest.fixture
def sess(add_model):
    return ares.Session(add_model, device="cpu")


@pytest.mark.parametrize("x, message", [
    (np.ones((3, 4, 5), np.float64), r"input 'x': expected tensor\(float\) \(numpy float32\), got numpy float64"),
    (np.ones((3, 4, 5), np.int32), r"input 'x': expected tensor\(float\) .*got numpy int32"),
    ([[1.0]], r"input 'x': expected tensor\(float\) .*got numpy float64"),
    (np.ones((3, 4, 6), np.float32), r"input 'x': dimension 2 must be 5, got 6 \(shape \(3, 4, 6\)\)"),
    (np.ones((3, 20), np.float32), r"input 'x': expected rank 3, got rank 2 \(shape \(3, 20\)\)"),
    (np.float32(1), r"input 'x': expected rank 3, got rank 0"),
])
def test_bad_input_array(sess, x, message):
    with pytest.raises(ares.Error, match=message) as e:
        sess.run(None, {"x": x, "y": good()["y"]})
    assert e.value.errno == errno.EINVAL
    np.testing.assert_array_equal(sess.run(None, good())[0], 2 * np.ones((3, 4, 5)))


def test_unknown_input_name(sess):
    feed = dict(good(), z=good()["x"])
    with pytest.raises(ares.Error, match=r"unknown input name\(s\) \['z'\]: the model's inputs are \['x', 'y'\]"):
        sess.run(None, feed)


def test_missing_input(sess):
    with pytest.raises(ares.Error, match=r"required input\(s\) \['y'\] missing"):
        sess.run(None, {"x": good()["x"]})


def test_unknown_output_name(sess):
    with pytest.raises(ares.Error, match="unknown output name 'total'"):
        sess.run(["total"], good())


def test_feed_and_names_of_the_wrong_kind(sess):
    with pytest.raises(TypeError, match="input_feed must be a dict"):
        sess.run(None, [good()["x"], good()["y"]])
    with pytest.raises(TypeError, match="output_names must be a list"):
        sess.run("sum", good())
    with pytest.raises(ares.Error, match="run_options are not supported") as e:
        sess.run(None, good(), object())
    assert e.value.errno == errno.ENOTSUP


def test_async_errors(sess):
    with pytest.raises(ares.Error, match="unknown input name"):
        sess.run_async(None, dict(good(), z=1))
    fut = sess.run_async(None, {"x": np.ones((3, 4, 5), np.float64), "y": good()["y"]})
    with pytest.raises(ares.Error, match="expected tensor\\(float\\)"):
        fut.result(timeout=60)
    np.testing.assert_array_equal(sess.run_async(None, good()).result(timeout=60)[0],
                                  2 * np.ones((3, 4, 5)))


@pytest.mark.parametrize("kw, err, message", [
    ({"precision": "int4"}, errno.ENOTSUP, "precision 'int4' is not supported: expected 'f32', 'bf16' or 'f16'"),
    ({"precision": "int8"}, errno.ENOTSUP, "precision 'int8' is not supported"),
    ({"device": "gpu"}, errno.EINVAL, "device 'gpu': expected None"),
    ({"device": -2}, errno.EINVAL, "device -2: expected None"),
    ({"device": 7}, errno.ENODEV, "device 7: no such Ares device"),
    ({"threads": 0}, errno.EINVAL, "threads 0: expected an int from 1 to 1024"),
    ({"threads": 5000}, errno.EINVAL, "threads 5000"),
    ({"device": "cpu", "fallback": False}, errno.EINVAL, "fallback=False asks for every node on the device"),
])
def test_bad_session_options(add_model, kw, err, message):
    with pytest.raises(ares.Error, match=message) as e:
        ares.Session(add_model, **kw)
    assert e.value.errno == err


def test_no_fallback_names_the_nodes_off_the_device(add_model):
    # On the host there is no device: every node would fall back.
    with pytest.raises(ares.Error, match=r"not placed on the device: sum\(Add"):
        ares.Session(add_model, fallback=False)


def test_profile_before_any_profiled_run(sess):
    with pytest.raises(ares.Error, match="no profiled run") as e:
        sess.profile()
    assert e.value.errno == errno.ENODATA


def test_devices_interval_must_not_be_negative():
    with pytest.raises(ValueError, match="interval -1"):
        ares.devices(interval=-1)


def test_symbolic_dim_gets_one_size(tmp_path):
    """Two inputs naming one dim_param must give it one size: the runtime's
    check at the run, with both inputs named."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper
    ins = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", 3]) for n in "xy"]
    out = helper.make_tensor_value_info("s", TensorProto.FLOAT, ["batch", 3])
    g = helper.make_graph([helper.make_node("Add", ["x", "y"], ["s"])], "g", ins, [out])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 8
    onnx.save(m, tmp_path / "batch.onnx")
    sess = ares.Session(tmp_path / "batch.onnx", device="cpu")
    with pytest.raises(ares.Error, match=r"input 'y': dim 0 \('batch'\) is 4, but input 'x' "
                       r"dim 0 gave 'batch' the size 2") as e:
        sess.run(None, {"x": np.ones((2, 3), np.float32), "y": np.ones((4, 3), np.float32)})
    assert e.value.errno == errno.EINVAL
    np.testing.assert_array_equal(
        sess.run(None, {"x": np.ones((4, 3), np.float32), "y": np.ones((4, 3), np.float32)})[0],
        2 * np.ones((4, 3)))
