"""The ``qiskit-aer`` backend: the kernel's contract, filled in for aer."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from proxima_kernel import (
    Backend,
    Conversion,
    Execution,
    Program,
    RunOptions,
)

from proxima_qiskit_aer import _convert, _noise, _run

if TYPE_CHECKING:
    from qiskit import QuantumCircuit


class AerBackend(Backend):
    """qiskit-aer's AerSimulator.

    Ideal runs use the ``statevector`` method (16 bytes per amplitude,
    2^n amplitudes); a run with a noise model uses ``density_matrix``
    (4^n entries). ``RunOptions.backend_options["qiskit-aer"]`` goes to
    ``AerSimulator`` as is, e.g. ``{"max_parallel_threads": 1}``.
    """

    name: ClassVar[str] = "qiskit-aer"
    method: ClassVar[str] = "statevector"
    noisy_method: ClassVar[str | None] = "density_matrix"
    noise_kinds: ClassVar[frozenset[str] | None] = _noise.SUPPORTED_KINDS
    description: ClassVar[str] = (
        "qiskit-aer AerSimulator: statevector, density_matrix when noisy"
    )

    def engine_version(self) -> str:
        import qiskit_aer

        return str(qiskit_aer.__version__)

    def program_reasons(self, program: Program) -> list[str]:
        return _convert.unsupported_reasons(program)

    def convert(self, program: Program) -> Conversion:
        self.refuse(self.program_reasons(program))

        native = _convert.to_circuit(program)
        return Conversion(native=native, path=("qiskit.QuantumCircuit",))

    def execute(
        self, native: QuantumCircuit, program: Program, options: RunOptions
    ) -> Execution:
        self.refuse(self.noise_reasons(options))

        setup = _run.prepare(native, program, options)
        result = _run.run(setup)
        counts, probabilities = _run.read(result, program, setup)

        details = self.run_details(options, unitary_gates=setup.substituted)
        return Execution(counts, probabilities, details)
