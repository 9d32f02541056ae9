"""The ``cirq`` backend: the kernel's contract, filled in for cirq."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from proxima_kernel import (
    Backend,
    Conversion,
    Execution,
    Program,
    RunOptions,
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
    noise_kinds: ClassVar[frozenset[str] | None] = _noise.SUPPORTED_KINDS
    description: ClassVar[str] = (
        "cirq Simulator: statevector, DensityMatrixSimulator when noisy"
    )

    def engine_version(self) -> str:
        import cirq

        return str(cirq.__version__)

    def estimate_memory_bytes(
        self, program: Program, options: RunOptions | None = None
    ) -> int:
        """The state and cirq's buffers of the same size, as measured.

        A state-vector run peaks at four copies of the state (cirq's work
        buffer, the final state and the probabilities read from it); a
        density-matrix run at six. ``benchmarks/memory_estimates.py``
        measures them against each worker's peak.
        """
        copies = 6 if self.method_for(options) == "density_matrix" else 4
        return copies * super().estimate_memory_bytes(program, options)

    def program_reasons(self, program: Program) -> list[str]:
        return _convert.unsupported_reasons(program)

    def convert(self, program: Program) -> Conversion:
        self.refuse(self.program_reasons(program))

        native = _convert.to_circuit(program)
        return Conversion(native=native, path=("cirq.Circuit",))

    def execute(
        self, native: cirq.Circuit, program: Program, options: RunOptions
    ) -> Execution:
        self.refuse(self.noise_reasons(options))

        setup = _run.prepare(native, program, options)
        counts, probabilities = _run.run(setup, program)

        details = self.run_details(options, matrix_gates=setup.matrix_gates)
        return Execution(counts, probabilities, details)
