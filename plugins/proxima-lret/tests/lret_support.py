"""Helpers shared by the LRET plugin's tests.

States are in the kernel's order: qubit 0 is the least significant bit of
an index, so an operator on qubits (1, 0) is ``np.kron(op_q1, op_q0)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from proxima_kernel import Execution, Program, Register, RunOptions

from proxima_lret import LRETBackend

BACKEND = LRETBackend()


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
