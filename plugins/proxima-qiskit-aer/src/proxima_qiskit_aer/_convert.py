"""Lower a kernel :class:`~proxima_kernel.Program` into a qiskit circuit.

Registers. The circuit has one quantum register of ``num_qubits`` qubits
and classical registers that mirror ``program.cregs`` in declaration
order, so qubit ``i`` and global clbit ``j`` keep their indices. aer then
prints a counts key register by register, the last-declared register
leftmost and each register's highest bit leftmost: with the spaces
stripped, that is the kernel's order (highest global bit on the left).
When the program declares no classical register but has clbits, one
register named ``c`` holds them all.

Gates. Every standard gate becomes qiskit's gate of the same name; the
kernel's table equals qiskit's definitions, global phase included, and
both put the gate's first operand in the same role (the control of
``cx``). Only the printed matrix differs: qiskit lists the first operand
as the least significant bit.

Conditions. ``with circuit.if_test(...)`` wraps a conditioned operation.
A condition must read exactly one whole register (bit 0 of the register
least significant, as in OpenQASM) or one single bit; anything else is
refused.

qiskit is imported inside the functions, so that this module stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from proxima_kernel import (
    STANDARD_GATES,
    Barrier,
    Condition,
    Gate,
    Measure,
    Operation,
    Program,
    Register,
    Reset,
)

if TYPE_CHECKING:
    from qiskit import QuantumCircuit

#: Kernel gate name -> class name in ``qiskit.circuit.library``.
QISKIT_GATES = {
    "id": "IGate",
    "x": "XGate",
    "y": "YGate",
    "z": "ZGate",
    "h": "HGate",
    "s": "SGate",
    "sdg": "SdgGate",
    "t": "TGate",
    "tdg": "TdgGate",
    "sx": "SXGate",
    "sxdg": "SXdgGate",
    "rx": "RXGate",
    "ry": "RYGate",
    "rz": "RZGate",
    "p": "PhaseGate",
    "u": "UGate",
    "cx": "CXGate",
    "cy": "CYGate",
    "cz": "CZGate",
    "ch": "CHGate",
    "csx": "CSXGate",
    "cp": "CPhaseGate",
    "crx": "CRXGate",
    "cry": "CRYGate",
    "crz": "CRZGate",
    "cu": "CUGate",
    "swap": "SwapGate",
    "iswap": "iSwapGate",
    "rxx": "RXXGate",
    "ryy": "RYYGate",
    "rzz": "RZZGate",
    "ccx": "CCXGate",
    "cswap": "CSwapGate",
}


def classical_layout(program: Program) -> tuple[Register, ...]:
    """The classical registers the qiskit circuit declares.

    ``program.cregs`` when they tile the clbits in declaration order (the
    usual case), else one register ``c`` over every clbit.
    """
    offset = 0
    for register in program.cregs:
        if register.offset != offset:
            break
        offset += register.size
    else:
        if program.cregs and offset == program.num_clbits:
            return program.cregs

    if program.num_clbits == 0:
        return ()
    return (Register("c", program.num_clbits, 0),)


def unsupported_reasons(program: Program) -> list[str]:
    """Every construct of ``program`` this plugin cannot express."""
    layout = classical_layout(program)
    reasons = []
    for op in program.operations:
        if isinstance(op, Gate) and op.name not in QISKIT_GATES:
            reasons.append(f"the gate {op.name!r} has no qiskit equivalent here")
        condition = getattr(op, "condition", None)
        if condition is not None:
            problem = condition_problem(condition, layout)
            if problem is not None:
                reasons.append(problem)

    return list(dict.fromkeys(reasons))


def condition_problem(condition: Condition, layout: tuple[Register, ...]) -> str | None:
    """Why ``if_test`` cannot express ``condition``, or None."""
    label = condition.label or f"clbits {list(condition.clbits)}"
    register = _register_of(condition, layout)
    if register is None and len(condition.clbits) != 1:
        return (
            f"the condition {label!r} reads bits that are neither one whole "
            f"classical register nor a single bit"
        )

    width = register.size if register is not None else 1
    if not 0 <= condition.value < 2**width:
        return (
            f"the condition {label!r} compares {width} bit(s) with "
            f"{condition.value}, a value they cannot hold"
        )
    return None


def to_circuit(program: Program, name: str = "proxima") -> QuantumCircuit:
    """The qiskit circuit of ``program``; see the module docstring."""
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    layout = classical_layout(program)
    cregs = [ClassicalRegister(r.size, r.name) for r in layout]
    qreg_name = _free_name("q", {r.name for r in layout})
    qreg = QuantumRegister(program.num_qubits, qreg_name)
    circuit = QuantumCircuit(qreg, *cregs, name=name)

    targets = {tuple(r.indices()): creg for r, creg in zip(layout, cregs, strict=True)}
    for op in program.operations:
        _append(circuit, op, targets)

    return circuit


def gate_class(name: str) -> Any:
    """qiskit's gate class for the standard gate ``name``."""
    from qiskit.circuit import library

    return getattr(library, QISKIT_GATES[name])


def _append(circuit: QuantumCircuit, op: Operation, targets: dict) -> None:
    condition = getattr(op, "condition", None)
    if condition is None:
        _append_plain(circuit, op)
        return

    with circuit.if_test(_condition_target(circuit, condition, targets)):
        _append_plain(circuit, op)


def _append_plain(circuit: QuantumCircuit, op: Operation) -> None:
    qubits = circuit.qubits
    if isinstance(op, Gate):
        spec = STANDARD_GATES[op.name]
        if len(op.params) != spec.num_params:
            raise ValueError(
                f"The gate {op.name!r} takes {spec.num_params} parameters "
                f"but the program gives {len(op.params)}."
            )
        gate = gate_class(op.name)(*op.params)
        circuit.append(gate, [qubits[q] for q in op.qubits])
    elif isinstance(op, Measure):
        circuit.measure(qubits[op.qubit], circuit.clbits[op.clbit])
    elif isinstance(op, Reset):
        circuit.reset(qubits[op.qubit])
    elif isinstance(op, Barrier):
        circuit.barrier(*[qubits[q] for q in op.qubits])
    else:
        raise TypeError(f"Unknown operation {op!r} in the program.")


def _condition_target(
    circuit: QuantumCircuit, condition: Condition, targets: dict
) -> tuple[Any, int]:
    register = targets.get(tuple(condition.clbits))
    if register is not None:
        return register, condition.value

    (clbit,) = condition.clbits
    return circuit.clbits[clbit], condition.value


def _register_of(condition: Condition, layout: tuple[Register, ...]) -> Register | None:
    for register in layout:
        if tuple(register.indices()) == tuple(condition.clbits):
            return register
    return None


def _free_name(stem: str, taken: set[str]) -> str:
    name = stem
    while name in taken:
        name += "_"
    return name
