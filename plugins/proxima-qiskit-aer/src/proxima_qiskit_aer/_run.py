"""Run a converted circuit on AerSimulator and read the answer back.

Three steps, each small:

1. :func:`prepare` adapts the converted circuit to one run. A standard
   gate the chosen simulation method lacks (``iswap`` everywhere, ``ch``
   or ``cu`` on the density matrix, ...) is replaced by a ``UnitaryGate``
   of its exact matrix. Each gate a noise channel follows gets that
   channel's aer error appended right after it, inside the same
   ``if_test`` block when it is conditioned. For an ideal circuit whose
   outcome follows from the final state, measurements move to the end
   (they only ever follow the gates of their qubit) and a
   ``save_probabilities_dict`` goes in before them, so the same run yields
   exact probabilities.
2. :func:`run` calls aer, and turns any aer failure into
   :class:`AerRunError`.
3. :func:`read` maps aer's counts and probabilities to the kernel's keys.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import attrs
from proxima_kernel import Backend, NoiseModel, Program, ProximaError, RunOptions

from proxima_qiskit_aer import _noise

if TYPE_CHECKING:
    from qiskit import QuantumCircuit
    from qiskit.result import Result
    from qiskit_aer import AerSimulator

#: Above this many measured qubits, no probabilities are saved: the dict
#: could hold 2**n entries.
MAX_PROBABILITY_QUBITS = 20

#: The label of the saved probabilities in aer's result.
PROBABILITIES = "proxima_probabilities"

#: Options the plugin sets itself; backend options may not override them.
RESERVED_OPTIONS = frozenset({"method", "seed_simulator", "noise_model", "shots"})


class AerRunError(ProximaError):
    """qiskit-aer could not run a circuit; the message says why."""


@attrs.frozen
class RunSetup:
    """Everything one aer run needs, ready to go."""

    circuit: QuantumCircuit
    method: str
    simulator_options: dict[str, Any]
    run_options: dict[str, Any]
    probability_qubits: tuple[int, ...] | None
    substituted: tuple[str, ...]

    def simulator(self) -> AerSimulator:
        from qiskit_aer import AerSimulator

        return AerSimulator(method=self.method, **self.simulator_options)


def prepare(native: QuantumCircuit, program: Program, options: RunOptions) -> RunSetup:
    """Adapt ``native`` to aer and gather the options of one run."""
    method = _backend_class().method_for(options)
    simulator_options = _simulator_options(options)
    noise = options.noise if Backend.is_noisy(options) else None
    errors = _noise.gate_errors(noise, program) if noise else {}

    basis = set(_basis_gates(method))
    substituted: set[str] = set()
    circuit = _adapt(native, basis, errors, substituted)

    probability_qubits = _probability_qubits(program, noise)
    if probability_qubits is not None:
        circuit = _with_saved_probabilities(circuit, probability_qubits)

    run_options: dict[str, Any] = {"shots": options.shots}
    if options.seed is not None:
        run_options["seed_simulator"] = options.seed
    readout = _noise.readout_model(noise) if noise else None
    if readout is not None:
        run_options["noise_model"] = readout

    return RunSetup(
        circuit=circuit,
        method=method,
        simulator_options=simulator_options,
        run_options=run_options,
        probability_qubits=probability_qubits,
        substituted=tuple(sorted(substituted)),
    )


def run(setup: RunSetup) -> Result:
    """Run the prepared circuit; aer's failures become :class:`AerRunError`."""
    try:
        simulator = setup.simulator()
        result = simulator.run(setup.circuit, **setup.run_options).result()
    except Exception as exc:  # noqa: BLE001 - translate at the boundary
        cause = f"{type(exc).__name__}: {exc}"
        raise AerRunError(_failure(setup, cause)) from exc

    if not result.success:
        status = result.results[0].status if result.results else result.status
        raise AerRunError(_failure(setup, str(status)))
    return result


def read(
    result: Result, program: Program, setup: RunSetup
) -> tuple[dict[str, int], dict[str, float] | None]:
    """Counts and probabilities in the kernel's bit order."""
    width = program.num_clbits
    if not program.measurements():
        # aer keeps no counts without a measurement; every bit reads 0.
        counts = {"0" * width: setup.run_options["shots"]}
    else:
        raw = result.get_counts(0)
        counts = {key.replace(" ", ""): int(n) for key, n in raw.items()}

    probabilities = None
    if setup.probability_qubits is not None:
        saved = result.data(0)[PROBABILITIES]
        probabilities = _kernel_probabilities(saved, program, setup.probability_qubits)
    return counts, probabilities


def _simulator_options(options: RunOptions) -> dict[str, Any]:
    given = dict(options.backend_options.get("qiskit-aer", {}))
    reserved = sorted(RESERVED_OPTIONS.intersection(given))
    if reserved:
        raise AerRunError(
            f"The qiskit-aer backend option(s) {', '.join(reserved)} are set "
            f"by the plugin from the run options (noise, seed, shots); remove "
            f"them from backend_options['qiskit-aer']."
        )
    return given


@functools.cache
def _basis_gates(method: str) -> tuple[str, ...]:
    from qiskit_aer import AerSimulator

    return tuple(AerSimulator(method=method).configuration().basis_gates)


def _adapt(
    circuit: QuantumCircuit,
    basis: set[str],
    errors: dict[str, Any],
    substituted: set[str],
) -> QuantumCircuit:
    """A copy with unsupported gates as unitaries and noise after gates."""
    from qiskit.circuit import ControlFlowOp
    from qiskit.circuit import Gate as QiskitGate
    from qiskit.circuit.library import UnitaryGate

    out = circuit.copy_empty_like()
    for instruction in circuit.data:
        op = instruction.operation
        if isinstance(op, ControlFlowOp):
            blocks = [_adapt(b, basis, errors, substituted) for b in op.blocks]
            out.append(
                op.replace_blocks(blocks), instruction.qubits, instruction.clbits
            )
            continue

        native = op
        if isinstance(op, QiskitGate) and op.name not in basis:
            native = UnitaryGate(op.to_matrix(), label=op.name)
            substituted.add(op.name)
        out.append(native, instruction.qubits, instruction.clbits)
        if op.name in errors:
            out.append(errors[op.name], instruction.qubits)

    return out


def _probability_qubits(
    program: Program, noise: NoiseModel | None
) -> tuple[int, ...] | None:
    """The measured qubits when exact probabilities are cheap, else None."""
    if noise is not None or program.features() or not program.measurements():
        return None
    qubits = tuple(sorted(set(program.terminal_measurement_map().values())))
    if len(qubits) > MAX_PROBABILITY_QUBITS:
        return None
    return qubits


def _with_saved_probabilities(
    circuit: QuantumCircuit, qubits: tuple[int, ...]
) -> QuantumCircuit:
    out = circuit.copy_empty_like()
    measures = []
    for instruction in circuit.data:
        if instruction.operation.name == "measure":
            measures.append(instruction)
        else:
            out.append(instruction)

    out.save_probabilities_dict([out.qubits[q] for q in qubits], label=PROBABILITIES)
    for instruction in measures:
        out.append(instruction)
    return out


def _kernel_probabilities(
    saved: dict[int, float], program: Program, qubits: tuple[int, ...]
) -> dict[str, float]:
    """Re-key aer's probabilities (``qubits[0]`` least significant)."""
    position = {qubit: index for index, qubit in enumerate(qubits)}
    wiring = [(c, position[q]) for c, q in program.terminal_measurement_map().items()]
    width = program.num_clbits

    merged: dict[int, float] = {}
    for outcome, probability in saved.items():
        key = sum(((int(outcome) >> bit) & 1) << clbit for clbit, bit in wiring)
        merged[key] = merged.get(key, 0.0) + float(probability)

    return {
        format(key, f"0{width}b"): total
        for key, total in sorted(merged.items())
        if total > 1e-12
    }


def _backend_class() -> type[Backend]:
    # Imported here: the backend module imports this one.
    from proxima_qiskit_aer._backend import AerBackend

    return AerBackend


def _failure(setup: RunSetup, cause: str) -> str:
    return _backend_class().failure_message(
        cause, setup.method, setup.simulator_options
    )
