"""The model repository the serve tests and serve-bench use, from the
models scripts/fetch-models.sh put in ARES_MODEL_CACHE.

The wake-word heads are exported with batch dim 1; the alexa head's graph
(Flatten, Gemm, activations) works on any batch, so a copy with dim 0 of
its input and output made symbolic is served as "alexa", which ares-serve
may batch. hey_jarvis's graph compares its input's shape in an If and
refuses a batch, so it is served as exported, one request per run.
Tolerances are tests/models/models.txt's for each model.
"""
import json
import os

import onnx

OWW = "oww/models"
OCR = "ocr/assets"


def batchable_copy(src, dst):
    m = onnx.load(src)
    for v in list(m.graph.input) + list(m.graph.output):
        d = v.type.tensor_type.shape.dim[0]
        d.ClearField("dim_value")
        d.dim_param = "batch"
    onnx.save(m, dst)


def add(repo, name, src, config, batchable=False):
    d = os.path.join(repo, name)
    os.makedirs(d)
    dst = os.path.join(d, "model.onnx")
    if batchable:
        batchable_copy(src, dst)
    else:
        os.symlink(src, dst)
    if config is not None:
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config, f)
    return dst


def make_repository(cache, repo, device, ocr=False, alexa_config=None, idle_close=True):
    """Writes REPO; returns it and the served models the load test sends to.
    IDLE_CLOSE=False leaves out the model whose config.json sets idle_close,
    so that servers from before that key (serve-bench's before figures)
    take the repository."""
    os.makedirs(repo)
    models = []
    head_cfg = alexa_config or {"max_batch": 8, "max_delay_us": 2000, "instances": 2,
                                "threads": 1}
    path = add(repo, "alexa", os.path.join(cache, OWW, "alexa_v0.1.onnx"), head_cfg, True)
    models.append({"name": "alexa", "path": path, "input": "onnx::Flatten_0",
                   "shape": [1, 16, 96], "atol": 1e-6, "rtol": 1e-3})
    # A queue whose first request waits a second for company: the SIGTERM
    # check finds requests in progress there.
    add(repo, "alexa_slow", os.path.join(cache, OWW, "alexa_v0.1.onnx"),
        {"max_batch": 64, "max_delay_us": 1000000, "instances": 1, "threads": 1}, True)
    # A batch of 4 that waits 5 s: two requests with another connection
    # open close it early only by idle_close (no instance runs).
    if idle_close:
        add(repo, "alexa_pair", os.path.join(cache, OWW, "alexa_v0.1.onnx"),
            {"max_batch": 4, "max_delay_us": 5000000, "instances": 1, "threads": 1,
             "idle_close": True}, True)
    path = add(repo, "hey_jarvis", os.path.join(cache, OWW, "hey_jarvis_v0.1.onnx"),
               {"instances": 2, "threads": 1})
    models.append({"name": "hey_jarvis", "path": path, "input": "x.1", "shape": [1, 16, 96],
                   "atol": 1e-6, "rtol": 1e-3})
    path = add(repo, "embedding", os.path.join(cache, OWW, "embedding_model.onnx"),
               {"max_batch": 4, "max_delay_us": 2000, "instances": 2, "threads": 1})
    models.append({"name": "embedding", "path": path, "input": "input_1",
                   "shape": [1, 76, 32, 1], "scale": 4.0, "atol": 4e-4, "rtol": 1e-3})
    if ocr:
        for name, f, shape, atol in (
                ("cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx", [1, 3, 48, 192], 3e-5),
                ("rec", "ch_PP-OCRv4_rec_infer.onnx", [1, 3, 48, 160], 3e-5),
                ("det", "ch_PP-OCRv4_det_infer.onnx", [1, 3, 96, 192], 5e-4)):
            path = add(repo, name, os.path.join(cache, OCR, f), {"instances": 1})
            models.append({"name": name, "path": path, "input": "x", "shape": shape,
                           "atol": atol, "rtol": 1e-3})
    return repo, models
