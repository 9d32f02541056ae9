"""The ``lret`` backend: the kernel's contract, filled in for LRET.

numpy loads only inside :meth:`LRETBackend.convert` and
:meth:`LRETBackend.execute`; support checks, memory estimates and routing
hints are pure Python.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

from proxima_kernel import (
    STANDARD_GATES,
    Backend,
    Conversion,
    Execution,
    Gate,
    Program,
    ProximaError,
    RunOptions,
    UsageError,
)

from proxima_lret import _routing
from proxima_lret._options import Settings, settings_of

#: Noise kinds LRET has Kraus operators for (every kernel kind).
CHANNELS = frozenset(
    {
        "depolarizing",
        "depolarizing2",
        "amplitude_damping",
        "phase_damping",
        "bit_flip",
        "phase_flip",
        "readout",
    }
)


class LRETRunError(ProximaError):
    """LRET could not produce a result; the message says why."""


class TruncationWarning(UserWarning):
    """The truncation bound of a run exceeded the user's tolerance."""


class LRETBackend(Backend):
    """Low-rank density-matrix evolution in numpy, with a certified bound.

    The state of n qubits is a factor L of shape (2^n, r) with
    ``rho = L L^dagger``. Options go under
    ``RunOptions.backend_options["lret"]``: ``epsilon``, ``rule``,
    ``max_rank``, ``tolerance``, ``fuse_qubits``, ``observables`` (see
    :class:`proxima_lret._options.Settings`).
    """

    name: ClassVar[str] = "lret"
    method: ClassVar[str] = "low_rank_density_matrix"
    noise_kinds: ClassVar[frozenset[str] | None] = CHANNELS
    description: ClassVar[str] = (
        "Proxima's low-rank density-matrix simulator (numpy): noisy circuits "
        "on many qubits with little noise, with a certified error bound"
    )

    def engine_version(self) -> str:
        import numpy

        from proxima_lret import __version__

        return f"proxima-lret {__version__} (numpy {numpy.__version__})"

    def estimate_memory_bytes(
        self, program: Program, options: RunOptions | None = None
    ) -> int:
        """16 bytes x 2^n x the expected rank per state, plus read-out.

        The rank counts the error branches that pass screening (see
        :func:`proxima_lret._routing.expected_rank`), capped by
        ``max_rank``; a measurement that later operations depend on holds
        one such state per record (:func:`proxima_lret._routing.memory_bytes`).
        """
        try:
            settings = settings_of(options)
        except UsageError:
            settings = Settings()
        noise = options.noise if options else None

        return _routing.memory_bytes(
            program, noise, settings.epsilon, settings.max_rank
        )

    def program_reasons(self, program: Program) -> list[str]:
        """Gates outside the standard table; everything else runs."""
        names = [op.name for op in program.operations if isinstance(op, Gate)]
        return [
            f"the gate {name!r} is not in the standard gate table"
            for name in dict.fromkeys(names)
            if name not in STANDARD_GATES
        ]

    def unsupported_reason(
        self, program: Program, options: RunOptions | None = None
    ) -> str | None:
        """Unknown gates, untranslatable channels and bad options."""
        reasons = [*self.program_reasons(program), *self.noise_reasons(options)]
        try:
            settings = settings_of(options)
        except UsageError as exc:
            reasons.append(str(exc).rstrip("."))
        else:
            reasons += _observable_reasons(settings.observables, program)

        return "; ".join(reasons) or None

    def convert(self, program: Program) -> Conversion:
        """Lower the program to matrices; noise joins at execution."""
        from proxima_lret._program import lower

        self.refuse(self.program_reasons(program))
        lower(program)
        return Conversion(native=program, path=("lret-operations",))

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        """Simulate under the run's noise; sample ``shots`` with ``seed``."""
        from proxima_lret._program import simulate

        self.refuse(self.noise_reasons(options))
        settings = settings_of(options)
        outcome = simulate(
            program,
            options.noise,
            shots=options.shots,
            seed=options.seed,
            epsilon=settings.epsilon,
            rule=settings.rule,
            max_rank=settings.max_rank,
            fuse_qubits=settings.fuse_qubits,
        )

        if not outcome.trace > 0:
            raise LRETRunError(
                f"Truncation at epsilon {settings.epsilon:g} removed the whole "
                f"state (the noise spreads it over branches that each weigh "
                f"less than the threshold), so there is nothing to sample. "
                f"Lower epsilon, or use a density-matrix backend."
            )
        width = program.num_clbits
        distribution = (
            None
            if outcome.probabilities is None
            else {_key(k, w=width): p for k, p in outcome.probabilities.items()}
        )
        found = self.details(program, options, settings, outcome)
        decided = bool(program.measurements()) and not program.features()
        if program.measurements() and not decided and distribution:
            # The kernel's contract keeps ``probabilities`` for outcomes the
            # final state decides; LRET's branching makes this one exact too.
            found["distribution"] = distribution
        return Execution(
            counts={_key(k, w=width): c for k, c in outcome.counts.items()},
            probabilities=distribution if decided else None,
            details=found,
        )

    def details(
        self,
        program: Program,
        options: RunOptions,
        settings: Settings,
        outcome: Any,
    ) -> dict[str, Any]:
        """``details`` of a result: the usual ones, ranks, bound and hint."""
        hint = _routing.routing_hint(program, options.noise)
        found = self.run_details(options)
        found.update(
            final_rank=outcome.final_rank,
            max_rank_seen=outcome.max_rank_seen,
            truncation_bound=outcome.truncation_bound,
            trace=outcome.trace,
            compressions=outcome.compressions,
            branches=outcome.branches,
            expected_errors=hint.expected_errors,
            recommended=hint.recommended,
            recommendation=hint.reason,
            epsilon=settings.epsilon,
            rule=settings.rule,
            max_rank=settings.max_rank,
        )
        if settings.observables:
            found["expectations"] = {
                pauli: outcome.expectation(pauli) for pauli in settings.observables
            }
        warning = _tolerance_warning(outcome.truncation_bound, settings.tolerance)
        if warning is not None:
            found["warnings"] = [warning]
            warnings.warn(warning, TruncationWarning, stacklevel=3)

        return found

    def routing_hint(
        self, program: Program, options: RunOptions | None = None
    ) -> _routing.Hint:
        """Whether LRET is the right tool for this run, and why."""
        return _routing.routing_hint(program, options.noise if options else None)


def _observable_reasons(observables: tuple[str, ...], program: Program) -> list[str]:
    width = program.num_qubits
    return [
        f"the observable {pauli!r} has {len(pauli)} letters, but the circuit "
        f"has {width} qubits; write one letter per qubit, qubit 0 on the right"
        for pauli in observables
        if len(pauli) != width
    ]


#: Round-off in the bound of an untruncated run (sums of ~1e-16 weights).
ROUND_OFF = 1e-12


def _tolerance_warning(bound: float, tolerance: float | None) -> str | None:
    if tolerance is None or bound <= tolerance + ROUND_OFF:
        return None
    return (
        f"The LRET truncation bound {bound:.3g} exceeds the tolerance "
        f"{tolerance:.3g}: the result may be that far, in trace distance, "
        f"from the exact noisy state. Lower epsilon, raise max_rank, or use "
        f"a density-matrix backend."
    )


def _key(value: int, w: int) -> str:
    """A record as a counts key: ``w`` digits, clbit 0 on the right."""
    return format(value, f"0{w}b") if w else ""
