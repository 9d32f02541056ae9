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

Flags on the class turn on the stricter checks a backend qualifies for:
``exact_probabilities`` (exact probabilities from the final state),
``dynamic_circuits`` (mid-circuit measurement, reset, conditions),
``noise_spec`` (a noise model it translates) and ``exact_noise`` (each
noise channel leaves the analytic density matrix; the class implements
``noisy_density_matrix(backend, prog, options)`` to return the engine's
final density matrix, qubit 0 least significant). :class:`PluginConformance`
checks the plugin module itself: a light import, its entry point and
hooks, a run through a kernel. :func:`execute` runs one program on a
backend without the kernel, and :func:`kraus_operators` and
:func:`apply_kraus` give the analytic answer for the kernel's noise
channels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from proxima_kernel.testing._helpers import (
        FakeDistribution,
        FakeEntryPoint,
        ReferenceBackend,
        apply_kraus,
        backend_plugin,
        execute,
        fake_entry_point,
        kraus_operators,
        make_kernel,
        program,
        sample_report,
    )
    from proxima_kernel.testing._plugin_suite import PluginConformance
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
    "PluginConformance": "_plugin_suite",
    "ReferenceBackend": "_helpers",
    "apply_kraus": "_helpers",
    "backend_plugin": "_helpers",
    "execute": "_helpers",
    "fake_entry_point": "_helpers",
    "kraus_operators": "_helpers",
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
    "PluginConformance",
    "ReferenceBackend",
    "apply_kraus",
    "backend_plugin",
    "execute",
    "fake_entry_point",
    "kraus_operators",
    "make_kernel",
    "program",
    "sample_report",
]
