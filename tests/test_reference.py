"""The exact reference: distributions of small circuits, in kernel bit order."""

from __future__ import annotations

import pytest

from proxima_kernel import generate, load_qasm
from proxima_kernel._reference import reference_distribution

V2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


def reference(body: str, max_qubits: int = 20):
    return reference_distribution(load_qasm(V2 + body).program, max_qubits)


def test_x_on_qubit_0_reads_001_with_bit_0_on_the_right():
    distribution, reason = reference("qreg q[3]; creg c[3]; x q[0]; measure q -> c;")

    assert distribution == {"001": 1.0}
    assert reason is None


def test_two_registers_put_the_later_register_on_the_left():
    distribution, _ = reference(
        "qreg q[3]; creg a[1]; creg b[2]; x q[2];"
        "measure q[0] -> a[0]; measure q[1] -> b[0]; measure q[2] -> b[1];"
    )

    # b[1] is global bit 2, b[0] bit 1, a[0] bit 0.
    assert distribution == {"100": 1.0}


def test_crossed_measurements_follow_the_written_bits():
    distribution, _ = reference(
        "qreg q[2]; creg c[2]; x q[0]; measure q[0] -> c[1]; measure q[1] -> c[0];"
    )

    assert distribution == {"10": 1.0}


def test_an_idle_qubit_and_an_unwritten_bit_keep_the_width():
    distribution, _ = reference(
        "qreg q[3]; creg c[3]; x q[1]; h q[2]; measure q[1] -> c[1];"
    )

    assert distribution == pytest.approx({"010": 1.0})


def test_partial_measurement_marginalises_the_rest():
    distribution, _ = reference(
        "qreg q[2]; creg c[1]; h q[0]; cx q[0], q[1]; ry(pi/3) q[1];"
        "measure q[1] -> c[0];"
    )

    assert distribution == pytest.approx({"0": 0.5, "1": 0.5})


def test_an_asymmetric_rotation_gives_cos_and_sin_squared():
    distribution, _ = reference("qreg q[2]; creg c[2]; ry(pi/3) q[1]; measure q -> c;")

    assert distribution == pytest.approx({"00": 0.75, "10": 0.25})


def test_ghz_and_qft_generators_have_their_textbook_distributions():
    ghz, _ = reference_distribution(generate("ghz:4").program, 20)
    qft, _ = reference_distribution(generate("qft:3").program, 20)

    assert ghz == pytest.approx({"0000": 0.5, "1111": 0.5})
    assert qft == pytest.approx({format(k, "03b"): 1 / 8 for k in range(8)})


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("qreg q[2]; h q[0];", "the circuit measures nothing"),
        (
            "qreg q[1]; creg c[1]; measure q[0] -> c[0]; x q[0]; measure q[0] -> c[0];",
            "mid-circuit measurement",
        ),
        ("qreg q[1]; creg c[1]; reset q[0]; measure q -> c;", "reset"),
        (
            "qreg q[1]; creg c[1]; if (c == 1) x q[0]; measure q -> c;",
            "classically controlled gates",
        ),
    ],
)
def test_circuits_without_a_final_state_answer_have_no_reference(body, why):
    distribution, reason = reference(body)

    assert distribution is None
    assert why in reason


def test_a_circuit_above_the_qubit_cap_has_no_reference_and_says_why():
    distribution, reason = reference_distribution(generate("ghz:6").program, 5)

    assert distribution is None
    assert reason == (
        "the circuit has 6 qubits, more than the 5 the exact reference is computed for"
    )
