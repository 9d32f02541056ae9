"""The standard gate table: every gate name a :class:`Program` may contain.

Each entry gives the number of qubits and parameters and, on demand, the
unitary matrix. Matrix convention: the gate's first operand is the most
significant bit of the row and column index (the textbook order, so ``cx``
with control first is ``[[1,0,0,0],[0,1,0,0],[0,0,0,1],[0,0,1,0]]``).
Matrices equal qiskit's gate definitions exactly, global phase included.

numpy is imported only when a matrix is asked for, so that importing the
kernel stays light.
"""

from __future__ import annotations

import cmath
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import numpy as np


@attrs.frozen
class GateSpec:
    """How many qubits and parameters a standard gate takes."""

    name: str
    num_qubits: int
    num_params: int
    _rows: Callable[..., list[list[complex]]] = attrs.field(repr=False, alias="rows")

    def matrix(self, params: Sequence[float] = ()) -> np.ndarray:
        """The gate's unitary as a complex128 numpy array."""
        import numpy as np

        if len(params) != self.num_params:
            raise ValueError(
                f"Gate {self.name!r} takes {self.num_params} parameters, "
                f"got {len(params)}."
            )
        return np.array(self._rows(*params), dtype=complex)


def _u(theta: float, phi: float, lam: float) -> list[list[complex]]:
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return [
        [c, -cmath.exp(1j * lam) * s],
        [cmath.exp(1j * phi) * s, cmath.exp(1j * (phi + lam)) * c],
    ]


def _controlled(rows: list[list[complex]]) -> list[list[complex]]:
    """Add one control qubit, placed first (most significant)."""
    size = len(rows)
    out = [[0j] * (2 * size) for _ in range(2 * size)]
    for i in range(size):
        out[i][i] = 1
        for j in range(size):
            out[size + i][size + j] = rows[i][j]

    return out


def _pauli_rotation(pauli: list[list[complex]], theta: float) -> Any:
    """exp(-i theta/2 P⊗P) for a one-qubit Pauli P, as nested lists."""
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    pp = [
        [pauli[i // 2][j // 2] * pauli[i % 2][j % 2] for j in range(4)]
        for i in range(4)
    ]
    return [
        [(c if i == j else 0) - 1j * s * pp[i][j] for j in range(4)] for i in range(4)
    ]


Rows = list[list[complex]]

_X: Rows = [[0, 1], [1, 0]]
_Y: Rows = [[0, -1j], [1j, 0]]
_Z: Rows = [[1, 0], [0, -1]]
_H: Rows = [[1 / math.sqrt(2), 1 / math.sqrt(2)], [1 / math.sqrt(2), -1 / math.sqrt(2)]]
_SX: Rows = [[(1 + 1j) / 2, (1 - 1j) / 2], [(1 - 1j) / 2, (1 + 1j) / 2]]
_SXDG: Rows = [[(1 - 1j) / 2, (1 + 1j) / 2], [(1 + 1j) / 2, (1 - 1j) / 2]]


def _p(lam: float) -> list[list[complex]]:
    return [[1, 0], [0, cmath.exp(1j * lam)]]


def _rx(theta: float) -> list[list[complex]]:
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return [[c, -1j * s], [-1j * s, c]]


def _ry(theta: float) -> list[list[complex]]:
    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return [[c, -s], [s, c]]


def _rz(theta: float) -> list[list[complex]]:
    return [[cmath.exp(-0.5j * theta), 0], [0, cmath.exp(0.5j * theta)]]


def _cu(theta: float, phi: float, lam: float, gamma: float) -> Any:
    phase = cmath.exp(1j * gamma)
    rows = [[phase * v for v in row] for row in _u(theta, phi, lam)]
    return _controlled(rows)


def _swap() -> list[list[complex]]:
    return [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]]


def _iswap() -> list[list[complex]]:
    return [[1, 0, 0, 0], [0, 0, 1j, 0], [0, 1j, 0, 0], [0, 0, 0, 1]]


def _const(rows: Any) -> Callable[[], Any]:
    return lambda: rows


_TABLE: list[tuple[str, int, int, Callable[..., Any]]] = [
    ("id", 1, 0, _const([[1, 0], [0, 1]])),
    ("x", 1, 0, _const(_X)),
    ("y", 1, 0, _const(_Y)),
    ("z", 1, 0, _const(_Z)),
    ("h", 1, 0, _const(_H)),
    ("s", 1, 0, _const(_p(math.pi / 2))),
    ("sdg", 1, 0, _const(_p(-math.pi / 2))),
    ("t", 1, 0, _const(_p(math.pi / 4))),
    ("tdg", 1, 0, _const(_p(-math.pi / 4))),
    ("sx", 1, 0, _const(_SX)),
    ("sxdg", 1, 0, _const(_SXDG)),
    ("rx", 1, 1, _rx),
    ("ry", 1, 1, _ry),
    ("rz", 1, 1, _rz),
    ("p", 1, 1, _p),
    ("u", 1, 3, _u),
    ("cx", 2, 0, _const(_controlled(_X))),
    ("cy", 2, 0, _const(_controlled(_Y))),
    ("cz", 2, 0, _const(_controlled(_Z))),
    ("ch", 2, 0, _const(_controlled(_H))),
    ("csx", 2, 0, _const(_controlled(_SX))),
    ("cp", 2, 1, lambda lam: _controlled(_p(lam))),
    ("crx", 2, 1, lambda theta: _controlled(_rx(theta))),
    ("cry", 2, 1, lambda theta: _controlled(_ry(theta))),
    ("crz", 2, 1, lambda theta: _controlled(_rz(theta))),
    ("cu", 2, 4, _cu),
    ("swap", 2, 0, _swap),
    ("iswap", 2, 0, _iswap),
    ("rxx", 2, 1, lambda theta: _pauli_rotation(_X, theta)),
    ("ryy", 2, 1, lambda theta: _pauli_rotation(_Y, theta)),
    ("rzz", 2, 1, lambda theta: _pauli_rotation(_Z, theta)),
    ("ccx", 3, 0, _const(_controlled(_controlled(_X)))),
    ("cswap", 3, 0, _const(_controlled(_swap()))),
]

STANDARD_GATES: dict[str, GateSpec] = {
    name: GateSpec(name, qubits, params, rows) for name, qubits, params, rows in _TABLE
}
"""Every gate name a :class:`~proxima_kernel.Program` may use."""


def gate_matrix(name: str, params: Sequence[float] = ()) -> np.ndarray:
    """The unitary of the standard gate ``name`` (first operand most significant)."""
    try:
        spec = STANDARD_GATES[name]
    except KeyError:
        known = ", ".join(sorted(STANDARD_GATES))
        raise KeyError(
            f"{name!r} is not a standard gate; the known gates are {known}."
        ) from None

    return spec.matrix(params)
