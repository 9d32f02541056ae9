"""With epsilon = 0, LRET's state equals aer's and cirq's density matrices.

The references are built here, with qiskit-aer's density-matrix method
and cirq's DensityMatrixSimulator, from the kernel's noise convention.
"""

from __future__ import annotations

import numpy as np
import pytest
from lret_support import (
    aer_density_matrix,
    cirq_density_matrix,
    random_program,
    trace_distance,
)
from proxima_kernel import NoiseModel

import proxima_lret

CHANNELS = [
    "depolarizing:0.05",
    "depolarizing2:0.08",
    "amplitude_damping:0.1",
    "phase_damping:0.1",
    "bit_flip:0.05",
    "phase_flip:0.05",
]
SIZES = [3, 5, 8]


def exact_lret(prog, noise, **options):
    outcome = proxima_lret.simulate(prog, noise, epsilon=0.0, **options)
    return outcome.density_matrix()


@pytest.mark.parametrize("spec", CHANNELS)
@pytest.mark.parametrize("num_qubits", SIZES)
def test_exact_lret_equals_aer_and_cirq(spec, num_qubits):
    prog = random_program(num_qubits, seed=num_qubits * 101 + len(spec))
    noise = NoiseModel.parse(spec)

    rho = exact_lret(prog, noise)

    np.testing.assert_allclose(rho, aer_density_matrix(prog, noise), atol=1e-10)
    np.testing.assert_allclose(rho, cirq_density_matrix(prog, noise), atol=1e-10)


def test_every_channel_at_once_equals_aer_and_cirq():
    prog = random_program(6, seed=3)
    noise = NoiseModel.parse(",".join(CHANNELS))

    rho = exact_lret(prog, noise)

    np.testing.assert_allclose(rho, aer_density_matrix(prog, noise), atol=1e-10)
    np.testing.assert_allclose(rho, cirq_density_matrix(prog, noise), atol=1e-10)


@pytest.mark.parametrize("fuse_qubits", [1, 2, 3])
def test_fusion_width_does_not_change_the_exact_state(fuse_qubits):
    prog = random_program(5, seed=17)
    noise = NoiseModel.parse("depolarizing:0.05,amplitude_damping:0.1")

    rho = exact_lret(prog, noise, fuse_qubits=fuse_qubits)

    np.testing.assert_allclose(rho, aer_density_matrix(prog, noise), atol=1e-10)


def test_channels_limited_to_some_gates_match_aer():
    prog = random_program(4, seed=23)
    noise = NoiseModel.parse("bit_flip:0.2@cx+u+h,phase_damping:0.3@rz")

    rho = exact_lret(prog, noise)

    np.testing.assert_allclose(rho, aer_density_matrix(prog, noise), atol=1e-10)


def test_exact_runs_report_a_numerical_bound_only():
    prog = random_program(5, seed=5)
    noise = NoiseModel.parse("depolarizing:0.05")

    outcome = proxima_lret.simulate(prog, noise, epsilon=0.0)

    assert outcome.truncation_bound < 1e-10
    assert (
        trace_distance(outcome.density_matrix(), aer_density_matrix(prog, noise))
        < 1e-10
    )
