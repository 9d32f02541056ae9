"""The exact reference distribution, computed with numpy.

Used to judge every backend. It exists for circuits whose outcome follows
from the final state alone (measurements only at the end, no reset, no
classical control) and with at most ``max_qubits`` qubits. Otherwise there
is no reference, and the reason says why: metrics are then N/A, never a
perfect score.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from proxima_kernel._gates import gate_matrix
from proxima_kernel._ir import Gate, Program

if TYPE_CHECKING:
    import numpy as np


def reference_distribution(
    program: Program, max_qubits: int
) -> tuple[dict[str, float] | None, str | None]:
    """``(distribution, None)``, or ``(None, why there is none)``.

    The distribution's keys follow the kernel's bit order; bits never
    written by a measurement read 0. Outcomes below 1e-12 are dropped.
    """
    distribution, _, reason = reference_with_state(program, max_qubits)
    return distribution, reason


def reference_with_state(
    program: Program, max_qubits: int
) -> tuple[dict[str, float] | None, np.ndarray | None, str | None]:
    """The reference distribution, the final state it came from, and why not.

    ``(distribution, state, None)``, or ``(None, None, reason)``.
    """
    reason = _why_no_reference(program, max_qubits)
    if reason is not None:
        return None, None, reason

    state = final_state(program)
    return outcome_distribution(state, program), state, None


#: How a reason names each of :meth:`Program.features`.
_FEATURE_NAMES = {
    "conditional": "classically controlled gates",
    "mid-circuit measurement": "mid-circuit measurement",
    "reset": "reset",
}


def _why_no_reference(program: Program, max_qubits: int) -> str | None:
    if not program.measurements():
        return "the circuit measures nothing"
    features = program.features()
    if features:
        named = " and ".join(_FEATURE_NAMES[f] for f in sorted(features))
        return (
            f"the circuit uses {named}, so its outcomes do not follow from "
            f"one final state"
        )
    if program.num_qubits > max_qubits:
        return (
            f"the circuit has {program.num_qubits} qubits, more than the "
            f"{max_qubits} the exact reference is computed for"
        )
    return None


def final_state(program: Program) -> np.ndarray:
    """The state vector after every gate (qubit 0 least significant)."""
    import numpy as np

    n = program.num_qubits
    # Axis k of the tensor is qubit n-1-k, so the flattened index has
    # qubit 0 as its least significant bit.
    state = np.zeros((2,) * n, dtype=complex)
    state[(0,) * n] = 1.0
    for op in program.operations:
        if isinstance(op, Gate):
            state = _apply(state, op, n)

    return state.reshape(-1)


def _apply(state: np.ndarray, gate: Gate, n: int) -> np.ndarray:
    import numpy as np

    k = len(gate.qubits)
    matrix = gate_matrix(gate.name, gate.params).reshape((2,) * (2 * k))
    axes = [n - 1 - q for q in gate.qubits]
    moved = np.tensordot(matrix, state, axes=(list(range(k, 2 * k)), axes))

    return np.moveaxis(moved, list(range(k)), axes)


def outcome_distribution(state: np.ndarray, program: Program) -> dict[str, float]:
    """Marginalise |state|^2 onto the classical bits, in kernel bit order."""
    import numpy as np

    probabilities = np.abs(state) ** 2
    support = np.flatnonzero(probabilities > 1e-14)
    weights = probabilities[support]
    width = program.num_clbits
    wiring = program.terminal_measurement_map().items()

    pairs: Iterator[tuple[int, float]]
    if width <= 62:
        keys = np.zeros(support.size, dtype=np.int64)
        for clbit, qubit in wiring:
            keys |= ((support >> qubit) & 1) << clbit
        unique, inverse = np.unique(keys, return_inverse=True)
        totals = np.bincount(inverse.reshape(-1), weights=weights)
        pairs = iter(zip(unique.tolist(), totals.tolist(), strict=True))
    else:
        merged: dict[int, float] = {}
        for index, weight in zip(support.tolist(), weights.tolist(), strict=True):
            key = sum(((index >> q) & 1) << c for c, q in wiring)
            merged[key] = merged.get(key, 0.0) + weight
        pairs = iter(sorted(merged.items()))

    return {format(key, f"0{width}b"): total for key, total in pairs if total > 1e-12}
