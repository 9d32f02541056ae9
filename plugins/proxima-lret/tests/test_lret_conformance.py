"""The kernel's conformance kit, run against the installed lret backend."""

from __future__ import annotations

from proxima_kernel.testing import BackendConformance


class TestLretConformance(BackendConformance):
    backend_name = "lret"
