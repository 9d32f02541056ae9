"""The kernel's conformance kit, run against the installed qiskit-aer plugin."""

from __future__ import annotations

from typing import Any

from aer_support import final_density_matrix
from proxima_kernel import Backend, Program, RunOptions
from proxima_kernel.testing import BackendConformance, PluginConformance


class TestAerConformance(BackendConformance):
    backend_name = "qiskit-aer"
    exact_probabilities = True
    dynamic_circuits = True
    noise_spec = "depolarizing:0.2,readout:0.1"
    exact_noise = True

    def noisy_density_matrix(
        self, backend: Backend, prog: Program, options: RunOptions
    ) -> Any:
        return final_density_matrix(prog, options)


class TestAerPlugin(PluginConformance):
    module = "proxima_qiskit_aer"
    entry_point = "qiskit-aer"
    backends = ("qiskit-aer",)
    loaders = ("qiskit",)
    engines = ("qiskit", "qiskit_aer", "numpy")
    native_form = "qiskit.QuantumCircuit"
    exact_probabilities = True
