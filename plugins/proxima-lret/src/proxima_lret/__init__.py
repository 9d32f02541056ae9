"""Proxima's own simulator: low-rank density-matrix evolution (LRET).

This module is the plugin glue; :mod:`proxima_lret.simulator` is the
simulator and works without the kernel. numpy is imported only inside the
backend's methods, so that listing backends stays light.

Options, under ``RunOptions.backend_options["lret"]``:

``epsilon`` (default 1e-4)
    The truncation threshold, as a fraction of the state's trace.
``rule`` (``"relative"`` or ``"cumulative"``)
    Drop each eigenvalue or Kraus branch below ``epsilon * trace``, or the
    smallest ones while their sum stays within ``epsilon * trace``.
``max_rank`` (default none)
    The most rows kept after a compression.
``tolerance`` (default none)
    Warn (a :class:`TruncationWarning` and ``details["warnings"]``) when
    the truncation bound exceeds it.
``fuse_qubits`` (default 4)
    The widest block that gates and channels are fused into.

``details`` of every result hold ``final_rank``, ``max_rank_seen``,
``truncation_bound`` (it bounds the trace distance of the final state to
the exact noisy state, so also the total variation distance of the
probabilities), ``expected_errors``, ``recommended`` and
``recommendation`` (why, or why not). ``probabilities`` is the exact
outcome distribution of the final truncated state, renormalised, with the
readout error applied: the distribution the counts are drawn from.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

from proxima_kernel import (
    Backend,
    Barrier,
    Conversion,
    Execution,
    Gate,
    Measure,
    NoiseModel,
    Program,
    Reset,
    RunOptions,
    UsageError,
    gate_matrix,
    hookimpl,
)
from proxima_kernel import STANDARD_GATES

__version__ = "0.1.0"

__all__ = ["LRETBackend", "TruncationWarning", "routing_hint"]

_OPTION_KEYS = ("epsilon", "rule", "max_rank", "tolerance", "fuse_qubits")
_LRET_CHANNELS = (
    "depolarizing",
    "depolarizing2",
    "amplitude_damping",
    "phase_damping",
    "bit_flip",
    "phase_flip",
    "readout",
)
#: Below this many qubits a full density matrix (16 MiB at 10) is cheap.
_SMALL_QUBITS = 10
#: Above this many expected errors, truncation loses too much.
_MAX_EXPECTED_ERRORS = 1.0


class TruncationWarning(UserWarning):
    """The truncation bound of a run exceeded the user's tolerance."""


class LRETBackend(Backend):
    """Low-rank density-matrix evolution, in numpy."""

    name = "lret"
    method = "low_rank"
    description = (
        "Proxima's low-rank density-matrix simulator: noisy circuits on many "
        "qubits with little noise, with a certified truncation bound."
    )

    def engine_version(self) -> str:
        import numpy

        return f"proxima-lret {__version__} (numpy {numpy.__version__})"

    def estimate_memory_bytes(
        self, program: Program, options: RunOptions | None = None
    ) -> int:
        """16 bytes x 2^n x the expected rank, plus a scratch buffer.

        The rank is one plus the branches the noise adds (capped by
        ``max_rank`` and by 2^n, the most a compression leaves).
        """
        settings = _settings(options, strict=False)
        noise = options.noise if options else None
        dim = 2**program.num_qubits
        rank = 1 + _branch_count(program, noise)
        if settings["max_rank"] is not None:
            rank = min(rank, settings["max_rank"])
        rank = min(rank, dim)
        return 16 * dim * rank + 2**20

    def unsupported_reason(
        self, program: Program, options: RunOptions | None = None
    ) -> str | None:
        for op in program.operations:
            if isinstance(op, Gate) and op.name not in STANDARD_GATES:
                return f"the gate {op.name!r} is not in the standard gate table"
        noise = options.noise if options else None
        for channel in noise.channels if noise else ():
            if channel.kind not in _LRET_CHANNELS:
                return f"the noise channel {channel.kind!r} is not supported"
        try:
            _settings(options)
        except UsageError as exc:
            return str(exc)
        return None

    def convert(self, program: Program) -> Conversion:
        """Lower the program to matrices; noise is added at execution."""
        lowered = [_lower(op) for op in program.operations]
        native = [item for item in lowered if item is not None]
        return Conversion(native=native, path=("lret-ops",))

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        from proxima_lret import runner

        settings = _settings(options)
        noise = options.noise or NoiseModel()
        ops = _with_noise(native, noise)
        outcome = runner.run(
            program.num_qubits,
            program.num_clbits,
            ops,
            shots=options.shots,
            seed=options.seed,
            epsilon=settings["epsilon"],
            rule=settings["rule"],
            max_rank=settings["max_rank"],
            fuse_qubits=settings["fuse_qubits"],
        )

        width = program.num_clbits
        details = self._details(program, noise, settings, outcome)
        return Execution(
            counts={_key(k, width): c for k, c in outcome.counts.items()},
            probabilities={_key(k, width): p for k, p in outcome.probabilities.items()},
            details=details,
        )

    def recommendation(
        self, program: Program, options: RunOptions | None = None
    ) -> tuple[bool, str]:
        """Whether LRET is the right tool for this run, and why."""
        noise = options.noise if options else None
        recommended, reason, _ = routing_hint(program, noise)
        return recommended, reason

    def _details(
        self,
        program: Program,
        noise: NoiseModel,
        settings: dict[str, Any],
        outcome: Any,
    ) -> dict[str, Any]:
        recommended, reason, expected = routing_hint(program, noise)
        details: dict[str, Any] = {
            "final_rank": outcome.final_rank,
            "max_rank_seen": outcome.max_rank_seen,
            "truncation_bound": outcome.truncation_bound,
            "trace": outcome.trace,
            "expected_errors": expected,
            "recommended": recommended,
            "recommendation": reason,
            "epsilon": settings["epsilon"],
            "rule": settings["rule"],
            "max_rank": settings["max_rank"],
            "compressions": outcome.compressions,
            "branches": outcome.branches,
        }
        tolerance = settings["tolerance"]
        if tolerance is not None and outcome.truncation_bound > tolerance:
            message = (
                f"The LRET truncation bound {outcome.truncation_bound:.3g} "
                f"exceeds the tolerance {tolerance:.3g}: the result may be "
                f"that far (in trace distance) from the exact noisy state. "
                f"Lower epsilon, raise max_rank, or use a density-matrix "
                f"backend."
            )
            details["warnings"] = [message]
            warnings.warn(message, TruncationWarning, stacklevel=2)
        return details


def routing_hint(
    program: Program, noise: NoiseModel | None
) -> tuple[bool, str, float]:
    """``(recommended, reason, expected_errors)`` for running on LRET.

    The expected number of errors (the sum of error probabilities over all
    noise locations) predicts the truncation loss: with ``x`` expected
    errors the weight of the runs with two or more errors, which screening
    drops first, is about ``1 - e^-x (1 + x)``.
    """
    n = program.num_qubits
    expected = _expected_errors(program, noise)
    dm_bytes = 16 * 4**n
    if expected == 0.0:
        return False, "the run is noiseless: a state-vector simulator is enough", 0.0
    if expected > _MAX_EXPECTED_ERRORS:
        loss = 1 - math.exp(-expected) * (1 + expected)
        return (
            False,
            f"about {expected:.2f} errors are expected per run, so screening "
            f"would drop about {loss:.0%} of the state; use a density-matrix "
            f"or trajectory simulator",
            expected,
        )
    if n < _SMALL_QUBITS:
        return (
            False,
            f"{n} qubits fit a full density matrix ({_mib(dm_bytes)}), which "
            f"is exact and fast",
            expected,
        )
    return (
        True,
        f"{n} qubits with about {expected:.2f} expected errors: the low-rank "
        f"state stays far below the {_mib(dm_bytes)} of a density matrix",
        expected,
    )


def _expected_errors(program: Program, noise: NoiseModel | None) -> float:
    if noise is None:
        return 0.0
    total = 0.0
    for op in program.operations:
        if isinstance(op, Gate):
            width = len(op.qubits)
            for channel in noise.after_gate(op.name, width):
                places = 1 if channel.kind == "depolarizing2" else width
                total += channel.probability * places
    return total


def _branch_count(program: Program, noise: NoiseModel | None) -> int:
    """Rows the noise can add when only the dominant row branches."""
    if noise is None:
        return 0
    extra = {"depolarizing": 3, "depolarizing2": 15}
    count = 0
    for op in program.operations:
        if isinstance(op, Gate):
            width = len(op.qubits)
            for channel in noise.after_gate(op.name, width):
                places = 1 if channel.kind == "depolarizing2" else width
                count += extra.get(channel.kind, 1) * places
    return count


def _settings(options: RunOptions | None, strict: bool = True) -> dict[str, Any]:
    raw = dict(options.backend_options.get("lret", {})) if options else {}
    settings = {
        "epsilon": 1e-4,
        "rule": "relative",
        "max_rank": None,
        "tolerance": None,
        "fuse_qubits": 4,
    }
    unknown = sorted(set(raw) - set(_OPTION_KEYS))
    problem = None
    if unknown:
        problem = (
            f"unknown LRET option(s) {', '.join(unknown)}; the options are "
            f"{', '.join(_OPTION_KEYS)}"
        )
    settings.update({k: v for k, v in raw.items() if k in settings})
    if settings["rule"] not in ("relative", "cumulative"):
        problem = (
            f"the LRET rule must be 'relative' or 'cumulative', got "
            f"{settings['rule']!r}"
        )
    if not float(settings["epsilon"]) >= 0:
        problem = f"the LRET epsilon must be >= 0, got {settings['epsilon']!r}"
    if settings["max_rank"] is not None and int(settings["max_rank"]) < 1:
        problem = f"the LRET max_rank must be >= 1, got {settings['max_rank']!r}"
    if problem is not None and strict:
        raise UsageError(problem[0].upper() + problem[1:] + ".")
    if problem is not None:
        return {**settings, "max_rank": None}
    return settings


def _lower(op: Any) -> Any:
    """One program operation as a runner operation (noise comes later)."""
    from proxima_lret import channels, fusion, runner

    condition = getattr(op, "condition", None)
    cond = (tuple(condition.clbits), condition.value) if condition else None
    if isinstance(op, Gate):
        matrix = gate_matrix(op.name, op.params)
        return (op.name, fusion.Unitary(matrix, tuple(op.qubits), cond))
    if isinstance(op, Measure):
        return (None, runner.Measure(op.qubit, op.clbit, 0.0, cond))
    if isinstance(op, Reset):
        return (None, fusion.Kraus(channels.reset_operators(), (op.qubit,), cond))
    if isinstance(op, Barrier):
        return None
    raise TypeError(f"LRET cannot lower the operation {op!r}.")


def _with_noise(native: list[Any], noise: NoiseModel) -> list[Any]:
    """The runner's operations with the noise model's channels inserted."""
    from proxima_lret import channels, fusion, runner

    flip = noise.readout_error()
    ops: list[Any] = []
    for gate_name, op in native:
        if isinstance(op, runner.Measure):
            ops.append(runner.Measure(op.qubit, op.clbit, flip, op.condition))
            continue
        ops.append(op)
        if gate_name is None:
            continue
        for channel in noise.after_gate(gate_name, len(op.qubits)):
            kraus = channels.kraus_operators(channel.kind, channel.probability)
            if channel.kind == "depolarizing2":
                ops.append(fusion.Kraus(kraus, op.qubits, op.condition))
            else:
                ops.extend(fusion.Kraus(kraus, (q,), op.condition) for q in op.qubits)
    return ops


def _key(value: int, width: int) -> str:
    return format(value, f"0{width}b") if width else ""


def _mib(count: float) -> str:
    return f"{count / 2**20:,.0f} MiB" if count >= 2**20 else f"{count / 1024:.0f} KiB"


@hookimpl
def proxima_register_backends(register: Callable[[Backend], None]) -> None:
    register(LRETBackend())
