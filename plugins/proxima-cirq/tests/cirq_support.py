"""Helpers shared by the cirq plugin's tests."""

from __future__ import annotations

from typing import Any

import numpy as np
from proxima_kernel import Execution, Program, RunOptions
from proxima_kernel.testing import execute, program

from proxima_cirq import CirqBackend
from proxima_cirq._run import prepare

__all__ = ["BACKEND", "density_matrix", "final_density_matrix", "program", "run"]

BACKEND = CirqBackend()


def run(prog: Program, **options: Any) -> Execution:
    """Convert and execute ``prog`` on cirq as the kernel would."""
    return execute(BACKEND, prog, **options)


def kernel_order(matrix: np.ndarray, num_qubits: int) -> np.ndarray:
    """Re-index an operator from cirq's order to the kernel's.

    cirq puts qubit 0 in the most significant position, the kernel's state
    order in the least significant one: reverse the qubit axes of both the
    row and the column index.
    """
    n = num_qubits
    tensor = matrix.reshape((2,) * (2 * n))
    axes = [*reversed(range(n)), *reversed(range(n, 2 * n))]
    return tensor.transpose(axes).reshape(2**n, 2**n)


def density_matrix(prog: Program, **options: Any) -> np.ndarray:
    """The state cirq holds at the end of ``prog``, in the kernel's order.

    The circuit goes through the plugin's own preparation, noise included.
    """
    return final_density_matrix(prog, RunOptions(shots=1, seed=5, **options))


def final_density_matrix(prog: Program, options: RunOptions) -> np.ndarray:
    """What :func:`density_matrix` gives, for ready-made run options."""
    setup = prepare(BACKEND.convert(prog).native, prog, options)
    assert setup.method == "density_matrix"

    simulator = setup.simulator()
    result = simulator.simulate(setup.circuit, qubit_order=setup.qubit_order())
    return kernel_order(result.final_density_matrix, prog.num_qubits)
