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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from proxima_kernel.testing._suite import (
        BackendConformance,
        ExporterConformance,
    )

# Imported on first use: the pytest plugin below this package is loaded in
# every pytest session and must not pull in the kernel or the suite.
_PUBLIC = {
    "BackendConformance": "_suite",
    "ExporterConformance": "_suite",
    "FakeDistribution": "_helpers",
    "FakeEntryPoint": "_helpers",
    "ReferenceBackend": "_helpers",
    "backend_plugin": "_helpers",
    "fake_entry_point": "_helpers",
    "make_kernel": "_helpers",
    "program": "_helpers",
    "sample_report": "_helpers",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(
            f"module 'proxima_kernel.testing' has no attribute {name!r}"
        )

    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


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
