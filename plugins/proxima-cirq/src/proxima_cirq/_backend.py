"""The ``cirq`` backend: the kernel's contract, filled in for cirq."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from proxima_kernel import (
    Backend,
    Conversion,
    Execution,
    Program,
    RunOptions,
    UnsupportedCircuitError,
)

from proxima_cirq import _convert, _noise, _run

if TYPE_CHECKING:
    import cirq


class CirqBackend(Backend):
    """cirq's simulators, at complex128.

    Ideal runs use ``cirq.Simulator`` (the ``statevector`` method: 16 bytes
    per amplitude, 2^n amplitudes); a run with a noise model uses
    ``cirq.DensityMatrixSimulator`` (``density_matrix``: 4^n entries).
    ``RunOptions.backend_options["cirq"]`` goes to the simulator's
    constructor as is, e.g. ``{"split_untangled_states": False}``.
    """

    name: ClassVar[str] = "cirq"
    method: ClassVar[str] = "statevector"
    noisy_method: ClassVar[str | None] = "density_matrix"
    description: ClassVar[str] = (
        "cirq Simulator: statevector, DensityMatrixSimulator when noisy"
    )

    def engine_version(self) -> str:
        import cirq

        return str(cirq.__version__)

    def unsupported_reason(
        self, program: Program, options: RunOptions | None = None
    ) -> str | None:
        reasons = _convert.unsupported_reasons(program)
        if options is not None:
            reasons += _noise.unsupported_reasons(options.noise)
        return "; ".join(reasons) or None

    def convert(self, program: Program) -> Conversion:
        reasons = _convert.unsupported_reasons(program)
        if reasons:
            raise UnsupportedCircuitError("; ".join(reasons))

        native = _convert.to_circuit(program)
        return Conversion(native=native, path=("cirq.Circuit",))

    def execute(
        self, native: cirq.Circuit, program: Program, options: RunOptions
    ) -> Execution:
        reasons = _noise.unsupported_reasons(options.noise)
        if reasons:
            raise UnsupportedCircuitError("; ".join(reasons))

        setup = _run.prepare(native, program, options)
        counts, probabilities = _run.run(setup, program)

        return Execution(counts, probabilities, _details(setup, options))


def _details(setup: _run.RunSetup, options: RunOptions) -> dict[str, Any]:
    details: dict[str, Any] = {"method": setup.method}
    if setup.matrix_gates:
        details["matrix_gates"] = list(setup.matrix_gates)
    if setup.simulator_options:
        details["backend_options"] = dict(setup.simulator_options)
    if options.noise is not None and Backend.is_noisy(options):
        details["noise"] = options.noise.spec()

    return details
