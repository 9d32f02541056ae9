"""Noisy and dynamic runs agree with the qiskit-aer plugin's.

The two plugins translate the same kernel noise model independently; the
same program must give the same distribution up to shot noise. Skipped
when proxima-qiskit-aer is not installed.
"""

from __future__ import annotations

import pytest
from cirq_support import BACKEND, program
from proxima_kernel import Condition, Gate, Measure, NoiseModel, RunOptions

aer = pytest.importorskip("proxima_qiskit_aer")

SHOTS = 2000
# Two independent samples of four to eight outcomes: the TVD between them
# has a mean near 0.03 at 2000 shots; 0.07 leaves a wide margin.
TOLERANCE = 0.07

MIXED = program(
    3,
    3,
    Gate("h", (0,)),
    Gate("cx", (0, 1)),
    Gate("u", (2,), (0.3, 0.2, 0.1)),
    Gate("cu", (1, 2), (0.4, 0.1, 0.2, 0.3)),
    *(Measure(q, q) for q in range(3)),
)
CASES = {
    "readout-then-condition": (
        program(
            2,
            2,
            Gate("x", (0,)),
            Measure(0, 0),
            Gate("x", (1,), condition=Condition((0,), 1)),
            Measure(1, 1),
        ),
        "readout:0.2",
    ),
    "damping-and-depolarizing": (
        MIXED,
        "depolarizing:0.05,depolarizing2:0.1,amplitude_damping:0.1,readout:0.03",
    ),
    "dephasing-and-flips": (
        MIXED,
        "phase_damping:0.05,bit_flip:0.02,phase_flip:0.03,readout:0.03",
    ),
}


def counts_of(backend, prog, options):
    return backend.execute(backend.convert(prog).native, prog, options).counts


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_noisy_program_gives_the_same_distribution(case):
    prog, spec = CASES[case]
    options = RunOptions(shots=SHOTS, seed=5, noise=NoiseModel.parse(spec))

    ours = counts_of(BACKEND, prog, options)
    theirs = counts_of(aer.AerBackend(), prog, options)

    keys = set(ours) | set(theirs)
    tvd = sum(abs(ours.get(k, 0) - theirs.get(k, 0)) for k in keys) / (2 * SHOTS)
    assert tvd < TOLERANCE, (ours, theirs)
