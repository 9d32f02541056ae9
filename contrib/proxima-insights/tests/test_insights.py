"""The insights analyzer on real reports, without any engine."""

from __future__ import annotations

import proxima_insights

from proxima_kernel.testing import ReferenceBackend, backend_plugin, make_kernel


def insights_of(spec: str) -> dict[str, float]:
    kernel = make_kernel(backend_plugin(ReferenceBackend()), proxima_insights)
    report = kernel.run(spec, backends=["reference"], shots=2000, seed=3)
    return {
        i.name: i.value
        for i in report.circuits[0].insights
        if i.analyzer == proxima_insights.ANALYZER
    }


def test_ghz_puts_every_shot_on_heavy_outputs():
    found = insights_of("ghz:3")

    assert found["heavy_output_probability"] == 1.0
    assert 0.3 < found["normalised_entropy"] < 0.34


def test_the_median_counts_outcomes_missing_from_the_reference():
    reference = {"00": 0.5, "11": 0.5}

    hop = proxima_insights.heavy_output_probability({"00": 3, "01": 1}, reference, 2)

    assert hop == 0.75


def test_the_plugin_declares_a_compatible_api():
    kernel = make_kernel(proxima_insights, builtins=False)

    assert kernel.plugins["proxima_insights"].status == "active"
