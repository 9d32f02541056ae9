"""The kernel's conformance kit, run against the installed qiskit-aer backend."""

from __future__ import annotations

from proxima_kernel.testing import BackendConformance


class TestAerConformance(BackendConformance):
    backend_name = "qiskit-aer"
