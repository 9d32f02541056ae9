"""Comparison: distances, the shot-noise bound, and N/A instead of a score."""

from __future__ import annotations

import math

import numpy as np
import pytest

from proxima_kernel import BackendResult, Status
from proxima_kernel._compare import (
    compare,
    hellinger_fidelity,
    shot_noise_bound,
    tvd,
)

BELL = {"00": 0.5, "11": 0.5}


def ok(name: str, counts: dict[str, int]) -> BackendResult:
    return BackendResult(name, Status.OK, counts=counts, shots=sum(counts.values()))


def test_tvd_and_hellinger_of_known_pairs():
    p, q = {"0": 0.5, "1": 0.5}, {"0": 0.9, "1": 0.1}

    assert tvd(p, q) == pytest.approx(0.4)
    assert hellinger_fidelity(p, q) == pytest.approx(
        (math.sqrt(0.45) + math.sqrt(0.05)) ** 2
    )
    assert tvd(p, {"2": 1.0}) == 1.0
    assert hellinger_fidelity(p, {"2": 1.0}) == 0.0


def test_a_backend_with_exact_counts_scores_zero_distance():
    comparison = compare({"a": ok("a", {"00": 500, "11": 500})}, BELL, None)

    metrics = comparison.per_backend["a"]
    assert metrics.tvd == 0.0
    assert metrics.hellinger_fidelity == pytest.approx(1.0)
    assert metrics.within_bound is True


def test_missing_data_is_not_applicable_never_a_perfect_score():
    failed = BackendResult("f", Status.FAILED, reason="boom")
    empty = BackendResult("e", Status.OK, counts={}, shots=0)

    comparison = compare({"f": failed, "e": empty}, BELL, None)
    without_reference = compare({"a": ok("a", {"00": 10})}, None, "no measure")

    for metrics in (
        *comparison.per_backend.values(),
        without_reference.per_backend["a"],
    ):
        assert metrics.tvd is None
        assert metrics.hellinger_fidelity is None
        assert metrics.within_bound is None
        assert metrics.reason
    assert comparison.pairwise == []
    assert without_reference.per_backend["a"].reason == "no reference: no measure"


def test_a_bound_of_one_gives_no_verdict_rather_than_a_pass():
    uniform = {format(k, "012b"): 1 / 4096 for k in range(4096)}
    counts = {format(k, "012b"): 1 for k in range(100)}

    metrics = compare({"a": ok("a", counts)}, uniform, None).per_backend["a"]

    assert metrics.shot_noise_bound == 1.0
    assert metrics.within_bound is None
    assert "cannot resolve a distribution over 4096 outcomes" in metrics.reason


def test_the_bound_holds_for_a_perfect_sampler_and_catches_a_5_percent_shift():
    rng = np.random.default_rng(2024)
    p = {"00": 0.4, "01": 0.1, "10": 0.2, "11": 0.3}
    keys, probs = list(p), list(p.values())
    shots = 10_000

    outside = 0
    for _ in range(200):
        draws = rng.multinomial(shots, probs)
        counts = dict(zip(keys, draws.tolist(), strict=True))
        outside += (
            not compare({"a": ok("a", counts)}, p, None).per_backend["a"].within_bound
        )
    moved = rng.multinomial(shots, [0.35, 0.15, 0.2, 0.3]).tolist()
    shifted = dict(zip(keys, moved, strict=True))

    assert outside == 0
    assert (
        compare({"b": ok("b", shifted)}, p, None).per_backend["b"].within_bound is False
    )


def test_pairs_compare_backends_with_each_other():
    a, b = ok("a", {"00": 512, "11": 512}), ok("b", {"00": 1024})

    pairs = compare({"a": a, "b": b}, BELL, None).pairwise

    assert [(x.first, x.second) for x in pairs] == [("a", "b")]
    assert pairs[0].tvd == pytest.approx(0.5)
    assert pairs[0].within_bound is False


def test_the_bound_shrinks_as_one_over_root_shots():
    small = shot_noise_bound(BELL, 1_000)
    large = shot_noise_bound(BELL, 100_000)

    assert small / large == pytest.approx(10.0)


def test_a_circuit_that_measures_nothing_gives_no_pair_a_verdict():
    # Found by a new-user run: two backends that read only the empty record
    # were paired as "agree, p = 1" and one was recommended.
    results = {"a": ok("a", {"": 100}), "b": ok("b", {"": 100})}

    comparison = compare(results, None, "the circuit measures nothing", measured=False)

    assert comparison.pairwise == []
    assert all(m.verdict.agrees is None for m in comparison.per_backend.values())
    assert comparison.recommendation.backend is None
    assert comparison.recommendation.reasons[-1] == (
        "No backend can be recommended: none was judged to agree."
    )


def test_when_nothing_ran_the_recommendation_says_so():
    failed = BackendResult("f", Status.UNSUPPORTED, reason="too large")

    comparison = compare({"f": failed}, None, "too many qubits")

    assert comparison.recommendation.reasons == [
        "f is out: its status is unsupported.",
        "No backend can be recommended: no backend ran successfully.",
    ]


def test_an_exact_answer_may_differ_by_the_truncation_bound_it_reports():
    # Found by a new-user run: LRET's exact probabilities of a noisy GHZ
    # state differed from cirq's by 6.3e-4, within its bound of 8.5e-4, and
    # the pair was called a disagreement.
    exact = {"000": 0.4985, "111": 0.4985, "001": 0.003}
    truncated = {"000": 0.4988, "111": 0.4988, "001": 0.0024}
    counts = {"000": 500, "111": 500}

    def with_probabilities(name, probabilities, **details):
        result = ok(name, counts)
        result.probabilities = probabilities
        result.details.update(details)
        return result

    certified = compare(
        {
            "cirq": with_probabilities("cirq", exact),
            "lret": with_probabilities("lret", truncated, truncation_bound=8.5e-4),
        },
        None,
        "the run is noisy",
    )
    uncertified = compare(
        {
            "cirq": with_probabilities("cirq", exact),
            "other": with_probabilities("other", truncated),
        },
        None,
        "the run is noisy",
    )

    assert certified.pairwise[0].verdict.agrees is True
    assert uncertified.pairwise[0].verdict.agrees is False
    assert uncertified.pairwise[0].verdict.statistic == pytest.approx(6e-4)
