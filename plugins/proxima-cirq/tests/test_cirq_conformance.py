"""The kernel's conformance kit, run against the installed cirq backend."""

from __future__ import annotations

from proxima_kernel.testing import BackendConformance


class TestCirqConformance(BackendConformance):
    backend_name = "cirq"
