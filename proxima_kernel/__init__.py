"""Proxima's kernel: plan, run, normalise and compare quantum circuits.

The kernel imports no simulator. Backends, exporters and analyzers arrive
as plugins through the entry-point group ``proxima``; the built-ins go
through the same door. What is listed here is the public API; everything
else lives in private modules and may change.

Names are imported on first use (PEP 562), so that ``proxima --help`` and
plugins that need only :data:`hookimpl` do not pay for the whole kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from proxima_kernel._backend import Backend, Conversion, Execution
    from proxima_kernel._comparator import (
        BackendComparator,
        BackendComparison,
        ComparisonResult,
    )
    from proxima_kernel._discovery import PluginInfo
    from proxima_kernel._errors import (
        BackendRunError,
        CircuitError,
        CircuitNotFoundError,
        CircuitSyntaxError,
        PluginError,
        ProximaError,
        UnsupportedCircuitError,
        UsageError,
    )
    from proxima_kernel._gates import STANDARD_GATES, GateSpec, gate_matrix
    from proxima_kernel._ir import (
        Barrier,
        Condition,
        Gate,
        Measure,
        Operation,
        Program,
        Register,
        Reset,
    )
    from proxima_kernel._kernel import Kernel
    from proxima_kernel._loading import generate, load_qasm, load_qasm_file
    from proxima_kernel._model import (
        BIT_ORDER,
        Agreement,
        BackendResult,
        Circuit,
        CircuitReport,
        Comparison,
        ExecutionOptions,
        ExecutionStrategy,
        ExecutionSummary,
        Insight,
        Metrics,
        PairMetric,
        Recommendation,
        Report,
        RunOptions,
        Status,
        Verdict,
        converter,
        report_schema,
    )
    from proxima_kernel._noise import Channel, NoiseModel
    from proxima_kernel._plan import Plan, Request, Task
    from proxima_kernel._session import Session

__version__ = "0.1.0"

#: The kernel API version plugins declare compatibility against.
API_VERSION = "1.0"

hookimpl = pluggy.HookimplMarker("proxima")
"""Marks a function or method as an implementation of a Proxima hook."""

#: Each public name and the private module that defines it.
_PUBLIC = {
    "Agreement": "_model",
    "BIT_ORDER": "_model",
    "Backend": "_backend",
    "BackendComparator": "_comparator",
    "BackendComparison": "_comparator",
    "BackendResult": "_model",
    "BackendRunError": "_errors",
    "Barrier": "_ir",
    "Channel": "_noise",
    "Circuit": "_model",
    "CircuitError": "_errors",
    "CircuitNotFoundError": "_errors",
    "CircuitReport": "_model",
    "CircuitSyntaxError": "_errors",
    "Comparison": "_model",
    "ComparisonResult": "_comparator",
    "Condition": "_ir",
    "Conversion": "_backend",
    "Execution": "_backend",
    "ExecutionOptions": "_model",
    "ExecutionStrategy": "_model",
    "ExecutionSummary": "_model",
    "Gate": "_ir",
    "GateSpec": "_gates",
    "Insight": "_model",
    "Kernel": "_kernel",
    "Measure": "_ir",
    "Metrics": "_model",
    "NoiseModel": "_noise",
    "Operation": "_ir",
    "PairMetric": "_model",
    "Plan": "_plan",
    "PluginError": "_errors",
    "PluginInfo": "_discovery",
    "Program": "_ir",
    "ProximaError": "_errors",
    "Recommendation": "_model",
    "Register": "_ir",
    "Report": "_model",
    "Request": "_plan",
    "Reset": "_ir",
    "RunOptions": "_model",
    "STANDARD_GATES": "_gates",
    "Session": "_session",
    "Status": "_model",
    "Task": "_plan",
    "UnsupportedCircuitError": "_errors",
    "UsageError": "_errors",
    "Verdict": "_model",
    "converter": "_model",
    "gate_matrix": "_gates",
    "generate": "_loading",
    "load_qasm": "_loading",
    "load_qasm_file": "_loading",
    "report_schema": "_model",
}


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'proxima_kernel' has no attribute {name!r}")

    import importlib

    value = getattr(importlib.import_module(f"proxima_kernel.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))


__all__ = [
    "API_VERSION",
    "BIT_ORDER",
    "STANDARD_GATES",
    "Agreement",
    "Backend",
    "BackendComparator",
    "BackendComparison",
    "BackendResult",
    "BackendRunError",
    "Barrier",
    "Channel",
    "Circuit",
    "CircuitError",
    "CircuitNotFoundError",
    "CircuitReport",
    "CircuitSyntaxError",
    "Comparison",
    "ComparisonResult",
    "Condition",
    "Conversion",
    "Execution",
    "ExecutionOptions",
    "ExecutionStrategy",
    "ExecutionSummary",
    "Gate",
    "GateSpec",
    "Insight",
    "Kernel",
    "Measure",
    "Metrics",
    "NoiseModel",
    "Operation",
    "PairMetric",
    "Plan",
    "PluginInfo",
    "PluginError",
    "Program",
    "ProximaError",
    "Recommendation",
    "Register",
    "Report",
    "Request",
    "Reset",
    "RunOptions",
    "Session",
    "Status",
    "Task",
    "UnsupportedCircuitError",
    "UsageError",
    "Verdict",
    "converter",
    "gate_matrix",
    "generate",
    "hookimpl",
    "load_qasm",
    "load_qasm_file",
    "report_schema",
]
