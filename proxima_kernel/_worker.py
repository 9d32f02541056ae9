"""Worker processes: one per backend, reused, killed when they must stop.

A worker is a child process started with the ``forkserver`` method (or
``spawn`` where there is none). It receives the backend object pickled,
which is why a backend's class must be importable by module and name;
a test module on ``sys.path`` does. A backend that cannot be pickled but
comes from an installed plugin is rebuilt in the worker from the
installed plugins, by name (:class:`InstalledBackend`). At start the
worker asks the backend for its engine version, so the engine's import is
paid once per worker, before any task is timed.

The parent and the worker talk over one ``multiprocessing`` pipe: the
parent sends a :class:`WorkItem`, the worker answers with an
:class:`Outcome`, and ``None`` asks it to exit. While it waits, the
parent watches the pipe, the process's sentinel, the deadline and the
cancellation event together, so that

* a timeout or a cancellation kills the worker (SIGKILL) at once;
* a worker that dies (a segfault, ``os.abort``, the OOM killer) fails
  only its own backend, with the signal named in the reason;
* the next task of that backend starts a fresh worker.

Peak memory is the worker's own: its peak resident set (``VmHWM``) is
reset before each task through ``/proc/self/clear_refs`` and read after
it, on Linux; elsewhere it is the process's ``ru_maxrss``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import signal
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from proxima_kernel import _log
from proxima_kernel._backend import Backend, failed_result, run_repeated
from proxima_kernel._errors import BackendRunError, UnsupportedCircuitError
from proxima_kernel._model import BackendResult, Circuit, RunOptions, Status

log = _log.get_logger("proxima")

#: Seconds a worker may take to start and import its engine.
START_TIMEOUT = 120.0

#: Seconds between two looks at the deadline and the cancellation event.
POLL_INTERVAL = 0.02


@attrs.frozen
class WorkItem:
    """One backend's work on one circuit: convert once, then repeat."""

    circuit: Circuit
    options: RunOptions
    runs: int = 1
    warmup: int = 0
    free_memory: bool = False


@attrs.define
class Outcome:
    """What became of a work item, with the engine's state when it gave one.

    ``error`` is the exception a failed run raised: from a worker, without
    its traceback, or a :class:`BackendRunError` carrying its message when
    it cannot be pickled.
    """

    result: BackendResult
    state: Any = None
    busy_ms: float = 0.0
    error: BaseException | None = None


def perform(backend: Backend, item: WorkItem) -> Outcome:
    """Convert and run ``item`` on ``backend``; exceptions become results."""
    started = time.perf_counter()
    try:
        conversion = backend.convert(item.circuit.program)
        result, state = run_repeated(
            backend,
            conversion,
            item.circuit,
            item.options,
            runs=item.runs,
            warmup=item.warmup,
        )
        outcome = Outcome(result, state)
    except UnsupportedCircuitError as exc:
        failure = failed_result(
            backend.name, item.options, Status.UNSUPPORTED, str(exc)
        )
        outcome = Outcome(failure, error=exc)
    except Exception as exc:  # noqa: BLE001 - one backend fails alone
        reason = _describe(exc)
        failure = failed_result(backend.name, item.options, Status.FAILED, reason)
        outcome = Outcome(failure, error=exc)

    outcome.busy_ms = (time.perf_counter() - started) * 1000.0
    return outcome


def _describe(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        detail = f" ({exc})" if str(exc) else ""
        return f"MemoryError: the engine ran out of memory{detail}."
    return f"{type(exc).__name__}: {exc}"


def run_in_process(
    thread: BackendThread,
    backend: Backend,
    item: WorkItem,
    timeout: float | None,
    cancel: threading.Event,
) -> Outcome:
    """Run ``item`` in this process, on the backend's own ``thread``.

    A timeout or a cancellation cannot kill this work, only stop the
    waiting: the thread runs on until the backend returns.
    """
    future = thread.submit(lambda: perform(backend, item))
    stopped = _wait_future(future, timeout, cancel)
    if future.done():
        return future.result()

    return _abandoned(backend, item, stopped, timeout)


class BackendThread:
    """One long-lived daemon thread that runs one backend's in-process work.

    Some engines do not survive their objects being built on one
    short-lived thread after another (qiskit 2 under CPython 3.11 was seen
    to segfault in ``ClassicalRegister``), so a backend always runs on the
    same thread. A daemon thread, unlike an executor's, never holds up the
    interpreter's exit behind a backend that hangs.
    """

    def __init__(self, name: str) -> None:
        self._tasks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def submit(self, call: Callable[[], Outcome]) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._tasks.put((call, future))
        return future

    def stop(self) -> None:
        self._tasks.put(None)

    def _serve(self) -> None:
        while (task := self._tasks.get()) is not None:
            call, future = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                future.set_exception(exc)


def _wait_future(
    future: concurrent.futures.Future, timeout: float | None, cancel: threading.Event
) -> Status:
    deadline = None if timeout is None else time.perf_counter() + timeout
    while not future.done():
        if cancel.is_set():
            return Status.CANCELLED
        if deadline is not None and time.perf_counter() > deadline:
            return Status.TIMEOUT
        concurrent.futures.wait([future], timeout=POLL_INTERVAL)
    return Status.OK


def _abandoned(
    backend: Backend, item: WorkItem, status: Status, timeout: float | None
) -> Outcome:
    cause = (
        "was cancelled"
        if status is Status.CANCELLED
        else f"did not finish within the timeout_per_backend of {timeout:g} s"
    )
    reason = (
        f"Backend {backend.name!r} {cause}. It ran in-process, which cannot "
        f"be killed: its thread runs on. Run it in a worker process (leave "
        f"--in-process off) for a real stop."
    )
    result = failed_result(backend.name, item.options, status, reason)
    return Outcome(result, error=BackendRunError(reason))


# --- the worker's side ---------------------------------------------------------


def _worker_main(conn: Any, payload: bytes) -> None:
    """The worker process: rebuild the backend, then serve work items."""
    # Ctrl-C belongs to the parent, which stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        backend = pickle.loads(payload)
        if isinstance(backend, InstalledBackend):
            backend = backend.build()
        backend.engine_version()
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))

    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        _serve(conn, backend, item)


def _serve(conn: Any, backend: Backend, item: WorkItem) -> None:
    _reset_peak_memory()
    outcome = perform(backend, item)
    outcome.result.peak_memory_bytes = _peak_memory_bytes()
    outcome.error = _portable(outcome.error)
    try:
        conn.send(outcome)
    except Exception:  # noqa: BLE001 - an unpicklable state is dropped
        outcome.state = None
        conn.send(outcome)

    # After the answer is sent, so that freeing memory is not timed.
    del outcome
    if item.free_memory:
        free_memory()


def _portable(error: BaseException | None) -> BaseException | None:
    """The error without its traceback (which holds the engine's frames)."""
    if error is None:
        return None
    error = error.with_traceback(None)
    error.__cause__ = error.__context__ = None
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any pickling failure
        return BackendRunError(str(error))
    return error


def _reset_peak_memory() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def _peak_memory_bytes() -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def free_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


# --- the parent's side -----------------------------------------------------------


class WorkerLost(Exception):
    """A worker stopped answering: it died, timed out or was cancelled."""

    def __init__(self, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Worker:
    """One live worker process serving one backend."""

    def __init__(self, backend: Backend, payload: bytes) -> None:
        self.backend_name = backend.name
        self._conn, child = _context().Pipe()
        self.process = _context().Process(
            target=_worker_main,
            args=(child, payload),
            name=f"proxima-worker-{backend.name}",
            daemon=True,
        )
        started = time.perf_counter()
        with _main_hidden():
            self.process.start()
        child.close()
        self.start_ms: float | None = None
        self._started = started
        self._ready = False

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def run(
        self,
        item: WorkItem,
        timeout: float | None,
        cancel: threading.Event | None,
    ) -> tuple[Outcome, float]:
        """Send ``item`` and wait; returns the outcome and the round trip.

        Raises :class:`WorkerLost` when the worker died, or was killed at
        the deadline or on cancellation.
        """
        self.wait_ready(cancel)
        started = time.perf_counter()
        self._conn.send(item)

        deadline = None if timeout is None else started + timeout
        outcome = self._receive(deadline, cancel, timeout)
        return outcome, (time.perf_counter() - started) * 1000.0

    def wait_ready(self, cancel: threading.Event | None = None) -> None:
        """Wait until the worker has rebuilt the backend and its engine."""
        if self._ready:
            return
        deadline = time.perf_counter() + START_TIMEOUT
        message = self._receive(deadline, cancel, START_TIMEOUT, starting=True)
        if message[0] != "ready":
            self.kill()
            raise WorkerLost(
                Status.FAILED,
                f"The worker process for backend {self.backend_name!r} could "
                f"not rebuild the backend: {message[1]}. Make the backend's "
                f"class importable by module and name, or run it in-process.",
            )
        self._ready = True
        self.start_ms = (time.perf_counter() - self._started) * 1000.0

    def _receive(
        self,
        deadline: float | None,
        cancel: threading.Event | None,
        timeout: float | None,
        starting: bool = False,
    ) -> Any:
        watched = [self._conn, self.process.sentinel]
        while True:
            ready = multiprocessing.connection.wait(watched, POLL_INTERVAL)
            if self._conn in ready:
                try:
                    return self._conn.recv()
                except (EOFError, OSError):
                    pass
            if ready:
                raise self._died(starting)
            if cancel is not None and cancel.is_set():
                self.kill()
                raise WorkerLost(Status.CANCELLED, self._cancelled_reason())
            if deadline is not None and time.perf_counter() > deadline:
                self.kill()
                raise WorkerLost(
                    Status.TIMEOUT, self._timeout_reason(timeout, starting)
                )

    def _died(self, starting: bool) -> WorkerLost:
        self.process.join(1.0)
        code = self.process.exitcode
        how = f"exit code {code}"
        if code is not None and code < 0:
            how = f"signal {signal.Signals(-code).name}"
        when = "while starting" if starting else "while running"
        return WorkerLost(
            Status.FAILED,
            f"The worker process of backend {self.backend_name!r} died with "
            f"{how} {when} (the engine crashed, aborted or ran out of "
            f"memory). Only this backend is affected; try a smaller circuit "
            f"or check the engine.",
        )

    def _timeout_reason(self, timeout: float | None, starting: bool) -> str:
        if starting:
            return (
                f"The worker process of backend {self.backend_name!r} did not "
                f"start within {timeout:g} s (importing its engine), so it was "
                f"killed. Check that the engine imports on its own."
            )
        return (
            f"Backend {self.backend_name!r} did not finish within the "
            f"timeout_per_backend of {timeout:g} s, so its worker process "
            f"was killed. Raise --timeout-per-backend or use a smaller "
            f"circuit."
        )

    def _cancelled_reason(self) -> str:
        return (
            f"The run was cancelled while backend {self.backend_name!r} was "
            f"busy; its worker process was killed."
        )

    def kill(self) -> None:
        """Stop the worker now (SIGKILL) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(2.0)
        self._conn.close()

    def stop(self) -> None:
        """Ask the worker to exit; kill it if it does not."""
        if self.process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                self._conn.send(None)
            self.process.join(1.0)
        self.kill()


class WorkerPool:
    """Where one kernel's backends run: a live worker per backend name,
    leased to one run at a time, and a thread per backend for in-process
    work."""

    def __init__(self) -> None:
        self._workers: dict[str, Worker] = {}
        self._gates: dict[str, threading.Lock] = {}
        self._threads: dict[str, BackendThread] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def lease(
        self, backend: Backend, payload: bytes, cancel: threading.Event | None
    ) -> Iterator[Worker]:
        """The backend's live worker, for one task at a time.

        A worker has one pipe: two runs of one kernel that share it (two
        compares at once) would read each other's answers. The second
        waits, and gets a live worker, a new one if the first run's was
        killed.
        """
        with self._lock:
            gate = self._gates.setdefault(backend.name, threading.Lock())
        while not gate.acquire(timeout=POLL_INTERVAL):
            if cancel is not None and cancel.is_set():
                raise WorkerLost(
                    Status.CANCELLED,
                    f"The run was cancelled while backend "
                    f"{backend.name!r} waited for its worker.",
                )
        try:
            yield self.worker_for(backend, payload)
        finally:
            gate.release()

    def thread_for(self, backend: Backend) -> BackendThread:
        """The thread this backend's in-process work runs on."""
        with self._lock:
            thread = self._threads.get(backend.name)
            if thread is None:
                thread = BackendThread(f"proxima-in-process-{backend.name}")
                self._threads[backend.name] = thread
            return thread

    def worker_for(self, backend: Backend, payload: bytes) -> Worker:
        """The backend's live worker, started when there is none."""
        with self._lock:
            worker = self._workers.get(backend.name)
            if worker is None or not worker.alive:
                worker = Worker(backend, payload)
                self._workers[backend.name] = worker
                log.debug("worker_started", backend=backend.name)
            return worker

    def warm(self, backends: list[Backend]) -> dict[str, float | None]:
        """Start these backends' workers and wait until they are ready.

        Pays the engine imports before anything is timed; returns each
        worker's start-up time in ms. Backends that cannot be pickled are
        skipped (they run in-process).
        """
        workers = []
        for backend in backends:
            payload, _ = isolation_payload(backend)
            if payload is not None:
                workers.append(self.worker_for(backend, payload))
        for worker in workers:
            worker.wait_ready()

        return {worker.backend_name: worker.start_ms for worker in workers}

    def pids(self) -> dict[str, int | None]:
        """Process ids of the live workers, by backend (for tests)."""
        return {n: w.process.pid for n, w in self._workers.items() if w.alive}

    def close(self) -> None:
        """Stop every worker and in-process thread."""
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
            threads, self._threads = list(self._threads.values()), {}
        for worker in workers:
            worker.stop()
        for thread in threads:
            thread.stop()


@attrs.frozen
class InstalledBackend:
    """A backend a worker rebuilds from the installed plugins, by name.

    Sent instead of the backend when the backend cannot be pickled but
    comes from an installed plugin (an entry point of group ``proxima``).
    """

    name: str

    def build(self) -> Backend:
        from proxima_kernel._kernel import Kernel

        backends = Kernel().backends
        if self.name not in backends:
            raise LookupError(
                f"no installed plugin registers the backend {self.name!r} "
                f"in the worker process"
            )
        return backends[self.name]


def isolation_payload(
    backend: Backend, installed: Callable[[Backend], bool] | None = None
) -> tuple[bytes | None, str | None]:
    """What a worker rebuilds the backend from, or None and why it cannot.

    The backend itself, pickled; failing that, when ``installed(backend)``
    says it comes from an installed entry point, its name, to look up
    among the installed plugins in the worker.
    """
    payload, why = _pickled(backend)
    if payload is not None:
        return payload, None
    if installed is not None and installed(backend):
        return pickle.dumps(InstalledBackend(backend.name)), None
    return None, why


def _pickled(backend: Backend) -> tuple[bytes | None, str]:
    if type(backend).__module__ == "__main__":
        return None, (
            f"the class of backend {backend.name!r} is defined in __main__, "
            f"which a worker process cannot import"
        )
    try:
        return pickle.dumps(backend), ""
    except Exception as exc:  # noqa: BLE001 - any pickling failure
        return None, (
            f"backend {backend.name!r} cannot be pickled for a worker "
            f"process ({type(exc).__name__}: {exc})"
        )


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """Start a worker without telling it the caller's ``__main__``.

    multiprocessing makes each child import the parent's main script
    again. A worker needs nothing from it (a backend defined there is never
    sent to one, see :func:`_pickled`), and the import would re-run a
    script that lacks an ``if __name__ == "__main__"`` guard in every
    worker, or fail outright under ``python -``. A bare module stands in
    for ``__main__`` while the child's start-up data is gathered.
    """
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real


_CONTEXT: Any = None


def _context() -> Any:
    """The multiprocessing context workers start from (made once)."""
    global _CONTEXT
    if _CONTEXT is None:
        methods = multiprocessing.get_all_start_methods()
        if "forkserver" in methods:
            _CONTEXT = multiprocessing.get_context("forkserver")
            _CONTEXT.set_forkserver_preload(["proxima_kernel._worker"])
        else:
            _CONTEXT = multiprocessing.get_context("spawn")
    return _CONTEXT
