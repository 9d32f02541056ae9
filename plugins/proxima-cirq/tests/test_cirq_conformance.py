"""The kernel's conformance kit, run against the installed cirq plugin."""

from __future__ import annotations

from proxima_kernel.testing import BackendConformance, PluginConformance


class TestCirqConformance(BackendConformance):
    backend_name = "cirq"
    exact_probabilities = True
    dynamic_circuits = True
    noise_spec = "depolarizing:0.2,readout:0.1"


class TestCirqPlugin(PluginConformance):
    module = "proxima_cirq"
    entry_point = "cirq"
    backends = ("cirq",)
    loaders = ("cirq",)
    engines = ("cirq", "numpy", "sympy")
    native_form = "cirq.Circuit"
    exact_probabilities = True
