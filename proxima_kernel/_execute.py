"""Execution: walk a plan's DAG level by level and fill in the report.

Every circuit is loaded before any backend runs, so a bad file stops the
request before work is spent. A backend that raises, or refuses a circuit,
becomes a ``failed`` or ``unsupported`` result; the other backends go on.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from proxima_kernel._backend import Conversion, refusal, run_converted
from proxima_kernel._compare import compare
from proxima_kernel._errors import CircuitError, UnsupportedCircuitError
from proxima_kernel._model import (
    BackendResult,
    Circuit,
    CircuitReport,
    Report,
    Status,
)
from proxima_kernel._plan import Plan, Request, Task
from proxima_kernel._reference import reference_distribution
from proxima_kernel._session import Session

if TYPE_CHECKING:
    from proxima_kernel._kernel import Kernel

log = structlog.get_logger("proxima")


class RunContext:
    """The state one request builds up while its plan runs."""

    def __init__(self, kernel: Kernel, request: Request, plan: Plan) -> None:
        self.kernel = kernel
        self.request = request
        self.plan = plan
        self.circuits: dict[int, Circuit] = {}
        self.conversions: dict[tuple[int, str], Conversion] = {}
        self.results: dict[tuple[int, str], BackendResult] = {}
        self.report = Report(
            options=request.options,
            backends=list(request.backends),
            kernel_version=_kernel_version(),
            created_at=datetime.datetime.now(datetime.UTC).isoformat(
                timespec="seconds"
            ),
        )


def execute(
    kernel: Kernel,
    request: Request,
    *,
    progress: Callable[..., None] | None = None,
    max_workers: int = 1,
) -> Report:
    """Plan ``request``, run the plan and return the finished report."""
    session = Session(request=request)
    kernel.call_each("proxima_session_start", session=session)
    report = None
    try:
        plan = kernel.plan(request)
        context = RunContext(kernel, request, plan)
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


def _convert(context: RunContext, task: Task) -> None:
    key = _key(task)
    backend = context.kernel.backends[key[1]]
    circuit = context.circuits[key[0]]
    options = context.request.options

    refused = refusal(backend, circuit, options, _memory_limit_bytes(options))
    if refused is not None:
        context.results[key] = refused
        return
    try:
        context.conversions[key] = backend.convert(circuit.program)
    except UnsupportedCircuitError as exc:
        context.results[key] = _failure(backend.name, options, Status.UNSUPPORTED, exc)
    except Exception as exc:  # noqa: BLE001 - one backend fails alone
        context.results[key] = _failure(backend.name, options, Status.FAILED, exc)


def _run(context: RunContext, task: Task) -> None:
    key = _key(task)
    backend = context.kernel.backends[key[1]]
    circuit = context.circuits[key[0]]
    options = context.request.options
    hook_args = dict(task=task, backend=backend, circuit=circuit, options=options)

    if key not in context.results:
        context.kernel.call_each("proxima_before_backend_run", **hook_args)
        try:
            result = run_converted(
                backend, context.conversions.pop(key), circuit, options
            )
        except UnsupportedCircuitError as exc:
            result = _failure(backend.name, options, Status.UNSUPPORTED, exc)
        except Exception as exc:  # noqa: BLE001 - one backend fails alone
            context.kernel.call_each(
                "proxima_on_backend_run_error", error=exc, **hook_args
            )
            result = _failure(backend.name, options, Status.FAILED, exc)
        context.results[key] = result

    result = context.results[key]
    context.kernel.call_each("proxima_after_backend_run", result=result, **hook_args)
    log.info(
        "backend_run",
        circuit=circuit.name,
        backend=backend.name,
        status=result.status.value,
        wall_time_ms=result.wall_time_ms,
        reason=result.reason,
    )


def _analyse(context: RunContext, task: Task) -> None:
    index = task.circuit
    circuit = context.circuits[index]  # type: ignore[index]
    report = next(r for r in context.report.circuits if r.circuit is circuit)
    for name in context.request.backends:
        report.results[name] = context.results[(index, name)]  # type: ignore[index]

    reference, why_not = reference_distribution(
        circuit.program, context.request.options.reference_max_qubits
    )
    if context.request.options.noise is not None and reference is not None:
        reference, why_not = None, "the run is noisy; the reference is ideal"
    report.comparison = compare(report.results, reference, why_not)
    for insights in context.kernel.call_each("proxima_analyze", report=report):
        report.insights.extend(insights)


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


def _failure(
    backend: str, options: Any, status: Status, exc: BaseException
) -> BackendResult:
    reason = (
        str(exc) if status is Status.UNSUPPORTED else (f"{type(exc).__name__}: {exc}")
    )
    return BackendResult(
        backend=backend,
        status=status,
        reason=reason,
        shots=options.shots,
        seed=options.seed,
    )


def _memory_limit_bytes(options: Any) -> int:
    if options.memory_limit_mb is not None:
        return int(options.memory_limit_mb * 2**20)
    return available_memory_bytes()


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
