"""Each noise channel leaves the density matrix worked out by hand.

States are in the kernel's order, qubit 0 least significant, so a
two-qubit operator is ``np.kron(op_on_q1, op_on_q0)``.
"""

from __future__ import annotations

import itertools
import math

import cirq
import numpy as np
import pytest
from cirq_support import BACKEND, apply_kraus, density_matrix, program, run
from proxima_kernel import (
    Channel,
    Condition,
    Gate,
    Measure,
    NoiseModel,
    RunOptions,
    gate_matrix,
)

from proxima_cirq._run import prepare

I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)
CX01 = np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=complex)
U0 = (0.9, 0.4, 0.2)
U1 = (2.1, -0.7, 1.3)
ONE_QUBIT_KINDS = [
    "depolarizing",
    "amplitude_damping",
    "phase_damping",
    "bit_flip",
    "phase_flip",
]


def kraus_of(kind: str, p: float) -> list[np.ndarray]:
    """One-qubit Kraus operators, written from the kernel's docstring."""
    if kind == "depolarizing":
        return [math.sqrt(1 - p) * I2] + [math.sqrt(p / 3) * P for P in (X, Y, Z)]
    if kind == "amplitude_damping":
        return [
            np.array([[1, 0], [0, math.sqrt(1 - p)]]),
            np.array([[0, math.sqrt(p)], [0, 0]]),
        ]
    if kind == "phase_damping":
        return [
            np.array([[1, 0], [0, math.sqrt(1 - p)]]),
            np.array([[0, 0], [0, math.sqrt(p)]]),
        ]
    if kind == "bit_flip":
        return [math.sqrt(1 - p) * I2, math.sqrt(p) * X]
    if kind == "phase_flip":
        return [math.sqrt(1 - p) * I2, math.sqrt(p) * Z]
    raise AssertionError(kind)


def pure(vector: np.ndarray) -> np.ndarray:
    return np.outer(vector, vector.conj())


def one_qubit_state() -> np.ndarray:
    return pure(gate_matrix("u", U0) @ np.array([1, 0]))


def two_qubit_state() -> np.ndarray:
    """u on each qubit, then cx with qubit 0 as control."""
    product = np.kron(gate_matrix("u", U1), gate_matrix("u", U0))
    return pure(CX01 @ product @ np.array([1, 0, 0, 0]))


def two_qubit_program():
    return program(2, 0, Gate("u", (0,), U0), Gate("u", (1,), U1), Gate("cx", (0, 1)))


@pytest.mark.parametrize("kind", ONE_QUBIT_KINDS)
def test_one_qubit_channel_after_a_one_qubit_gate(kind):
    noise = NoiseModel((Channel(kind, 0.3),))
    expected = apply_kraus(one_qubit_state(), kraus_of(kind, 0.3))

    rho = density_matrix(program(1, 0, Gate("u", (0,), U0)), noise=noise)

    np.testing.assert_allclose(rho, expected, atol=1e-10)


@pytest.mark.parametrize("kind", ONE_QUBIT_KINDS)
def test_one_qubit_channel_acts_on_each_qubit_of_a_two_qubit_gate(kind):
    noise = NoiseModel((Channel(kind, 0.3, ("cx",)),))
    single = kraus_of(kind, 0.3)
    kraus = [np.kron(a, b) for a, b in itertools.product(single, single)]
    expected = apply_kraus(two_qubit_state(), kraus)

    rho = density_matrix(two_qubit_program(), noise=noise)

    np.testing.assert_allclose(rho, expected, atol=1e-10)


def test_depolarizing_p_is_one_of_three_paulis_with_p_over_three():
    """cirq.depolarize(p) is the kernel's channel: the Bloch vector of
    |0> shrinks by 1 - 4p/3 (here p = 0.3: to 0.6)."""
    noise = NoiseModel.parse("depolarizing:0.3@id")

    rho = density_matrix(program(1, 0, Gate("id", (0,))), noise=noise)

    np.testing.assert_allclose(np.diag(rho).real, [0.8, 0.2], atol=1e-12)


def test_depolarizing2_picks_one_of_fifteen_paulis():
    p = 0.3
    paulis = [np.kron(a, b) for a, b in itertools.product((I2, X, Y, Z), repeat=2)]
    kraus = [math.sqrt(1 - p) * paulis[0]]
    kraus += [math.sqrt(p / 15) * P for P in paulis[1:]]
    expected = apply_kraus(two_qubit_state(), kraus)

    noise = NoiseModel((Channel("depolarizing2", p),))
    rho = density_matrix(two_qubit_program(), noise=noise)

    np.testing.assert_allclose(rho, expected, atol=1e-10)


def test_depolarizing_is_not_depolarizing2():
    """The same p means different channels; the plugin keeps them apart."""
    per_qubit = NoiseModel((Channel("depolarizing", 0.3, ("cx",)),))
    joint = NoiseModel((Channel("depolarizing2", 0.3, ("cx",)),))

    first = density_matrix(two_qubit_program(), noise=per_qubit)
    second = density_matrix(two_qubit_program(), noise=joint)

    assert not np.allclose(first, second, atol=1e-3)


def test_depolarizing_with_p_one_keeps_a_third_for_each_pauli():
    noise = NoiseModel((Channel("depolarizing", 1.0),))
    expected = apply_kraus(one_qubit_state(), kraus_of("depolarizing", 1.0))

    rho = density_matrix(program(1, 0, Gate("u", (0,), U0)), noise=noise)

    np.testing.assert_allclose(rho, expected, atol=1e-10)


def test_channel_after_a_three_qubit_gate_acts_on_each_qubit():
    noise = NoiseModel((Channel("bit_flip", 0.2, ("ccx",)),))
    prog = program(3, 0, Gate("x", (0,)), Gate("x", (1,)), Gate("ccx", (0, 1, 2)))
    single = kraus_of("bit_flip", 0.2)
    kraus = [
        np.kron(np.kron(a, b), c) for a, b, c in itertools.product(single, repeat=3)
    ]
    expected = apply_kraus(pure(np.eye(8)[0b111]), kraus)

    rho = density_matrix(prog, noise=noise)

    np.testing.assert_allclose(rho, expected, atol=1e-10)


def test_channels_follow_a_gate_in_the_order_listed():
    prog = program(1, 0, Gate("u", (0,), U0))
    forward = NoiseModel.parse("amplitude_damping:0.4,bit_flip:0.2")
    backward = NoiseModel.parse("bit_flip:0.2,amplitude_damping:0.4")
    damp, flip = kraus_of("amplitude_damping", 0.4), kraus_of("bit_flip", 0.2)
    expected = apply_kraus(apply_kraus(one_qubit_state(), damp), flip)

    rho = density_matrix(prog, noise=forward)

    np.testing.assert_allclose(rho, expected, atol=1e-10)
    assert not np.allclose(density_matrix(prog, noise=backward), expected)


def test_a_channel_limited_to_some_gates_skips_the_others():
    noise = NoiseModel.parse("bit_flip:0.5@h")

    rho = density_matrix(program(1, 0, Gate("x", (0,))), noise=noise)

    np.testing.assert_allclose(rho, pure(np.array([0, 1])), atol=1e-12)


def test_noise_follows_a_conditioned_gate_only_when_it_runs():
    noise = NoiseModel.parse("bit_flip:1.0@x")
    prog = program(
        2,
        2,
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
    )

    execution = run(prog, shots=100, noise=noise)

    assert execution.counts == {"00": 100}


def test_noise_after_a_conditioned_gate_is_conditioned_too():
    noise = NoiseModel.parse("bit_flip:1.0@x")
    prog = program(
        2,
        2,
        Gate("y", (0,)),
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
    )

    setup = prepare(BACKEND.convert(prog).native, prog, RunOptions(noise=noise))
    conditioned = [op for op in setup.circuit.all_operations() if op.classical_controls]
    flip = conditioned[1].without_classical_controls()

    assert len(conditioned) == 2
    assert isinstance(flip.gate, cirq.BitFlipChannel)
    assert run(prog, shots=50, noise=noise).counts == {"01": 50}


def test_readout_flips_the_recorded_bit():
    prog = program(1, 1, Gate("x", (0,)), Measure(0, 0))
    noise = NoiseModel.parse("readout:0.1")

    counts = run(prog, shots=20000, noise=noise).counts

    # 2000 expected flips; the standard deviation is about 42.
    assert abs(counts["0"] - 2000) < 250


def test_readout_leaves_the_qubit_alone():
    """A second measurement of the same qubit flips independently."""
    prog = program(1, 2, Gate("x", (0,)), Measure(0, 0), Measure(0, 1))
    noise = NoiseModel.parse("readout:0.1")

    counts = run(prog, shots=20000, noise=noise).counts

    # Both bits flip together only with 0.01, never with 0.1.
    assert counts.get("00", 0) < 400
    assert abs(counts.get("01", 0) - 1800) < 250


def test_a_condition_reads_the_recorded_bit_after_readout():
    """As on qiskit-aer: the condition sees the flipped bit."""
    prog = program(
        2,
        2,
        Gate("x", (0,)),
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
    )
    noise = NoiseModel.parse("readout:0.2")

    counts = run(prog, shots=2000, noise=noise).counts

    # Bit 1 copies the recorded bit 0, then flips on its own with 0.2:
    # 320 and 1280 expected, standard deviations about 16 and 21.
    assert abs(counts.get("00", 0) - 2000 * 0.2 * 0.8) < 100
    assert abs(counts.get("11", 0) - 2000 * 0.8 * 0.8) < 120


def test_an_unknown_channel_is_refused_by_name():
    noise = NoiseModel((Channel("crosstalk", 0.1),))

    reason = BACKEND.unsupported_reason(program(1, 0), RunOptions(noise=noise))

    assert reason is not None and "'crosstalk'" in reason


def _confusion_maps(prog, noise):
    setup = prepare(BACKEND.convert(prog).native, prog, RunOptions(noise=noise))
    measurements = [
        op for op in setup.circuit.all_operations() if cirq.is_measurement(op)
    ]
    return setup, [bool(op.gate.confusion_map) for op in measurements]


def test_terminal_readout_is_drawn_after_the_shots():
    noise = NoiseModel.parse("readout:0.1,readout:0.2")
    prog = program(1, 1, Gate("x", (0,)), Measure(0, 0))

    setup, confused = _confusion_maps(prog, noise)

    # Two readout channels compose: 0.1 * 0.8 + 0.9 * 0.2 = 0.26.
    assert setup.readout_flip == pytest.approx(0.26)
    assert confused == [False]


def test_readout_before_a_condition_stays_in_the_circuit():
    noise = NoiseModel.parse("readout:0.1")
    prog = program(
        2,
        2,
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
    )

    setup, confused = _confusion_maps(prog, noise)

    assert setup.readout_flip == 0.0
    assert confused == [True, True]
