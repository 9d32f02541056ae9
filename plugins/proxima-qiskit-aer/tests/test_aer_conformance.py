"""The kernel's conformance kit, run against the installed qiskit-aer plugin."""

from __future__ import annotations

from proxima_kernel.testing import BackendConformance, PluginConformance


class TestAerConformance(BackendConformance):
    backend_name = "qiskit-aer"
    exact_probabilities = True
    dynamic_circuits = True
    noise_spec = "depolarizing:0.2,readout:0.1"


class TestAerPlugin(PluginConformance):
    module = "proxima_qiskit_aer"
    entry_point = "qiskit-aer"
    backends = ("qiskit-aer",)
    loaders = ("qiskit",)
    engines = ("qiskit", "qiskit_aer", "numpy")
    native_form = "qiskit.QuantumCircuit"
    exact_probabilities = True
