# SPDX-License-Identifier: MIT
"""The real models on the host CPU path against onnxruntime-node's outputs,
at the tolerances tests/models/models.txt states (the C tests' own)."""

import numpy as np
import pytest

import ares
from modelref import assert_close, models


@pytest.mark.parametrize("model", models("cpu"), ids=str)
def test_model_matches_onnxruntime(model):
    sess = ares.Session(model.path, device="cpu")
    feed = model.inputs()
    assert sorted(feed) == sorted(a.name for a in sess.inputs)
    expected = model.expected()
    names = [a.name for a in sess.outputs]
    assert sorted(names) == sorted(expected)
    got = sess.run(None, feed)
    assert len(got) == len(names)
    for name, array in zip(names, got):
        assert_close(model, name, array, expected[name])
    # Outputs named, in the order asked, as onnxruntime returns them.
    again = sess.run(list(reversed(names)), feed)
    for name, array in zip(reversed(names), again):
        assert_close(model, name, array, expected[name])


@pytest.mark.parametrize("model", [m for m in models("cpu") if m.name in ("alexa", "cls")],
                         ids=str)
def test_model_async_matches_sync(model):
    sess = ares.Session(model.path, device="cpu")
    feed = model.inputs()
    want = sess.run(None, feed)
    futures = [sess.run_async(None, feed) for _ in range(4)]
    for f in futures:
        for a, b in zip(f.result(timeout=300), want):
            assert (a == b).all()


def test_dynamic_dims_bind_from_the_inputs():
    (cls,) = [m for m in models("cpu") if m.name == "cls"]
    sess = ares.Session(cls.path, device="cpu")
    (x,) = sess.inputs
    assert x.shape == [None, 3, None, None]
    feed = cls.inputs()["x"]
    (full,) = sess.run(None, {"x": feed})
    (narrow,) = sess.run(None, {"x": np.ascontiguousarray(feed[:, :, :, :96])})
    (batch,) = sess.run(None, {"x": np.concatenate([feed, feed])})
    assert full.shape == narrow.shape == (1, 2) and batch.shape == (2, 2)
    np.testing.assert_allclose(batch, np.concatenate([full, full]), rtol=1e-5, atol=1e-6)
