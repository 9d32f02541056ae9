"""Proxima plugin: the ``qiskit-aer`` backend and the ``qiskit`` loader.

Installed, it registers through the entry-point group ``proxima``:

* the backend ``qiskit-aer`` (:class:`AerBackend`), which runs a kernel
  program on qiskit-aer's ``AerSimulator``;
* the loader ``qiskit`` (:class:`QiskitCircuitLoader`), which accepts a
  ``qiskit.QuantumCircuit`` and lowers it through OpenQASM.

Bit order: counts and probabilities are keyed like every Proxima result,
all classical bits with the highest global index on the left.

Importing this package imports neither qiskit, qiskit-aer nor numpy; the
engine loads only when a circuit is converted or run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from proxima_kernel import Backend, hookimpl

from proxima_qiskit_aer._backend import AerBackend
from proxima_qiskit_aer._loader import QiskitCircuitLoader
from proxima_qiskit_aer._run import AerRunError

__version__ = "0.1.0"

#: The kernel API range this plugin supports, checked before activation.
PROXIMA_API = ">=1.0,<2"

__all__ = [
    "PROXIMA_API",
    "AerBackend",
    "AerRunError",
    "QiskitCircuitLoader",
    "__version__",
]


@hookimpl
def proxima_register_backends(register: Callable[[Backend], None]) -> None:
    register(AerBackend())


@hookimpl
def proxima_register_loaders(register: Callable[[Any], None]) -> None:
    register(QiskitCircuitLoader())
