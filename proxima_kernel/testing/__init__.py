"""Helpers for testing Proxima plugins, and the conformance kit.

Build kernels without installing anything::

    from proxima_kernel.testing import fake_entry_point, make_kernel

    kernel = make_kernel(MyPlugin(), entry_points=[
        fake_entry_point("broken", error=ImportError("boom")),
    ])

Run the conformance suite against a plugin, in its own tests::

    from proxima_kernel.testing import BackendConformance

    class TestMyBackend(BackendConformance):
        backend_name = "my-backend"

or from the command line, against anything installed:
``pytest --proxima-conformance=my-backend``. The pytest plugin behind the
option is registered through the ``pytest11`` entry point and does nothing
unless the option is given.
"""

from __future__ import annotations

from proxima_kernel.testing._helpers import (
    FakeDistribution,
    FakeEntryPoint,
    ReferenceBackend,
    backend_plugin,
    fake_entry_point,
    make_kernel,
    program,
    sample_report,
)
from proxima_kernel.testing._suite import BackendConformance, ExporterConformance

__all__ = [
    "BackendConformance",
    "ExporterConformance",
    "FakeDistribution",
    "FakeEntryPoint",
    "ReferenceBackend",
    "backend_plugin",
    "fake_entry_point",
    "make_kernel",
    "program",
    "sample_report",
]
