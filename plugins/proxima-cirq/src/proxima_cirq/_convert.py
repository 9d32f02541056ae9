"""Lower a kernel :class:`~proxima_kernel.Program` into a ``cirq.Circuit``.

Qubits. Kernel qubit ``i`` is ``cirq.LineQubit(i)``; the simulators are
always given ``cirq.LineQubit.range(num_qubits)`` as the qubit order, so
an idle qubit keeps its place. cirq's state vectors put the first qubit
of that order in the most significant position (the reverse of the
kernel's state order); :mod:`proxima_cirq._run` re-keys every outcome.

Classical bits. A ``measure q -> c[j]`` becomes a measurement with the key
``clbit_j`` (see :func:`clbit_key`). A bit written twice repeats the key;
cirq keeps every instance in time order and the last one is the bit's
value, as in OpenQASM. A bit no measurement writes reads 0.

Gates. Every standard gate becomes a cirq gate with exactly the kernel's
matrix, global phase included, so that a controlled form stays exact
too. cirq's ``MatrixGate`` and ``cirq.unitary`` take the first qubit as
the most significant bit, like the kernel's table, so operands keep their
order. ``u`` and ``cu`` have no cirq gate with the same phase and run as
a ``MatrixGate`` of :func:`proxima_kernel.gate_matrix`. Each gate
operation carries a :class:`KernelGate` tag naming the kernel gate, which
the noise translation reads; the tag wraps the classical control, since
cirq drops the tags of an operation when it conditions it.

Conditions. ``Condition(clbits, value)`` becomes a ``cirq.SympyCondition``
comparing ``sum(2**i * clbit_key(clbits[i]))`` with ``value``, so
``clbits[0]`` is the least significant bit. A bit no earlier measurement
wrote reads 0 and is folded in as a constant (cirq would refuse a key it
has not seen); a condition left with no bit at all is decided during the
conversion. cirq cannot condition a measurement, so a conditioned
``measure`` is refused by name.

cirq and sympy are imported inside the functions, so that this module
stays light.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
from proxima_kernel import (
    STANDARD_GATES,
    Barrier,
    Condition,
    Gate,
    Measure,
    Operation,
    Program,
    Reset,
    gate_matrix,
)

if TYPE_CHECKING:
    import cirq

#: Kernel gate name -> builder of the cirq gate, given cirq and the params.
#: None marks a gate that runs as a ``MatrixGate`` of its kernel matrix.
CIRQ_GATES: dict[str, Callable[..., Any] | None] = {
    "id": lambda c: c.I,
    "x": lambda c: c.X,
    "y": lambda c: c.Y,
    "z": lambda c: c.Z,
    "h": lambda c: c.H,
    "s": lambda c: c.S,
    "sdg": lambda c: c.S**-1,
    "t": lambda c: c.T,
    "tdg": lambda c: c.T**-1,
    "sx": lambda c: c.XPowGate(exponent=0.5),
    "sxdg": lambda c: c.XPowGate(exponent=-0.5),
    "rx": lambda c, theta: c.rx(theta),
    "ry": lambda c, theta: c.ry(theta),
    "rz": lambda c, theta: c.rz(theta),
    "p": lambda c, lam: c.ZPowGate(exponent=lam / math.pi),
    "u": None,
    "cx": lambda c: c.CNOT,
    "cy": lambda c: c.Y.controlled(),
    "cz": lambda c: c.CZ,
    "ch": lambda c: c.H.controlled(),
    "csx": lambda c: c.XPowGate(exponent=0.5).controlled(),
    "cp": lambda c, lam: c.CZPowGate(exponent=lam / math.pi),
    "crx": lambda c, theta: c.rx(theta).controlled(),
    "cry": lambda c, theta: c.ry(theta).controlled(),
    "crz": lambda c, theta: c.rz(theta).controlled(),
    "cu": None,
    "swap": lambda c: c.SWAP,
    "iswap": lambda c: c.ISWAP,
    "rxx": lambda c, theta: c.XXPowGate(exponent=theta / math.pi, global_shift=-0.5),
    "ryy": lambda c, theta: c.YYPowGate(exponent=theta / math.pi, global_shift=-0.5),
    "rzz": lambda c, theta: c.ZZPowGate(exponent=theta / math.pi, global_shift=-0.5),
    "ccx": lambda c: c.CCX,
    "cswap": lambda c: c.CSWAP,
}

#: The standard gates that run as a ``MatrixGate``.
MATRIX_GATES = frozenset(name for name, build in CIRQ_GATES.items() if build is None)


@attrs.frozen
class KernelGate:
    """A cirq operation tag: the kernel gate the operation came from."""

    name: str


def clbit_key(clbit: int) -> str:
    """The cirq measurement key of the global classical bit ``clbit``."""
    return f"clbit_{clbit}"


def unsupported_reasons(program: Program) -> list[str]:
    """Every construct of ``program`` this plugin cannot express."""
    reasons = []
    for op in program.operations:
        if isinstance(op, Gate) and op.name not in CIRQ_GATES:
            reasons.append(f"the gate {op.name!r} has no cirq equivalent here")
        if isinstance(op, Measure) and op.condition is not None:
            label = op.condition.label or f"clbits {list(op.condition.clbits)}"
            reasons.append(
                f"the measurement conditioned on {label!r} (cirq cannot "
                f"condition a measurement)"
            )

    return list(dict.fromkeys(reasons))


def to_circuit(program: Program) -> cirq.Circuit:
    """The cirq circuit of ``program``; see the module docstring."""
    import cirq

    qubits = cirq.LineQubit.range(program.num_qubits)
    written: set[int] = set()
    operations: list[cirq.Operation] = []
    for op in program.operations:
        operations.extend(_lowered(op, qubits, written))

    return cirq.Circuit(operations)


def gate_of(name: str, params: tuple[float, ...] = ()) -> cirq.Gate:
    """The cirq gate of the standard gate ``name`` with ``params``."""
    import cirq

    spec = STANDARD_GATES[name]
    if len(params) != spec.num_params:
        raise ValueError(
            f"The gate {name!r} takes {spec.num_params} parameters but the "
            f"program gives {len(params)}."
        )

    build = CIRQ_GATES[name]
    if build is None:
        return cirq.MatrixGate(gate_matrix(name, params), name=name)
    return build(cirq, *params)


def control_of(condition: Condition, written: set[int]) -> Any:
    """The cirq condition, or a bool when the conversion decides it.

    ``written`` holds the bits some earlier measurement wrote; the others
    read 0.
    """
    import cirq
    import sympy

    terms = [
        2**position * sympy.Symbol(clbit_key(clbit))
        for position, clbit in enumerate(condition.clbits)
        if clbit in written
    ]
    if not terms:
        return condition.value == 0

    return cirq.SympyCondition(sympy.Eq(sympy.Add(*terms), condition.value))


def _lowered(
    op: Operation, qubits: list[cirq.LineQubit], written: set[int]
) -> list[cirq.Operation]:
    import cirq

    if isinstance(op, Barrier):
        return []  # A barrier has no effect on the state.
    if isinstance(op, Measure):
        written.add(op.clbit)
        return [cirq.measure(qubits[op.qubit], key=clbit_key(op.clbit))]

    if isinstance(op, Gate):
        targets = [qubits[q] for q in op.qubits]
        native = gate_of(op.name, op.params).on(*targets)
    elif isinstance(op, Reset):
        native = cirq.reset(qubits[op.qubit])
    else:
        raise TypeError(f"Unknown operation {op!r} in the program.")

    lowered = _conditioned(native, op.condition, written)
    if isinstance(op, Gate):
        # Tag last: cirq drops the tags of an operation it conditions.
        return [each.with_tags(KernelGate(op.name)) for each in lowered]
    return lowered


def _conditioned(
    native: cirq.Operation, condition: Condition | None, written: set[int]
) -> list[cirq.Operation]:
    if condition is None:
        return [native]

    control = control_of(condition, written)
    if isinstance(control, bool):
        return [native] if control else []
    return [native.with_classical_controls(control)]
