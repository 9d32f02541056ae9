"""Comparison: each backend against the exact reference, and pairwise.

Distances
    Total variation distance ``TVD(p, q) = 1/2 · Σ |p_i - q_i|`` and the
    Hellinger fidelity ``(Σ sqrt(p_i q_i))^2`` (1 means identical), for
    every backend against the reference and for every pair, also as
    matrices keyed by backend name.

State fidelity
    When backends hand over their final state, ``|<a|b>|^2`` for two
    vectors (so a global phase does not matter), ``<a|ρ|a>`` for a vector
    and a density matrix, and Uhlmann's ``(tr sqrt(sqrt(ρ) σ sqrt(ρ)))^2``
    for two density matrices; against the reference's state vector too.

The agreement verdict
    Shot counts are tested with Pearson's chi-square test. Against the
    exact reference ``p`` with ``N`` shots (goodness of fit), outcome ``i``
    expects ``N p_i`` counts. Outcomes expecting at least 5 keep their own
    bin; the rest, likeliest first, are grouped greedily into bins that
    expect at least 5 (Cochran's rule), and a short last group joins the
    previous one (or the smallest own bin). An outcome
    the reference gives probability 0 that was observed decides at once:
    disagree, p-value 0. The statistic ``Σ (O - E)^2 / E`` over ``k`` bins
    is referred to the chi-square law with ``k - 1`` degrees of freedom.
    Between two backends (homogeneity), the expected counts come from the
    pooled counts, ``E_ai = N_a (a_i + b_i) / (N_a + N_b)``, binned the
    same way on the smaller of each bin's two expectations, with
    ``k - 1`` degrees of freedom. The pair agrees when the p-value is at
    least ``ALPHA`` = 0.001: a correct backend is flagged at most 0.1 % of
    the time. With one bin left the test has no power (dof 0) and agrees.

    Exact probabilities (a backend that reports them) are held to a
    tolerance instead: they agree when their TVD to the other side's is
    at most ``TOLERANCE`` = 1e-6. When both counts and exact probabilities
    exist, both tests must pass.

The shot-noise bound (kept from the first cut)
    Counts from N shots of ``p`` have a TVD to ``p`` with mean at most
    ``1/2 · Σ sqrt(p_i (1 - p_i) / N)``; by McDiarmid's inequality it
    exceeds that by more than ``sqrt(ln(1/δ) / 2N)`` with probability at
    most δ = 1e-3. ``within_bound`` reports it next to the verdict.

Anything that cannot be computed (no reference, no counts, a failed run)
is ``None`` and its verdict ``N/A``, never a perfect score.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from proxima_kernel._model import (
    Agreement,
    BackendResult,
    Comparison,
    Metrics,
    PairMetric,
    Recommendation,
    Verdict,
)

#: Probability that a correct backend falls outside the bound.
DELTA = 1e-3

#: Significance level of the chi-square verdicts (the 99.9 % level).
ALPHA = 1e-3

#: Largest TVD between two exact distributions that still agree.
TOLERANCE = 1e-6

#: Smallest expected count a chi-square bin may have.
MIN_EXPECTED = 5.0

GOODNESS = "chi-square goodness of fit"
HOMOGENEITY = "chi-square homogeneity"
EXACT = "exact tolerance"

Matrix = dict[str, dict[str, float | None]]

#: A chi-square bin: observed and expected counts, one entry per sample.
Bin = tuple[list[float], list[float]]


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


# --- the verdict ------------------------------------------------------------------


def goodness_of_fit(
    counts: Mapping[str, int], reference: Mapping[str, float], alpha: float = ALPHA
) -> Verdict:
    """Do ``counts`` look like shots of ``reference``? (chi-square)"""
    shots = sum(counts.values())
    if not shots or not reference:
        return _not_available("there are no counts or no reference")

    impossible = sorted(k for k, n in counts.items() if n and not reference.get(k))
    if impossible:
        return Verdict(
            Agreement.DISAGREE,
            GOODNESS,
            p_value=0.0,
            alpha=alpha,
            reason=f"{len(impossible)} observed outcome(s) have probability 0 "
            f"in the reference, e.g. {impossible[0]!r}.",
        )

    keys = sorted(reference)
    expected = [[shots * reference[k]] for k in keys]
    observed = [[float(counts.get(k, 0))] for k in keys]
    return _chi_square(observed, expected, GOODNESS, alpha)


def homogeneity(
    first: Mapping[str, int], second: Mapping[str, int], alpha: float = ALPHA
) -> Verdict:
    """Do two sets of counts come from one distribution? (chi-square)"""
    sizes = sum(first.values()), sum(second.values())
    if not all(sizes):
        return _not_available("one side has no counts")

    total = sizes[0] + sizes[1]
    keys = sorted(first.keys() | second.keys())
    observed, expected = [], []
    for key in keys:
        a, b = first.get(key, 0), second.get(key, 0)
        share = (a + b) / total
        observed.append([float(a), float(b)])
        expected.append([sizes[0] * share, sizes[1] * share])
    return _chi_square(observed, expected, HOMOGENEITY, alpha)


def _chi_square(
    observed: list[list[float]],
    expected: list[list[float]],
    test: str,
    alpha: float,
) -> Verdict:
    """Pearson's statistic over Cochran-pooled bins; rows are outcomes."""
    bins = _pool(observed, expected)
    statistic = sum(
        (o - e) ** 2 / e
        for row_o, row_e in bins
        for o, e in zip(row_o, row_e, strict=True)
        if e > 0
    )
    dof = max(0, len(bins) - 1)
    p_value = 1.0 if dof == 0 else _chi2_sf(statistic, dof)

    agrees = p_value >= alpha
    word = "at least" if agrees else "below"
    return Verdict(
        Agreement.AGREE if agrees else Agreement.DISAGREE,
        test,
        statistic=statistic,
        dof=dof,
        p_value=p_value,
        alpha=alpha,
        reason=f"{test}: chi2 = {statistic:.3g} on {dof} dof, p = "
        f"{p_value:.3g}, {word} alpha = {alpha:g}.",
    )


def _pool(observed: list[list[float]], expected: list[list[float]]) -> list[Bin]:
    """Bins that expect at least MIN_EXPECTED on every side.

    An outcome that does keeps its own bin. The others, likeliest first,
    are grouped greedily until each group does; a last group that falls
    short joins the previous group (or the smallest own bin).
    """
    rows = list(zip(observed, expected, strict=True))
    own = [(list(o), list(e)) for o, e in rows if min(e) >= MIN_EXPECTED]
    rare = sorted(
        ((o, e) for o, e in rows if min(e) < MIN_EXPECTED),
        key=lambda row: -sum(row[1]),
    )

    groups: list[Bin] = []
    current: Bin | None = None
    for row_o, row_e in rare:
        current = _add(current, row_o, row_e)
        if min(current[1]) >= MIN_EXPECTED:
            groups.append(current)
            current = None

    if current is not None and max(current[1]) > 0:
        _absorb(current, groups, own)
    return own + groups


def _add(group: Bin | None, row_o: list[float], row_e: list[float]) -> Bin:
    if group is None:
        return list(row_o), list(row_e)
    return (
        [a + b for a, b in zip(group[0], row_o, strict=True)],
        [a + b for a, b in zip(group[1], row_e, strict=True)],
    )


def _absorb(leftover: Bin, groups: list[Bin], own: list[Bin]) -> None:
    """Merge a short last group into the previous group, else the smallest
    own bin; alone, it stays a bin of its own."""
    if groups:
        groups[-1] = _add(groups[-1], *leftover)
    elif own:
        smallest = min(range(len(own)), key=lambda i: min(own[i][1]))
        own[smallest] = _add(own[smallest], *leftover)
    else:
        groups.append(leftover)


def _chi2_sf(statistic: float, dof: int) -> float:
    """P(X >= statistic) for X ~ chi-square(dof); scipy.special is far
    lighter to import than scipy.stats and computes the same function."""
    from scipy.special import chdtrc

    return float(chdtrc(dof, statistic))


def exact_agreement(
    p: Mapping[str, float], q: Mapping[str, float], tolerance: float = TOLERANCE
) -> Verdict:
    """Two exact distributions agree when their TVD is within tolerance."""
    if not p or not q:
        return _not_available("an exact distribution is empty")

    distance = tvd(p, q)
    agrees = distance <= tolerance
    word = "within" if agrees else "beyond"
    return Verdict(
        Agreement.AGREE if agrees else Agreement.DISAGREE,
        EXACT,
        statistic=distance,
        tolerance=tolerance,
        reason=f"{EXACT}: TVD of the exact probabilities = {distance:.3g}, "
        f"{word} the tolerance {tolerance:g}.",
    )


def _both(sampled: Verdict, exact: Verdict | None) -> Verdict:
    """The counts verdict, overruled by a failed exact check."""
    if exact is None or exact.agrees is not False:
        return sampled
    if sampled.agrees is False:
        return sampled
    return exact


def _not_available(why: str) -> Verdict:
    return Verdict(reason=f"N/A: {why}.")


# --- state fidelity -------------------------------------------------------------


def state_fidelity(a: Any, b: Any) -> float | None:
    """Fidelity of two states (vectors or density matrices), or None.

    None when a state is missing or the dimensions differ.
    """
    import numpy as np

    if a is None or b is None:
        return None
    a, b = np.asarray(a, dtype=complex), np.asarray(b, dtype=complex)
    if a.shape[0] != b.shape[0]:
        return None
    if a.ndim == 2 and b.ndim == 1:
        a, b = b, a

    if a.ndim == 1 and b.ndim == 1:
        overlap = abs(np.vdot(a, b)) ** 2 / (np.vdot(a, a).real * np.vdot(b, b).real)
        return float(min(1.0, overlap))
    if a.ndim == 1:
        value = np.vdot(a, b @ a).real / np.vdot(a, a).real
        return float(min(1.0, max(0.0, value)))
    return _uhlmann(a, b)


def _uhlmann(rho: Any, sigma: Any) -> float:
    import numpy as np

    values, vectors = np.linalg.eigh(rho)
    root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.conj().T
    inner = np.linalg.eigvalsh(root @ sigma @ root)
    fidelity = float(np.sum(np.sqrt(np.clip(inner, 0, None))) ** 2)
    return min(1.0, fidelity)


# --- putting it together ----------------------------------------------------------


def compare(
    results: Mapping[str, BackendResult],
    reference: Mapping[str, float] | None,
    reference_reason: str | None,
    *,
    states: Mapping[str, Any] | None = None,
    reference_state: Any = None,
    measured: bool = True,
) -> Comparison:
    """Metrics, verdicts and a recommendation for one circuit's backends.

    A circuit that ``measured`` nothing has counts that say nothing (every
    shot reads the same empty record): its pairs are not compared.
    """
    states = states or {}
    comparison = Comparison(
        reference=dict(reference) if reference is not None else None,
        reference_method="numpy statevector" if reference is not None else None,
        reference_reason=reference_reason,
    )
    for name, result in results.items():
        metrics = _against_reference(result, reference, reference_reason)
        if result.ok:
            metrics.state_fidelity = state_fidelity(states.get(name), reference_state)
        comparison.per_backend[name] = metrics

    sampled = {n: r for n, r in results.items() if r.ok and r.counts}
    if not measured:
        sampled = {}
    for first, second in itertools.combinations(sorted(sampled), 2):
        pair = _pair(sampled[first], sampled[second], reference)
        pair.state_fidelity = state_fidelity(states.get(first), states.get(second))
        comparison.pairwise.append(pair)

    _fill_matrices(comparison, list(results), sampled, states)
    comparison.recommendation = recommend(results, comparison)
    return comparison


def _against_reference(
    result: BackendResult,
    reference: Mapping[str, float] | None,
    reference_reason: str | None,
) -> Metrics:
    if reference is None:
        why = f"no reference: {reference_reason}"
        return Metrics(reason=why, verdict=_not_available(why))
    if not result.ok:
        why = f"the backend's status is {result.status.value}"
        return Metrics(reason=why, verdict=_not_available(why))
    if not result.counts:
        why = "the backend returned no counts"
        return Metrics(reason=why, verdict=_not_available(why))

    observed = normalise(result.counts)
    distance = tvd(observed, reference)
    bound = shot_noise_bound(reference, result.shots)
    exact = None
    if result.probabilities:
        exact = exact_agreement(
            result.probabilities, reference, TOLERANCE + _approximation(result)
        )
    return Metrics(
        tvd=distance,
        hellinger_fidelity=hellinger_fidelity(observed, reference),
        shot_noise_bound=bound,
        within_bound=_verdict(distance, bound),
        reason=_vacuous(bound, result.shots, len(reference)),
        verdict=_both(goodness_of_fit(result.counts, reference), exact),
    )


def _approximation(result: BackendResult) -> float:
    """The certified distance of a backend's exact answer from the truth.

    A backend that approximates on purpose (LRET truncates its state)
    reports ``details["truncation_bound"]``, a bound on the trace
    distance, and so on the TVD of every outcome distribution; an exact
    comparison allows that much more.
    """
    bound = result.details.get("truncation_bound")
    return float(bound) if isinstance(bound, (int, float)) and bound > 0 else 0.0


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
    exact = None
    if first.probabilities and second.probabilities:
        tolerance = TOLERANCE + _approximation(first) + _approximation(second)
        exact = exact_agreement(first.probabilities, second.probabilities, tolerance)
    return PairMetric(
        first=first.backend,
        second=second.backend,
        tvd=distance,
        shot_noise_bound=bound,
        within_bound=_verdict(distance, bound),
        hellinger_fidelity=hellinger_fidelity(p, q),
        verdict=_both(homogeneity(first.counts, second.counts), exact),
    )


def _fill_matrices(
    comparison: Comparison,
    names: list[str],
    sampled: Mapping[str, BackendResult],
    states: Mapping[str, Any],
) -> None:
    pairs = {(m.first, m.second): m for m in comparison.pairwise}
    for a in names:
        tvd_row = comparison.tvd_matrix.setdefault(a, {})
        hellinger_row = comparison.hellinger_matrix.setdefault(a, {})
        state_row = comparison.state_fidelity_matrix.setdefault(a, {})
        for b in names:
            if a == b:
                seen = a in sampled
                tvd_row[b] = 0.0 if seen else None
                hellinger_row[b] = 1.0 if seen else None
                state_row[b] = state_fidelity(states.get(a), states.get(a))
                continue
            pair = pairs.get((a, b)) or pairs.get((b, a))
            tvd_row[b] = pair.tvd if pair else None
            hellinger_row[b] = pair.hellinger_fidelity if pair else None
            state_row[b] = pair.state_fidelity if pair else None


def recommend(
    results: Mapping[str, BackendResult], comparison: Comparison
) -> Recommendation:
    """The fastest backend among those that agree, with the reasons."""
    reasons = []
    agreeing = []
    for name, result in results.items():
        ok, why = _agrees(name, result, comparison)
        reasons.append(why)
        if ok:
            agreeing.append(name)

    if not agreeing:
        reasons.append(f"No backend can be recommended: {_why_none(results)}.")
        return Recommendation(None, reasons)

    best = min(agreeing, key=lambda n: results[n].execution_time_ms or math.inf)
    basis = (
        "the exact reference"
        if comparison.reference is not None
        else "every other backend"
    )
    reasons.insert(
        0,
        f"{best} is recommended: it is the fastest "
        f"({_ms(results[best].execution_time_ms)}) of the {len(agreeing)} "
        f"backend(s) that agree with {basis}.",
    )
    return Recommendation(best, reasons)


def _why_none(results: Mapping[str, BackendResult]) -> str:
    if not any(result.ok for result in results.values()):
        return "no backend ran successfully"
    if not any(result.ok and result.counts for result in results.values()):
        return "no backend returned counts"
    return "none was judged to agree"


def _agrees(
    name: str, result: BackendResult, comparison: Comparison
) -> tuple[bool, str]:
    if not result.ok:
        return False, f"{name} is out: its status is {result.status.value}."
    if comparison.reference is not None:
        verdict = comparison.per_backend[name].verdict
        word = {
            Agreement.AGREE: "agrees",
            Agreement.DISAGREE: "disagrees",
        }.get(verdict.agreement, "is N/A")
        return bool(verdict.agrees), (
            f"{name} {word} with the reference ({verdict.reason}) in "
            f"{_ms(result.execution_time_ms)}."
        )

    verdicts = [m.verdict for m in comparison.pairwise if name in (m.first, m.second)]
    if not verdicts:
        # Agreeing with nobody is no evidence: no pass without a test.
        return False, (
            f"{name} cannot be judged: there is no exact reference "
            f"({comparison.reference_reason}) and no pair to compare it with."
        )
    if not result.counts or any(v.agrees is False for v in verdicts):
        return False, f"{name} has no counts or disagrees with another backend."
    return True, (
        f"{name} agrees with every other backend (no exact reference: "
        f"{comparison.reference_reason}) in {_ms(result.execution_time_ms)}."
    )


def _ms(value: float | None) -> str:
    return "time unknown" if value is None else f"{value:.1f} ms median"
