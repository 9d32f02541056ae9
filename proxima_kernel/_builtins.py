"""The kernel's own plugin: QASM and generator loaders, the JSON exporter
and the analyzers of :mod:`proxima_kernel._analyzers` (entropy, dominant
outcomes, heavy-output probability).

It is registered through the entry point ``builtins`` of the group
``proxima``, the same door every third-party plugin uses.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proxima_kernel import hookimpl
from proxima_kernel._analyzers import BUILT_IN_ANALYZERS
from proxima_kernel._generators import is_generator_spec
from proxima_kernel._loading import generate, load_qasm_file
from proxima_kernel._model import Circuit, CircuitReport, Insight, Report, converter

PROXIMA_API = ">=1.0,<2"


class QasmFileLoader:
    """Loads a path to an OpenQASM 2 or 3 file."""

    name = "qasm"

    def accepts(self, spec: Any) -> bool:
        return isinstance(spec, (str, os.PathLike)) and not (
            isinstance(spec, str) and is_generator_spec(spec)
        )

    def load(self, spec: Any) -> Circuit:
        return load_qasm_file(spec)


class GeneratorLoader:
    """Loads a built-in benchmark spec such as ``ghz:5``."""

    name = "generator"

    def accepts(self, spec: Any) -> bool:
        return isinstance(spec, str) and is_generator_spec(spec)

    def load(self, spec: Any) -> Circuit:
        return generate(spec)


class JsonExporter:
    """Writes the whole report as one JSON document."""

    name = "json"
    suffix = ".json"

    def export(self, report: Report, path: Path) -> None:
        data = converter.unstructure(report)
        text = json.dumps(data, indent=2, sort_keys=False, allow_nan=False)
        Path(path).write_text(text + "\n", encoding="utf-8")

    def read(self, path: Path) -> dict[str, Any]:
        """The report data written to ``path``, for round-trip checks."""
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        return data


@hookimpl
def proxima_register_loaders(register: Callable[[Any], None]) -> None:
    register(GeneratorLoader())
    register(QasmFileLoader())


@hookimpl
def proxima_register_exporters(register: Callable[[Any], None]) -> None:
    register(JsonExporter())


@hookimpl
def proxima_analyze(report: CircuitReport) -> list[Insight]:
    """Entropy, dominant outcomes and heavy-output probability."""
    insights = []
    for analyzer in BUILT_IN_ANALYZERS:
        insights.extend(analyzer(report))

    return insights
