"""Helpers shared by the LRET plugin's tests.

States are in the kernel's order: qubit 0 is the least significant bit of
an index, so an operator on qubits (1, 0) is ``np.kron(op_q1, op_q0)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from proxima_kernel import Execution, Program, RunOptions
from proxima_kernel.testing import program  # the tests import it from here

from proxima_lret import LRETBackend

BACKEND = LRETBackend()


def run(prog: Program, lret: dict[str, Any] | None = None, **options: Any) -> Execution:
    """Convert and execute ``prog`` as the kernel would."""
    options.setdefault("shots", 2000)
    options.setdefault("seed", 11)
    if lret is not None:
        options["backend_options"] = {"lret": lret}
    run_options = RunOptions(**options)
    assert BACKEND.unsupported_reason(prog, run_options) is None

    conversion = BACKEND.convert(prog)
    return BACKEND.execute(conversion.native, prog, run_options)


def trace_distance(first: np.ndarray, second: np.ndarray) -> float:
    """Half the trace norm of the difference of two density matrices."""
    eigenvalues = np.linalg.eigvalsh(first - second)

    return 0.5 * float(np.abs(eigenvalues).sum())


def random_program(num_qubits: int, seed: int, num_gates: int | None = None) -> Program:
    """Seeded random gates from the whole standard table, no measurements."""
    from proxima_kernel import STANDARD_GATES, Gate

    rng = np.random.default_rng(seed)
    names = sorted(n for n, s in STANDARD_GATES.items() if s.num_qubits <= num_qubits)
    ops = []
    for _ in range(num_gates or 3 * num_qubits):
        spec = STANDARD_GATES[names[rng.integers(len(names))]]
        qubits = rng.choice(num_qubits, size=spec.num_qubits, replace=False)
        params = rng.uniform(-np.pi, np.pi, spec.num_params)
        ops.append(Gate(spec.name, tuple(map(int, qubits)), tuple(map(float, params))))

    return program(num_qubits, 0, *ops)


# --- references built with the other engines, from the kernel's convention --


def aer_density_matrix(prog: Program, noise: Any) -> np.ndarray:
    """qiskit-aer's density matrix of ``prog`` (qubit 0 least significant).

    Noise is translated here from the kernel's docstring: aer's
    depolarizing parameter is ``lam = p 4^k / (4^k - 1)``. qiskit's
    matrices list the first qubit as least significant, so each kernel
    matrix goes on its qubits in reverse.
    """
    from proxima_kernel import gate_matrix
    from qiskit import QuantumCircuit
    from qiskit.circuit.library import UnitaryGate
    from qiskit_aer import AerSimulator

    circuit = QuantumCircuit(prog.num_qubits)
    for gate in prog.operations:
        matrix = gate_matrix(gate.name, gate.params)
        circuit.append(UnitaryGate(matrix), list(reversed(gate.qubits)))
        for error, qubits in _aer_errors(gate, noise):
            circuit.append(error, qubits)
    circuit.save_density_matrix(label="rho")

    simulator = AerSimulator(method="density_matrix", max_parallel_threads=1)
    result = simulator.run(circuit, shots=1, seed_simulator=1).result()
    return np.asarray(result.data(0)["rho"])


def _aer_errors(gate: Any, noise: Any) -> list[tuple[Any, list[int]]]:
    from qiskit_aer import noise as aer

    out = []
    for channel in noise.after_gate(gate.name, len(gate.qubits)):
        kind, p = channel.kind, channel.probability
        if kind == "depolarizing2":
            out.append((aer.depolarizing_error(p * 16 / 15, 2), list(gate.qubits)))
            continue
        if kind == "depolarizing":
            error = aer.depolarizing_error(p * 4 / 3, 1)
        elif kind == "amplitude_damping":
            error = aer.amplitude_damping_error(p)
        elif kind == "phase_damping":
            error = aer.phase_damping_error(p)
        else:
            pauli = "X" if kind == "bit_flip" else "Z"
            error = aer.pauli_error([(pauli, p), ("I", 1 - p)])
        out += [(error, [q]) for q in gate.qubits]

    return out


def cirq_density_matrix(prog: Program, noise: Any) -> np.ndarray:
    """cirq's density matrix of ``prog`` (qubit 0 least significant).

    cirq's ``depolarize(p)`` is the kernel's ``depolarizing:p``. cirq puts
    the first qubit of ``qubit_order`` most significant, so the order
    lists qubit n-1 first.
    """
    import cirq
    from proxima_kernel import gate_matrix

    qubits = cirq.LineQubit.range(prog.num_qubits)
    circuit = cirq.Circuit()
    for gate in prog.operations:
        matrix = gate_matrix(gate.name, gate.params)
        targets = [qubits[q] for q in gate.qubits]
        circuit.append(cirq.MatrixGate(matrix).on(*targets))
        for channel, on in _cirq_channels(gate, noise, qubits):
            circuit.append(channel.on(*on))

    simulator = cirq.DensityMatrixSimulator(dtype=np.complex128)
    order = list(reversed(qubits))
    result = simulator.simulate(circuit, qubit_order=order)
    return np.asarray(result.final_density_matrix)


def _cirq_channels(gate: Any, noise: Any, qubits: list[Any]) -> list[tuple[Any, list]]:
    import cirq

    makers = {
        "depolarizing": cirq.depolarize,
        "amplitude_damping": cirq.amplitude_damp,
        "phase_damping": cirq.phase_damp,
        "bit_flip": cirq.bit_flip,
        "phase_flip": cirq.phase_flip,
    }
    targets = [qubits[q] for q in gate.qubits]
    out = []
    for channel in noise.after_gate(gate.name, len(gate.qubits)):
        if channel.kind == "depolarizing2":
            out.append((cirq.depolarize(channel.probability, n_qubits=2), targets))
            continue
        maker = makers[channel.kind]
        out += [(maker(channel.probability), [t]) for t in targets]

    return out


# --- a dense classical-quantum reference for dynamic circuits --------------


def dense_distribution(prog: Program, noise: Any) -> dict[int, float]:
    """The exact record distribution, from full density matrices.

    One unnormalised density matrix per classical record; every
    measurement splits it, a readout error mixes the two records, a
    condition picks the records it holds in. Written from the kernel's
    docstrings, independently of LRET.
    """
    from proxima_kernel import Gate, Measure, Reset

    n = prog.num_qubits
    start = np.zeros((2**n, 2**n), dtype=complex)
    start[0, 0] = 1
    branches = {0: start}
    flip = noise.readout_error() if noise else 0.0
    for op in prog.operations:
        if isinstance(op, Gate):
            step = _dense_gate(op, noise, n)
        elif isinstance(op, Reset):
            step = _dense_reset(op.qubit, n)
        elif isinstance(op, Measure):
            step = _dense_measure(op.qubit, op.clbit, flip, n)
        else:
            continue
        branches = _apply_where(branches, op.condition, step)

    return {key: float(np.trace(rho).real) for key, rho in sorted(branches.items())}


def _apply_where(branches: dict, condition: Any, step: Any) -> dict:
    out: dict[int, np.ndarray] = {}
    for key, rho in branches.items():
        pieces = step(key, rho) if _holds(condition, key) else [(key, rho)]
        for new_key, piece in pieces:
            out[new_key] = out.get(new_key, 0) + piece

    return out


def _holds(condition: Any, key: int) -> bool:
    if condition is None:
        return True
    read = sum(((key >> c) & 1) << i for i, c in enumerate(condition.clbits))
    return read == condition.value


def _dense_gate(gate: Any, noise: Any, n: int) -> Any:
    from proxima_kernel import gate_matrix

    kraus_steps = [([gate_matrix(gate.name, gate.params)], list(gate.qubits))]
    for channel in noise.after_gate(gate.name, len(gate.qubits)) if noise else ():
        ops = kraus_of(channel.kind, channel.probability)
        if channel.kind == "depolarizing2":
            kraus_steps.append((ops, list(gate.qubits)))
        else:
            kraus_steps += [(ops, [q]) for q in gate.qubits]

    def step(key: int, rho: np.ndarray) -> list:
        for ops, qubits in kraus_steps:
            rho = sum(apply_operator(rho, k, qubits, n) for k in ops)
        return [(key, rho)]

    return step


def _dense_reset(qubit: int, n: int) -> Any:
    ops = [np.array([[1, 0], [0, 0]]), np.array([[0, 1], [0, 0]])]

    def step(key: int, rho: np.ndarray) -> list:
        return [(key, sum(apply_operator(rho, k, [qubit], n) for k in ops))]

    return step


def _dense_measure(qubit: int, clbit: int, flip: float, n: int) -> Any:
    def step(key: int, rho: np.ndarray) -> list:
        pieces = []
        for outcome in (0, 1):
            projector = np.zeros((2, 2))
            projector[outcome, outcome] = 1
            part = apply_operator(rho, projector, [qubit], n)
            for record, weight in ((outcome, 1 - flip), (1 - outcome, flip)):
                new_key = (key & ~(1 << clbit)) | (record << clbit)
                pieces.append((new_key, weight * part))
        return pieces

    return step


def apply_operator(rho: np.ndarray, op: np.ndarray, qubits: list, n: int) -> np.ndarray:
    """``op rho op^dagger`` with ``op`` on ``qubits`` (first most significant)."""
    order = list(qubits) + [q for q in range(n) if q not in qubits]
    full = np.kron(op, np.eye(2 ** (n - len(qubits))))
    # full acts on the qubits in ``order``, order[0] most significant.
    tensor = full.reshape((2,) * (2 * n))
    position = {q: i for i, q in enumerate(order)}
    axes = [position[n - 1 - k] for k in range(n)]
    tensor = tensor.transpose(axes + [n + a for a in axes])
    matrix = tensor.reshape(2**n, 2**n)

    return matrix @ rho @ matrix.conj().T


def kraus_of(kind: str, p: float) -> list[np.ndarray]:
    """Kraus operators written from the kernel's noise docstring."""
    import itertools

    paulis = [np.eye(2), np.array([[0, 1], [1, 0]])]
    paulis += [np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0])]
    if kind == "depolarizing":
        return [np.sqrt(1 - p) * paulis[0]] + [np.sqrt(p / 3) * P for P in paulis[1:]]
    if kind == "depolarizing2":
        pairs = [np.kron(a, b) for a, b in itertools.product(paulis, repeat=2)]
        return [np.sqrt(1 - p) * pairs[0]] + [np.sqrt(p / 15) * P for P in pairs[1:]]
    if kind in ("amplitude_damping", "phase_damping"):
        lost = [[0, np.sqrt(p)], [0, 0]] if kind == "amplitude_damping" else None
        lost = lost or [[0, 0], [0, np.sqrt(p)]]
        return [np.diag([1, np.sqrt(1 - p)]), np.array(lost)]
    pauli = paulis[1] if kind == "bit_flip" else paulis[3]
    return [np.sqrt(1 - p) * paulis[0], np.sqrt(p) * pauli]
