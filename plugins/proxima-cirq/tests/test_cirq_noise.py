"""Noise on cirq beyond the kit's exact-noise checks.

The kit (``exact_noise`` in test_cirq_conformance.py) compares every
channel's density matrix with the analytic one; these tests cover what
is cirq's own: its depolarizing convention, conditioned noise in the
circuit, readout and refusals.
"""

from __future__ import annotations

import cirq
import numpy as np
import pytest
from cirq_support import BACKEND, density_matrix, program, run
from proxima_kernel import (
    Channel,
    Condition,
    Gate,
    Measure,
    NoiseModel,
    RunOptions,
)

from proxima_cirq._run import prepare


def test_depolarizing_p_is_one_of_three_paulis_with_p_over_three():
    """cirq.depolarize(p) is the kernel's channel: the Bloch vector of
    |0> shrinks by 1 - 4p/3 (here p = 0.3: to 0.6)."""
    noise = NoiseModel.parse("depolarizing:0.3@id")

    rho = density_matrix(program(1, 0, Gate("id", (0,))), noise=noise)

    np.testing.assert_allclose(np.diag(rho).real, [0.8, 0.2], atol=1e-12)


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
