"""When LRET is the right tool: expected errors, rank and memory.

LRET's cost and its truncation loss both follow from one number, the
expected count of errors in a run: the sum of the error probabilities over
every noise location (a channel on one qubit after one gate). With ``x``
expected errors, about ``1 - e^-x (1 + x)`` of the state lies in runs with
two or more errors; those branches weigh about ``(p/k)^2`` each and are
the first that screening drops, so ``x`` predicts the truncation bound.

This module imports no numpy: the kernel asks for estimates while it plans.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import attrs
from proxima_kernel import Gate, Measure, NoiseModel, Operation, Program, Reset

from proxima_lret._plan import Step, plan_measurements

#: Below this many qubits a full density matrix (16 MiB at 10) is cheap.
SMALL_QUBITS = 10
#: Above this many expected errors, screening drops too much of the state.
MAX_EXPECTED_ERRORS = 1.0
#: Error branches of one location, by channel kind (weight p / branches).
BRANCHES = {"depolarizing": 3, "depolarizing2": 15}
#: Bytes of scratch a run needs besides its rows (column chunks, Gram).
SCRATCH_BYTES = 80 * 2**20
#: Bytes per basis state of the read-out (probabilities, marginal, records).
READOUT_BYTES = 64


@attrs.frozen
class Hint:
    """Whether LRET suits a run, why, and the expected number of errors."""

    recommended: bool
    reason: str
    expected_errors: float


def noise_locations(
    program: Program, noise: NoiseModel | None
) -> Iterator[tuple[str, float]]:
    """``(kind, probability)`` once per place a channel acts in the run.

    A one-qubit channel after a k-qubit gate is k locations;
    ``depolarizing2`` after a two-qubit gate is one.
    """
    if noise is None:
        return
    for op in program.operations:
        if not isinstance(op, Gate):
            continue
        width = len(op.qubits)
        for channel in noise.after_gate(op.name, width):
            places = 1 if channel.kind == "depolarizing2" else width
            for _ in range(places):
                yield channel.kind, channel.probability


def expected_errors(program: Program, noise: NoiseModel | None) -> float:
    """The sum of error probabilities over all noise locations."""
    return math.fsum(p for _, p in noise_locations(program, noise))


def expected_rank(program: Program, noise: NoiseModel | None, epsilon: float) -> int:
    """Rows the factor is expected to reach.

    Each location adds its error branches whose weight (``p`` over the
    branch count) passes ``epsilon``; with ``epsilon = 0`` every branch
    stays. A compression never keeps more than ``2^n`` rows, and the rank
    may grow to twice that before one runs.
    """
    rows = 1
    for kind, p in noise_locations(program, noise):
        count = BRANCHES.get(kind, 1)
        if p > 0 and p / count >= epsilon:
            rows += count

    return min(rows, 2 * 2**program.num_qubits)


def memory_bytes(
    program: Program,
    noise: NoiseModel | None,
    epsilon: float,
    max_rank: int | None = None,
) -> int:
    """Every branch's factor and its scratch, the read-out arrays, scratch.

    A factor holds 16 bytes per amplitude, 2^n amplitudes per row, and
    ``expected_rank`` rows (at most ``max_rank``); a gate writes the new
    rows into a scratch buffer of the same size, which the state keeps. A
    measurement that later operations depend on splits the state into one
    factor per record (:func:`branch_records`). Reading the outcomes takes
    about eight arrays of 2^n entries. ``benchmarks/memory_estimates.py``
    measures this against the peak.
    """
    rank = expected_rank(program, noise, epsilon)
    if max_rank is not None:
        rank = min(rank, max_rank)
    factor = 16 * 2**program.num_qubits * rank

    return (
        2 * branch_records(program) * factor
        + READOUT_BYTES * 2**program.num_qubits
        + 16 * rank * rank * 3
        + SCRATCH_BYTES
    )


def branch_records(program: Program) -> int:
    """The most classical records a run can split into.

    2^(bits written by measurements that branch the state), by the rule
    of :mod:`proxima_lret._plan` that the runner follows too.
    """
    steps = [_step_of(op) for op in program.operations]
    deferred, _ = plan_measurements(steps)
    branching = {
        step.clbit
        for index, step in enumerate(steps)
        if step.clbit is not None and index not in deferred
    }

    return 2 ** len(branching)


def _step_of(op: Operation) -> Step:
    condition = getattr(op, "condition", None)
    reads = tuple(condition.clbits) if condition is not None else ()
    if isinstance(op, Measure):
        return Step((op.qubit,), reads, op.clbit)
    if isinstance(op, Reset):
        return Step((op.qubit,), reads)
    if isinstance(op, Gate):
        return Step(op.qubits, reads)
    return Step(())  # a barrier orders nothing the rule looks at


def routing_hint(program: Program, noise: NoiseModel | None) -> Hint:
    """Whether to run ``program`` with ``noise`` on LRET, and why."""
    n = program.num_qubits
    expected = expected_errors(program, noise)
    matrix = _mib(16 * 4**n)

    if expected == 0.0:
        # Read-out errors flip recorded bits, not the state.
        readout = noise is not None and noise.readout_error() > 0
        what = "only its read-out is noisy" if readout else "the run is noiseless"
        reason = f"{what}: a state-vector simulator is enough"
        return Hint(False, reason, 0.0)
    if expected > MAX_EXPECTED_ERRORS:
        loss = 1 - math.exp(-expected) * (1 + expected)
        reason = (
            f"about {expected:.2f} errors are expected per run, so screening "
            f"would drop about {loss:.0%} of the state; a density-matrix or "
            f"trajectory simulator suits it better"
        )
        return Hint(False, reason, expected)
    if n < SMALL_QUBITS:
        reason = (
            f"{n} qubits fit a full density matrix ({matrix}), which is exact and fast"
        )
        return Hint(False, reason, expected)

    reason = (
        f"{n} qubits with about {expected:.2f} expected errors: the low-rank "
        f"state stays far below the {matrix} of a density matrix"
    )
    return Hint(True, reason, expected)


def _mib(count: float) -> str:
    if count >= 2**30:
        return f"{count / 2**30:,.0f} GiB"
    if count >= 2**20:
        return f"{count / 2**20:,.0f} MiB"
    return f"{count / 1024:.0f} KiB"
