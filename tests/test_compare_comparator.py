"""BackendComparator and the analyzers: one circuit, summarised."""

from __future__ import annotations

import asyncio
import math
import time

import exec_test_backends
import pytest
from exec_support import ghz, shared_kernel

from proxima_kernel import (
    Agreement,
    BackendComparator,
    ExecutionStrategy,
    Kernel,
    Status,
    UsageError,
    _builtins,
    hookimpl,
)


def insights(result, analyzer, backend):
    return [
        i for i in result.insights if i.analyzer == analyzer and i.backend == backend
    ]


def test_compare_returns_the_per_backend_summary_the_predecessor_named():
    comparator = BackendComparator(shared_kernel())

    result = comparator.compare_sync(
        ghz(), ["exact-sampler", "shifted"], shots=10_000, seed=4, runs=2
    )

    sampler = result.backend_results["exact-sampler"]
    assert sampler.status is Status.OK
    assert sampler.execution_time_ms is not None
    assert sampler.time_min_ms <= sampler.execution_time_ms <= sampler.time_max_ms
    assert sampler.peak_memory_mb > 0
    assert sum(sampler.counts.values()) == 10_000
    assert sampler.metrics.verdict.agreement is Agreement.AGREE
    assert result.fastest_backend in {"exact-sampler", "shifted"}
    assert result.recommendation.backend == "exact-sampler"
    assert 0.99 < result.average_fidelity <= 1.0
    assert result.strategy is ExecutionStrategy.PARALLEL
    assert result.strategy_reason.startswith("ADAPTIVE chose PARALLEL")


def test_compare_is_a_coroutine_and_an_asyncio_event_cancels_it():
    comparator = BackendComparator(shared_kernel())
    seconds = {"sleepy": {"seconds": 30}}
    from proxima_kernel import RunOptions

    async def scenario():
        event = asyncio.Event()
        task = asyncio.ensure_future(
            comparator.compare(
                ghz(),
                ["sleepy", "exact-sampler"],
                options=RunOptions(shots=100, backend_options=seconds),
                cancellation_event=event,
            )
        )
        await asyncio.sleep(0.5)
        event.set()
        started = time.perf_counter()
        result = await task
        return result, time.perf_counter() - started

    result, stopped_in = asyncio.run(scenario())

    assert stopped_in < 1.0
    assert result.backend_results["sleepy"].status is Status.CANCELLED
    assert result.backend_results["exact-sampler"].status is Status.OK


def test_two_compares_at_once_on_one_kernel_each_get_their_own_answers():
    # Found by an embedder's trial: two compares shared a worker's pipe,
    # one read the other's answer, and both hung.
    comparator = BackendComparator(shared_kernel())

    async def both():
        return await asyncio.gather(
            *(
                comparator.compare(
                    ghz(),
                    ["exact-sampler"],
                    shots=500,
                    seed=seed,
                    timeout_per_backend=20,
                )
                for seed in (1, 2)
            )
        )

    first, second = asyncio.run(asyncio.wait_for(both(), 60))

    counts = [r.backend_results["exact-sampler"].counts for r in (first, second)]
    assert all(sum(c.values()) == 500 and set(c) <= {"000", "111"} for c in counts)
    again = comparator.compare_sync(ghz(), ["exact-sampler"], shots=500, seed=2)
    assert again.backend_results["exact-sampler"].counts == counts[1]


def test_a_compare_right_after_a_cancelled_one_gets_a_live_worker():
    # Found by an embedder's trial: the cancelled run's clean-up killed the
    # worker the next compare was already using.
    comparator = BackendComparator(shared_kernel())
    from proxima_kernel import RunOptions

    async def cancel_then_compare():
        slow = asyncio.ensure_future(
            comparator.compare(
                ghz(),
                ["sleepy"],
                options=RunOptions(
                    shots=10, backend_options={"sleepy": {"seconds": 30}}
                ),
            )
        )
        await asyncio.sleep(0.5)
        slow.cancel()
        return await comparator.compare(
            ghz(), ["sleepy"], shots=10, timeout_per_backend=20
        )

    result = asyncio.run(asyncio.wait_for(cancel_then_compare(), 60))

    assert result.backend_results["sleepy"].status is Status.OK


def test_compare_takes_one_circuit():
    with pytest.raises(UsageError, match="takes one circuit"):
        BackendComparator(shared_kernel()).compare_sync([ghz(), ghz()], ["noop"])


def test_the_built_in_analyzers_report_entropy_dominance_and_heavy_output():
    result = BackendComparator(shared_kernel()).compare_sync(
        ghz(), ["exact-sampler", "noop"], shots=10_000, seed=1
    )

    (entropy,) = insights(result, "entropy", "exact-sampler")
    (dominant,) = insights(result, "dominant", "exact-sampler")
    (heavy,) = insights(result, "heavy-output", "exact-sampler")
    (noop_heavy,) = insights(result, "heavy-output", "noop")
    assert entropy.value == pytest.approx(1.0, abs=1e-3)
    assert set(dominant.value) == {"000", "111"}
    assert heavy.value == 1.0
    assert noop_heavy.value == 1.0  # "000" is one of GHZ's heavy outcomes
    assert "2 heavy outcome(s)" in heavy.detail


def test_heavy_output_needs_the_reference_and_counts_the_median_with_zeros():
    from proxima_kernel._analyzers import _heavy_outcomes

    reference = {"00": 0.5, "01": 0.3, "10": 0.2}

    assert _heavy_outcomes(reference, 2) == {"00", "01"}
    assert _heavy_outcomes({"000": 0.5, "111": 0.5}, 3) == {"000", "111"}


class BrokenAnalyzer:
    """An analyzer plugin that raises."""

    @hookimpl
    def proxima_analyze(self, report):
        raise ZeroDivisionError("the analyzer divided by zero")


def test_a_failing_analyzer_is_reported_and_the_results_are_kept():
    kernel = Kernel(
        plugins=[exec_test_backends, _builtins, BrokenAnalyzer()],
        load_entry_points=False,
    )

    with kernel:
        result = BackendComparator(kernel).compare_sync(
            ghz(), ["noop"], shots=100, in_process=True
        )

    assert result.backend_results["noop"].status is Status.OK
    assert result.backend_results["noop"].counts == {"000": 100}
    (problem,) = result.analysis_errors
    assert "ZeroDivisionError: the analyzer divided by zero" in problem
    assert "it was skipped" in problem
    assert insights(result, "entropy", "noop")  # the built-ins still ran


def test_without_successful_backends_the_summary_is_empty_not_perfect():
    result = BackendComparator(shared_kernel()).compare_sync(ghz(), ["empty"])

    assert result.average_fidelity is None
    assert result.recommendation.backend is None
    assert result.backend_results["empty"].metrics.verdict.agrees is None
    assert not math.isnan(result.backend_results["empty"].execution_time_ms)


def test_a_report_with_timeouts_verdicts_and_matrices_fits_the_schema():
    import json

    import jsonschema

    from proxima_kernel import ExecutionOptions, converter, report_schema

    report = shared_kernel().run(
        ghz(),
        backends=["exact-sampler", "shifted", "empty", "hangs"],
        execution=ExecutionOptions(max_concurrent=4, timeout_per_backend=0.3),
    )

    data = json.loads(json.dumps(converter.unstructure(report)))
    jsonschema.validate(data, report_schema())
    statuses = {r["status"] for r in data["circuits"][0]["results"].values()}
    assert "timeout" in statuses


def test_an_unknown_strategy_is_a_usage_error_naming_the_choices():
    comparator = BackendComparator(shared_kernel())

    with pytest.raises(UsageError, match="Unknown strategy 'fast'; use one of"):
        comparator.compare_sync(ghz(), ["exact-sampler"], strategy="fast")
