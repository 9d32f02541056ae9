"""Run a converted circuit on cirq's simulators and read the answer back.

Three steps, each small:

1. :func:`prepare` adapts the converted circuit to one run: each gate a
   noise channel follows gets that channel's operations right after it
   (under the same condition). Readout error becomes a confusion map on
   every measurement when a later operation may read the bits; with only
   terminal measurements the plugin flips the sampled bits itself, the
   same channel (a confusion map would make cirq simulate shot by shot).
   It also decides how the outcome is drawn.
2. :func:`run` simulates. When the final state decides the outcome (only
   terminal measurements, no reset, no condition), one ``simulate``
   yields the final state vector (ideal) or density matrix (noisy), the
   shots are sampled from it (``cirq.sample_state_vector`` or
   ``cirq.sample_density_matrix``) and the exact probabilities, readout
   error included, are read from it. Otherwise ``simulator.run`` draws
   every shot, and cirq's own measurement records are read. cirq's
   failures become :class:`CirqRunError`.
3. The outcomes are keyed in the kernel's order: every classical bit,
   highest global index on the left; a bit no measurement wrote reads 0.

The seed: ``RunOptions.seed`` seeds the simulator, the sampler and the
readout flips, so the same seed gives the same counts, ideal or noisy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from proxima_kernel import Backend, NoiseModel, Program, ProximaError, RunOptions

from proxima_cirq import _convert, _noise

if TYPE_CHECKING:
    import cirq
    import numpy as np

#: Above this many written classical bits, no probabilities are returned:
#: the dict could hold 2**n entries.
MAX_PROBABILITY_BITS = 20

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
    with_probabilities: bool
    readout_flip: float
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


def prepare(native: cirq.Circuit, program: Program, options: RunOptions) -> RunSetup:
    """Adapt ``native`` to one run and gather its options."""
    noise = options.noise if Backend.is_noisy(options) else None
    terminal = not program.features()
    circuit = native
    if noise is not None:
        circuit = _with_noise(native, noise, confusion=not terminal)

    from_final_state = terminal and bool(program.measurements())
    readout_flip = noise.readout_error() if noise is not None and terminal else 0.0
    written = len(program.terminal_measurement_map())

    used = {gate.name for gate in program.gates()}
    return RunSetup(
        circuit=circuit,
        method=_backend_class().method_for(options),
        num_qubits=program.num_qubits,
        shots=options.shots,
        seed=options.seed,
        simulator_options=_simulator_options(options),
        from_final_state=from_final_state,
        with_probabilities=from_final_state and written <= MAX_PROBABILITY_BITS,
        readout_flip=readout_flip,
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

    if not setup.from_final_state:
        records = _engine(setup, _records)
        return _counts(_bits_from_records(records, setup.shots, width)), None

    state = _engine(setup, _final_state)
    bits = _engine(setup, lambda s: _sample_state(s, state, program))
    if setup.readout_flip:
        bits = _with_readout_flips(bits, program, setup)

    probabilities = None
    if setup.with_probabilities:
        diagonal = _outcome_weights(state, setup.method)
        probabilities = _probabilities(diagonal, program, setup.readout_flip)
    return _counts(bits), probabilities


def keys_of(bits: np.ndarray) -> np.ndarray:
    """Kernel keys of the rows of ``bits`` (column j holds clbit j)."""
    import numpy as np

    width = bits.shape[1]
    chars = np.where(bits[:, ::-1] != 0, "1", "0")
    return np.ascontiguousarray(chars).view(f"<U{width}").ravel()


def _with_noise(
    native: cirq.Circuit, noise: NoiseModel, *, confusion: bool
) -> cirq.Circuit:
    """``native`` with the gate noise and, if ``confusion``, the readout."""
    import cirq

    confusion_map = _noise.readout_confusion(noise) if confusion else None
    operations: list[cirq.Operation] = []
    for op in native.all_operations():
        if confusion_map is not None and cirq.is_measurement(op):
            key = cirq.measurement_key_name(op)
            op = cirq.measure(*op.qubits, key=key, confusion_map=confusion_map)
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
        raise CirqRunError(_failure(setup, cause)) from exc


def _final_state(setup: RunSetup) -> np.ndarray:
    """The final state vector or density matrix, without the measurements.

    Only called when every measurement is terminal, so leaving them out
    changes nothing before them.
    """
    import cirq

    unmeasured = cirq.Circuit(
        op for op in setup.circuit.all_operations() if not cirq.is_measurement(op)
    )
    result = setup.simulator().simulate(unmeasured, qubit_order=setup.qubit_order())
    if setup.method == "density_matrix":
        return result.final_density_matrix
    return result.final_state_vector


def _sample_state(setup: RunSetup, state: np.ndarray, program: Program) -> np.ndarray:
    """Shots drawn from ``state``, as a (shots, num_clbits) bit matrix."""
    import cirq
    import numpy as np

    qubits = _measured_qubits(program)
    sample: Any = cirq.sample_state_vector
    if setup.method == "density_matrix":
        sample = cirq.sample_density_matrix
    samples = sample(state, list(qubits), repetitions=setup.shots, seed=setup.seed)

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


def _with_readout_flips(
    bits: np.ndarray, program: Program, setup: RunSetup
) -> np.ndarray:
    """Flip each written bit of each shot with the readout probability.

    Only for terminal measurements: no later operation reads the bits, so
    drawing the flips after the shots is the same channel. The flips use
    their own generator, seeded with the run's seed.
    """
    import numpy as np

    rng = np.random.default_rng(setup.seed)
    written = sorted(program.terminal_measurement_map())
    flips = rng.random((setup.shots, len(written))) < setup.readout_flip
    bits[:, written] ^= flips.astype(np.uint8)
    return bits


def _counts(bits: np.ndarray) -> dict[str, int]:
    import numpy as np

    keys, numbers = np.unique(keys_of(bits), return_counts=True)
    return {str(key): int(n) for key, n in zip(keys, numbers, strict=True)}


def _outcome_weights(state: np.ndarray, method: str) -> np.ndarray:
    """The probability of each basis state (cirq's order)."""
    import numpy as np

    if method == "density_matrix":
        return np.real(np.diagonal(state))
    return np.abs(state) ** 2


def _probabilities(
    weights: np.ndarray, program: Program, flip: float
) -> dict[str, float]:
    """Exact probabilities of the terminal measurements' bits.

    ``weights`` is in cirq's order: axis ``k`` of the reshaped array is
    qubit ``k``. The table is built over the written bits (the others
    read 0), then each written bit flips with the readout probability.
    """
    import numpy as np

    mapping = program.terminal_measurement_map()
    written = sorted(mapping)
    table = _bit_table(weights, program, written)
    if flip:
        table = _flipped(table, len(written), flip)

    kept = np.flatnonzero(table > PROBABILITY_FLOOR)
    bits = np.zeros((len(kept), program.num_clbits), dtype=np.uint8)
    for k, clbit in enumerate(written):
        bits[:, clbit] = (kept >> (len(written) - 1 - k)) & 1

    pairs = zip(keys_of(bits), table[kept], strict=True)
    return {str(key): float(p) for key, p in sorted(pairs)}


def _bit_table(weights: np.ndarray, program: Program, written: list[int]) -> np.ndarray:
    """Probabilities over the written bits, ``written[0]`` most significant."""
    import numpy as np

    n = program.num_qubits
    mapping = program.terminal_measurement_map()
    qubits = _measured_qubits(program)
    others = tuple(q for q in range(n) if q not in qubits)
    marginal = weights.reshape((2,) * n).sum(axis=others).ravel()

    outcomes = np.arange(marginal.size)
    shift = {qubit: len(qubits) - 1 - k for k, qubit in enumerate(qubits)}
    index = np.zeros(marginal.size, dtype=np.int64)
    for k, clbit in enumerate(written):
        bit = (outcomes >> shift[mapping[clbit]]) & 1
        index |= bit << (len(written) - 1 - k)

    table = np.zeros(2 ** len(written))
    np.add.at(table, index, marginal)
    return table


def _flipped(table: np.ndarray, width: int, flip: float) -> np.ndarray:
    """``table`` after each of its ``width`` bits flips with ``flip``."""
    import numpy as np

    channel = np.array([[1 - flip, flip], [flip, 1 - flip]])
    tensor = table.reshape((2,) * width)
    for axis in range(width):
        turned = np.tensordot(channel, tensor, axes=([1], [axis]))
        tensor = np.moveaxis(turned, 0, axis)
    return tensor.ravel()


def _backend_class() -> type[Backend]:
    # Imported here: the backend module imports this one.
    from proxima_cirq._backend import CirqBackend

    return CirqBackend


def _failure(setup: RunSetup, cause: str) -> str:
    return _backend_class().failure_message(
        cause, setup.method, setup.simulator_options
    )
