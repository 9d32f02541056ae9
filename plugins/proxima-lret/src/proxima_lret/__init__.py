"""Proxima's own simulator: low-rank density-matrix evolution (LRET).

Installed, this plugin registers through the entry-point group ``proxima``
the backend ``lret`` (:class:`LRETBackend`). The state of n qubits is a
factor L of shape (2^n, r) with ``rho = L L^dagger``: gates act on L,
noise channels append their Kraus branches as new columns, and a
compression through the small Gram matrix ``L^dagger L`` keeps r down.
Every truncation drops a positive piece of known trace; their sum, the
``truncation_bound`` in a result's details, bounds the trace distance of
the result's state to the exact noisy state.

Conventions: counts and probabilities are keyed like every Proxima result,
all classical bits with the highest global index on the left; probability
and state indices put qubit 0 in the least significant bit; a Pauli string
lists qubit 0 on the right. Noise follows ``proxima_kernel.NoiseModel``.

:mod:`proxima_lret.simulator` (the state) and :mod:`proxima_lret.runner`
(branching on measurements) work without the kernel. Importing this
package imports no numpy, so listing backends stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from proxima_kernel import Backend, CircuitReport, Insight, hookimpl

from proxima_lret._backend import LRETBackend, LRETRunError, TruncationWarning
from proxima_lret._routing import Hint, routing_hint

if TYPE_CHECKING:
    from proxima_lret.runner import Outcome

__version__ = "0.1.0"

#: The kernel API range this plugin supports, checked before activation.
PROXIMA_API = ">=1.0,<2"

__all__ = [
    "PROXIMA_API",
    "Hint",
    "LRETBackend",
    "LRETRunError",
    "TruncationWarning",
    "__version__",
    "routing_hint",
    "simulate",
]


def simulate(program: Any, noise: Any = None, **options: Any) -> Outcome:
    """Run a kernel program on LRET and keep its final states.

    See :func:`proxima_lret._program.simulate` for the options.
    """
    from proxima_lret._program import simulate as run

    return run(program, noise, **options)


@hookimpl
def proxima_register_backends(register: Callable[[Backend], None]) -> None:
    register(LRETBackend())


@hookimpl
def proxima_analyze(report: CircuitReport) -> list[Insight]:
    """Say when LRET ran a circuit it is not the right tool for."""
    result = report.results.get(LRETBackend.name)
    if result is None or not result.ok:
        return []
    if result.details.get("recommended", True):
        return []

    reason = result.details.get("recommendation")
    return [Insight("lret", "not_the_right_tool", True, LRETBackend.name, reason)]
