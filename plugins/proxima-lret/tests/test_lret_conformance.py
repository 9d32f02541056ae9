"""The kernel's conformance kit, run against the installed lret backend."""

from __future__ import annotations

from proxima_kernel.testing import BackendConformance


class TestLretConformance(BackendConformance):
    """LRET claims exact probabilities, dynamic circuits and noise.

    When the final state does not decide the outcome, the exact
    distribution goes to ``details["distribution"]`` instead
    (``test_lret_dynamic.py`` checks it against a dense reference).
    """

    backend_name = "lret"
    exact_probabilities = True
    dynamic_circuits = True
    noise_spec = "depolarizing:0.05,readout:0.02"
