"""Run a converted circuit on cirq's simulators and read the answer back.

Three steps, each small:

1. :func:`prepare` adapts the converted circuit to one run: each gate a
   noise channel follows gets that channel's operations right after it
   (under the same condition), and every measurement gets the readout
   confusion map. It also decides how the outcome is drawn.
2. :func:`run` simulates. When the final state decides the outcome (an
   ideal run, only terminal measurements, no reset, no condition), one
   ``simulate`` yields the final state vector, the shots are sampled from
   it with ``cirq.sample_state_vector`` and the exact probabilities are
   read from it. Otherwise ``simulator.run`` draws every shot, and cirq's
   own measurement records are read. cirq's failures become
   :class:`CirqRunError`.
3. The outcomes are keyed in the kernel's order: every classical bit,
   highest global index on the left; a bit no measurement wrote reads 0.

The seed: ``RunOptions.seed`` seeds both the simulator and the sampler,
so the same seed gives the same counts, ideal or noisy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from proxima_kernel import NoiseModel, Program, ProximaError, RunOptions

from proxima_cirq import _convert, _noise

if TYPE_CHECKING:
    import cirq
    import numpy as np

#: Above this many measured qubits, no probabilities are returned: the
#: dict could hold 2**n entries.
MAX_PROBABILITY_QUBITS = 20

#: Below this, a probability counts as zero (rounding noise).
PROBABILITY_FLOOR = 1e-12

#: Simulator arguments the plugin sets itself; backend options may not.
RESERVED_OPTIONS = frozenset({"dtype", "noise", "seed"})


class CirqRunError(ProximaError):
    """cirq could not run a circuit; the message says why."""


@attrs.frozen
class RunSetup:
    """Everything one cirq run needs, ready to go."""

    circuit: cirq.Circuit
    method: str
    num_qubits: int
    shots: int
    seed: int | None
    simulator_options: dict[str, Any]
    from_final_state: bool
    probability_qubits: tuple[int, ...] | None
    matrix_gates: tuple[str, ...]

    def simulator(self) -> Any:
        """A fresh simulator: complex128, seeded with the run's seed."""
        import cirq
        import numpy as np

        if self.method == "density_matrix":
            kind: Any = cirq.DensityMatrixSimulator
        else:
            kind = cirq.Simulator
        return kind(dtype=np.complex128, seed=self.seed, **self.simulator_options)

    def qubit_order(self) -> list[cirq.LineQubit]:
        import cirq

        return cirq.LineQubit.range(self.num_qubits)


def method_for(options: RunOptions | None) -> str:
    """``density_matrix`` for a noisy run, else ``statevector``."""
    noisy = options is not None and _noise.is_noisy(options.noise)
    return "density_matrix" if noisy else "statevector"


def prepare(native: cirq.Circuit, program: Program, options: RunOptions) -> RunSetup:
    """Adapt ``native`` to one run and gather its options."""
    noise = options.noise if _noise.is_noisy(options.noise) else None
    circuit = _with_noise(native, noise) if noise is not None else native

    from_final_state = (
        noise is None and not program.features() and bool(program.measurements())
    )
    probability_qubits = None
    if from_final_state:
        measured = _measured_qubits(program)
        if len(measured) <= MAX_PROBABILITY_QUBITS:
            probability_qubits = measured

    used = {gate.name for gate in program.gates()}
    return RunSetup(
        circuit=circuit,
        method=method_for(options),
        num_qubits=program.num_qubits,
        shots=options.shots,
        seed=options.seed,
        simulator_options=_simulator_options(options),
        from_final_state=from_final_state,
        probability_qubits=probability_qubits,
        matrix_gates=tuple(sorted(used & _convert.MATRIX_GATES)),
    )


def run(
    setup: RunSetup, program: Program
) -> tuple[dict[str, int], dict[str, float] | None]:
    """Counts and probabilities in the kernel's bit order."""
    width = program.num_clbits
    if not program.measurements():
        # Nothing is recorded; every bit reads 0.
        return {"0" * width: setup.shots}, None

    if setup.from_final_state:
        state = _engine(setup, _final_state)
        bits = _engine(setup, lambda s: _sample_state(s, state, program))
        probabilities = None
        if setup.probability_qubits is not None:
            probabilities = _probabilities(state, program, setup.probability_qubits)
        return _counts(bits), probabilities

    records = _engine(setup, _records)
    return _counts(_bits_from_records(records, setup.shots, width)), None


def keys_of(bits: np.ndarray) -> np.ndarray:
    """Kernel keys of the rows of ``bits`` (column j holds clbit j)."""
    import numpy as np

    width = bits.shape[1]
    chars = np.where(bits[:, ::-1] != 0, "1", "0")
    return np.ascontiguousarray(chars).view(f"<U{width}").ravel()


def _with_noise(native: cirq.Circuit, noise: NoiseModel) -> cirq.Circuit:
    import cirq

    confusion = _noise.readout_confusion(noise)
    operations: list[cirq.Operation] = []
    for op in native.all_operations():
        if confusion is not None and cirq.is_measurement(op):
            key = cirq.measurement_key_name(op)
            op = cirq.measure(*op.qubits, key=key, confusion_map=confusion)
        operations.append(op)
        operations.extend(_gate_noise(op, noise))

    return cirq.Circuit(operations)


def _gate_noise(op: cirq.Operation, noise: NoiseModel) -> list[cirq.Operation]:
    """The channels after ``op``, under ``op``'s own classical controls."""
    tags = [tag for tag in op.tags if isinstance(tag, _convert.KernelGate)]
    if not tags:
        return []

    channels = _noise.after_gate(noise, tags[0].name, tuple(op.qubits))
    controls = op.classical_controls
    if not controls:
        return channels
    return [channel.with_classical_controls(*controls) for channel in channels]


def _measured_qubits(program: Program) -> tuple[int, ...]:
    return tuple(sorted(set(program.terminal_measurement_map().values())))


def _simulator_options(options: RunOptions) -> dict[str, Any]:
    given = dict(options.backend_options.get("cirq", {}))
    reserved = sorted(RESERVED_OPTIONS.intersection(given))
    if reserved:
        raise CirqRunError(
            f"The cirq backend option(s) {', '.join(reserved)} are set by the "
            f"plugin from the run options (precision, noise, seed); remove "
            f"them from backend_options['cirq']."
        )
    return given


def _engine(setup: RunSetup, step: Any) -> Any:
    """Call one engine step; cirq's failures become :class:`CirqRunError`."""
    try:
        return step(setup)
    except Exception as exc:  # noqa: BLE001 - translate at the boundary
        cause = f"{type(exc).__name__}: {exc}"
        raise CirqRunError(_failure_message(setup, cause)) from exc


def _final_state(setup: RunSetup) -> np.ndarray:
    """The final state vector, measurements left out (they are terminal)."""
    import cirq

    unmeasured = cirq.Circuit(
        op for op in setup.circuit.all_operations() if not cirq.is_measurement(op)
    )
    result = setup.simulator().simulate(unmeasured, qubit_order=setup.qubit_order())
    return result.final_state_vector


def _sample_state(setup: RunSetup, state: np.ndarray, program: Program) -> np.ndarray:
    """Shots drawn from ``state``, as a (shots, num_clbits) bit matrix."""
    import cirq
    import numpy as np

    qubits = _measured_qubits(program)
    samples = cirq.sample_state_vector(
        state, list(qubits), repetitions=setup.shots, seed=setup.seed
    )

    column = {qubit: index for index, qubit in enumerate(qubits)}
    bits = np.zeros((setup.shots, program.num_clbits), dtype=np.uint8)
    for clbit, qubit in program.terminal_measurement_map().items():
        bits[:, clbit] = samples[:, column[qubit]]
    return bits


def _records(setup: RunSetup) -> dict[str, np.ndarray]:
    result = setup.simulator().run(setup.circuit, repetitions=setup.shots)
    return dict(result.records)


def _bits_from_records(
    records: dict[str, np.ndarray], shots: int, width: int
) -> np.ndarray:
    """The last value written to each clbit in each shot (0 if none)."""
    import numpy as np

    bits = np.zeros((shots, width), dtype=np.uint8)
    for clbit in range(width):
        record = records.get(_convert.clbit_key(clbit))
        if record is not None:
            bits[:, clbit] = record[:, -1, 0]
    return bits


def _counts(bits: np.ndarray) -> dict[str, int]:
    import numpy as np

    keys, numbers = np.unique(keys_of(bits), return_counts=True)
    return {str(key): int(n) for key, n in zip(keys, numbers, strict=True)}


def _probabilities(
    state: np.ndarray, program: Program, qubits: tuple[int, ...]
) -> dict[str, float]:
    """Exact outcome probabilities of the terminal measurements.

    cirq's state puts qubit 0 in the most significant position, so axis
    ``k`` of the reshaped state is qubit ``k``.
    """
    import numpy as np

    n = program.num_qubits
    density = (np.abs(state) ** 2).reshape((2,) * n)
    others = tuple(q for q in range(n) if q not in qubits)
    marginal = density.sum(axis=others).ravel()

    outcomes = np.flatnonzero(marginal > PROBABILITY_FLOOR)
    shift = {qubit: len(qubits) - 1 - k for k, qubit in enumerate(qubits)}
    bits = np.zeros((len(outcomes), program.num_clbits), dtype=np.uint8)
    for clbit, qubit in program.terminal_measurement_map().items():
        bits[:, clbit] = (outcomes >> shift[qubit]) & 1

    merged: dict[str, float] = {}
    for key, probability in zip(keys_of(bits), marginal[outcomes], strict=True):
        merged[str(key)] = merged.get(str(key), 0.0) + float(probability)
    return dict(sorted(merged.items()))


def _failure_message(setup: RunSetup, cause: str) -> str:
    message = (
        f"cirq could not run the circuit with the {setup.method} method: "
        f"{cause.rstrip('.')}."
    )
    if setup.simulator_options:
        return (
            f"{message} Check the backend options {setup.simulator_options} "
            f"given for cirq."
        )
    return f"{message} A smaller circuit or fewer shots may fit."
