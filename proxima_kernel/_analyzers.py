"""The built-in analyzers: entropy, dominant outcomes, heavy outputs.

Each takes one circuit's report and returns insights; the built-in plugin
(:mod:`proxima_kernel._builtins`) hands them to the analysis hook like
any third-party analyzer. Backends that did not succeed, or returned no
counts, get no insight: a missing figure is never a made-up one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from proxima_kernel._model import CircuitReport, Insight

#: How many outcomes the dominant-outcomes insight lists.
TOP_OUTCOMES = 3


def _sampled(report: CircuitReport) -> dict[str, dict[str, int]]:
    return {
        name: result.counts
        for name, result in report.results.items()
        if result.ok and any(result.counts.values())
    }


def shannon_entropy(report: CircuitReport) -> list[Insight]:
    """Shannon entropy in bits of each backend's counts."""
    insights = []
    for name, counts in _sampled(report).items():
        total = sum(counts.values())
        entropy = -sum(c / total * math.log2(c / total) for c in counts.values() if c)
        insights.append(
            Insight("entropy", "shannon_entropy_bits", round(entropy, 6), name)
        )

    return insights


def dominant_outcomes(report: CircuitReport) -> list[Insight]:
    """The most frequent outcomes of each backend, with their shares."""
    insights = []
    for name, counts in _sampled(report).items():
        total = sum(counts.values())
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_OUTCOMES]
        value = {key: round(count / total, 6) for key, count in top}
        detail = ", ".join(f"{k}: {v:.3f}" for k, v in value.items())
        insights.append(Insight("dominant", "dominant_outcomes", value, name, detail))

    return insights


def heavy_output_probability(report: CircuitReport) -> list[Insight]:
    """Share of each backend's shots on the reference's heavy outcomes.

    An outcome is heavy when its reference probability exceeds the median
    over all 2^m outcomes of the m classical bits (unlisted outcomes have
    probability 0). Needs the exact reference.
    """
    reference = report.comparison.reference
    if not reference:
        return []

    heavy = _heavy_outcomes(reference, report.circuit.num_clbits)
    ideal = sum(reference[k] for k in heavy)
    insights = []
    for name, counts in _sampled(report).items():
        share = sum(counts.get(k, 0) for k in heavy) / sum(counts.values())
        detail = f"ideal {ideal:.4f} over {len(heavy)} heavy outcome(s)"
        insights.append(
            Insight("heavy-output", "heavy_output_probability", share, name, detail)
        )

    return insights


def _heavy_outcomes(reference: Mapping[str, float], width: int) -> set[str]:
    median = _median_with_zeros(sorted(reference.values()), 2**width)
    return {key for key, p in reference.items() if p > median}


def _median_with_zeros(listed: list[float], outcomes: int) -> float:
    """Median over ``outcomes`` values: ``listed`` (sorted) and zeros."""
    zeros = outcomes - len(listed)

    def at(index: int) -> float:
        return 0.0 if index < zeros else listed[index - zeros]

    middle = outcomes // 2
    if outcomes % 2:
        return at(middle)
    return (at(middle - 1) + at(middle)) / 2


BUILT_IN_ANALYZERS = (shannon_entropy, dominant_outcomes, heavy_output_probability)
