"""Strategies, repeats, refusals and the report of what was chosen and why."""

from __future__ import annotations

import time

import pytest
from exec_support import ghz, shared_kernel

from proxima_kernel import (
    ExecutionOptions,
    ExecutionStrategy,
    RunOptions,
    Status,
)
from proxima_kernel._generators import generate
from proxima_kernel._schedule import choose_strategy

ADAPTIVE = ExecutionStrategy.ADAPTIVE
PARALLEL = ExecutionStrategy.PARALLEL
SEQUENTIAL = ExecutionStrategy.SEQUENTIAL
MIB = 2**20


def test_adaptive_runs_in_parallel_when_the_estimates_fit():
    options = ExecutionOptions(ADAPTIVE, max_concurrent=2)

    strategy, width, reason = choose_strategy(options, {"a": MIB, "b": MIB}, 100 * MIB)

    assert (strategy, width) == (PARALLEL, 2)
    assert reason.startswith("ADAPTIVE chose PARALLEL with 2 at once")
    assert "2.0 MiB" in reason and "100.0 MiB of free memory" in reason


def test_adaptive_goes_sequential_when_the_threshold_is_exceeded():
    options = ExecutionOptions(ADAPTIVE, max_concurrent=3, memory_threshold_mb=10)
    estimates = {"a": 8 * MIB, "b": 4 * MIB, "c": MIB}

    strategy, width, reason = choose_strategy(options, estimates, 1000 * MIB)

    assert (strategy, width) == (SEQUENTIAL, 1)
    assert "13.0 MiB" in reason
    assert "more than the memory_threshold_mb of 10.0 MiB" in reason


def test_adaptive_counts_only_the_backends_that_run_together():
    options = ExecutionOptions(ADAPTIVE, max_concurrent=2)
    estimates = {"a": 8 * MIB, "b": 4 * MIB, "c": 4 * MIB}

    strategy, _, reason = choose_strategy(options, estimates, 12 * MIB)

    assert strategy is PARALLEL
    assert "12.0 MiB" in reason


@pytest.mark.parametrize(
    ("estimates", "max_concurrent", "why"),
    [
        ({}, 2, "every backend was refused up front, so nothing runs"),
        ({"a": MIB}, 2, "only one backend runs"),
        ({"a": MIB, "b": MIB}, 1, "max_concurrent is 1"),
    ],
)
def test_adaptive_says_why_it_runs_one_at_a_time(estimates, max_concurrent, why):
    # Found by a new-user run: with every backend refused, the report said
    # "only one backend runs".
    options = ExecutionOptions(ADAPTIVE, max_concurrent=max_concurrent)

    strategy, width, reason = choose_strategy(options, estimates, 100 * MIB)

    assert (strategy, width) == (SEQUENTIAL, 1)
    assert reason == f"ADAPTIVE chose SEQUENTIAL: {why}."


def test_the_report_says_which_strategy_ran_and_why():
    report = shared_kernel().run(
        ghz(),
        backends=["exact-sampler", "shifted"],
        execution=ExecutionOptions(ADAPTIVE, memory_threshold_mb=1e-6),
    )

    assert report.execution.requested is ADAPTIVE
    assert report.execution.strategy is SEQUENTIAL
    assert "ADAPTIVE chose SEQUENTIAL" in report.execution.reason


def test_parallel_overlaps_two_sleeping_backends_and_sequential_does_not():
    backends = ["sleepy", "sleepy-twin"]
    options = RunOptions(shots=10, backend_options={"sleepy": {"seconds": 0.4}})
    kernel = shared_kernel()
    kernel.run(ghz(), backends=backends, execution=ExecutionOptions(PARALLEL))

    elapsed = {}
    for strategy in (SEQUENTIAL, PARALLEL):
        started = time.perf_counter()
        kernel.run(
            ghz(),
            backends=backends,
            options=options,
            execution=ExecutionOptions(strategy, 2),
        )
        elapsed[strategy] = time.perf_counter() - started

    assert elapsed[SEQUENTIAL] > 0.8
    assert elapsed[PARALLEL] < 0.7


def test_repeats_give_median_min_and_max_of_the_timed_runs():
    options = RunOptions(shots=10, backend_options={"sleepy": {"seconds": 0.02}})

    report = shared_kernel().run(
        ghz(),
        backends=["sleepy"],
        options=options,
        execution=ExecutionOptions(runs=3, warmup=2),
    )

    result = report.circuits[0].results["sleepy"]
    assert (result.runs, result.warmup, len(result.times_ms)) == (3, 2, 3)
    assert result.time_min_ms <= result.execution_time_ms <= result.time_max_ms
    assert sorted(result.times_ms)[1] == result.execution_time_ms
    assert result.time_min_ms >= 20
    assert result.wall_time_ms == result.execution_time_ms


def test_a_run_whose_estimate_exceeds_the_limit_is_refused_up_front():
    big = generate("ghz:30")
    options = RunOptions(shots=10, memory_limit_mb=64)

    report = shared_kernel().run(big, backends=["exact-sampler"], options=options)

    result = report.circuits[0].results["exact-sampler"]
    assert result.status is Status.UNSUPPORTED
    assert "needs an estimated 16.0 GiB" in result.reason
    assert result.memory_estimate_bytes == 16 * 2**30


@pytest.mark.parametrize(
    "method, qubits, expected",
    [("statevector", 10, 16 * 2**10), ("density_matrix", 10, 16 * 4**10)],
)
def test_memory_estimates_follow_the_declared_method(method, qubits, expected):
    from exec_test_backends import ExactSampler

    backend = type("B", (ExactSampler,), {"method": method})()

    assert backend.estimate_memory_bytes(generate(f"ghz:{qubits}").program) == (
        expected
    )


def test_a_low_rank_method_needs_one_column_per_rank():
    from exec_test_backends import ExactSampler

    backend = type("L", (ExactSampler,), {"method": "low_rank", "max_rank": 8})()

    assert backend.estimate_memory_bytes(generate("ghz:10").program) == (16 * 2**10 * 8)


def test_adaptive_ignores_runs_that_were_refused_up_front():
    options = RunOptions(shots=10, memory_limit_mb=64)

    report = shared_kernel().run(
        [generate("ghz:30"), ghz()],
        backends=["exact-sampler", "shifted"],
        options=options,
        execution=ExecutionOptions(ADAPTIVE, memory_threshold_mb=1),
    )

    assert report.execution.strategy is PARALLEL
    assert "within the memory_threshold_mb of 1.0 MiB" in report.execution.reason
