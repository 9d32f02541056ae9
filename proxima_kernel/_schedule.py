"""Scheduling a plan's run tasks: which strategy, and how many at once.

The run tasks of one level are grouped by backend. A backend's tasks run
one after another (on its one worker); the groups run side by side, at
most ``max_concurrent`` at a time under PARALLEL, one at a time under
SEQUENTIAL. ADAPTIVE adds up the memory estimates of the backends that
would run together (each backend's largest over its circuits) and runs
them in parallel only when that sum fits the budget: the smaller of the
machine's free memory and ``memory_threshold_mb``.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Mapping, Sequence

import attrs

from proxima_kernel._backend import format_bytes
from proxima_kernel._errors import UsageError
from proxima_kernel._model import ExecutionOptions, ExecutionStrategy

PARALLEL = ExecutionStrategy.PARALLEL
SEQUENTIAL = ExecutionStrategy.SEQUENTIAL


def checked_execution(
    execution: ExecutionOptions | None, max_workers: int = 1
) -> ExecutionOptions:
    """The options to run with; without any, ``max_workers`` decides.

    Raises UsageError naming every bad value.
    """
    if execution is None:
        width = max(1, max_workers)
        execution = ExecutionOptions(PARALLEL if width > 1 else SEQUENTIAL, width)

    execution = _with_strategy(execution)
    problems = _type_problems(execution)
    if problems:
        raise UsageError(f"{'; '.join(problems)}. Fix the execution options.")
    if execution.max_concurrent < 1:
        problems.append(
            f"max_concurrent must be at least 1, got {execution.max_concurrent}"
        )
    if execution.runs < 1:
        problems.append(f"runs must be at least 1, got {execution.runs}")
    if execution.warmup < 0:
        problems.append(f"warmup cannot be negative, got {execution.warmup}")
    timeout = execution.timeout_per_backend
    if timeout is not None and timeout <= 0:
        problems.append(f"timeout_per_backend must be positive seconds, got {timeout}")
    threshold = execution.memory_threshold_mb
    if threshold is not None and not threshold > 0:
        problems.append(f"memory_threshold_mb must be positive MiB, got {threshold}")
    if problems:
        raise UsageError(f"{'; '.join(problems)}. Fix the execution options.")
    return execution


def _type_problems(execution: ExecutionOptions) -> list[str]:
    """Values of the wrong type, which the range checks would trip over."""
    whole = ("max_concurrent", "runs", "warmup")
    numbers = ("timeout_per_backend", "memory_threshold_mb")
    problems = [
        f"{name} must be a whole number, got {getattr(execution, name)!r}"
        for name in whole
        if not _is_whole(getattr(execution, name))
    ]
    problems += [
        f"{name} must be a number or None, got {getattr(execution, name)!r}"
        for name in numbers
        if not _is_number_or_none(getattr(execution, name))
    ]
    return problems


def _with_strategy(execution: ExecutionOptions) -> ExecutionOptions:
    """The options with their strategy as an ExecutionStrategy.

    A name such as ``"parallel"`` is read as the strategy it names.
    """
    if isinstance(execution.strategy, ExecutionStrategy):
        return execution
    try:
        strategy = ExecutionStrategy(execution.strategy)
    except ValueError:
        names = ", ".join(s.value for s in ExecutionStrategy)
        raise UsageError(
            f"Unknown strategy {execution.strategy!r}; use one of {names} "
            f"(or ExecutionStrategy.PARALLEL and its siblings)."
        ) from None

    return attrs.evolve(execution, strategy=strategy)


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number_or_none(value: object) -> bool:
    return value is None or (
        isinstance(value, (int, float)) and not isinstance(value, bool)
    )


def choose_strategy(
    options: ExecutionOptions,
    estimates: Mapping[str, int],
    free_bytes: int,
) -> tuple[ExecutionStrategy, int, str]:
    """The strategy to use, how many backends at once, and why.

    :param estimates: each backend's largest memory estimate in bytes.
    :param free_bytes: memory the machine can give now.
    """
    width = max(1, min(options.max_concurrent, len(estimates)))
    if options.strategy is SEQUENTIAL:
        return SEQUENTIAL, 1, "SEQUENTIAL was asked for."
    if options.strategy is PARALLEL:
        return (
            PARALLEL,
            width,
            (
                f"PARALLEL was asked for: up to {width} backends at once "
                f"(max_concurrent={options.max_concurrent})."
            ),
        )

    return _adapt(options, estimates, free_bytes, width)


def _adapt(
    options: ExecutionOptions,
    estimates: Mapping[str, int],
    free_bytes: int,
    width: int,
) -> tuple[ExecutionStrategy, int, str]:
    together = sum(sorted(estimates.values(), reverse=True)[:width])
    budget, budget_text = _budget(options, free_bytes)
    needs = f"the {width} largest together need an estimated {format_bytes(together)}"

    if not estimates:
        why = "every backend was refused up front, so nothing runs"
        return SEQUENTIAL, 1, f"ADAPTIVE chose SEQUENTIAL: {why}."
    if len(estimates) == 1:
        return SEQUENTIAL, 1, "ADAPTIVE chose SEQUENTIAL: only one backend runs."
    if width < 2:
        return SEQUENTIAL, 1, "ADAPTIVE chose SEQUENTIAL: max_concurrent is 1."
    if together > budget:
        return (
            SEQUENTIAL,
            1,
            (f"ADAPTIVE chose SEQUENTIAL: {needs}, more than {budget_text}."),
        )
    return (
        PARALLEL,
        width,
        (
            f"ADAPTIVE chose PARALLEL with {width} at once: {needs}, within "
            f"{budget_text}."
        ),
    )


def _budget(options: ExecutionOptions, free_bytes: int) -> tuple[int, str]:
    free_text = f"the {format_bytes(free_bytes)} of free memory"
    if options.memory_threshold_mb is None:
        return free_bytes, free_text

    threshold = int(options.memory_threshold_mb * 2**20)
    if threshold <= free_bytes:
        limit = format_bytes(threshold)
        return threshold, f"the memory_threshold_mb of {limit}"
    return free_bytes, free_text


def run_groups(
    groups: Sequence[Sequence[object]],
    run_one: Callable[[object], None],
    width: int,
    stop: threading.Event,
) -> None:
    """Run each group's items in order, ``width`` groups at a time.

    An exception here (Ctrl-C, say) sets ``stop`` before it propagates, so
    that the other groups' workers are killed instead of waited for.
    """

    def run_group(group: Sequence[object]) -> None:
        for item in group:
            run_one(item)

    if width <= 1 or len(groups) <= 1:
        for group in groups:
            run_group(group)
        return

    with concurrent.futures.ThreadPoolExecutor(width) as pool:
        futures = [pool.submit(run_group, group) for group in groups]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            raise
