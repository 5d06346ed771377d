# SPDX-License-Identifier: MIT
"""ares.Session: an ONNX model loaded into libares_rt, run like
onnxruntime's InferenceSession."""

import collections
import errno
import json
import os
from collections.abc import Mapping

from . import _ares
from ._runner import Runner

Error = _ares.Error

# Spellings of the one precision the runtime computes in today.
_F32 = ("f32", "fp32", "float32", "float")
# The reduced-precision mode (art_session_options.precision): ONNX
# TensorProto numbers of bfloat16 and float16.
_REDUCED = {"bf16": 16, "bfloat16": 16, "f16": 10, "fp16": 10, "float16": 10}


class NodeArg:
    """A graph input or output, as onnxruntime's NodeArg.

    ``name``; ``type``, ONNX's type string (``'tensor(float)'``);
    ``dtype``, the numpy dtype arrays carry (bfloat16 travels as its
    uint16 bit patterns); ``shape``, a list with ``None`` for a dynamic
    dimension, or ``None`` when even the rank is unknown.
    """

    __slots__ = ("name", "type", "dtype", "shape")

    def __init__(self, name, type, dtype, shape):
        self.name = name
        self.type = type
        self.dtype = dtype
        self.shape = shape

    def __repr__(self):
        return (f"NodeArg(name={self.name!r}, type={self.type!r}, "
                f"shape={self.shape!r})")


Placement = collections.namedtuple("Placement", "name op device reason fused")
Placement.__doc__ = """Where one node of the optimised graph runs and why
(``device`` is ``'device'`` or ``'cpu'``; ``fused`` names what graph fusion
folded into it, or is empty)."""


def _node_args(io):
    return [NodeArg(name, f"tensor({onnx_type})", dtype, shape)
            for name, onnx_type, dtype, shape in io]


def _session_flags(device, precision, fallback, optimize, reference):
    if not isinstance(precision, str) or (precision.lower() not in _F32 and
                                           precision.lower() not in _REDUCED):
        raise Error(errno.ENOTSUP,
                    f"precision {precision!r} is not supported: expected 'f32', "
                    f"'bf16' or 'f16'")
    flags = 0
    if device == "cpu":
        if not fallback:
            raise Error(errno.EINVAL,
                        "fallback=False asks for every node on the device, "
                        "but device='cpu' places every node on the CPU")
        flags |= _ares.CPU_ONLY
        index = -1
    elif device is None:
        index = -1
    elif isinstance(device, int) and not isinstance(device, bool) and device >= 0:
        index = device
    else:
        raise Error(errno.EINVAL,
                    f"device {device!r}: expected None (the first Ares device, "
                    f"else the CPU), 'cpu', or N of /dev/accel/accelN")
    if not fallback:
        flags |= _ares.NO_FALLBACK
    if not optimize:
        flags |= _ares.NO_OPT
    if reference:
        flags |= _ares.CPU_REFERENCE
    return flags, index


class Session:
    """An ONNX model loaded and ready to run.

    ``Session(path_or_bytes, device=None, precision='f32', threads=None,
    fallback=True, optimize=True, reference=False, profiling=False)``

    - ``path_or_bytes``: a model file's path, or the serialised model.
    - ``device``: ``None`` runs on the first Ares device when there is one
      and on the CPU otherwise; ``N`` on /dev/accel/accelN (``ares.Error``
      ENODEV if there is none); ``'cpu'`` on the CPU only.
    - ``precision``: ``'f32'`` (the model's own types), or ``'bf16'`` /
      ``'f16'``: Conv, ConvTranspose, MatMul and Gemm with operands rounded
      to that type and f32 sums, the rest in f32 (runtime/README.md); any
      other raises ``ares.Error`` (ENOTSUP) rather than being ignored.
    - ``threads``: intra-op threads of the CPU path (1 to 1024); ``None``
      takes ``ART_THREADS``, else the online CPUs.
    - ``fallback``: with ``False`` creation fails, naming each node the
      device cannot run, instead of running it on the CPU.
    - ``optimize``: ``False`` keeps the graph as loaded (no folding or
      fusion).
    - ``reference``: run CPU nodes on the plain-loop reference kernels.
    - ``profiling``: record each run for ``profile()``.

    Errors raise ``ares.Error`` with the runtime's errno and message.
    Several threads may share a session; its runs are serialised.
    """

    def __init__(self, path_or_bytes, device=None, precision="f32", threads=None,
                 fallback=True, optimize=True, reference=False, profiling=False):
        self._runner = None
        flags, index = _session_flags(device, precision, fallback, optimize, reference)
        if threads is None:
            threads = 0
        elif isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise Error(errno.EINVAL, f"threads {threads!r}: expected an int from 1 to 1024")
        if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
            model = path_or_bytes
        else:
            model = os.fspath(path_or_bytes)
        self._cs = _ares.Session(model, flags, index, threads,
                                 _REDUCED.get(precision.lower(), 0))
        inputs, outputs = self._cs.io()
        self._inputs = _node_args(inputs)
        self._outputs = _node_args(outputs)
        self._in_index = {a.name: i for i, a in enumerate(self._inputs)}
        self._out_index = {a.name: i for i, a in enumerate(self._outputs)}
        self._profiling = False
        if profiling:
            self.profiling = True
        self._runner = Runner(self._cs)

    # -- what the model takes and gives --------------------------------

    @property
    def inputs(self):
        """The graph inputs, a list of NodeArg."""
        return list(self._inputs)

    @property
    def outputs(self):
        """The graph outputs, a list of NodeArg."""
        return list(self._outputs)

    def get_inputs(self):
        """onnxruntime's spelling of ``inputs``."""
        return self.inputs

    def get_outputs(self):
        """onnxruntime's spelling of ``outputs``."""
        return self.outputs

    @property
    def device(self):
        """N of the /dev/accel/accelN the session runs on, or None on the CPU only."""
        n = self._cs.device
        return None if n < 0 else n

    # -- running ---------------------------------------------------------

    def _feeds(self, output_names, input_feed, run_options):
        if run_options is not None:
            raise Error(errno.ENOTSUP, "run_options are not supported (pass None)")
        if not isinstance(input_feed, Mapping):
            raise TypeError(f"input_feed must be a dict of name -> array, "
                            f"not {type(input_feed).__name__}")
        unknown = [n for n in input_feed if n not in self._in_index]
        if unknown:
            raise Error(errno.EINVAL,
                        f"unknown input name(s) {unknown}: the model's inputs are "
                        f"{list(self._in_index)}")
        missing = [n for n in self._in_index if n not in input_feed]
        if missing:
            raise Error(errno.EINVAL, f"required input(s) {missing} missing from input_feed")
        inputs = [input_feed[a.name] for a in self._inputs]
        if not output_names:
            return inputs, list(range(len(self._outputs)))
        if isinstance(output_names, str):
            raise TypeError("output_names must be a list of names or None, not a str")
        indices = []
        for name in output_names:
            if name not in self._out_index:
                raise Error(errno.EINVAL,
                            f"unknown output name {name!r}: the model's outputs are "
                            f"{list(self._out_index)}")
            indices.append(self._out_index[name])
        return inputs, indices

    def run(self, output_names, input_feed, run_options=None):
        """Runs the model, as onnxruntime's InferenceSession.run.

        ``output_names``: the outputs to return, in that order (None or []
        for all); ``input_feed``: {input name: numpy array} with every
        input. Returns a list of numpy arrays. An array that is
        C-contiguous, aligned and of the declared dtype is read in place;
        any other is copied first. A wrong dtype or a shape that does not
        fit the declared dims raises ``ares.Error`` (EINVAL) naming the
        input; nothing is converted silently. The GIL is released while
        the model runs.
        """
        inputs, indices = self._feeds(output_names, input_feed, run_options)
        try:
            return self._cs.run(inputs, indices)
        except Error as e:
            # The runtime plans one set of input shapes at a time: new
            # shapes wait for run_async's runs of the old ones.
            if e.errno != errno.EBUSY or not self._runner.wait_all():
                raise
        return self._cs.run(inputs, indices)

    def run_async(self, output_names, input_feed, run_options=None):
        """Queues a run; returns a RunFuture (concurrent.futures.Future, also
        awaitable from asyncio) whose result is what ``run`` returns.

        When the model is one device partition, up to 7 runs of the session
        are in flight on the device at once (the runtime's art_run API);
        otherwise they run one after another on a worker thread. Names are
        checked at once; the input arrays are read when the run starts, so
        they must not change until the future is done.
        """
        inputs, indices = self._feeds(output_names, input_feed, run_options)
        return self._runner.submit(inputs, indices)

    # -- what happened ---------------------------------------------------

    @property
    def profiling(self):
        """Whether runs are recorded for ``profile()`` (settable)."""
        return self._profiling

    @profiling.setter
    def profiling(self, on):
        self._cs.set_profiling(bool(on))
        self._profiling = bool(on)

    def profile(self):
        """The last profiled run, as the runtime records it: a Chrome-trace
        dict (``traceEvents``: host spans of the run, each CPU node and each
        device partition's phases; per device command its measured and
        modeled times, ``args.measured_ns`` and ``args.modeled_ns``).
        Raises ``ares.Error`` (ENODATA) when no run was profiled (see
        ``profiling``)."""
        return json.loads(self._cs.profile_json())

    def stats(self):
        """Counters of the session (art_session_get_stats): runs,
        device_submits, compiles, partitions, device_nodes, cpu_nodes,
        folded_nodes, fallback_partitions, loaded_nodes."""
        return self._cs.stats()

    def placement(self):
        """Where each node of the optimised graph runs and why: a list of Placement."""
        return [Placement(*row) for row in self._cs.placement()]

    # -- lifetime --------------------------------------------------------

    def close(self):
        """Finishes queued asynchronous runs and stops their worker. The
        session's memory goes when the last reference to it does."""
        if self._runner is not None:
            self._runner.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


InferenceSession = Session
