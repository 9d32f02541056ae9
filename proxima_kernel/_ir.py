"""Proxima's neutral circuit form: the one program every backend receives.

A QASM file, a generator spec or a framework object is lowered once into a
:class:`Program`; backend plugins translate the program into their engine's
own circuit type. Because every backend starts from the same lowered
program, they all run the same circuit, whatever subset of OpenQASM their
own importers would have accepted.

Indices are global. Qubits are numbered across quantum registers in the
order the registers were declared; classical bits likewise across classical
registers. A gate's matrix (see :mod:`proxima_kernel._gates`) treats its
first operand as the most significant bit.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Register:
    """A named register: ``size`` bits starting at global index ``offset``."""

    name: str
    size: int
    offset: int

    def indices(self) -> range:
        return range(self.offset, self.offset + self.size)


@attrs.frozen
class Condition:
    """Holds when the bits ``clbits`` read as an integer equal ``value``.

    ``clbits[0]`` is the least significant bit of the integer, as in
    OpenQASM's ``if (creg == value)``. ``label`` is the source text of the
    condition, kept for messages.
    """

    clbits: tuple[int, ...]
    value: int
    label: str = ""


@attrs.frozen
class Gate:
    """A standard gate (by its name in the gate table) on global qubits."""

    name: str
    qubits: tuple[int, ...]
    params: tuple[float, ...] = ()
    condition: Condition | None = None


@attrs.frozen
class Measure:
    """Measure ``qubit`` in the computational basis into ``clbit``."""

    qubit: int
    clbit: int
    condition: Condition | None = None


@attrs.frozen
class Reset:
    """Return ``qubit`` to ``|0>``."""

    qubit: int
    condition: Condition | None = None


@attrs.frozen
class Barrier:
    """A scheduling fence; it has no effect on the state."""

    qubits: tuple[int, ...]


Operation = Gate | Measure | Reset | Barrier


@attrs.frozen
class Program:
    """A lowered circuit: registers and a flat list of operations."""

    num_qubits: int
    num_clbits: int
    operations: tuple[Operation, ...]
    qregs: tuple[Register, ...] = ()
    cregs: tuple[Register, ...] = ()

    def gates(self) -> list[Gate]:
        return [op for op in self.operations if isinstance(op, Gate)]

    def measurements(self) -> list[Measure]:
        return [op for op in self.operations if isinstance(op, Measure)]

    def features(self) -> frozenset[str]:
        """Names of the constructs that not every backend can run.

        One of ``"reset"``, ``"conditional"``, ``"mid-circuit measurement"``.
        """
        found = set()
        for op in self.operations:
            if isinstance(op, Reset):
                found.add("reset")
            if getattr(op, "condition", None) is not None:
                found.add("conditional")
        if not self.has_only_terminal_measurements():
            found.add("mid-circuit measurement")

        return frozenset(found)

    def has_only_terminal_measurements(self) -> bool:
        """True when no operation touches a qubit after it was measured.

        Then the outcome distribution follows from the final state alone.
        """
        measured: set[int] = set()
        for op in self.operations:
            if isinstance(op, Measure):
                if op.condition is not None:
                    return False
                measured.add(op.qubit)
            elif isinstance(op, Barrier):
                continue
            elif measured.intersection(_qubits_of(op)):
                return False

        return True

    def terminal_measurement_map(self) -> dict[int, int]:
        """Map each written classical bit to the qubit last measured into it."""
        return {op.clbit: op.qubit for op in self.measurements()}


def _qubits_of(op: Operation) -> tuple[int, ...]:
    if isinstance(op, (Gate, Barrier)):
        return op.qubits
    return (op.qubit,)
