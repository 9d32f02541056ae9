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

from proxima_lret._plan import Step, plan_measurements
from proxima_lret.fusion import Kraus, Unitary, fuse
from proxima_lret.simulator import LRETState

#: The most bits read from the final state for which an outcome keeps its
#: distribution as a dictionary (2^20 entries at most), as the cirq and
#: qiskit-aer backends keep ``probabilities``.
MAX_DICT_BITS = 20
#: The widest fused gate; a 2^6 x 2^6 matrix is still cheap to apply.
MAX_FUSE_QUBITS = 6


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

    probabilities: dict[int, float] | None
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
    if not 1 <= fuse_qubits <= MAX_FUSE_QUBITS:
        raise ValueError(
            f"fuse_qubits must be from 1 (no fusion) to {MAX_FUSE_QUBITS}, "
            f"got {fuse_qubits}."
        )
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
    records, weights = _distribution(branches, wiring, ops, flips)
    counts = sample(records, weights, shots, seed)

    states = list(branches.values())
    return Outcome(
        probabilities=_as_dict(records, weights, len(wiring)),
        counts=counts,
        final_rank=sum(s.rank for s in states),
        max_rank_seen=peak,
        # Round-off can leave an untruncated run's bound at -1e-20.
        truncation_bound=max(0.0, sum(s.truncation_bound for s in states)),
        trace=sum(s.trace for s in states),
        branches=len(states),
        compressions=sum(s.compressions for s in states),
        states=states if keep_states else [],
    )


def sample(
    records: np.ndarray, weights: np.ndarray, shots: int, seed: int | None
) -> dict[int, int]:
    """``shots`` seeded draws of ``records`` with probabilities ``weights``.

    The same seed gives the same counts. Only drawn records are returned,
    so a broad distribution over many bits costs no more than its arrays.
    """
    if not len(records) or shots <= 0:
        return {}
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(shots, weights / weights.sum())
    drawn = np.flatnonzero(draws)

    return {int(records[i]): int(draws[i]) for i in drawn}


def _plan_measurements(ops: Sequence[Any]) -> tuple[set[int], dict[int, int]]:
    """:func:`proxima_lret._plan.plan_measurements` of these operations."""
    return plan_measurements([_step_of(op) for op in ops])


def _step_of(op: Any) -> Step:
    reads = tuple(op.condition[0]) if op.condition is not None else ()
    if isinstance(op, Measure):
        return Step((op.qubit,), reads, op.clbit)
    return Step(tuple(op.qubits), reads)


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
    wiring: dict[int, int],
    ops: Sequence[Any],
    flips: dict[int, float],
) -> tuple[np.ndarray, np.ndarray]:
    """The records of the classical bits and their normalised probabilities.

    Records ascend; bit ``c`` of a record is clbit ``c``. Bits read from
    the final state come from each branch's marginal, the others from the
    branch's key. Arrays throughout: a 26-bit marginal has 2^26 entries.
    """
    clbits = sorted(wiring)
    qubits = [ops[wiring[c]].qubit for c in clbits]
    mask = sum(1 << c for c in clbits)
    records, weights = [], []
    for key, state in branches.items():
        if state.trace <= 0:
            continue
        marginal = state.marginal(qubits) if qubits else np.ones(1)
        marginal = _apply_flips(marginal, [flips[c] for c in clbits])
        found = np.flatnonzero(marginal > 0)
        records.append(_scatter(found, clbits, key & ~mask))
        weights.append(state.trace * marginal[found])

    if not records:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    if len(records) == 1:
        # One branch: its records already ascend without repeats.
        unique, total = records[0], weights[0]
    else:
        # Branches with different keys can land on one record (a bit
        # rewritten by a deferred measurement): add them up.
        unique, where = np.unique(np.concatenate(records), return_inverse=True)
        total = np.bincount(where, weights=np.concatenate(weights))
    total = total / total.sum()
    keep = total > 1e-15

    return unique[keep], total[keep]


def _scatter(indices: np.ndarray, clbits: list[int], base: int) -> np.ndarray:
    """Records with bit ``i`` of each index moved to clbit ``clbits[i]``.

    ``clbits`` ascend, so the records ascend with the indices.
    """
    # Python integers once a record no longer fits in 63 bits.
    wide = base.bit_length() > 62 or max(clbits, default=0) > 62
    dtype = object if wide else np.int64
    indices = indices.astype(dtype)
    first = clbits[0] if clbits else 0
    if clbits == list(range(first, first + len(clbits))):
        # One run of clbits (the usual ``measure q -> c``): a single shift.
        return (indices << first) | base

    records = np.full(indices.shape, base, dtype=dtype)
    for bit, clbit in enumerate(clbits):
        records |= ((indices >> bit) & 1) << clbit

    return records


def _as_dict(
    records: np.ndarray, weights: np.ndarray, read_bits: int
) -> dict[int, float] | None:
    """The distribution as ``{record: p}``, or None past ``MAX_DICT_BITS``.

    Past that many bits read from the final state the dictionary could
    hold millions of entries; the counts still come from the arrays.
    """
    if read_bits > MAX_DICT_BITS:
        return None

    return {int(r): float(w) for r, w in zip(records, weights, strict=True)}


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
