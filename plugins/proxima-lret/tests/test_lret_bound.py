"""The reported truncation bound is never below the true trace distance."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from lret_support import aer_density_matrix, random_program, trace_distance
from proxima_kernel import NoiseModel

import proxima_lret

NOISE = NoiseModel.parse(
    "depolarizing:0.03,amplitude_damping:0.05,phase_damping:0.04,depolarizing2:0.05"
)
SETTINGS = [
    {"epsilon": 1e-3, "rule": "relative"},
    {"epsilon": 1e-2, "rule": "relative"},
    {"epsilon": 1e-2, "rule": "cumulative"},
    {"epsilon": 0.05, "rule": "cumulative"},
    {"epsilon": 1e-4, "max_rank": 2},
    {"epsilon": 0.0, "max_rank": 5},
]
CASES = list(itertools.product([3, 4, 6], range(len(SETTINGS))))


@pytest.mark.parametrize(("num_qubits", "which"), CASES)
def test_the_bound_covers_the_trace_distance(num_qubits, which):
    prog = random_program(num_qubits, seed=1000 + 10 * num_qubits + which)
    exact = aer_density_matrix(prog, NOISE)

    outcome = proxima_lret.simulate(prog, NOISE, **SETTINGS[which])

    distance = trace_distance(outcome.density_matrix(), exact)
    assert distance <= outcome.truncation_bound + 1e-10


def test_truncation_happens_so_the_bound_is_tested():
    """The settings above really drop weight, and the bound is not vacuous."""
    prog = random_program(6, seed=1064)
    noise = NoiseModel.parse("depolarizing:0.01")
    exact = aer_density_matrix(prog, noise)

    outcome = proxima_lret.simulate(prog, noise, epsilon=1e-3)

    distance = trace_distance(outcome.density_matrix(), exact)
    assert 0 < distance <= outcome.truncation_bound < 0.5


def test_the_probabilities_stay_within_the_bound_in_total_variation():
    prog = random_program(5, seed=77)
    exact = np.real(np.diagonal(aer_density_matrix(prog, NOISE)))

    outcome = proxima_lret.simulate(prog, NOISE, epsilon=3e-3)

    tvd = 0.5 * np.abs(outcome.probability_vector() - exact).sum()
    assert tvd <= outcome.truncation_bound + 1e-12


def test_max_rank_caps_the_final_rank():
    prog = random_program(6, seed=9)

    outcome = proxima_lret.simulate(prog, NOISE, epsilon=0.0, max_rank=3)

    assert outcome.final_rank <= 3
    assert outcome.max_rank_seen > 3
