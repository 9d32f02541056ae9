"""The ``qiskit-aer`` backend: the kernel's contract, filled in for aer."""

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
    description: ClassVar[str] = (
        "qiskit-aer AerSimulator: statevector, density_matrix when noisy"
    )

    def engine_version(self) -> str:
        import qiskit_aer

        return str(qiskit_aer.__version__)

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
        return Conversion(native=native, path=("qiskit.QuantumCircuit",))

    def execute(
        self, native: QuantumCircuit, program: Program, options: RunOptions
    ) -> Execution:
        reasons = _noise.unsupported_reasons(options.noise)
        if reasons:
            raise UnsupportedCircuitError("; ".join(reasons))

        setup = _run.prepare(native, program, options)
        result = _run.run(setup)
        counts, probabilities = _run.read(result, program, setup)

        return Execution(counts, probabilities, _details(setup, options))


def _details(setup: _run.RunSetup, options: RunOptions) -> dict[str, Any]:
    details: dict[str, Any] = {"method": setup.method}
    if setup.substituted:
        details["unitary_gates"] = list(setup.substituted)
    if setup.simulator_options:
        details["backend_options"] = dict(setup.simulator_options)
    if options.noise is not None and Backend.is_noisy(options):
        details["noise"] = options.noise.spec()

    return details
