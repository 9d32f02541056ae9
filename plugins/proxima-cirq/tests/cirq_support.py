"""Helpers shared by the cirq plugin's tests."""

from __future__ import annotations

from typing import Any

import numpy as np
from proxima_kernel import Execution, Program, Register, RunOptions

from proxima_cirq import CirqBackend
from proxima_cirq._run import prepare

BACKEND = CirqBackend()


def program(
    num_qubits: int,
    num_clbits: int,
    *operations: Any,
    cregs: tuple[Register, ...] | None = None,
) -> Program:
    """A program with one classical register ``c`` unless told otherwise."""
    if cregs is None:
        cregs = (Register("c", num_clbits, 0),) if num_clbits else ()
    qregs = (Register("q", num_qubits, 0),)
    return Program(num_qubits, num_clbits, tuple(operations), qregs, cregs)


def run(prog: Program, **options: Any) -> Execution:
    """Convert and execute ``prog`` as the kernel would."""
    options.setdefault("shots", 2000)
    options.setdefault("seed", 11)
    run_options = RunOptions(**options)
    assert BACKEND.unsupported_reason(prog, run_options) is None

    conversion = BACKEND.convert(prog)
    return BACKEND.execute(conversion.native, prog, run_options)


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
    run_options = RunOptions(shots=1, seed=5, **options)
    setup = prepare(BACKEND.convert(prog).native, prog, run_options)
    assert setup.method == "density_matrix"

    simulator = setup.simulator()
    result = simulator.simulate(setup.circuit, qubit_order=setup.qubit_order())
    return kernel_order(result.final_density_matrix, prog.num_qubits)


def apply_kraus(rho: np.ndarray, kraus: list[np.ndarray]) -> np.ndarray:
    """The channel with Kraus operators ``kraus`` applied to ``rho``."""
    return sum(k @ rho @ k.conj().T for k in kraus)
