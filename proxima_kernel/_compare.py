"""Comparison: each backend against the exact reference, and pairwise.

Distances
    Total variation distance ``TVD(p, q) = 1/2 · Σ |p_i - q_i|`` and the
    Hellinger fidelity ``(Σ sqrt(p_i q_i))^2`` (1 means identical).

The shot-noise bound
    Counts from N shots of a perfect sampler of ``p`` still differ from
    ``p``. Their TVD has mean at most ``1/2 · Σ sqrt(p_i (1 - p_i) / N)``
    (Jensen on each outcome), and moving one shot changes the TVD by at
    most 1/N, so by McDiarmid's inequality it exceeds that mean by more
    than ``sqrt(ln(1/δ) / 2N)`` with probability at most δ. The bound is
    the sum of the two, with δ = 1e-3: a correct backend lands inside it
    at least 99.9 % of the time. Between two backends the bound is the sum
    of their bounds around the reference (triangle inequality). With no
    reference, ``p`` is estimated by the pooled counts, and the verdict
    is then an estimate.

Anything that cannot be computed (no reference, no counts) is ``None``,
shown as N/A, never as a perfect score.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

from proxima_kernel._model import BackendResult, Comparison, Metrics, PairMetric

#: Probability that a correct backend falls outside the bound.
DELTA = 1e-3


def normalise(counts: Mapping[str, float]) -> dict[str, float]:
    total = float(sum(counts.values()))
    return {k: v / total for k, v in counts.items()} if total else {}


def tvd(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Total variation distance between two distributions."""
    keys = p.keys() | q.keys()
    return 0.5 * sum(abs(p.get(k, 0.0) - q.get(k, 0.0)) for k in keys)


def hellinger_fidelity(p: Mapping[str, float], q: Mapping[str, float]) -> float:
    """Squared Bhattacharyya coefficient: 1 for equal distributions."""
    overlap = sum(math.sqrt(p[k] * q[k]) for k in p.keys() & q.keys())
    return min(1.0, overlap**2)


def shot_noise_bound(p: Mapping[str, float], shots: int, delta: float = DELTA) -> float:
    """TVD that N perfect samples of ``p`` stay under with prob. 1 - delta."""
    if shots <= 0:
        return math.inf
    mean = 0.5 * sum(math.sqrt(x * (1 - x) / shots) for x in p.values())
    spread = math.sqrt(math.log(1 / delta) / (2 * shots))
    return min(1.0, mean + spread)


def compare(
    results: Mapping[str, BackendResult],
    reference: Mapping[str, float] | None,
    reference_reason: str | None,
) -> Comparison:
    """Metrics for every backend and every pair of backends."""
    comparison = Comparison(
        reference=dict(reference) if reference is not None else None,
        reference_method="numpy statevector" if reference is not None else None,
        reference_reason=reference_reason,
    )
    for name, result in results.items():
        comparison.per_backend[name] = _against_reference(
            result, reference, reference_reason
        )

    sampled = {n: r for n, r in results.items() if r.ok and r.counts}
    for first, second in itertools.combinations(sorted(sampled), 2):
        pair = _pair(sampled[first], sampled[second], reference)
        comparison.pairwise.append(pair)

    return comparison


def _against_reference(
    result: BackendResult,
    reference: Mapping[str, float] | None,
    reference_reason: str | None,
) -> Metrics:
    if reference is None:
        return Metrics(reason=f"no reference: {reference_reason}")
    if not result.ok:
        return Metrics(reason=f"the backend's status is {result.status.value}")
    if not result.counts:
        return Metrics(reason="the backend returned no counts")

    observed = normalise(result.counts)
    distance = tvd(observed, reference)
    bound = shot_noise_bound(reference, result.shots)
    return Metrics(
        tvd=distance,
        hellinger_fidelity=hellinger_fidelity(observed, reference),
        shot_noise_bound=bound,
        within_bound=_verdict(distance, bound),
        reason=_vacuous(bound, result.shots, len(reference)),
    )


def _verdict(distance: float, bound: float) -> bool | None:
    """Within the bound, outside it, or None when the bound says nothing.

    A bound of 1 holds for any two distributions: passing it would be a
    verdict that cannot fail.
    """
    return None if bound >= 1.0 else distance <= bound


def _vacuous(bound: float, shots: int, outcomes: int) -> str | None:
    if bound < 1.0:
        return None
    return (
        f"{shots} shots cannot resolve a distribution over {outcomes} "
        f"outcomes: the shot-noise bound is 1, so no verdict is given"
    )


def _pair(
    first: BackendResult,
    second: BackendResult,
    reference: Mapping[str, float] | None,
) -> PairMetric:
    p, q = normalise(first.counts), normalise(second.counts)
    if reference is None:
        pooled = {k: (p.get(k, 0.0) + q.get(k, 0.0)) / 2 for k in p.keys() | q.keys()}
        reference = pooled
    bound = min(
        1.0,
        shot_noise_bound(reference, first.shots)
        + shot_noise_bound(reference, second.shots),
    )
    distance = tvd(p, q)
    return PairMetric(
        first=first.backend,
        second=second.backend,
        tvd=distance,
        shot_noise_bound=bound,
        within_bound=_verdict(distance, bound),
    )
