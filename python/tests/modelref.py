# SPDX-License-Identifier: MIT
"""The real models and their onnxruntime-node references, as the C tests
use them: tests/models/models.txt names each model with its tolerance and
paths, and tests/models/run-model-tests.sh writes BUILD/model-ref/NAME/
(model: the model's path in the cache; in/*.npy: inputs named after the
graph inputs; expected/*.npy: onnxruntime-node's outputs)."""

import os

import numpy as np

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("ARES_BUILD", os.path.join(ROOT, "build"))
REF = os.path.join(BUILD, "model-ref")


class Model:
    def __init__(self, name, atol, rtol, paths):
        self.name = name
        self.atol = float(atol)
        self.rtol = float(rtol)
        self.paths = paths
        self.dir = os.path.join(REF, name)

    def __repr__(self):
        return self.name

    @property
    def path(self):
        with open(os.path.join(REF, "cache")) as f:
            cache = f.read().strip()
        with open(os.path.join(self.dir, "model")) as f:
            return os.path.join(cache, f.read().strip())

    def _npys(self, sub):
        d = os.path.join(self.dir, sub)
        return {f[:-4]: np.load(os.path.join(d, f)) for f in sorted(os.listdir(d))
                if f.endswith(".npy")}

    def inputs(self):
        return self._npys("in")

    def expected(self):
        return self._npys("expected")


def models(path):
    """The models of models.txt that pass on PATH ('cpu' or 'device'),
    without the OCR pipeline entries (ares-ocr, not a single model)."""
    found = []
    with open(os.path.join(ROOT, "tests", "models", "models.txt")) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) < 4 or fields[0].startswith("ocr"):
                continue
            if path in fields[3].split(","):
                found.append(Model(*fields[:4]))
    return found


def assert_close(model, name, got, want):
    """npy-compare's rule: |got - want| <= atol + rtol * |want| per element,
    with the same dtype and shape."""
    assert got.dtype == want.dtype, f"{model.name} {name}: dtype {got.dtype}, expected {want.dtype}"
    assert got.shape == want.shape, f"{model.name} {name}: shape {got.shape}, expected {want.shape}"
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    err = np.abs(g - w)
    bound = model.atol + model.rtol * np.abs(w)
    bad = ~(err <= bound)
    assert not bad.any(), (
        f"{model.name} {name}: {int(bad.sum())} of {w.size} elements off, largest error "
        f"{float(np.nanmax(err)):.3g} (atol {model.atol}, rtol {model.rtol})")
