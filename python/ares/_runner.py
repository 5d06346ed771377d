# SPDX-License-Identifier: MIT
"""Runs in flight for Session.run_async().

One worker thread per session makes every runtime call of the asynchronous
path, so the session is used by one thread at a time as ares_rt.h requires,
while up to MAX_RUNS art_runs are queued on the device at once: the worker
submits every queued request it has a run for, then waits for the oldest.
The C calls release the GIL.
"""

import asyncio
import collections
import concurrent.futures
import errno
import threading

from . import _ares

# ares_rt.h: up to 7 runs of one session in flight.
MAX_RUNS = 7


class RunFuture(concurrent.futures.Future):
    """A concurrent.futures.Future that asyncio code can also await.

    ``result()`` is the list of output arrays that ``Session.run`` would
    have returned; a failed run raises its ``ares.Error``.
    """

    def __await__(self):
        return asyncio.wrap_future(self).__await__()


class _Request:
    __slots__ = ("inputs", "outputs", "future")

    def __init__(self, inputs, outputs, future):
        self.inputs = inputs
        self.outputs = outputs
        self.future = future


class Runner:
    """The worker of one C session."""

    def __init__(self, csession):
        self._cs = csession
        self._cv = threading.Condition()
        self._queue = collections.deque()
        self._closed = False
        self._thread = None
        self._free = []
        self._nruns = 0
        self._inflight = collections.deque()
        self._pending = set()  # futures not done yet, under _cv

    def submit(self, inputs, outputs):
        future = RunFuture()
        future.add_done_callback(self._forget)
        with self._cv:
            if self._closed:
                raise _ares.Error(errno.ESHUTDOWN, "the session is closed")
            self._queue.append(_Request(inputs, outputs, future))
            self._pending.add(future)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="ares-runs", daemon=True)
                self._thread.start()
            self._cv.notify()
        return future

    def _forget(self, future):
        with self._cv:
            self._pending.discard(future)

    def wait_all(self):
        """Waits until every run queued so far is done. False if none was."""
        with self._cv:
            pending = list(self._pending)
        concurrent.futures.wait(pending)
        return bool(pending)

    def close(self):
        """Finishes every queued run, then stops the worker."""
        with self._cv:
            self._closed = True
            self._cv.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._free.clear()

    def _loop(self):
        while True:
            with self._cv:
                while not self._queue and not self._inflight and not self._closed:
                    self._cv.wait()
                if self._closed and not self._queue and not self._inflight:
                    return
            self._submit_queued()
            if self._inflight:
                self._complete(*self._inflight.popleft())

    def _next_request(self):
        with self._cv:
            return self._queue.popleft() if self._queue else None

    def _take_run(self):
        if self._free:
            return self._free.pop()
        if self._nruns >= MAX_RUNS:
            return None
        try:
            run = _ares.Run(self._cs)
        except _ares.Error as e:
            if e.errno == errno.EBUSY:  # every slot taken
                return None
            raise
        self._nruns += 1
        return run

    def _submit_queued(self):
        while True:
            with self._cv:
                if not self._queue:
                    return
            try:
                run = self._take_run()
            except BaseException as e:  # no run can be made: fail the request
                req = self._next_request()
                if req is not None and req.future.set_running_or_notify_cancel():
                    req.future.set_exception(e)
                continue
            if run is None:
                return  # wait for one in flight first
            req = self._next_request()
            if req is None or not req.future.set_running_or_notify_cancel():
                self._free.append(run)
                continue
            try:
                run.set_inputs(req.inputs)
                try:
                    run.submit()
                except _ares.Error as e:
                    # New input shapes are planned only when no run of the
                    # old ones is in flight: let those finish, then retry.
                    if e.errno != errno.EBUSY or not self._inflight:
                        raise
                    while self._inflight:
                        self._complete(*self._inflight.popleft())
                    run.submit()
            except BaseException as e:
                self._free.append(run)
                req.future.set_exception(e)
                continue
            if run.is_async:
                self._inflight.append((run, req))
            else:
                # Not a single device partition: it ran inside submit().
                self._complete(run, req)

    def _complete(self, run, req):
        try:
            run.wait()
            result = run.outputs(req.outputs)
        except BaseException as e:
            req.future.set_exception(e)
        else:
            req.future.set_result(result)
        finally:
            self._free.append(run)
