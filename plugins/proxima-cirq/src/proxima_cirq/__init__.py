"""Proxima plugin: the ``cirq`` backend and the ``cirq`` loader.

Installed, it registers through the entry-point group ``proxima``:

* the backend ``cirq`` (:class:`CirqBackend`), which runs a kernel
  program on ``cirq.Simulator``, or on ``cirq.DensityMatrixSimulator``
  when the run carries noise;
* the loader ``cirq`` (:class:`CirqCircuitLoader`), which accepts a
  ``cirq.Circuit`` and lowers it through OpenQASM 2.

Bit order: counts and probabilities are keyed like every Proxima result,
all classical bits with the highest global index on the left.

Importing this package imports neither cirq nor numpy; the engine loads
only when a circuit is converted or run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from proxima_kernel import Backend, hookimpl

from proxima_cirq._backend import CirqBackend
from proxima_cirq._loader import CirqCircuitLoader
from proxima_cirq._run import CirqRunError

__version__ = "0.1.0"

#: The kernel API range this plugin supports, checked before activation.
PROXIMA_API = ">=1.0,<2"

__all__ = [
    "PROXIMA_API",
    "CirqBackend",
    "CirqCircuitLoader",
    "CirqRunError",
    "__version__",
]


@hookimpl
def proxima_register_backends(register: Callable[[Backend], None]) -> None:
    register(CirqBackend())


@hookimpl
def proxima_register_loaders(register: Callable[[Any], None]) -> None:
    register(CirqCircuitLoader())
