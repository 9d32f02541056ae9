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
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"


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


class ExecutionStrategy(enum.StrEnum):
    """How the run tasks of a request share the machine.

    ``SEQUENTIAL`` runs one backend at a time and frees memory between
    them; ``PARALLEL`` runs up to ``max_concurrent`` backends at once;
    ``ADAPTIVE`` picks one of the two from the backends' memory estimates.
    """

    SEQUENTIAL = "sequential"
    PARALLEL = "parallel"
    ADAPTIVE = "adaptive"


@attrs.frozen
class ExecutionOptions:
    """How a request's backend runs are scheduled, isolated and repeated.

    ``timeout_per_backend`` (seconds) bounds one backend's work on one
    circuit, repeats included; a worker still busy then is killed.
    ``memory_threshold_mb`` is what ADAPTIVE lets parallel runs need
    together (None: the machine's free memory). ``in_process`` runs every
    backend in the calling process; by default only backends that declare
    themselves safe do. Each backend runs ``warmup`` untimed times, then
    ``runs`` timed times; the counts are those of the first timed run.
    """

    strategy: ExecutionStrategy = ExecutionStrategy.ADAPTIVE
    max_concurrent: int = 2
    timeout_per_backend: float | None = None
    memory_threshold_mb: float | None = None
    runs: int = 1
    warmup: int = 0
    in_process: bool = False


@attrs.define
class ExecutionSummary:
    """What the scheduler did: the strategy it used and why."""

    requested: ExecutionStrategy
    strategy: ExecutionStrategy
    reason: str
    max_concurrent: int
    isolation: str
    timeout_per_backend: float | None = None
    runs: int = 1
    warmup: int = 0
    cancelled: bool = False


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
    execution_time_ms: float | None = None
    time_min_ms: float | None = None
    time_max_ms: float | None = None
    times_ms: list[float] = attrs.field(factory=list)
    runs: int = 0
    warmup: int = 0
    peak_memory_bytes: int | None = None
    isolation: str | None = None
    overhead_ms: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is Status.OK

    @property
    def peak_memory_mb(self) -> float | None:
        """The worker's peak resident memory in MiB, when measured."""
        if self.peak_memory_bytes is None:
            return None
        return self.peak_memory_bytes / 2**20


class Agreement(enum.StrEnum):
    """A verdict's outcome; ``N/A`` when there is nothing to judge."""

    AGREE = "agree"
    DISAGREE = "disagree"
    NOT_AVAILABLE = "N/A"


@attrs.define
class Verdict:
    """Whether two distributions agree, and the statistics behind it.

    ``test`` names what was computed (see :mod:`proxima_kernel._compare`):
    a chi-square test on shot counts gives ``statistic``, ``dof`` and
    ``p_value``, judged at ``alpha``; exact probabilities are judged by
    their TVD against ``tolerance``. ``reason`` says it in words.
    """

    agreement: Agreement = Agreement.NOT_AVAILABLE
    test: str | None = None
    statistic: float | None = None
    dof: int | None = None
    p_value: float | None = None
    alpha: float | None = None
    tolerance: float | None = None
    reason: str = ""

    @property
    def agrees(self) -> bool | None:
        """True or False, or None when the verdict is N/A."""
        if self.agreement is Agreement.NOT_AVAILABLE:
            return None
        return self.agreement is Agreement.AGREE


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
    state_fidelity: float | None = None
    verdict: Verdict = attrs.field(factory=Verdict)


@attrs.define
class PairMetric:
    """Two backends' counts measured against each other."""

    first: str
    second: str
    tvd: float | None = None
    shot_noise_bound: float | None = None
    within_bound: bool | None = None
    hellinger_fidelity: float | None = None
    state_fidelity: float | None = None
    verdict: Verdict = attrs.field(factory=Verdict)


@attrs.define
class Recommendation:
    """The backend to use for this circuit, and why, in sentences."""

    backend: str | None = None
    reasons: list[str] = attrs.field(factory=list)


@attrs.define
class Comparison:
    """How a circuit's backends compare with the reference and each other.

    The matrices are keyed ``[first][second]`` by backend name, symmetric,
    with None where either side has no counts (or no state).
    """

    reference: dict[str, float] | None = None
    reference_method: str | None = None
    reference_reason: str | None = None
    per_backend: dict[str, Metrics] = attrs.field(factory=dict)
    pairwise: list[PairMetric] = attrs.field(factory=list)
    tvd_matrix: dict[str, dict[str, float | None]] = attrs.field(factory=dict)
    hellinger_matrix: dict[str, dict[str, float | None]] = attrs.field(factory=dict)
    state_fidelity_matrix: dict[str, dict[str, float | None]] = attrs.field(
        factory=dict
    )
    recommendation: Recommendation = attrs.field(factory=Recommendation)


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
    analysis_errors: list[str] = attrs.field(factory=list)


@attrs.define
class Report:
    """The outcome of one request: every circuit on every backend."""

    options: RunOptions
    backends: list[str]
    circuits: list[CircuitReport] = attrs.field(factory=list)
    kernel_version: str = ""
    created_at: str = ""
    session_id: str = ""
    execution: ExecutionSummary | None = None
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
