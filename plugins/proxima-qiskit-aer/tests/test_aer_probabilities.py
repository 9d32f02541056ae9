"""Probabilities of noisy runs (ideal runs: the kit, in the conformance test)."""

from __future__ import annotations

from aer_support import program, run
from proxima_kernel import Gate, Measure, NoiseModel


def test_no_probabilities_for_a_noisy_run():
    """aer samples noisy runs shot by shot and keeps no final state."""
    prog = program(1, 2, Gate("h", (0,)), Measure(0, 0))

    execution = run(prog, noise=NoiseModel.parse("bit_flip:0.1"))

    assert execution.probabilities is None
