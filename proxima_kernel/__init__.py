"""Proxima's kernel: plan, run, normalise and compare quantum circuits.

The kernel imports no simulator. Backends, exporters and analyzers arrive
as plugins through the entry-point group ``proxima``; the built-ins go
through the same door. What is listed here is the public API; everything
else lives in private modules and may change.
"""

from __future__ import annotations

import pluggy

from proxima_kernel._backend import Backend, Conversion, Execution
from proxima_kernel._comparator import (
    BackendComparator,
    BackendComparison,
    ComparisonResult,
)
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
from proxima_kernel._kernel import Kernel, PluginInfo
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
