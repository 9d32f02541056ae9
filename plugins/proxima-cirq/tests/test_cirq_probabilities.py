"""Probabilities cirq leaves out, and those of noisy runs.

Ideal exact probabilities are checked by the kit (test_cirq_conformance).
"""

from __future__ import annotations

import pytest
from cirq_support import program, run
from proxima_kernel import Gate, Measure, NoiseModel

NOISY = {"noise": NoiseModel.parse("bit_flip:0.1")}


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


def test_no_probabilities_for_a_noisy_mid_circuit_measurement():
    """The final state does not decide the outcome (ideal runs: the kit)."""
    prog = program(1, 2, Gate("h", (0,)), Measure(0, 0), Gate("h", (0,)), Measure(0, 1))

    execution = run(prog, shots=100, **NOISY)

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
