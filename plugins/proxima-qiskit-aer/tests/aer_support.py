"""Helpers shared by the qiskit-aer plugin's tests."""

from __future__ import annotations

from typing import Any

import numpy as np
from proxima_kernel import Execution, Program, RunOptions
from proxima_kernel.testing import execute, program

from proxima_qiskit_aer import AerBackend
from proxima_qiskit_aer._run import prepare

__all__ = ["BACKEND", "density_matrix", "final_density_matrix", "program", "run"]

BACKEND = AerBackend()


def run(prog: Program, **options: Any) -> Execution:
    """Convert and execute ``prog`` on aer as the kernel would."""
    return execute(BACKEND, prog, **options)


def density_matrix(prog: Program, **options: Any) -> np.ndarray:
    """The state aer holds at the end of ``prog`` (qubit 0 least significant).

    The run goes through the plugin's own preparation, noise included.
    """
    return final_density_matrix(prog, RunOptions(shots=1, seed=5, **options))


def final_density_matrix(prog: Program, options: RunOptions) -> np.ndarray:
    """What :func:`density_matrix` gives, for ready-made run options."""
    setup = prepare(BACKEND.convert(prog).native, prog, options)
    assert setup.method == "density_matrix"

    setup.circuit.save_density_matrix(label="rho")
    result = setup.simulator().run(setup.circuit, **setup.run_options).result()
    return np.asarray(result.data(0)["rho"])
