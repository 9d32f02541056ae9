"""The kernel's conformance kit, run against the installed cirq plugin."""

from __future__ import annotations

from typing import Any

from cirq_support import final_density_matrix
from proxima_kernel import Backend, Program, RunOptions
from proxima_kernel.testing import BackendConformance, PluginConformance


class TestCirqConformance(BackendConformance):
    backend_name = "cirq"
    exact_probabilities = True
    dynamic_circuits = True
    noise_spec = "depolarizing:0.2,readout:0.1"
    exact_noise = True

    def noisy_density_matrix(
        self, backend: Backend, prog: Program, options: RunOptions
    ) -> Any:
        return final_density_matrix(prog, options)


class TestCirqPlugin(PluginConformance):
    module = "proxima_cirq"
    entry_point = "cirq"
    backends = ("cirq",)
    loaders = ("cirq",)
    engines = ("cirq", "numpy", "sympy")
    native_form = "cirq.Circuit"
    exact_probabilities = True
