"""Every standard gate maps to a cirq gate with the kernel's matrix."""

from __future__ import annotations

import functools

import cirq
import numpy as np
import pytest
from cirq_support import BACKEND, density_matrix, kernel_order, program, run
from proxima_kernel import (
    STANDARD_GATES,
    Channel,
    Gate,
    Measure,
    NoiseModel,
    gate_matrix,
)

from proxima_cirq._convert import CIRQ_GATES, MATRIX_GATES, KernelGate

PARAMS = (0.3, -1.1, 2.4, 0.9)
GATES = sorted(STANDARD_GATES)


def params_of(name: str) -> tuple[float, ...]:
    return PARAMS[: STANDARD_GATES[name].num_params]


def unitary_of(prog, order: list[int]) -> np.ndarray:
    """The converted circuit's unitary, ``order[0]`` most significant."""
    native = BACKEND.convert(prog).native
    return native.unitary(qubit_order=[cirq.LineQubit(q) for q in order])


def test_the_map_covers_exactly_the_standard_gates():
    assert set(CIRQ_GATES) == set(STANDARD_GATES)
    assert set(MATRIX_GATES) == {"u", "cu"}


@pytest.mark.parametrize("name", GATES)
def test_gate_has_the_kernels_matrix_and_tag(name):
    width = STANDARD_GATES[name].num_qubits
    prog = program(width, 0, Gate(name, tuple(range(width)), params_of(name)))

    matrix = unitary_of(prog, list(range(width)))
    (op,) = BACKEND.convert(prog).native.all_operations()

    np.testing.assert_allclose(matrix, gate_matrix(name, params_of(name)), atol=1e-12)
    assert KernelGate(name) in op.tags


@pytest.mark.parametrize("name", ["cx", "crx", "cu", "cswap"])
def test_operand_order_keeps_the_control_role(name):
    width = STANDARD_GATES[name].num_qubits
    operands = tuple(reversed(range(width)))
    prog = program(width, 0, Gate(name, operands, params_of(name)))

    matrix = unitary_of(prog, list(operands))

    np.testing.assert_allclose(matrix, gate_matrix(name, params_of(name)), atol=1e-12)


def test_a_wrong_number_of_parameters_is_an_error():
    prog = program(1, 0, Gate("rx", (0,), ()))

    with pytest.raises(ValueError, match="takes 1 parameters"):
        BACKEND.convert(prog)


def _prepared(width: int) -> list[Gate]:
    """Distinct rotations so that no gate acts on an eigenstate."""
    return [Gate("ry", (q,), (0.4 + 0.5 * q,)) for q in range(width)] + [
        Gate("rz", (q,), (0.3 * q + 0.2,)) for q in range(width)
    ]


@functools.cache
def _state_by_hand(name: str) -> np.ndarray:
    """The state from the kernel's matrices, qubit 0 most significant."""
    width = STANDARD_GATES[name].num_qubits
    state = np.zeros(2**width, dtype=complex)
    state[0] = 1
    for gate in _prepared(width):
        (q,) = gate.qubits
        ops = [np.eye(2)] * width
        ops[q] = gate_matrix(gate.name, gate.params)
        state = functools.reduce(np.kron, ops) @ state
    return gate_matrix(name, params_of(name)) @ state


@pytest.mark.parametrize("name", GATES)
def test_gate_runs_exactly_on_the_state_vector(name):
    width = STANDARD_GATES[name].num_qubits
    ops = [*_prepared(width), Gate(name, tuple(range(width)), params_of(name))]
    prog = program(width, width, *ops, *(Measure(q, q) for q in range(width)))
    # Index i has qubit 0 as its top bit; the kernel key reverses that.
    expected = {
        format(i, f"0{width}b")[::-1]: abs(a) ** 2
        for i, a in enumerate(_state_by_hand(name))
        if abs(a) ** 2 > 1e-12
    }

    execution = run(prog, shots=10)

    assert execution.details["method"] == "statevector"
    assert execution.probabilities == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name", GATES)
def test_gate_runs_exactly_on_the_density_matrix(name):
    width = STANDARD_GATES[name].num_qubits
    ops = [*_prepared(width), Gate(name, tuple(range(width)), params_of(name))]
    # A channel that follows no gate here: a noisy run with no noise.
    silent = NoiseModel((Channel("bit_flip", 0.5, ("none",)),))
    state = _state_by_hand(name)
    expected = kernel_order(np.outer(state, state.conj()), width)

    rho = density_matrix(program(width, 0, *ops), noise=silent)

    np.testing.assert_allclose(rho, expected, atol=1e-10)
