"""Exact probabilities from the final state, against numpy by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cirq_support import program, run
from proxima_kernel import Gate, Measure, NoiseModel, Reset

# cx with qubit 0 as control and qubit 1 as target, qubit 0 least significant.
NOISY = {"noise": NoiseModel.parse("bit_flip:0.1")}
CX01 = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=complex)


def ry(theta: float) -> np.ndarray:
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return np.array([[c, -s], [s, c]])


def test_bell_state_probabilities_are_one_half_each():
    prog = program(
        2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1)
    )

    execution = run(prog)

    assert execution.probabilities == pytest.approx({"00": 0.5, "11": 0.5})
    assert set(execution.counts) == {"00", "11"}


def test_an_asymmetric_state_matches_numpy_through_crossed_bits():
    a, b = 0.7, 1.9
    prog = program(
        3,
        3,
        Gate("ry", (0,), (a,)),
        Gate("ry", (1,), (b,)),
        Gate("cx", (0, 1)),
        Measure(0, 2),
        Measure(1, 0),
    )
    state = CX01 @ np.kron(ry(b), ry(a)) @ np.array([1, 0, 0, 0])
    p = np.abs(state) ** 2  # index = 2*q1 + q0
    expected = {
        "000": p[0b00],  # q1=0, q0=0
        "100": p[0b01],  # q0=1 -> c2
        "001": p[0b10],  # q1=1 -> c0
        "101": p[0b11],
    }

    execution = run(prog, shots=20000)

    assert execution.probabilities == pytest.approx(expected, abs=1e-12)
    for key, probability in expected.items():
        # 20000 shots: the standard deviation is at most about 71.
        assert abs(execution.counts.get(key, 0) - 20000 * probability) < 360


def test_gates_after_another_qubits_measurement_still_count():
    prog = program(2, 2, Measure(0, 0), Gate("h", (1,)), Measure(1, 1))

    execution = run(prog)

    assert execution.probabilities == pytest.approx({"00": 0.5, "10": 0.5})


def test_a_qubit_measured_into_two_bits_fills_both():
    prog = program(1, 2, Gate("h", (0,)), Measure(0, 0), Measure(0, 1))

    execution = run(prog)

    assert execution.probabilities == pytest.approx({"00": 0.5, "11": 0.5})
    assert set(execution.counts) == {"00", "11"}


def test_no_probabilities_above_the_qubit_limit():
    width = 21
    prog = program(
        width, width, *(Gate("h", (q,)) for q in range(width)), Measure(0, 0)
    )
    prog = program(
        width, width, *prog.operations, *(Measure(q, q) for q in range(width))
    )

    execution = run(prog, shots=20)

    assert execution.probabilities is None
    assert sum(execution.counts.values()) == 20


@pytest.mark.parametrize(
    "operations, options",
    [
        ((Gate("h", (0,)), Measure(0, 0), Gate("h", (0,)), Measure(0, 1)), {}),
        ((Gate("h", (0,)), Reset(0), Measure(0, 0)), {}),
        ((Gate("h", (0,)), Measure(0, 0), Gate("h", (0,)), Measure(0, 1)), NOISY),
    ],
    ids=["mid-circuit", "reset", "noisy-mid-circuit"],
)
def test_no_probabilities_when_the_final_state_does_not_decide(operations, options):
    prog = program(1, 2, *operations)

    execution = run(prog, shots=100, **options)

    assert execution.probabilities is None


def test_noisy_probabilities_come_from_the_density_matrix():
    """x, then amplitude damping 0.3 leaves P(1) = 0.7; readout 0.1 then
    records 1 with 0.7 * 0.9 + 0.3 * 0.1 = 0.66."""
    noise = NoiseModel.parse("amplitude_damping:0.3,readout:0.1")
    prog = program(2, 2, Gate("x", (0,)), Measure(0, 0))

    execution = run(prog, shots=4000, noise=noise)

    assert execution.details["method"] == "density_matrix"
    assert execution.probabilities == pytest.approx({"00": 0.34, "01": 0.66})
    # 2640 expected; the standard deviation is about 30.
    assert abs(execution.counts["01"] - 2640) < 150


def test_readout_flips_two_copies_of_one_qubit_independently():
    noise = NoiseModel.parse("readout:0.1")
    prog = program(1, 2, Gate("x", (0,)), Measure(0, 0), Measure(0, 1))

    execution = run(prog, shots=10, noise=noise)

    assert execution.probabilities == pytest.approx(
        {"00": 0.01, "01": 0.09, "10": 0.09, "11": 0.81}
    )


def test_noisy_probabilities_above_the_bit_limit_are_left_out():
    from proxima_cirq._run import MAX_PROBABILITY_BITS

    width = MAX_PROBABILITY_BITS + 1
    prog = program(1, width, Gate("x", (0,)), *(Measure(0, c) for c in range(width)))

    execution = run(prog, shots=10, noise=NoiseModel.parse("readout:0.1"))

    assert execution.probabilities is None
