"""Execution: walk a plan's DAG level by level and fill in the report.

Every circuit is loaded before any backend runs, so a bad file stops the
request before work is spent. A backend that raises, or refuses a circuit,
becomes a ``failed`` or ``unsupported`` result; the other backends go on.

A level of run tasks is scheduled by :mod:`proxima_kernel._schedule`
(SEQUENTIAL, PARALLEL or ADAPTIVE). Each run goes to the backend's worker
process (:mod:`proxima_kernel._worker`), or runs in this process when the
request asks for it or the backend declares itself safe. A worker that
times out, is cancelled or dies gives a ``timeout``, ``cancelled`` or
``failed`` result for its backend alone.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import gc
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proxima_kernel import _log
from proxima_kernel._backend import Backend, failed_result, refusal
from proxima_kernel._compare import compare
from proxima_kernel._errors import BackendRunError, CircuitError
from proxima_kernel._model import (
    BackendResult,
    Circuit,
    CircuitReport,
    ExecutionStrategy,
    ExecutionSummary,
    Report,
    Status,
)
from proxima_kernel._plan import Plan, Request, Task
from proxima_kernel._reference import reference_with_state
from proxima_kernel._schedule import choose_strategy, run_groups
from proxima_kernel._session import Session
from proxima_kernel._worker import (
    Outcome,
    WorkerLost,
    WorkItem,
    isolation_payload,
    run_in_process,
)

if TYPE_CHECKING:
    from proxima_kernel._kernel import Kernel

log = _log.get_logger("proxima")

#: SEQUENTIAL frees memory after a backend whose state needs this much.
FREE_FROM_BYTES = 64 * 2**20


class RunContext:
    """The state one request builds up while its plan runs."""

    def __init__(
        self,
        kernel: Kernel,
        request: Request,
        plan: Plan,
        cancel: threading.Event | None = None,
    ) -> None:
        self.kernel = kernel
        self.request = request
        self.plan = plan
        self.cancel = cancel or threading.Event()
        self.strategy = request.execution.strategy
        self.circuits: dict[int, Circuit] = {}
        self.results: dict[tuple[int, str], BackendResult] = {}
        self.states: dict[tuple[int, str], Any] = {}
        #: Run tasks after which memory is freed (SEQUENTIAL, per backend).
        self.free_after: set[str] = set()
        self._isolation: dict[str, tuple[bytes | None, str | None]] = {}
        self.report = Report(
            options=request.options,
            backends=list(request.backends),
            kernel_version=_kernel_version(),
            created_at=datetime.datetime.now(datetime.UTC).isoformat(
                timespec="seconds"
            ),
        )

    def isolation(self, backend: Backend) -> tuple[bytes | None, str | None]:
        """The pickled backend for its worker, or None and why in-process."""
        if backend.name not in self._isolation:
            self._isolation[backend.name] = self._decide_isolation(backend)
        return self._isolation[backend.name]

    def _decide_isolation(self, backend: Backend) -> tuple[bytes | None, str | None]:
        if self.request.execution.in_process:
            return None, "in-process mode was asked for"
        if backend.in_process_safe:
            return None, f"backend {backend.name!r} declares itself in-process safe"
        payload, why = isolation_payload(backend, _installed)
        if payload is None:
            log.warning("in_process_fallback", backend=backend.name, reason=why)
        return payload, why


def _installed(backend: Backend) -> bool:
    """True when the backend's plugin is a really installed entry point,
    which a worker's own Kernel() would load too."""
    import importlib.metadata

    owner = getattr(backend, "_proxima_plugin", None)
    points = importlib.metadata.entry_points(group="proxima")
    return owner is not None and owner in {point.name for point in points}


def execute(
    kernel: Kernel,
    request: Request,
    *,
    progress: Callable[..., None] | None = None,
    max_workers: int = 1,
    cancel: threading.Event | None = None,
) -> Report:
    """Plan ``request``, run the plan and return the finished report.

    Setting ``cancel`` stops the run: busy workers are killed, runs not
    yet started are recorded as ``cancelled``, and the report is finished
    with what was done.
    """
    session = Session(request=request)
    kernel.call_each("proxima_session_start", session=session)
    report = None
    try:
        plan = kernel.plan(request)
        context = RunContext(kernel, request, plan, cancel)
        context.report.session_id = session.id
        if progress:
            progress("plan", None, len(plan.tasks("run")))
        for level in plan.levels():
            _run_level(context, level, progress, max_workers)
        report = context.report
        return report
    finally:
        session.end()
        kernel.call_each("proxima_session_end", session=session, report=report)


def _run_level(
    context: RunContext,
    level: list[Task],
    progress: Callable[..., None] | None,
    max_workers: int,
) -> None:
    if level and all(task.kind == "load" for task in level):
        _load_all(context, level)
        return
    if level and all(_is_backend_run(task) for task in level):
        _run_backends(context, level, progress)
        return

    def one(task: Task) -> None:
        if progress and task.kind == "run":
            progress("start", task, None)
        _run_task(context, task)
        if progress and task.kind == "run":
            progress("done", task, context.results.get(_key(task)))

    if max_workers <= 1 or len(level) == 1:
        for task in level:
            one(task)
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers) as pool:
        list(pool.map(one, level))


def _run_task(context: RunContext, task: Task) -> None:
    if task.action is not None:
        task.action(context)
        return

    handler = _HANDLERS[task.kind]
    handler(context, task)


def _load_all(context: RunContext, tasks: list[Task]) -> None:
    """Load every circuit; report every bad one together, run none."""
    problems = []
    for task in tasks:
        spec = context.request.circuits[task.circuit]  # type: ignore[index]
        try:
            circuit = context.kernel.load_circuit(spec)
        except CircuitError as exc:
            problems.append(str(exc))
            continue
        context.circuits[task.circuit] = circuit  # type: ignore[index]
        context.report.circuits.append(CircuitReport(circuit=circuit))

    if problems:
        raise CircuitError("\n".join(problems))


def _is_backend_run(task: Task) -> bool:
    return task.kind == "run" and task.action is None


def _run_backends(
    context: RunContext,
    tasks: list[Task],
    progress: Callable[..., None] | None,
) -> None:
    """Run a level of backend runs under the request's strategy."""
    groups: dict[str, list[Task]] = {}
    for task in tasks:
        groups.setdefault(task.backend, []).append(task)  # type: ignore[arg-type]
    strategy, width, reason = choose_strategy(
        context.request.execution, _estimates(context, groups), available_memory_bytes()
    )
    context.strategy = strategy
    context.report.execution = _summary(context, strategy, width, reason)
    if strategy is ExecutionStrategy.SEQUENTIAL:
        context.free_after = _free_after(context, groups)
    _start_workers(context, groups)

    def one(task: object) -> None:
        assert isinstance(task, Task)
        if progress:
            progress("start", task, None)
        _run(context, task)
        if progress:
            progress("done", task, context.results.get(_key(task)))

    log.info("schedule", strategy=strategy.value, width=width, reason=reason)
    run_groups(list(groups.values()), one, width, context.cancel)
    context.report.execution.cancelled = context.cancel.is_set()


def _free_after(context: RunContext, groups: dict[str, list[Task]]) -> set[str]:
    """Each backend's last task, when its state is worth handing back.

    A collection and a heap trim cost tens of milliseconds; below
    FREE_FROM_BYTES the memory they return is not worth that.
    """
    estimates = _estimates(context, groups)
    return {
        tasks[-1].id
        for name, tasks in groups.items()
        if estimates.get(name, 0) >= FREE_FROM_BYTES
    }


def _start_workers(context: RunContext, groups: dict[str, list[Task]]) -> None:
    """Start every worker the level needs now, so engine imports overlap."""
    for name, tasks in groups.items():
        if all(_key(task) in context.results for task in tasks):
            continue  # every run of this backend was refused up front
        backend = context.kernel.backends[name]
        payload, _ = context.isolation(backend)
        if payload is not None:
            context.kernel.workers.worker_for(backend, payload)


def _estimates(context: RunContext, groups: dict[str, list[Task]]) -> dict[str, int]:
    """Each backend's largest estimate over the runs it will really do.

    Runs refused up front do not count: they will not need the memory.
    """
    options = context.request.options
    estimates = {}
    for name, tasks in groups.items():
        backend = context.kernel.backends[name]
        live = [t for t in tasks if _key(t) not in context.results]
        programs = [context.circuits[t.circuit].program for t in live]  # type: ignore[index]
        sizes = [backend.estimate_memory_bytes(p, options) for p in programs]
        if sizes:
            estimates[name] = max(sizes)
    return estimates


def _summary(
    context: RunContext, strategy: ExecutionStrategy, width: int, reason: str
) -> ExecutionSummary:
    execution = context.request.execution
    isolation = "in-process" if execution.in_process else "process"
    return ExecutionSummary(
        requested=execution.strategy,
        strategy=strategy,
        reason=reason,
        max_concurrent=width,
        isolation=isolation,
        timeout_per_backend=execution.timeout_per_backend,
        runs=execution.runs,
        warmup=execution.warmup,
    )


def _convert(context: RunContext, task: Task) -> None:
    """Refuse up front what must not run; the conversion itself is done
    where the backend runs (its worker), so the engine stays out of here."""
    key = _key(task)
    backend = context.kernel.backends[key[1]]
    circuit = context.circuits[key[0]]
    options = context.request.options

    refused = refusal(backend, circuit, options, _memory_limit_bytes(options))
    if refused is not None:
        context.results[key] = refused


def _run(context: RunContext, task: Task) -> None:
    key = _key(task)
    backend = context.kernel.backends[key[1]]
    circuit = context.circuits[key[0]]
    options = context.request.options
    hook_args = dict(task=task, backend=backend, circuit=circuit, options=options)

    if key not in context.results:
        context.results[key] = _start_run(context, key, hook_args)

    result = context.results[key]
    context.kernel.call_each("proxima_after_backend_run", result=result, **hook_args)
    log.info(
        "backend_run",
        circuit=circuit.name,
        backend=backend.name,
        status=result.status.value,
        wall_time_ms=result.wall_time_ms,
        peak_memory_bytes=result.peak_memory_bytes,
        isolation=result.isolation,
        reason=result.reason,
    )


def _start_run(
    context: RunContext, key: tuple[int, str], hook_args: dict[str, Any]
) -> BackendResult:
    backend, circuit = hook_args["backend"], hook_args["circuit"]
    options = context.request.options
    if context.cancel.is_set():
        reason = "The run was cancelled before this backend started."
        return failed_result(backend.name, options, Status.CANCELLED, reason)

    context.kernel.call_each("proxima_before_backend_run", **hook_args)
    outcome = _dispatch(context, backend, circuit, hook_args["task"])
    if outcome.result.status is Status.FAILED:
        error = outcome.error or BackendRunError(outcome.result.reason or "")
        context.kernel.call_each(
            "proxima_on_backend_run_error", error=error, **hook_args
        )
    context.states[key] = outcome.state
    return outcome.result


def _dispatch(
    context: RunContext, backend: Backend, circuit: Circuit, task: Task
) -> Outcome:
    """Run on the backend's worker, or here when it must run in-process."""
    execution = context.request.execution
    item = WorkItem(
        circuit=circuit,
        options=context.request.options,
        runs=execution.runs,
        warmup=execution.warmup,
        free_memory=task.id in context.free_after,
    )
    payload, why = context.isolation(backend)
    if payload is None:
        outcome = _in_process(context, backend, item)
        outcome.result.isolation = "in-process"
        outcome.result.details.setdefault("isolation_reason", why)
        return outcome

    return _in_worker(context, backend, item, payload)


def _in_worker(
    context: RunContext, backend: Backend, item: WorkItem, payload: bytes
) -> Outcome:
    pool = context.kernel.workers
    timeout = context.request.execution.timeout_per_backend
    try:
        with pool.lease(backend, payload, context.cancel) as worker:
            outcome, round_trip_ms = worker.run(item, timeout, context.cancel)
    except WorkerLost as lost:
        result = failed_result(backend.name, item.options, lost.status, lost.reason)
        result.isolation = "process"
        return Outcome(result, error=BackendRunError(lost.reason))

    outcome.result.isolation = "process"
    outcome.result.overhead_ms = max(0.0, round_trip_ms - outcome.busy_ms)
    if worker.start_ms is not None:
        outcome.result.details.setdefault("worker_start_ms", worker.start_ms)
    return outcome


def _in_process(context: RunContext, backend: Backend, item: WorkItem) -> Outcome:
    timeout = context.request.execution.timeout_per_backend
    thread = context.kernel.workers.thread_for(backend)
    outcome = run_in_process(thread, backend, item, timeout, context.cancel)
    if item.free_memory:
        gc.collect()
    return outcome


def _analyse(context: RunContext, task: Task) -> None:
    index = task.circuit
    circuit = context.circuits[index]  # type: ignore[index]
    report = next(r for r in context.report.circuits if r.circuit is circuit)
    for name in context.request.backends:
        report.results[name] = context.results[(index, name)]  # type: ignore[index]

    reference, state, why_not = reference_with_state(
        circuit.program, context.request.options.reference_max_qubits
    )
    if context.request.options.noise is not None and reference is not None:
        reference, state = None, None
        why_not = "the run is noisy; the reference is ideal"
    states = {
        name: context.states.get((index, name))  # type: ignore[arg-type]
        for name in context.request.backends
    }
    report.comparison = compare(
        report.results,
        reference,
        why_not,
        states=states,
        reference_state=state,
        measured=bool(circuit.program.measurements()),
    )

    found, failures = context.kernel.call_each_reporting(
        "proxima_analyze", report=report
    )
    for insights in found:
        report.insights.extend(insights)
    report.analysis_errors.extend(failures)


def _export(context: RunContext, task: Task) -> None:
    exporter = context.kernel.exporters[task.exporter]  # type: ignore[index]
    out_dir = Path(context.request.out_dir or ".")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"report{exporter.suffix}"
    exporter.export(context.report, path)
    log.info("export", exporter=exporter.name, path=str(path))


_HANDLERS: dict[str, Callable[[RunContext, Task], None]] = {
    "convert": _convert,
    "run": _run,
    "analyse": _analyse,
    "export": _export,
}


def _key(task: Task) -> tuple[int, str]:
    return task.circuit, task.backend  # type: ignore[return-value]


#: The share of free memory one backend's state may take by default: the
#: engine's process, its imports and its own scratch space need the rest.
DEFAULT_MEMORY_SHARE = 0.9


def _memory_limit_bytes(options: Any) -> int:
    if options.memory_limit_mb is not None:
        return int(options.memory_limit_mb * 2**20)
    return int(available_memory_bytes() * DEFAULT_MEMORY_SHARE)


def available_memory_bytes() -> int:
    """Memory the machine can give now (MemAvailable on Linux)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    pages = os.sysconf("SC_AVPHYS_PAGES")
    return int(pages * os.sysconf("SC_PAGE_SIZE"))


def _kernel_version() -> str:
    from proxima_kernel import __version__

    return __version__
