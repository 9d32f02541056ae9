"""The ``template`` backend: a numpy state vector, sampled with a seed.

Replace the body of :meth:`TemplateBackend.execute` with calls to your
engine. The kernel does the rest: refusals, timing, the bit-order check
and turning exceptions into a ``failed`` status.

Bit order: counts keys list every classical bit, the highest index on the
left; qubit 0 is the least significant bit of a state index.
"""

from __future__ import annotations

from typing import Any

from proxima_kernel import (
    Backend,
    Conversion,
    Execution,
    Gate,
    Program,
    RunOptions,
    gate_matrix,
)


class TemplateBackend(Backend):
    """An exact state-vector simulator for circuits measured at the end."""

    name = "template"
    method = "statevector"
    description = "template plugin: numpy state vector (copy and rename me)"

    def engine_version(self) -> str:
        import numpy

        return f"numpy {numpy.__version__}"

    def unsupported_reason(
        self, program: Program, options: RunOptions | None = None
    ) -> str | None:
        features = program.features()
        if features:
            return f"template cannot run {', '.join(sorted(features))}"
        if options is not None and options.noise is not None:
            return "template runs ideal circuits only"
        return None

    def convert(self, program: Program) -> Conversion:
        # An engine would build its own circuit object here.
        return Conversion(native=program.gates(), path=("template-gates",))

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        import numpy as np

        state = _final_state(native, program.num_qubits)
        probabilities = np.abs(state) ** 2
        rng = np.random.default_rng(options.seed)
        draws = rng.choice(probabilities.size, size=options.shots, p=probabilities)

        counts: dict[str, int] = {}
        for index in draws.tolist():
            key = _key(index, program)
            counts[key] = counts.get(key, 0) + 1
        exact: dict[str, float] = {}
        for index in np.flatnonzero(probabilities > 1e-12).tolist():
            key = _key(index, program)
            exact[key] = exact.get(key, 0.0) + float(probabilities[index])
        return Execution(counts, exact)


def _final_state(gates: list[Gate], num_qubits: int) -> Any:
    import numpy as np

    # Axis k holds qubit n-1-k, so qubit 0 is the last, least significant.
    state = np.zeros((2,) * num_qubits, dtype=complex)
    state[(0,) * num_qubits] = 1.0
    for gate in gates:
        k = len(gate.qubits)
        matrix = gate_matrix(gate.name, gate.params).reshape((2,) * (2 * k))
        axes = [num_qubits - 1 - q for q in gate.qubits]
        state = np.tensordot(matrix, state, axes=(list(range(k, 2 * k)), axes))
        state = np.moveaxis(state, list(range(k)), axes)

    return state.reshape(-1)


def _key(index: int, program: Program) -> str:
    """The counts key of a basis state: measured qubits into their bits."""
    bits = ["0"] * program.num_clbits
    for clbit, qubit in program.terminal_measurement_map().items():
        bits[program.num_clbits - 1 - clbit] = str((index >> qubit) & 1)
    return "".join(bits)
