"""Kraus operators of the kernel's noise channels, by kind and parameter.

The meaning of each kind is the kernel's (``proxima_kernel._noise``): a
per-qubit channel acts on each qubit a gate touches, ``depolarizing2`` on
the two qubits of a two-qubit gate jointly. The first operator of every
list is the "nothing happened" branch, a multiple of the identity where
the channel allows, which is what keeps Pauli noise cheap in LRET.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

_I = np.eye(2, dtype=complex)
_X = np.array([[0, 1], [1, 0]], dtype=complex)
_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_Z = np.array([[1, 0], [0, -1]], dtype=complex)

#: Channel kinds that act on each touched qubit alone.
SINGLE_QUBIT = (
    "depolarizing",
    "amplitude_damping",
    "phase_damping",
    "bit_flip",
    "phase_flip",
)
#: Channel kinds that act on the two qubits of a two-qubit gate jointly.
TWO_QUBIT = ("depolarizing2",)


def kraus_operators(kind: str, p: float) -> list[np.ndarray]:
    """The Kraus operators of channel ``kind`` with parameter ``p``."""
    if kind == "depolarizing":
        return _mixed_unitary(p, [_X, _Y, _Z])
    if kind == "depolarizing2":
        paulis = [
            np.kron(a, b) for a, b in itertools.product([_I, _X, _Y, _Z], repeat=2)
        ]
        return _mixed_unitary(p, paulis[1:])
    if kind == "bit_flip":
        return _mixed_unitary(p, [_X])
    if kind == "phase_flip":
        return _mixed_unitary(p, [_Z])
    if kind == "amplitude_damping":
        return [
            np.array([[1, 0], [0, math.sqrt(1 - p)]], dtype=complex),
            np.array([[0, math.sqrt(p)], [0, 0]], dtype=complex),
        ]
    if kind == "phase_damping":
        return [
            np.array([[1, 0], [0, math.sqrt(1 - p)]], dtype=complex),
            np.array([[0, 0], [0, math.sqrt(p)]], dtype=complex),
        ]
    raise ValueError(f"LRET has no Kraus form for the noise channel {kind!r}.")


def _mixed_unitary(p: float, errors: list[np.ndarray]) -> list[np.ndarray]:
    size = errors[0].shape[0]
    weight = math.sqrt(p / len(errors))
    ops = [math.sqrt(1 - p) * np.eye(size, dtype=complex)]
    return ops + [weight * e for e in errors if weight > 0]


def reset_operators() -> list[np.ndarray]:
    """Reset to |0> as a channel: |0><0| and |0><1|."""
    return [
        np.array([[1, 0], [0, 0]], dtype=complex),
        np.array([[0, 1], [0, 0]], dtype=complex),
    ]
