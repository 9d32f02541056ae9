"""The suite for ``--proxima-conformance=NAME``: one class per kind.

A name is looked up among the installed backends and exporters; the tests
of the kind it is not are skipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from proxima_kernel._kernel import Kernel
from proxima_kernel.testing._suite import BackendConformance, ExporterConformance


def collect(session: Any, names: list[str]) -> list[Any]:
    """The conformance test items for ``names``, for the session."""
    module = pytest.Module.from_parent(session, path=Path(__file__))
    return [item for item in session.genitems(module)]


def pytest_generate_tests(metafunc: Any) -> None:
    if "conformance_name" in metafunc.fixturenames:
        names = metafunc.config.getoption("proxima_conformance")
        metafunc.parametrize("conformance_name", names, scope="class")


def _lookup(kind: str, name: str) -> Any:
    kernel = Kernel()
    found = kernel.backends if kind == "backend" else kernel.exporters
    if name in found:
        return found[name]
    if name in kernel.backends or name in kernel.exporters:
        pytest.skip(f"{name!r} is not a{'n' if kind == 'exporter' else ''} {kind}")
    pytest.fail(
        f"No installed backend or exporter is named {name!r}; backends: "
        f"{', '.join(sorted(kernel.backends)) or 'none'}, exporters: "
        f"{', '.join(sorted(kernel.exporters)) or 'none'}.",
        pytrace=False,
    )


class TestBackend(BackendConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls, conformance_name: str) -> Any:
        return _lookup("backend", conformance_name)


class TestExporter(ExporterConformance):
    @pytest.fixture(scope="class")
    @classmethod
    def exporter(cls, conformance_name: str) -> Any:
        return _lookup("exporter", conformance_name)
