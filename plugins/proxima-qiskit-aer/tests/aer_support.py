"""Helpers shared by the qiskit-aer plugin's tests."""

from __future__ import annotations

from typing import Any

import numpy as np
from proxima_kernel import Execution, Program, Register, RunOptions

from proxima_qiskit_aer import AerBackend
from proxima_qiskit_aer._run import prepare

BACKEND = AerBackend()


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


def density_matrix(prog: Program, **options: Any) -> np.ndarray:
    """The state aer holds at the end of ``prog`` (qubit 0 least significant).

    The run goes through the plugin's own preparation, noise included.
    """
    run_options = RunOptions(shots=1, seed=5, **options)
    setup = prepare(BACKEND.convert(prog).native, prog, run_options)
    assert setup.method == "density_matrix"

    setup.circuit.save_density_matrix(label="rho")
    result = setup.simulator().run(setup.circuit, **setup.run_options).result()
    return np.asarray(result.data(0)["rho"])


def apply_kraus(rho: np.ndarray, kraus: list[np.ndarray]) -> np.ndarray:
    """The channel with Kraus operators ``kraus`` applied to ``rho``."""
    return sum(k @ rho @ k.conj().T for k in kraus)
