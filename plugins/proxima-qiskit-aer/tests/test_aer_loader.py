"""The ``qiskit`` loader: qiskit circuits through OpenQASM."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

from proxima_qiskit_aer import QiskitCircuitLoader
from proxima_qiskit_aer._loader import export_qasm

LOADER = QiskitCircuitLoader()


def bell() -> QuantumCircuit:
    circuit = QuantumCircuit(2, 2, name="bell")
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure([0, 1], [0, 1])
    return circuit


def dynamic() -> QuantumCircuit:
    qreg, creg = QuantumRegister(2, "q"), ClassicalRegister(2, "c")
    circuit = QuantumCircuit(qreg, creg, name="dynamic")
    circuit.h(0)
    circuit.measure(0, 0)
    with circuit.if_test((creg[0], 1)):
        circuit.x(1)
    circuit.measure(1, 1)
    return circuit


def test_accepts_only_qiskit_circuits():
    assert LOADER.accepts(bell())
    assert not LOADER.accepts("bell.qasm")
    assert not LOADER.accepts(object())


def test_deciding_never_imports_qiskit():
    code = textwrap.dedent(
        """
        import sys
        from proxima_qiskit_aer import QiskitCircuitLoader

        accepted = QiskitCircuitLoader().accepts("circuit.qasm")
        print(accepted, "qiskit" in sys.modules)
        """
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert done.stdout.split() == ["False", "False"]


def test_export_uses_qasm2_when_it_can_and_qasm3_otherwise():
    text2, exporter2 = export_qasm(bell())
    text3, exporter3 = export_qasm(dynamic())

    assert exporter2 == "qiskit.qasm2.dumps" and "OPENQASM 2.0;" in text2
    assert exporter3 == "qiskit.qasm3.dumps" and "OPENQASM 3" in text3


def test_load_lowers_a_qiskit_circuit_through_qasm():
    circuit = LOADER.load(bell())

    assert circuit.name == "bell"
    assert circuit.conversion_path[:2] == (
        "qiskit.QuantumCircuit",
        "qiskit.qasm2.dumps",
    )
    assert (circuit.num_qubits, circuit.num_clbits) == (2, 2)
    assert [g.name for g in circuit.program.gates()] == ["h", "cx"]


def test_a_loaded_dynamic_circuit_runs_on_aer():
    from aer_support import run

    circuit = LOADER.load(dynamic())

    counts = run(circuit.program).counts

    assert set(counts) == {"00", "11"}
