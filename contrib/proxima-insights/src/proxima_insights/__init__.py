"""Proxima plugin ``insights``: entropy and heavy-output probability.

Both are computed per successful backend from its counts; the heavy
outputs come from the kernel's exact reference. Bits follow the kernel's
order (highest classical bit on the left), which the median ignores.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from proxima_kernel import CircuitReport, Insight, hookimpl

__version__ = "0.1.0"

PROXIMA_API = ">=1.0,<2"

#: Largest number of classical bits for which heavy outputs are computed.
MAX_HEAVY_BITS = 16

ANALYZER = "insights"


@hookimpl
def proxima_analyze(report: CircuitReport) -> list[Insight]:
    reference = report.comparison.reference
    width = report.circuit.num_clbits
    insights = []
    for name, result in report.results.items():
        if not result.ok or not result.counts:
            continue
        entropy = normalised_entropy(result.counts, width)
        insights.append(Insight(ANALYZER, "normalised_entropy", entropy, name))
        if reference is not None and 0 < width <= MAX_HEAVY_BITS:
            hop = heavy_output_probability(result.counts, reference, width)
            insights.append(Insight(ANALYZER, "heavy_output_probability", hop, name))

    return insights


def normalised_entropy(counts: Mapping[str, int], width: int) -> float:
    """Shannon entropy of the counts in bits, divided by ``width``."""
    total = sum(counts.values())
    entropy = -sum(c / total * math.log2(c / total) for c in counts.values() if c)
    return round(entropy / width, 6) if width else 0.0


def heavy_output_probability(
    counts: Mapping[str, int], reference: Mapping[str, float], width: int
) -> float:
    """The share of shots on outcomes above the reference's median."""
    median = _median(reference, 2**width)
    heavy = {key for key, p in reference.items() if p > median}
    total = sum(counts.values())

    return round(sum(c for k, c in counts.items() if k in heavy) / total, 6)


def _median(reference: Mapping[str, float], outcomes: int) -> float:
    """Median over all ``outcomes``; those missing from ``reference`` are 0."""
    values = sorted(reference.values())
    values = [0.0] * (outcomes - len(values)) + values
    middle = outcomes // 2
    if outcomes % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2
