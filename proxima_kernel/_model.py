"""The data model: circuits, options, results, comparisons and reports.

Every class is an attrs class; :data:`converter` (cattrs) turns them into
plain JSON-ready data and back.

Bit order, the one contract every result follows
-------------------------------------------------
A counts or probabilities key lists *all* classical bits of the circuit,
the highest global bit index on the left and bit 0 on the right. Global
indices follow register declaration order: the first declared register
holds bits 0..n-1, the next starts at n. State and probability indices
follow the same rule: qubit 0 is the least significant bit. Backends
convert their native order at the plugin boundary.
"""

from __future__ import annotations

import enum
import hashlib
import json
from importlib import resources
from typing import Any

import attrs
import cattrs

from proxima_kernel._ir import Program
from proxima_kernel._noise import NoiseModel

BIT_ORDER = (
    "Keys list every classical bit of the circuit; the highest global bit "
    "index is on the left and bit 0 on the right. Global indices follow "
    "register declaration order. Probability and state indices follow the "
    "same rule (qubit 0 least significant)."
)
SCHEMA_VERSION = "1"


class Status(enum.StrEnum):
    """What became of one backend run."""

    OK = "ok"
    FAILED = "failed"
    UNSUPPORTED = "unsupported"


@attrs.frozen
class Circuit:
    """A loaded circuit: its source, its size and its lowered program."""

    name: str
    format: str
    source: str
    num_qubits: int
    num_clbits: int
    program: Program = attrs.field(eq=False, repr=False)
    origin: str = ""
    conversion_path: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """sha256 of the source text: the same circuit hashes the same."""
        return hashlib.sha256(self.source.encode()).hexdigest()


@attrs.frozen
class RunOptions:
    """What every backend run of a request shares.

    ``seed`` makes sampling repeatable: the same seed gives the same counts
    on the same backend. ``noise`` is applied by every backend alike (see
    :mod:`proxima_kernel._noise`); None means an ideal run.
    ``memory_limit_mb`` caps what one backend may need; None means the
    machine's available memory.
    """

    shots: int = 1024
    seed: int | None = None
    reference_max_qubits: int = 20
    memory_limit_mb: float | None = None
    noise: NoiseModel | None = None
    backend_options: dict[str, dict[str, Any]] = attrs.field(factory=dict)


@attrs.define
class BackendResult:
    """One backend's answer for one circuit, in the kernel's bit order."""

    backend: str
    status: Status
    reason: str | None = None
    engine_version: str | None = None
    counts: dict[str, int] = attrs.field(factory=dict)
    probabilities: dict[str, float] | None = None
    wall_time_ms: float | None = None
    shots: int = 0
    seed: int | None = None
    memory_estimate_bytes: int | None = None
    conversion_path: list[str] = attrs.field(factory=list)
    details: dict[str, Any] = attrs.field(factory=dict)

    @property
    def ok(self) -> bool:
        return self.status is Status.OK


@attrs.define
class Metrics:
    """One backend measured against the exact reference.

    Every field is ``None`` (shown as N/A) when there is no reference or no
    counts: a missing comparison is never a perfect score.
    """

    tvd: float | None = None
    hellinger_fidelity: float | None = None
    shot_noise_bound: float | None = None
    within_bound: bool | None = None
    reason: str | None = None


@attrs.define
class PairMetric:
    """Total variation distance between two backends' counts."""

    first: str
    second: str
    tvd: float | None = None
    shot_noise_bound: float | None = None
    within_bound: bool | None = None


@attrs.define
class Comparison:
    """How a circuit's backends compare with the reference and each other."""

    reference: dict[str, float] | None = None
    reference_method: str | None = None
    reference_reason: str | None = None
    per_backend: dict[str, Metrics] = attrs.field(factory=dict)
    pairwise: list[PairMetric] = attrs.field(factory=list)


@attrs.define
class Insight:
    """A finding an analyzer contributes to a circuit's report."""

    analyzer: str
    name: str
    value: Any
    backend: str | None = None
    detail: str | None = None


@attrs.define
class CircuitReport:
    """Everything known about one circuit after a run."""

    circuit: Circuit
    results: dict[str, BackendResult] = attrs.field(factory=dict)
    comparison: Comparison = attrs.field(factory=Comparison)
    insights: list[Insight] = attrs.field(factory=list)


@attrs.define
class Report:
    """The outcome of one request: every circuit on every backend."""

    options: RunOptions
    backends: list[str]
    circuits: list[CircuitReport] = attrs.field(factory=list)
    kernel_version: str = ""
    created_at: str = ""
    session_id: str = ""
    bit_order: str = BIT_ORDER
    schema_version: str = SCHEMA_VERSION

    def all_failed(self) -> bool:
        """True when not one backend run of the request succeeded."""
        return not any(
            result.ok
            for circuit in self.circuits
            for result in circuit.results.values()
        )


def report_schema() -> dict[str, Any]:
    """The JSON Schema that every unstructured :class:`Report` satisfies.

    It states the bit-order contract on every counts and distribution
    field; plugin authors validate their results against it.
    """
    text = resources.files("proxima_kernel").joinpath("report.schema.json")
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))

    return schema


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter()

    def unstructure_circuit(circuit: Circuit) -> dict[str, Any]:
        return {
            "name": circuit.name,
            "format": circuit.format,
            "origin": circuit.origin,
            "num_qubits": circuit.num_qubits,
            "num_clbits": circuit.num_clbits,
            "content_hash": circuit.content_hash,
            "conversion_path": list(circuit.conversion_path),
            "source": circuit.source,
        }

    conv.register_unstructure_hook(Circuit, unstructure_circuit)
    return conv


converter = _make_converter()
"""The cattrs converter for every model class (reports unstructure to JSON)."""
