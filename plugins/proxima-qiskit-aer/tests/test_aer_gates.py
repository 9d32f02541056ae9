"""Every standard gate maps to qiskit's gate with the kernel's matrix."""

from __future__ import annotations

import numpy as np
import pytest
from aer_support import BACKEND, density_matrix, program, run
from proxima_kernel import (
    STANDARD_GATES,
    Channel,
    Gate,
    Measure,
    NoiseModel,
    gate_matrix,
)
from qiskit.quantum_info import Operator, Statevector

from proxima_qiskit_aer._convert import QISKIT_GATES, gate_class

PARAMS = (0.3, -1.1, 2.4, 0.9)
GATES = sorted(STANDARD_GATES)


def params_of(name: str) -> tuple[float, ...]:
    return PARAMS[: STANDARD_GATES[name].num_params]


def test_the_map_covers_exactly_the_standard_gates():
    assert set(QISKIT_GATES) == set(STANDARD_GATES)


@pytest.mark.parametrize("name", GATES)
def test_gate_has_the_kernels_name_and_matrix(name):
    width = STANDARD_GATES[name].num_qubits
    prog = program(width, 0, Gate(name, tuple(range(width)), params_of(name)))

    native = BACKEND.convert(prog).native
    # qiskit's first operand is the least significant bit; the kernel's
    # the most significant one.
    matrix = Operator(native).reverse_qargs().data

    assert gate_class(name)(*params_of(name)).name == name
    np.testing.assert_allclose(matrix, gate_matrix(name, params_of(name)), atol=1e-12)


def test_operand_order_keeps_the_control_role():
    prog = program(2, 0, Gate("cx", (1, 0)))

    matrix = Operator(BACKEND.convert(prog).native).data

    # Qubit 1 (the control) is qiskit's most significant bit here.
    np.testing.assert_allclose(matrix, gate_matrix("cx"), atol=1e-12)


def _prepared_state(width: int) -> list[Gate]:
    """Distinct rotations so that no gate acts on an eigenstate."""
    return [Gate("ry", (q,), (0.4 + 0.5 * q,)) for q in range(width)] + [
        Gate("rz", (q,), (0.3 * q + 0.2,)) for q in range(width)
    ]


@pytest.mark.parametrize("name", GATES)
def test_gate_runs_exactly_on_the_density_matrix_method(name):
    """Gates aer's density matrix lacks run as exact unitaries."""
    width = STANDARD_GATES[name].num_qubits
    ops = [*_prepared_state(width), Gate(name, tuple(range(width)), params_of(name))]
    prog = program(width, 0, *ops)
    # A channel that follows no gate here: a noisy run with no noise.
    silent = NoiseModel((Channel("bit_flip", 0.5, ("none",)),))
    expected = Statevector(BACKEND.convert(prog).native).to_operator().data

    rho = density_matrix(prog, noise=silent)

    np.testing.assert_allclose(rho, expected, atol=1e-10)


@pytest.mark.parametrize("name", GATES)
def test_gate_runs_exactly_on_the_statevector_method(name):
    """Gates aer's statevector lacks (iswap) run as exact unitaries."""
    width = STANDARD_GATES[name].num_qubits
    ops = [*_prepared_state(width), Gate(name, tuple(range(width)), params_of(name))]
    measured = program(width, width, *ops, *(Measure(q, q) for q in range(width)))
    state = Statevector(BACKEND.convert(program(width, 0, *ops)).native)
    expected = {key: p for key, p in state.probabilities_dict().items() if p > 1e-12}

    execution = run(measured, shots=10)

    assert execution.details["method"] == "statevector"
    assert execution.probabilities == pytest.approx(expected, abs=1e-12)
