"""Load qiskit ``QuantumCircuit`` objects as kernel circuits.

The circuit is exported to OpenQASM (2 when it can express it, else 3) and
lowered by the kernel's own QASM loader, so a qiskit circuit runs on every
backend exactly as a file with the same text would.
"""

from __future__ import annotations

import sys
from typing import Any

import attrs
from proxima_kernel import Circuit, CircuitError, load_qasm


class QiskitCircuitLoader:
    """Accepts a ``qiskit.QuantumCircuit`` and lowers it through OpenQASM."""

    name = "qiskit"

    def accepts(self, spec: Any) -> bool:
        # Only a program that already imported qiskit can hold a circuit;
        # deciding must never import it.
        qiskit = sys.modules.get("qiskit")
        circuit_type = getattr(qiskit, "QuantumCircuit", None)
        return circuit_type is not None and isinstance(spec, circuit_type)

    def load(self, spec: Any) -> Circuit:
        text, exporter = export_qasm(spec)
        circuit: Circuit = load_qasm(text, name=spec.name)
        path = ("qiskit.QuantumCircuit", exporter, *circuit.conversion_path)
        return attrs.evolve(
            circuit, conversion_path=path, origin="qiskit.QuantumCircuit"
        )


def export_qasm(circuit: Any) -> tuple[str, str]:
    """The circuit's OpenQASM text and the exporter that wrote it."""
    from qiskit import qasm2, qasm3

    try:
        return qasm2.dumps(circuit), "qiskit.qasm2.dumps"
    except qasm2.QASM2ExportError:
        pass  # Control flow and some gates need OpenQASM 3.

    try:
        return qasm3.dumps(circuit), "qiskit.qasm3.dumps"
    except qasm3.QASM3ExporterError as exc:
        raise CircuitError(
            f"The qiskit circuit {circuit.name!r} cannot be written as "
            f"OpenQASM 2 or 3 ({exc}); Proxima loads qiskit circuits "
            f"through OpenQASM. Decompose the unsupported instructions first."
        ) from exc
