"""Run a list of operations on LRET states, branching on measured bits.

This module knows nothing of the kernel: operations are the
:class:`~proxima_lret.fusion.Unitary` and :class:`~proxima_lret.fusion.Kraus`
of the fusion module plus :class:`Measure`. A condition is a pair
``(clbits, value)``; it holds when the bits read as an integer (``clbits[0]``
least significant) equal ``value``.

Measurements that nothing later depends on (no later operation touches the
qubit, no later condition reads the bit) are deferred: their bits are read
from the final state's marginal, with no branching. Any other measurement
splits the state into one branch per recorded value; a readout error on it
mixes the two records before later conditions read them. Branches with the
same record are merged again, so the classical-quantum state stays exact up
to the truncations, whose weights all add to the bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from proxima_lret.fusion import Kraus, Unitary, fuse
from proxima_lret.simulator import LRETState


@dataclass
class Measure:
    """Measure ``qubit`` into ``clbit``; the record flips with ``flip``."""

    qubit: int
    clbit: int
    flip: float = 0.0
    condition: Any = None


@dataclass
class Outcome:
    """What a run produced; keys are integers, bit ``c`` is clbit ``c``."""

    probabilities: dict[int, float]
    counts: dict[int, int]
    final_rank: int
    max_rank_seen: int
    truncation_bound: float
    trace: float
    branches: int
    compressions: int
    states: list[LRETState] = field(default_factory=list)

    def probability_vector(self) -> np.ndarray:
        """Probabilities of all 2^n basis states (qubit 0 least significant).

        The branches of a dynamic circuit are summed, weighted by their
        traces; the vector is normalised.
        """
        return self._mix(lambda state: state.probabilities())

    def expectation(self, pauli: str | dict[int, str]) -> float:
        """The normalised expectation value of a Pauli string.

        A string lists qubit 0 on the right, e.g. ``"ZZI"`` is Z on
        qubits 2 and 1; a dict maps qubits to ``"X"``, ``"Y"`` or ``"Z"``.
        """
        return float(self._mix(lambda state: state.expectation(pauli)))

    def density_matrix(self, max_qubits: int = 12) -> np.ndarray:
        """The normalised 2^n x 2^n density matrix; only for small ``n``."""
        return self._mix(lambda state: state.density_matrix(max_qubits=max_qubits))

    def factor(self) -> np.ndarray:
        """One factor L (2^n x r) of the branch-averaged, unnormalised rho."""
        self._require_states()
        return np.concatenate([state.factor() for state in self.states], axis=1)

    def _mix(self, read: Any) -> Any:
        self._require_states()
        weights = [state.trace for state in self.states]
        total = math.fsum(weights)
        parts = [w * read(s) for w, s in zip(weights, self.states, strict=True)]
        return sum(parts[1:], parts[0]) / total

    def _require_states(self) -> None:
        if not self.states:
            raise ValueError(
                "This outcome kept no states; run with keep_states=True (as "
                "proxima_lret.simulate does) to read the final state."
            )


def run(
    num_qubits: int,
    num_clbits: int,
    ops: Sequence[Any],
    *,
    shots: int = 1024,
    seed: int | None = None,
    epsilon: float = 1e-4,
    rule: str = "relative",
    max_rank: int | None = None,
    fuse_qubits: int = 4,
    keep_states: bool = False,
) -> Outcome:
    """Simulate ``ops`` and sample ``shots`` records of the classical bits."""
    deferred, wiring = _plan_measurements(ops)
    kept = [op for i, op in enumerate(ops) if i not in deferred]
    if fuse_qubits > 1:
        kept = fuse(kept, fuse_qubits)

    state = LRETState(num_qubits, epsilon=epsilon, rule=rule, max_rank=max_rank)
    branches: dict[int, LRETState] = {0: state}
    peak = 1
    for op in kept:
        branches = _step(branches, op)
        peak = max(peak, max(s.max_rank_seen for s in branches.values()))

    flips = {c: ops[i].flip for c, i in wiring.items()}
    probs = _distribution(branches, num_qubits, wiring, ops, flips)
    counts = sample(probs, shots, seed)

    states = list(branches.values())
    return Outcome(
        probabilities=probs,
        counts=counts,
        final_rank=sum(s.rank for s in states),
        max_rank_seen=peak,
        truncation_bound=sum(s.truncation_bound for s in states),
        trace=sum(s.trace for s in states),
        branches=len(states),
        compressions=sum(s.compressions for s in states),
        states=states if keep_states else [],
    )


def sample(probs: dict[int, float], shots: int, seed: int | None) -> dict[int, int]:
    """``shots`` seeded draws from ``probs``: the same seed, the same counts."""
    keys = sorted(probs)
    if not keys or shots <= 0:
        return {}
    rng = np.random.default_rng(seed)
    weights = np.array([probs[k] for k in keys])
    draws = rng.multinomial(shots, weights / weights.sum())

    return {k: int(c) for k, c in zip(keys, draws, strict=True) if c}


def _plan_measurements(ops: Sequence[Any]) -> tuple[set[int], dict[int, int]]:
    """Deferred measurement indices, and clbit -> index of its last writer.

    The wiring lists only clbits whose last writer is deferred: they are
    read from the final state.
    """
    deferred: set[int] = set()
    later_qubits: set[int] = set()
    later_reads: set[int] = set()
    wiring: dict[int, int] = {}
    written: set[int] = set()
    for index in range(len(ops) - 1, -1, -1):
        op = ops[index]
        if isinstance(op, Measure):
            free = (
                op.condition is None
                and op.qubit not in later_qubits
                and op.clbit not in later_reads
            )
            if free:
                deferred.add(index)
                if op.clbit not in written:
                    wiring[op.clbit] = index
            written.add(op.clbit)
            later_qubits.add(op.qubit)
        else:
            later_qubits.update(op.qubits)
        if op.condition is not None:
            later_reads.update(op.condition[0])
    return deferred, wiring


def _holds(condition: Any, key: int) -> bool:
    if condition is None:
        return True
    clbits, value = condition
    read = sum(((key >> c) & 1) << i for i, c in enumerate(clbits))
    return read == value


def _step(branches: dict[int, LRETState], op: Any) -> dict[int, LRETState]:
    if isinstance(op, Measure):
        return _measure(branches, op)
    for key, state in branches.items():
        if not _holds(op.condition, key):
            continue
        if isinstance(op, Unitary):
            state.apply_unitary(op.matrix, op.qubits)
        elif isinstance(op, Kraus):
            state.apply_kraus(op.operators, op.qubits)
        else:
            raise TypeError(f"Unknown operation {op!r}.")
    return branches


def _measure(branches: dict[int, LRETState], op: Measure) -> dict[int, LRETState]:
    out: dict[int, LRETState] = {}
    for key, state in branches.items():
        if not _holds(op.condition, key):
            _merge_into(out, key, state)
            continue
        # The bound so far moves to one piece; copies start from zero.
        carried, state.truncation_bound = state.truncation_bound, 0.0
        one = state.copy()
        state.project(op.qubit, 0)
        one.project(op.qubit, 1)
        pieces = []
        for outcome, part in ((0, state), (1, one)):
            if part.trace <= 0:
                continue
            records = [(outcome, part)]
            if op.flip > 0:
                flipped = part.copy()
                flipped.scale(op.flip)
                part.scale(1 - op.flip)
                records.append((1 - outcome, flipped))
            for record, piece in records:
                if piece.trace > 0:
                    new_key = (key & ~(1 << op.clbit)) | (record << op.clbit)
                    pieces.append((new_key, piece))
        if not pieces:
            pieces.append((key, state))
        pieces[0][1].truncation_bound += carried
        for new_key, piece in pieces:
            _merge_into(out, new_key, piece)
    return out


def _merge_into(out: dict[int, LRETState], key: int, state: LRETState) -> None:
    if key in out:
        out[key].absorb(state)
    else:
        out[key] = state


def _distribution(
    branches: dict[int, LRETState],
    num_qubits: int,
    wiring: dict[int, int],
    ops: Sequence[Any],
    flips: dict[int, float],
) -> dict[int, float]:
    clbits = sorted(wiring)
    qubits = [ops[wiring[c]].qubit for c in clbits]
    mask = sum(1 << c for c in clbits)
    total: dict[int, float] = {}
    for key, state in branches.items():
        weight = state.trace
        if weight <= 0:
            continue
        marginal = state.marginal(qubits) if qubits else np.ones(1)
        marginal = _apply_flips(marginal, [flips[c] for c in clbits])
        base = key & ~mask
        for index in np.flatnonzero(marginal > 0):
            record = base
            for bit, c in enumerate(clbits):
                record |= ((int(index) >> bit) & 1) << c
            total[record] = total.get(record, 0.0) + weight * float(marginal[index])
    norm = math.fsum(total.values())
    return {k: v / norm for k, v in sorted(total.items()) if v / norm > 1e-15}


def _apply_flips(marginal: np.ndarray, flips: list[float]) -> np.ndarray:
    """Flip bit i of every outcome with probability ``flips[i]``."""
    width = len(flips)
    tensor = marginal.reshape((2,) * width) if width else marginal
    for bit, flip in enumerate(flips):
        if flip <= 0:
            continue
        axis = width - 1 - bit
        tensor = (1 - flip) * tensor + flip * np.flip(tensor, axis=axis)
    return tensor.reshape(-1)
