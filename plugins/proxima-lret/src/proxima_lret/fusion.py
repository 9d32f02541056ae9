"""Gate fusion that keeps noise exact: fewer passes over the factor.

Consecutive gates on a few qubits are multiplied into one block matrix, so
the factor is streamed once per block instead of once per gate. A noise
channel inside a block is moved to the block's end by conjugating its
Kraus operators with the gates that follow it there (``K -> W K W^dagger``),
which leaves the channel's action unchanged:
``W E(rho) W^dagger = E'(W rho W^dagger)``. A channel whose first Kraus
operator is a multiple of the identity keeps that property, so the cheap
path of :meth:`LRETState.apply_kraus` still applies.

Only :class:`Unitary` and :class:`Kraus` operations are fused; anything
else (a measurement, a conditioned gate) closes every open block and
passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Unitary:
    """A unitary on ``qubits`` (first qubit most significant)."""

    matrix: np.ndarray
    qubits: tuple[int, ...]
    condition: Any = None


@dataclass
class Kraus:
    """A channel given by its Kraus operators on ``qubits``."""

    operators: list[np.ndarray]
    qubits: tuple[int, ...]
    condition: Any = None


@dataclass
class _Block:
    qubits: list[int]
    matrix: np.ndarray
    channels: list[list[np.ndarray]] = field(default_factory=list)
    gates: int = 0

    def add(self, op: Unitary | Kraus) -> None:
        if isinstance(op, Kraus):
            ops = [lift(k, op.qubits, self.qubits) for k in op.operators]
            self.channels.append(ops)
            return
        gate = lift(op.matrix, op.qubits, self.qubits)
        self.matrix = gate @ self.matrix
        adjoint = gate.conj().T
        self.channels = [[gate @ k @ adjoint for k in ops] for ops in self.channels]
        self.gates += 1

    def emit(self) -> list[Unitary | Kraus]:
        qubits = tuple(self.qubits)
        out: list[Unitary | Kraus] = []
        identity = np.eye(self.matrix.shape[0])
        if self.gates and not np.allclose(self.matrix, identity, atol=1e-15):
            out.append(Unitary(self.matrix, qubits))
        out.extend(Kraus(ops, qubits) for ops in self.channels)
        return out


def lift(matrix: np.ndarray, src: Sequence[int], dst: Sequence[int]) -> np.ndarray:
    """``matrix`` on qubits ``src`` as a matrix on the superset ``dst``."""
    src, dst = list(src), list(dst)
    if src == dst:
        return matrix
    rest = [q for q in dst if q not in src]
    full = np.kron(matrix, np.eye(2 ** len(rest)))
    k = len(dst)
    tensor = full.reshape((2,) * (2 * k))
    current = src + rest
    perm = [current.index(q) for q in dst]
    tensor = tensor.transpose(perm + [k + p for p in perm])
    return tensor.reshape(2**k, 2**k)


def fuse(ops: Sequence[Any], max_qubits: int = 4) -> list[Any]:
    """Fuse unconditioned gates and channels into blocks of <= max_qubits."""
    out: list[Any] = []
    blocks: dict[int, _Block] = {}

    def flush(block: _Block) -> None:
        out.extend(block.emit())
        for q in block.qubits:
            blocks.pop(q, None)

    for op in ops:
        fusible = isinstance(op, (Unitary, Kraus)) and op.condition is None
        if not fusible:
            for block in _unique(blocks.values()):
                flush(block)
            out.append(op)
            continue

        involved = _unique(blocks[q] for q in op.qubits if q in blocks)
        union = list(op.qubits)
        for block in involved:
            union += [q for q in block.qubits if q not in union]
        if len(union) > max(max_qubits, len(op.qubits)):
            for block in involved:
                flush(block)
            involved, union = [], list(op.qubits)

        block = _merge(involved, union)
        block.add(op)
        for q in block.qubits:
            blocks[q] = block

    for block in _unique(blocks.values()):
        flush(block)
    return out


def _merge(involved: list[_Block], union: list[int]) -> _Block:
    """One block on ``union`` equal to the disjoint blocks side by side."""
    merged = _Block(union, np.eye(2 ** len(union), dtype=complex))
    for block in involved:
        merged.matrix = lift(block.matrix, block.qubits, union) @ merged.matrix
        merged.channels += [
            [lift(k, block.qubits, union) for k in ops] for ops in block.channels
        ]
        merged.gates += block.gates
    return merged


def _unique(blocks: Any) -> list[_Block]:
    seen: list[_Block] = []
    for block in blocks:
        if all(block is not other for other in seen):
            seen.append(block)
    return seen
