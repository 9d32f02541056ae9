"""The comparator: one circuit on many backends, judged against each other.

:class:`BackendComparator` is a thin front over :meth:`Kernel.run`: the
same plan, the same workers and strategies, the same comparison. It adds
the asyncio surface (an ``asyncio.Event`` to cancel) and a summary shaped
for one circuit::

    comparator = BackendComparator()
    result = comparator.compare_sync("ghz:5", ["cirq", "qiskit-aer"],
                                     shots=10_000, timeout_per_backend=60)
    result.fastest_backend, result.backend_results["cirq"].execution_time_ms
"""

from __future__ import annotations

import asyncio
import statistics
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from proxima_kernel._errors import UsageError
from proxima_kernel._model import (
    BackendResult,
    CircuitReport,
    ExecutionOptions,
    ExecutionStrategy,
    Insight,
    Metrics,
    Recommendation,
    Report,
    RunOptions,
    Status,
)

if TYPE_CHECKING:
    from proxima_kernel._kernel import Kernel


@attrs.define
class BackendComparison:
    """One backend's part in a comparison (times in ms, memory in MiB)."""

    name: str
    status: Status
    execution_time_ms: float | None
    time_min_ms: float | None
    time_max_ms: float | None
    peak_memory_mb: float | None
    counts: dict[str, int]
    metrics: Metrics
    reason: str | None
    result: BackendResult = attrs.field(repr=False)


@attrs.define
class ComparisonResult:
    """What :meth:`BackendComparator.compare` found for one circuit.

    ``fastest_backend`` is the successful backend with the smallest median
    time, whether or not it agrees; ``recommendation`` is the fastest of
    those that agree. ``average_fidelity`` is the mean Hellinger fidelity
    to the reference over the successful backends (to each other when
    there is no reference), None when there is nothing to average.
    """

    backend_results: dict[str, BackendComparison]
    fastest_backend: str | None
    average_fidelity: float | None
    recommendation: Recommendation
    strategy: ExecutionStrategy | None
    strategy_reason: str | None
    insights: list[Insight]
    analysis_errors: list[str]
    circuit: CircuitReport = attrs.field(repr=False)
    report: Report = attrs.field(repr=False)

    @classmethod
    def from_report(cls, report: Report) -> ComparisonResult:
        circuit = report.circuits[0]
        comparison = circuit.comparison
        parts = {
            name: _part(name, result, comparison.per_backend[name])
            for name, result in circuit.results.items()
        }
        execution = report.execution
        return cls(
            backend_results=parts,
            fastest_backend=_fastest(circuit.results),
            average_fidelity=_average_fidelity(circuit),
            recommendation=comparison.recommendation,
            strategy=execution.strategy if execution else None,
            strategy_reason=execution.reason if execution else None,
            insights=circuit.insights,
            analysis_errors=circuit.analysis_errors,
            circuit=circuit,
            report=report,
        )


def _part(name: str, result: BackendResult, metrics: Metrics) -> BackendComparison:
    return BackendComparison(
        name=name,
        status=result.status,
        execution_time_ms=result.execution_time_ms,
        time_min_ms=result.time_min_ms,
        time_max_ms=result.time_max_ms,
        peak_memory_mb=result.peak_memory_mb,
        counts=result.counts,
        metrics=metrics,
        reason=result.reason,
        result=result,
    )


def _fastest(results: dict[str, BackendResult]) -> str | None:
    timed = {
        n: r.execution_time_ms
        for n, r in results.items()
        if r.ok and r.execution_time_ms is not None
    }
    return min(timed, key=lambda n: timed[n]) if timed else None


def _average_fidelity(circuit: CircuitReport) -> float | None:
    comparison = circuit.comparison
    values = [
        m.hellinger_fidelity
        for m in comparison.per_backend.values()
        if m.hellinger_fidelity is not None
    ]
    if comparison.reference is None:
        values = [
            p.hellinger_fidelity
            for p in comparison.pairwise
            if p.hellinger_fidelity is not None
        ]
    return statistics.fmean(values) if values else None


class BackendComparator:
    """Compare backends on one circuit through the kernel's run path.

    :param kernel: the kernel to run on; by default one with the installed
        plugins, made on first use. Its worker processes stay up between
        comparisons; :meth:`close` stops them.
    """

    def __init__(self, kernel: Kernel | None = None) -> None:
        self._kernel = kernel

    @property
    def kernel(self) -> Kernel:
        if self._kernel is None:
            from proxima_kernel._kernel import Kernel

            self._kernel = Kernel()
        return self._kernel

    async def compare(
        self,
        circuit: Any,
        backends: Sequence[str] | None = None,
        shots: int = 1024,
        *,
        seed: int | None = None,
        strategy: ExecutionStrategy = ExecutionStrategy.ADAPTIVE,
        max_concurrent: int = 2,
        timeout_per_backend: float | None = None,
        memory_threshold_mb: float | None = None,
        cancellation_event: asyncio.Event | threading.Event | None = None,
        runs: int = 1,
        warmup: int = 0,
        in_process: bool = False,
        options: RunOptions | None = None,
    ) -> ComparisonResult:
        """Run ``circuit`` on ``backends`` and compare them.

        :param circuit: one circuit spec (path, ``ghz:5``, framework
            circuit or Circuit); use :meth:`Kernel.run` for many.
        :param timeout_per_backend: seconds one backend may take, repeats
            included; its worker is killed then.
        :param cancellation_event: set it to stop every backend; those
            still busy are killed and reported ``cancelled``.
        :param options: full run options (noise, memory limit, ...); when
            given, ``shots`` and ``seed`` are ignored.
        """
        if isinstance(circuit, (list, tuple)):
            raise UsageError(
                "BackendComparator.compare takes one circuit; pass a list of "
                "circuits to Kernel.run instead."
            )
        execution = ExecutionOptions(
            strategy=strategy,  # checked (a name read) by the run
            max_concurrent=max_concurrent,
            timeout_per_backend=timeout_per_backend,
            memory_threshold_mb=memory_threshold_mb,
            runs=runs,
            warmup=warmup,
            in_process=in_process,
        )
        run_options = options or RunOptions(shots=shots, seed=seed)
        report = await self._run(
            circuit, backends, run_options, execution, cancellation_event
        )
        return ComparisonResult.from_report(report)

    async def _run(
        self,
        circuit: Any,
        backends: Sequence[str] | None,
        options: RunOptions,
        execution: ExecutionOptions,
        event: asyncio.Event | threading.Event | None,
    ) -> Report:
        cancel = event if isinstance(event, threading.Event) else threading.Event()
        relay = None
        if isinstance(event, asyncio.Event):
            relay = asyncio.ensure_future(_relay(event, cancel))
        try:
            return await asyncio.to_thread(
                self.kernel.run,
                circuit,
                backends=backends,
                options=options,
                execution=execution,
                cancel=cancel,
            )
        except asyncio.CancelledError:
            cancel.set()
            raise
        finally:
            if relay is not None:
                relay.cancel()

    def compare_sync(self, *args: Any, **kwargs: Any) -> ComparisonResult:
        """:meth:`compare` for code without an event loop."""
        return asyncio.run(self.compare(*args, **kwargs))

    def close(self) -> None:
        """Stop the kernel's worker processes."""
        if self._kernel is not None:
            self._kernel.close()


async def _relay(source: asyncio.Event, target: threading.Event) -> None:
    await source.wait()
    target.set()
