# SPDX-License-Identifier: MIT
"""ares: run ONNX models on the Ares NPU (and its CPU fallback) from Python.

A binding of libares_rt (the graph runtime) and libaccel (the device
library). ``Session.run`` takes the arguments of onnxruntime's
``InferenceSession.run`` and returns what it returns, so code ports by
changing an import::

    import ares
    sess = ares.Session("model.onnx")            # first Ares device, else the CPU
    x = sess.inputs[0]
    (y,) = sess.run(None, {x.name: array})
    y = await sess.run_async(None, {x.name: array})   # or .result()

``ares.devices()`` lists the devices; failures raise ``ares.Error``
(an OSError and a RuntimeError) carrying the runtime's errno and message.
"""

from ._ares import Error
from ._devices import Device, Queue, devices
from ._runner import RunFuture
from ._session import InferenceSession, NodeArg, Placement, Session

__all__ = ["Device", "Error", "InferenceSession", "NodeArg", "Placement", "Queue",
           "RunFuture", "Session", "devices"]
__version__ = "0.1.0"
