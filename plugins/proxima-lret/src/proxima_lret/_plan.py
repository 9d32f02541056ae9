"""Which measurements branch a run: one rule for the runner and the estimate.

A measurement can be *deferred*, its bit read from the final state with no
branching, when nothing after it depends on it: no later operation touches
its qubit, no later condition reads its bit, and it has no condition of
its own. Every other measurement splits the state into one branch per
recorded value.

This module imports no numpy: the kernel asks for memory estimates while
it plans.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class Step:
    """What the rule needs to know of one operation.

    ``qubits`` it touches, the ``reads`` of its condition (clbits), and
    for a measurement the ``clbit`` it writes (None otherwise).
    """

    qubits: tuple[int, ...]
    reads: tuple[int, ...] = ()
    clbit: int | None = None


def plan_measurements(steps: Sequence[Step]) -> tuple[set[int], dict[int, int]]:
    """Deferred measurement indices, and clbit -> index of its last writer.

    The wiring lists only clbits whose last writer is deferred: they are
    read from the final state.
    """
    deferred: set[int] = set()
    later_qubits: set[int] = set()
    later_reads: set[int] = set()
    wiring: dict[int, int] = {}
    written: set[int] = set()
    for index in range(len(steps) - 1, -1, -1):
        step = steps[index]
        if step.clbit is not None:
            free = (
                not step.reads
                and not later_qubits.intersection(step.qubits)
                and step.clbit not in later_reads
            )
            if free:
                deferred.add(index)
                if step.clbit not in written:
                    wiring[step.clbit] = index
            written.add(step.clbit)
        later_qubits.update(step.qubits)
        later_reads.update(step.reads)

    return deferred, wiring
