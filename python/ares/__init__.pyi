# SPDX-License-Identifier: MIT
# Type stub of the public `ares` API (the package's docstrings say more).
import concurrent.futures
import os
from typing import Any, Dict, Generator, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

class Error(OSError, RuntimeError):
    """The runtime's or the device's failure: .errno, .strerror (its message)."""

    errno: int
    strerror: str

class NodeArg:
    name: str
    type: str  # ONNX's type string, e.g. 'tensor(float)'
    dtype: Optional[np.dtype[Any]]  # bfloat16 travels as uint16
    shape: Optional[List[Optional[int]]]  # None: a dynamic dim, or an unknown rank

class Placement(NamedTuple):
    name: str
    op: str
    device: str
    reason: str
    fused: str

class RunFuture(concurrent.futures.Future[List[npt.NDArray[Any]]]):
    def __await__(self) -> Generator[Any, None, List[npt.NDArray[Any]]]: ...

class Session:
    def __init__(
        self,
        path_or_bytes: Union[str, os.PathLike[str], bytes, bytearray, memoryview],
        device: Union[None, int, str] = ...,
        precision: str = ...,
        threads: Optional[int] = ...,
        fallback: bool = ...,
        optimize: bool = ...,
        reference: bool = ...,
        profiling: bool = ...,
    ) -> None: ...
    @property
    def inputs(self) -> List[NodeArg]: ...
    @property
    def outputs(self) -> List[NodeArg]: ...
    def get_inputs(self) -> List[NodeArg]: ...
    def get_outputs(self) -> List[NodeArg]: ...
    @property
    def device(self) -> Optional[int]: ...
    def run(
        self,
        output_names: Optional[Sequence[str]],
        input_feed: Mapping[str, npt.ArrayLike],
        run_options: None = ...,
    ) -> List[npt.NDArray[Any]]: ...
    def run_async(
        self,
        output_names: Optional[Sequence[str]],
        input_feed: Mapping[str, npt.ArrayLike],
        run_options: None = ...,
    ) -> RunFuture: ...
    profiling: bool
    def profile(self) -> Dict[str, Any]: ...
    def stats(self) -> Dict[str, int]: ...
    def placement(self) -> List[Placement]: ...
    def close(self) -> None: ...
    def __enter__(self) -> "Session": ...
    def __exit__(self, *exc: object) -> None: ...

InferenceSession = Session

class Queue:
    index: int
    priority: int
    ring_entries: int
    jobs_pending: int
    jobs_completed: int

class Device:
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

def devices(interval: float = ...) -> List[Device]: ...
