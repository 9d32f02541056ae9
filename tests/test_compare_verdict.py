"""The agreement verdict: shot noise passes, a 5 % shift fails, no data is N/A."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest
from exec_support import ghz, shared_kernel
from scipy import stats

from proxima_kernel import Agreement, ExecutionOptions, RunOptions, Status
from proxima_kernel._compare import (
    ALPHA,
    exact_agreement,
    goodness_of_fit,
    homogeneity,
    state_fidelity,
)
from proxima_kernel._generators import generate

UNIFORM_4 = {k: 0.25 for k in ("00", "01", "10", "11")}


def sample(distribution, shots, seed):
    keys = sorted(distribution)
    drawn = np.random.default_rng(seed).multinomial(
        shots, [distribution[k] for k in keys]
    )
    return {k: int(n) for k, n in zip(keys, drawn, strict=True) if n}


def compare(backends, circuit=None, shots=10_000, seed=7):
    report = shared_kernel().run(
        circuit or ghz(),
        backends=backends,
        options=RunOptions(shots=shots, seed=seed),
        execution=ExecutionOptions(max_concurrent=2),
    )
    return report.circuits[0]


def test_the_p_value_is_pearsons_chi_square_with_k_minus_1_dof():
    counts = {"00": 2600, "01": 2400, "10": 2500, "11": 2500}

    verdict = goodness_of_fit(counts, UNIFORM_4)

    expected = stats.chisquare([2600, 2400, 2500, 2500])
    assert verdict.statistic == pytest.approx(expected.statistic)
    assert verdict.p_value == pytest.approx(expected.pvalue)
    assert verdict.dof == 3


def test_honest_samples_agree_at_nearly_every_seed():
    verdicts = [
        goodness_of_fit(sample(UNIFORM_4, 10_000, seed), UNIFORM_4)
        for seed in range(200)
    ]

    rejected = sum(v.agreement is Agreement.DISAGREE for v in verdicts)
    assert rejected <= 2  # ALPHA = 0.001 expects 0.2 of 200


def test_moving_five_percent_between_two_outcomes_is_flagged_at_10k_shots():
    shifted = dict(UNIFORM_4, **{"00": 0.20, "11": 0.30})

    verdicts = [
        goodness_of_fit(sample(shifted, 10_000, seed), UNIFORM_4) for seed in range(20)
    ]

    assert all(v.agreement is Agreement.DISAGREE for v in verdicts)
    assert all(v.p_value < ALPHA for v in verdicts)


def test_rare_outcomes_are_pooled_so_every_bin_expects_five():
    reference = {"000": 0.999, "001": 0.0004, "010": 0.0003, "100": 0.0003}

    verdict = goodness_of_fit({"000": 999, "001": 1}, reference)

    assert verdict.dof == 0
    assert verdict.agreement is Agreement.AGREE


def test_many_rare_outcomes_are_grouped_into_bins_that_still_have_power():
    uniform = {format(i, "012b"): 1 / 4096 for i in range(4096)}
    half = {k: 2 * p for k, p in uniform.items() if k[0] == "0"}

    honest = goodness_of_fit(sample(uniform, 10_000, 5), uniform)
    lopsided = goodness_of_fit(sample(half, 10_000, 5), uniform)

    assert honest.dof > 1000
    assert honest.agreement is Agreement.AGREE
    assert lopsided.agreement is Agreement.DISAGREE


def test_an_outcome_the_reference_forbids_is_a_disagreement():
    verdict = goodness_of_fit({"00": 999, "11": 1}, {"00": 1.0})

    assert verdict.agreement is Agreement.DISAGREE
    assert verdict.p_value == 0.0
    assert "'11'" in verdict.reason


@pytest.mark.parametrize(
    "counts, reference", [({}, UNIFORM_4), ({"00": 5}, {}), ({"00": 0}, UNIFORM_4)]
)
def test_empty_distributions_give_not_available_never_a_pass(counts, reference):
    verdict = goodness_of_fit(counts, reference)

    assert verdict.agreement is Agreement.NOT_AVAILABLE
    assert verdict.agrees is None
    assert verdict.p_value is None


def test_two_samples_of_one_distribution_agree_and_a_shifted_one_does_not():
    shifted = dict(UNIFORM_4, **{"00": 0.20, "11": 0.30})
    a, b = sample(UNIFORM_4, 10_000, 1), sample(UNIFORM_4, 10_000, 2)

    same = homogeneity(a, b)
    moved = homogeneity(a, sample(shifted, 10_000, 3))

    table = np.array([[a[k] for k in sorted(a)], [b[k] for k in sorted(b)]])
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    assert same.p_value == pytest.approx(p)
    assert same.dof == dof
    assert same.agreement is Agreement.AGREE
    assert moved.agreement is Agreement.DISAGREE
    assert homogeneity({}, a).agreement is Agreement.NOT_AVAILABLE


def test_exact_distributions_are_held_to_a_tolerance():
    close = {k: v + (1e-8 if k == "00" else -1e-8 / 3) for k, v in UNIFORM_4.items()}
    far = dict(UNIFORM_4, **{"00": 0.26, "11": 0.24})

    assert exact_agreement(close, UNIFORM_4).agreement is Agreement.AGREE
    assert exact_agreement(far, UNIFORM_4).agreement is Agreement.DISAGREE
    assert exact_agreement({}, UNIFORM_4).agreement is Agreement.NOT_AVAILABLE


def test_state_fidelity_ignores_global_phase_and_takes_density_matrices():
    plus = np.array([1, 1]) / math.sqrt(2)
    zero = np.array([1, 0])
    mixed = np.eye(2) / 2

    assert state_fidelity(plus, cmath.exp(0.7j) * plus) == pytest.approx(1.0)
    assert state_fidelity(plus, zero) == pytest.approx(0.5)
    assert state_fidelity(zero, mixed) == pytest.approx(0.5)
    assert state_fidelity(np.outer(plus, plus), np.outer(plus, plus)) == (
        pytest.approx(1.0)
    )
    assert state_fidelity(mixed, np.outer(zero, zero)) == pytest.approx(0.5)
    assert state_fidelity(None, plus) is None
    assert state_fidelity(zero, np.zeros(4)) is None


def test_the_kernel_passes_an_honest_sampler_and_flags_the_shifted_one():
    report = compare(["exact-sampler", "shifted"])

    honest = report.comparison.per_backend["exact-sampler"]
    shifted = report.comparison.per_backend["shifted"]
    assert honest.verdict.agreement is Agreement.AGREE
    assert honest.state_fidelity == pytest.approx(1.0)
    assert shifted.verdict.agreement is Agreement.DISAGREE
    pair = report.comparison.pairwise[0]
    assert pair.verdict.agreement is Agreement.DISAGREE


def test_matrices_are_symmetric_and_na_where_there_are_no_counts():
    report = compare(["exact-sampler", "shifted", "empty"])

    tvd = report.comparison.tvd_matrix
    hellinger = report.comparison.hellinger_matrix
    assert tvd["exact-sampler"]["shifted"] == tvd["shifted"]["exact-sampler"]
    assert tvd["exact-sampler"]["exact-sampler"] == 0.0
    assert hellinger["shifted"]["shifted"] == 1.0
    assert tvd["empty"]["shifted"] is None and hellinger["empty"]["empty"] is None
    empty = report.comparison.per_backend["empty"]
    assert empty.verdict.agreement is Agreement.NOT_AVAILABLE
    assert empty.hellinger_fidelity is None


def test_the_recommendation_is_the_fastest_agreeing_backend_with_reasons():
    report = compare(["exact-sampler", "shifted", "empty"])

    recommendation = report.comparison.recommendation
    assert recommendation.backend == "exact-sampler"
    assert recommendation.reasons[0].startswith("exact-sampler is recommended")
    assert any(r.startswith("shifted disagrees") for r in recommendation.reasons)
    assert any(r.startswith("empty is N/A") for r in recommendation.reasons)


def test_without_a_reference_the_verdicts_are_pairwise():
    circuit = generate("ghz:3")
    no_reference = RunOptions(shots=5000, seed=2, reference_max_qubits=1)

    report = shared_kernel().run(
        circuit, backends=["exact-sampler", "noop"], options=no_reference
    )

    comparison = report.circuits[0].comparison
    assert comparison.reference is None
    assert comparison.per_backend["noop"].verdict.agrees is None
    assert comparison.pairwise[0].verdict.agreement is Agreement.DISAGREE
    assert comparison.recommendation.backend is None
    results = report.circuits[0].results
    assert all(r.status is Status.OK for r in results.values())
