"""Noise on qiskit-aer beyond the kit's exact-noise checks.

The kit (``exact_noise`` in test_aer_conformance.py) compares every
channel's density matrix with the analytic one; these tests cover
readout and refusals.
"""

from __future__ import annotations

from aer_support import BACKEND, program, run
from proxima_kernel import (
    Channel,
    Gate,
    Measure,
    NoiseModel,
    RunOptions,
)


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


def test_an_unknown_channel_is_refused_by_name():
    noise = NoiseModel((Channel("crosstalk", 0.1),))

    reason = BACKEND.unsupported_reason(program(1, 0), RunOptions(noise=noise))

    assert reason is not None and "'crosstalk'" in reason
