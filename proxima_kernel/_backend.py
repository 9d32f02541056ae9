"""The contract between the kernel and a simulator plugin.

A backend plugin subclasses :class:`Backend` and implements three small
methods; the kernel's :func:`run_backend` does everything around them
(support and memory checks, timing, the bit-order check, turning engine
exceptions into a ``failed`` status). Keep the engine import inside the
methods so that listing backends never imports a simulator.

``execute`` returns counts keyed in the kernel's bit order: every classical
bit of the program, highest global index on the left.
"""

from __future__ import annotations

import math
import time
from typing import Any, ClassVar

import attrs

from proxima_kernel._errors import UnsupportedCircuitError
from proxima_kernel._ir import Program
from proxima_kernel._model import BackendResult, Circuit, RunOptions, Status

#: How the state grows with the qubits, by simulation method: 2^(k·n).
_GROWTH = {"statevector": 1, "density_matrix": 2}

#: Methods that keep a low-rank factor of 2^n rows and ``max_rank`` columns.
_LOW_RANK = frozenset({"low_rank", "low-rank"})


@attrs.frozen
class Conversion:
    """A program in an engine's own form, and the path it took there."""

    native: Any
    path: tuple[str, ...]


@attrs.define
class Execution:
    """What an engine returned, already in the kernel's bit order.

    ``state``, when the engine offers it, is the final state as a numpy
    array (qubit 0 least significant): a vector of 2^n amplitudes or a
    2^n × 2^n density matrix. The kernel uses it for state fidelities and
    keeps it out of the report.
    """

    counts: dict[str, int]
    probabilities: dict[str, float] | None = None
    details: dict[str, Any] = attrs.field(factory=dict)
    state: Any = attrs.field(default=None, repr=False)


class Backend:
    """Base class of every simulator a plugin contributes.

    Subclasses set ``name`` and ``method`` and implement
    :meth:`engine_version`, :meth:`convert` and :meth:`execute`. They may
    override :meth:`unsupported_reason` to refuse constructs they cannot run
    and :meth:`estimate_memory_bytes` when the method's rule does not fit.

    A backend that switches method for a noisy run (to a density matrix,
    say) names it in ``noisy_method``; :meth:`method_for` then gives the
    method of one run and the base memory estimate follows it. One that
    translates only some noise channels lists their kinds in
    ``noise_kinds``; :meth:`noise_reasons` names the others.

    The kernel runs each backend in a worker process of its own, rebuilt
    there by pickling the backend object (so its class must be importable
    by module and name). ``in_process_safe = True`` declares that the
    backend cannot crash or hang its host, and lets it run in the calling
    process instead.
    """

    name: ClassVar[str] = ""
    method: ClassVar[str] = "statevector"
    noisy_method: ClassVar[str | None] = None
    noise_kinds: ClassVar[frozenset[str] | None] = None
    bytes_per_amplitude: ClassVar[int] = 16
    description: ClassVar[str] = ""
    max_rank: ClassVar[int] = 64
    in_process_safe: ClassVar[bool] = False

    def engine_version(self) -> str:
        """The version of the engine this backend drives."""
        raise NotImplementedError

    @staticmethod
    def is_noisy(options: RunOptions | None) -> bool:
        """True when ``options`` carry a noise model with any channel."""
        noise = None if options is None else options.noise
        return noise is not None and bool(noise.channels)

    @classmethod
    def method_for(cls, options: RunOptions | None) -> str:
        """The method of a run with ``options``.

        ``noisy_method`` for a noisy run when the backend names one,
        otherwise ``method``.
        """
        if cls.noisy_method is not None and cls.is_noisy(options):
            return cls.noisy_method

        return cls.method

    def noise_reasons(self, options: RunOptions | None) -> list[str]:
        """Why the noise model of ``options`` cannot run here, if it cannot.

        One reason for each channel whose kind is not in ``noise_kinds``,
        naming the kind and the backend; none when ``noise_kinds`` is None
        (the backend checks noise itself) or every channel is translated.
        For :meth:`unsupported_reason` and :meth:`execute` to share.
        """
        noise = None if options is None else options.noise
        if noise is None or self.noise_kinds is None:
            return []

        outside = noise.channels_outside(self.noise_kinds)
        return [
            f"the noise channel {c.kind!r} has no {self.name} translation"
            for c in outside
        ]

    def run_details(self, options: RunOptions, **extra: Any) -> dict[str, Any]:
        """The usual ``Execution.details`` of one run with ``options``.

        ``method`` (:meth:`method_for` the run); then each ``extra``
        entry that is not empty, as a list (e.g. ``matrix_gates=("u",)``);
        ``backend_options``, the options given for this backend, when any;
        and ``noise``, the spec of a noisy run's model.
        """
        details: dict[str, Any] = {"method": self.method_for(options)}
        for key, values in extra.items():
            if values:
                details[key] = list(values)
        given = options.backend_options.get(self.name)
        if given:
            details["backend_options"] = dict(given)
        if options.noise is not None and self.is_noisy(options):
            details["noise"] = options.noise.spec()

        return details

    @classmethod
    def failure_message(
        cls, cause: str, method: str, given: dict[str, Any] | None = None
    ) -> str:
        """A sentence on an engine failure, for the plugin's own error.

        It names the backend, the ``method`` and the ``cause`` (the
        engine's exception or status), and ends with the likely fix: the
        backend options ``given`` for this backend when there are any,
        otherwise a smaller circuit or fewer shots.
        """
        message = (
            f"{cls.name} could not run the circuit with the {method} "
            f"method: {cause.rstrip('.')}."
        )
        if given:
            return f"{message} Check the backend options {given} given for {cls.name}."

        return f"{message} A smaller circuit or fewer shots may fit."

    def estimate_memory_bytes(
        self, program: Program, options: RunOptions | None = None
    ) -> int:
        """Bytes the simulation state needs, from the declared method.

        The method is :meth:`method_for` the options. A state vector holds
        2^n amplitudes, a density matrix 4^n and a low-rank factor
        2^n · ``max_rank``; each costs ``bytes_per_amplitude`` (16 at
        complex128). Override when the rule does not fit.
        """
        n = program.num_qubits
        method = self.method_for(options)
        if method in _LOW_RANK:
            return self.bytes_per_amplitude * 2**n * self.max_rank
        growth = _GROWTH.get(method, 1)
        return self.bytes_per_amplitude * 2 ** (growth * n)

    def program_reasons(self, program: Program) -> list[str]:
        """The constructs of ``program`` this backend cannot run, each named.

        None by default. A backend that lists them here gets them in
        :meth:`unsupported_reason`, and may :meth:`refuse` them in
        :meth:`convert` too.
        """
        return []

    def unsupported_reason(
        self, program: Program, options: RunOptions | None = None
    ) -> str | None:
        """Why this backend cannot run ``program``, or None when it can.

        Name the construct or noise channel, e.g. ``"reset is not
        supported"``; the kernel records the run as ``unsupported``. By
        default: :meth:`program_reasons` and then :meth:`noise_reasons`,
        joined by ``"; "``.
        """
        reasons = [*self.program_reasons(program), *self.noise_reasons(options)]
        return "; ".join(reasons) or None

    @staticmethod
    def refuse(reasons: list[str]) -> None:
        """Raise :class:`UnsupportedCircuitError` when there are reasons.

        For :meth:`convert` and :meth:`execute`, which the kernel may call
        without asking :meth:`unsupported_reason` first; the reasons are
        joined by ``"; "``.
        """
        if reasons:
            raise UnsupportedCircuitError("; ".join(reasons))

    def convert(self, program: Program) -> Conversion:
        """Translate the program into the engine's circuit form."""
        raise NotImplementedError

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        """Run ``native`` for ``options.shots`` shots with ``options.seed``."""
        raise NotImplementedError


def refusal(
    backend: Backend, circuit: Circuit, options: RunOptions, limit_bytes: int
) -> BackendResult | None:
    """An ``unsupported`` result when the backend must not run, else None.

    Refuses up front, before any engine work: a construct the backend
    declares it cannot run, or a state larger than ``limit_bytes``.
    """
    program = circuit.program
    estimate = backend.estimate_memory_bytes(program, options)
    reason = backend.unsupported_reason(program, options)
    if reason is None and estimate > limit_bytes:
        reason = (
            f"{circuit.name} has {program.num_qubits} qubits; the "
            f"{backend.method_for(options)} method of {backend.name} needs "
            f"an estimated {format_bytes(estimate)}, more than the "
            f"{format_bytes(limit_bytes)} allowed. Use fewer qubits, another "
            f"backend, or raise --memory-limit-mb."
        )
    if reason is None:
        return None

    return BackendResult(
        backend=backend.name,
        status=Status.UNSUPPORTED,
        reason=reason,
        shots=options.shots,
        seed=options.seed,
        memory_estimate_bytes=estimate,
    )


def run_converted(
    backend: Backend,
    conversion: Conversion,
    circuit: Circuit,
    options: RunOptions,
) -> BackendResult:
    """Run a converted program once and wrap the answer as a BackendResult.

    An :class:`UnsupportedCircuitError` becomes ``unsupported``; any other
    exception raised by the engine becomes ``failed`` with its message.
    """
    result, _ = run_repeated(backend, conversion, circuit, options)
    return result


def run_repeated(
    backend: Backend,
    conversion: Conversion,
    circuit: Circuit,
    options: RunOptions,
    *,
    runs: int = 1,
    warmup: int = 0,
) -> tuple[BackendResult, Any]:
    """Run ``warmup`` untimed and ``runs`` timed times; keep the first timed.

    Returns the result (counts of the first timed run; median, min and
    max of the timed runs in ms) and the engine's final state, if any.
    Exceptions from the engine propagate to the caller.
    """
    for _ in range(warmup):
        backend.execute(conversion.native, circuit.program, options)

    times: list[float] = []
    first: Execution | None = None
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        execution = backend.execute(conversion.native, circuit.program, options)
        times.append((time.perf_counter() - started) * 1000.0)
        first = first or execution

    assert first is not None
    result = _wrap(backend, conversion, circuit, options, first)
    _set_times(result, times, warmup)
    return result, first.state


def _wrap(
    backend: Backend,
    conversion: Conversion,
    circuit: Circuit,
    options: RunOptions,
    execution: Execution,
) -> BackendResult:
    check_bit_order(execution.counts, circuit.program, backend.name)

    return BackendResult(
        backend=backend.name,
        status=Status.OK,
        shots=options.shots,
        seed=options.seed,
        conversion_path=list(circuit.conversion_path) + list(conversion.path),
        memory_estimate_bytes=backend.estimate_memory_bytes(circuit.program, options),
        engine_version=_safe_engine_version(backend),
        # Engines hand back numpy integers; the report holds plain ones.
        counts={key: int(n) for key, n in sorted(execution.counts.items())},
        probabilities=execution.probabilities,
        details=execution.details,
    )


def _set_times(result: BackendResult, times: list[float], warmup: int) -> None:
    ordered = sorted(times)
    middle = len(ordered) // 2
    median = ordered[middle]
    if len(ordered) % 2 == 0:
        median = (ordered[middle - 1] + ordered[middle]) / 2

    result.times_ms = times
    result.runs, result.warmup = len(times), warmup
    result.execution_time_ms = result.wall_time_ms = median
    result.time_min_ms, result.time_max_ms = ordered[0], ordered[-1]


def failed_result(
    backend: str, options: RunOptions, status: Status, reason: str
) -> BackendResult:
    """A result that carries no counts: a failure, refusal or stop."""
    return BackendResult(
        backend=backend,
        status=status,
        reason=reason,
        shots=options.shots,
        seed=options.seed,
    )


def check_bit_order(counts: dict[str, int], program: Program, name: str) -> None:
    """Refuse counts whose keys do not hold one digit per classical bit."""
    width = program.num_clbits
    for key in counts:
        if len(key) != width or set(key) - {"0", "1"}:
            raise ValueError(
                f"Backend {name!r} returned the counts key {key!r}, but the "
                f"circuit has {width} classical bits; a key must be {width} "
                f"digits of 0 and 1, highest bit on the left. This is a bug "
                f"in the backend plugin."
            )


def unsupported(exc: UnsupportedCircuitError, backend: Backend) -> str:
    return f"{backend.name} cannot run this circuit: {exc}"


def _safe_engine_version(backend: Backend) -> str | None:
    try:
        return backend.engine_version()
    except Exception:  # noqa: BLE001 - a version lookup must not fail a run
        return None


def format_bytes(count: float) -> str:
    """Bytes as a short human figure (binary units, up to EiB).

    Beyond 1024 EiB (the state of some 60 qubits and more) the figure is a
    power of two, which also keeps huge integers away from float overflow.
    """
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
    if count >= 1024 ** len(units):
        return f"2^{math.log2(count):.0f} B"
    for power, unit in enumerate(units):
        if count < 1024 ** (power + 1) or unit == units[-1]:
            value = count / 1024**power
            return f"{value:.0f} B" if power == 0 else f"{value:.1f} {unit}"

    raise AssertionError("unreachable")
