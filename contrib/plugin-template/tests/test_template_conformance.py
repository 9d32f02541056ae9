"""The kernel's conformance kit, run against the installed backend."""

from __future__ import annotations

from proxima_kernel.testing import BackendConformance


class TestTemplateConformance(BackendConformance):
    backend_name = "template"
