"""The ``cirq`` loader: cirq circuits through OpenQASM 2."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import cirq
import numpy as np
import proxima_kernel
import pytest
from cirq_support import BACKEND, run

from proxima_cirq import CirqCircuitLoader

LOADER = CirqCircuitLoader()
A, B, C = cirq.GridQubit(0, 1), cirq.LineQubit(5), cirq.NamedQubit("g")


def entangler() -> cirq.Circuit:
    """Mixed qubit kinds, exotic powers and a two-qubit matrix gate."""
    return cirq.Circuit(
        cirq.H(C),
        cirq.CNOT(C, B),
        cirq.rx(0.3).on(A),
        cirq.ISWAP(C, A) ** 0.5,
        cirq.CCX(C, B, A),
        cirq.MatrixGate(cirq.unitary(cirq.CZ**0.3)).on(C, B),
        cirq.Y(B) ** 0.25,
    )


def test_accepts_only_cirq_circuits():
    assert LOADER.accepts(entangler())
    assert not LOADER.accepts("bell.qasm")
    assert not LOADER.accepts(object())


def test_deciding_never_imports_cirq():
    code = textwrap.dedent(
        """
        import sys
        from proxima_cirq import CirqCircuitLoader

        accepted = CirqCircuitLoader().accepts("circuit.qasm")
        print(accepted, "cirq" in sys.modules)
        """
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert done.stdout.split() == ["False", "False"]


def test_sorted_qubits_become_global_indices_and_the_unitary_survives():
    original = entangler()

    circuit = LOADER.load(original)
    back = BACKEND.convert(circuit.program).native
    order = cirq.LineQubit.range(3)

    # Sorted: GridQubit(0, 1) < LineQubit(5) < NamedQubit('g').
    assert sorted(original.all_qubits()) == [A, B, C]
    cirq.testing.assert_allclose_up_to_global_phase(
        back.unitary(qubit_order=order),
        original.unitary(qubit_order=[A, B, C]),
        atol=1e-9,
    )


def test_measurement_keys_become_registers_in_moment_order():
    """The measurement of ``a`` lands in the first moment, so ``m_a``
    comes first although it was appended last."""
    original = cirq.Circuit(
        cirq.X(B),
        cirq.measure(B, C, key="z"),  # z[0] = B, z[1] = C
        cirq.measure(A, key="a"),
    )

    circuit = LOADER.load(original)
    counts = run(circuit.program, shots=50).counts

    assert [(r.name, r.size, r.offset) for r in circuit.program.cregs] == [
        ("m_a", 1, 0),
        ("m_z", 2, 1),
    ]
    assert counts == {"010": 50}


def test_the_conversion_path_names_the_exporter():
    circuit = LOADER.load(entangler())

    assert circuit.conversion_path[:2] == ("cirq.Circuit", "cirq.Circuit.to_qasm")
    assert circuit.origin == "cirq.Circuit"
    assert (circuit.num_qubits, circuit.num_clbits) == (3, 0)


def test_a_loaded_dynamic_circuit_runs_as_cirq_runs_it():
    q0, q1 = cirq.LineQubit.range(2)
    original = cirq.Circuit(
        cirq.H(q0),
        cirq.measure(q0, key="a"),
        cirq.X(q1).with_classical_controls("a"),
        cirq.measure(q1, key="b"),
    )

    counts = run(LOADER.load(original).program, shots=400).counts

    assert set(counts) == {"00", "11"}
    assert 150 < counts["11"] < 250


def test_probabilities_of_a_loaded_circuit_match_cirqs_own_state():
    original = entangler() + cirq.measure(A, B, C, key="all")
    unmeasured = entangler()
    state = cirq.final_state_vector(
        unmeasured, qubit_order=[A, B, C], dtype=np.complex128
    )
    # all[0] = A (global bit 0), the rightmost digit of the kernel's key.
    expected = {
        format(i, "03b")[::-1]: abs(a) ** 2
        for i, a in enumerate(state)
        if abs(a) ** 2 > 1e-12
    }

    execution = run(LOADER.load(original).program, shots=10)

    assert execution.probabilities == pytest.approx(expected, abs=1e-8)
    assert np.isclose(sum(execution.probabilities.values()), 1.0)


def test_a_global_phase_is_dropped_without_a_warning():
    circuit = cirq.Circuit(cirq.GlobalPhaseGate(1j).on(), cirq.X(A))

    loaded = LOADER.load(circuit)  # warnings are errors in these tests

    assert [g.name for g in loaded.program.gates()] == ["x"]


def test_a_condition_on_a_two_bit_key_says_how_to_fix_it():
    q0, q1, q2 = cirq.LineQubit.range(3)
    circuit = cirq.Circuit(
        cirq.measure(q0, q1, key="z"), cirq.X(q2).with_classical_controls("z")
    )

    with pytest.raises(proxima_kernel.CircuitError, match="one-bit measurement"):
        LOADER.load(circuit)


def test_a_circuit_cirq_cannot_export_says_how_to_fix_it():
    class Opaque(cirq.Gate):
        def _num_qubits_(self) -> int:
            return 1

    circuit = cirq.Circuit(Opaque().on(A))

    with pytest.raises(proxima_kernel.CircuitError, match="OpenQASM 2"):
        LOADER.load(circuit)
