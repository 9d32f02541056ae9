"""Load ``cirq.Circuit`` objects as kernel circuits.

The circuit is written as OpenQASM 2 by ``cirq.Circuit.to_qasm`` and
lowered by the kernel's own QASM loader, so a cirq circuit runs on every
backend exactly as a file with the same text would.

The ordering rule, which cirq's exporter fixes:

* Qubits: the circuit's qubits, sorted (``cirq.QubitOrder.DEFAULT``),
  become ``q[0]``, ``q[1]``, ... so the smallest qubit is global qubit 0.
* Classical bits: each measurement key becomes a register ``m_<key>``,
  declared in the order the key first appears, moment by moment (an
  operation appended later can sit in an earlier moment); bit ``i`` of a
  register is the ``i``-th qubit of the key's measurement. Global bit
  indices then follow that declaration order, as for any QASM file.

Angles are written with 16 significant digits, so that the round trip
loses nothing a double holds. A global phase (``cirq.GlobalPhaseGate``)
is dropped: OpenQASM 2 cannot state it, and no count depends on it.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import attrs
from proxima_kernel import Circuit, CircuitError, load_qasm

#: Digits cirq writes for each angle (a double holds about 16).
QASM_PRECISION = 16

#: The start of cirq's warning that OpenQASM 2 drops a global phase.
GLOBAL_PHASE_WARNING = "OpenQASM 2.0 does not support global phase"

#: The name a loaded cirq circuit gets (cirq circuits carry none).
CIRCUIT_NAME = "cirq_circuit"


class CirqCircuitLoader:
    """Accepts a ``cirq.Circuit`` and lowers it through OpenQASM 2."""

    name = "cirq"

    def accepts(self, spec: Any) -> bool:
        # Only a program that already imported cirq can hold a circuit;
        # deciding must never import it.
        cirq = sys.modules.get("cirq")
        circuit_type = getattr(cirq, "Circuit", None)
        return circuit_type is not None and isinstance(spec, circuit_type)

    def load(self, spec: Any) -> Circuit:
        text = export_qasm(spec)
        circuit = load_qasm(text, name=CIRCUIT_NAME)
        path = ("cirq.Circuit", "cirq.Circuit.to_qasm", *circuit.conversion_path)
        return attrs.evolve(circuit, conversion_path=path, origin="cirq.Circuit")


def export_qasm(circuit: Any) -> str:
    """The circuit as OpenQASM 2 text, qubits in sorted order.

    OpenQASM 2 has no global phase; cirq drops it with a warning, which is
    silenced here because the drop is documented and never changes counts.
    """
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=GLOBAL_PHASE_WARNING)
            return str(circuit.to_qasm(precision=QASM_PRECISION))
    except (ValueError, TypeError) as exc:
        raise CircuitError(
            f"The cirq circuit cannot be written as OpenQASM 2 ({exc}); "
            f"Proxima loads cirq circuits through OpenQASM. Rewrite the "
            f"operations cirq cannot export first: decompose unknown gates "
            f"(cirq.decompose) and condition only on one-bit measurement keys."
        ) from exc
