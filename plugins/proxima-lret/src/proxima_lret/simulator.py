"""Low-rank density-matrix evolution (LRET) in numpy.

The state of ``n`` qubits is kept as a factor with ``r`` rows, one pure
(unnormalised) vector per row, and ``rho = sum_j |row_j><row_j|``. A gate
acts on every row; a noise channel keeps its dominant Kraus branch in place
and appends the other branches as new rows when their weight passes the
screening rule; a compression through the small Gram matrix (r x r)
rotates the rows onto the eigenvectors of ``rho`` and drops the small
eigenvalues.

Every row that is dropped is a positive piece of ``rho`` with a known
trace. Channels are trace preserving and contractive, so the sum of the
dropped weights, :attr:`LRETState.truncation_bound`, bounds the trace
distance ``1/2 ||rho_exact - rho_normalised||_1`` of the final state.

Conventions
-----------
A gate matrix treats its first qubit as the most significant bit of its
index, like the kernel's gate table. Probability and state indices put
qubit 0 in the least significant bit.

Layout (why it is fast)
-----------------------
Rows live in blocks of a few MiB to a few hundred MiB; each row is an
n-axis tensor whose axis order is shared by all rows and changes lazily.
A k-qubit matrix is applied by copying a handful of rows into a scratch
buffer with the gate's axes moved to the front, then one batched matrix
product writes them back in place. The gate's qubits stay in front
afterwards, so no copy restores the order. Memory is the factor itself
plus a scratch of about 1 MiB.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

try:  # scipy's zherk builds the Gram matrix at half the cost of matmul
    from scipy.linalg import blas as _blas
except ImportError:  # pragma: no cover - numpy alone is enough
    _blas = None

RULES = ("relative", "cumulative")

#: Bytes of one block of rows; a block is the unit of allocation.
_BLOCK_BYTES = 64 * 2**20
#: Bytes of the scratch buffer a gate streams rows through.
_SCRATCH_BYTES = 2**20
#: Eigenvalues below this fraction of the largest are numerical zeros.
_NUMERICAL_FLOOR = 1e-14
#: A compression that removes less than this share of rows was wasted.
_WORTHWHILE = 0.1


class LRETState:
    """A density matrix of ``num_qubits`` qubits held as a low-rank factor.

    :param epsilon: the truncation threshold, a fraction of the trace.
    :param rule: ``"relative"`` drops each eigenvalue (and each new Kraus
        branch) whose weight is below ``epsilon * trace``;
        ``"cumulative"`` drops the smallest ones while their sum stays
        within ``epsilon * trace`` (the tail rule of Chen et al.).
    :param max_rank: the most rows kept after a compression (None: no cap).
    :param growth: compress when the rank has grown by this factor since
        the last compression.
    """

    def __init__(
        self,
        num_qubits: int,
        *,
        epsilon: float = 1e-4,
        rule: str = "relative",
        max_rank: int | None = None,
        growth: float = 2.0,
    ) -> None:
        if rule not in RULES:
            raise ValueError(
                f"Unknown truncation rule {rule!r}; use one of {', '.join(RULES)}."
            )
        if not 0 <= epsilon <= 1:
            raise ValueError(
                f"epsilon is a fraction of the trace, from 0 to 1; got {epsilon}."
            )
        if max_rank is not None and max_rank < 1:
            raise ValueError(f"max_rank must be at least 1, got {max_rank}.")

        self.num_qubits = num_qubits
        self.epsilon = float(epsilon)
        self.rule = rule
        self.max_rank = max_rank
        self.growth = float(growth)

        self.truncation_bound = 0.0
        self.max_rank_seen = 1
        self.compressions = 0

        dim = 2**num_qubits
        self._dim = dim
        self._block_rows = max(1, _BLOCK_BYTES // (16 * dim))
        self._chunk_rows = max(1, _SCRATCH_BYTES // (16 * dim))
        # Axis k of a row tensor holds qubit _order[k]; axis 0 is the most
        # significant. The canonical order puts qubit 0 last.
        self._order = list(range(num_qubits - 1, -1, -1))
        self._blocks: list[np.ndarray] = []
        self._fill: list[int] = []
        self._norms2 = np.zeros(0)
        # Every stored row is multiplied by _scale to give the true row, so
        # that a channel whose main Kraus operator is a multiple of the
        # identity costs no pass over the rows.
        self._scale = 1.0 + 0j
        self._next_compress = 2
        self._scratch = np.empty(0, dtype=complex)

        first = np.zeros((1, dim), dtype=complex)
        first[0, 0] = 1.0
        self._append(first, np.ones(1))

    # --- size and weight -----------------------------------------------------

    @property
    def rank(self) -> int:
        """The number of rows of the factor."""
        return int(sum(self._fill))

    @property
    def trace(self) -> float:
        """The trace of the (truncated) state: 1 minus what was dropped."""
        return float(abs(self._scale) ** 2 * self._norms2.sum())

    def nbytes(self) -> int:
        """Bytes the factor's blocks occupy."""
        return int(sum(block.nbytes for block in self._blocks))

    def copy(self) -> LRETState:
        """An independent copy (used when a measurement branches)."""
        other = object.__new__(LRETState)
        other.__dict__.update(self.__dict__)
        other._order = list(self._order)
        other._blocks = [block[:fill].copy() for block, fill in self._rows_blocks()]
        other._fill = list(self._fill)
        other._norms2 = self._norms2.copy()
        other._scratch = np.empty(0, dtype=complex)
        other.compressions = 0
        return other

    # --- gates and channels --------------------------------------------------

    def apply_unitary(self, matrix: np.ndarray, qubits: Sequence[int]) -> None:
        """Apply a unitary on ``qubits`` (first qubit most significant)."""
        matrix = self._check_matrix(matrix, qubits)
        self._transform(matrix, qubits)

    def apply_kraus(
        self, operators: Sequence[np.ndarray], qubits: Sequence[int]
    ) -> None:
        """Apply the channel ``rho -> sum_i K_i rho K_i^dagger`` on ``qubits``.

        The first operator is applied to every row in place; each other one
        adds a row per existing row whose branch weight passes the rule.
        """
        ops = [self._check_matrix(op, qubits) for op in operators]
        main, others = ops[0], ops[1:]
        trace = self.trace

        weights = [self._branch_weights(op, qubits) for op in others]
        keep = self._screen(weights, trace)
        factor = _scalar_multiple(main)
        in_place = factor is not None and abs(factor) > 1e-6
        # A pass over all rows leaves the channel's qubits in front; the new
        # rows are made in that layout so that they can join the others.
        new_rows, new_norms = self._branches(others, keep, qubits, not in_place)

        if in_place:
            self._scale *= factor
            new_rows /= factor
            new_norms /= abs(factor) ** 2
        else:
            self._norms2 = self._transform(main, qubits, norms=True)

        self._append(new_rows, new_norms)
        self._maybe_compress()

    def project(self, qubit: int, outcome: int) -> float:
        """Keep the part of the state where ``qubit`` reads ``outcome``.

        Returns the probability of that outcome (relative to the trace
        before). The state is left unnormalised.
        """
        before = self.trace
        projector = np.zeros((2, 2), dtype=complex)
        projector[outcome, outcome] = 1.0
        self._norms2 = self._transform(projector, [qubit], norms=True)
        return self.trace / before if before > 0 else 0.0

    def scale(self, factor: float) -> None:
        """Multiply the state (not the factor) by ``factor`` >= 0."""
        self._scale *= math.sqrt(factor)

    def absorb(self, other: LRETState) -> None:
        """Add ``other``'s state to this one (rows are concatenated)."""
        self._fold_scale()
        other._fold_scale()
        if other._order != self._order:
            other._reorder(self._order)
        for block, fill in other._rows_blocks():
            self._append(block[:fill], None)
        self._norms2 = np.concatenate([self._norms2, other._norms2])
        self.truncation_bound += other.truncation_bound
        self.max_rank_seen = max(self.max_rank_seen, other.max_rank_seen)
        self._maybe_compress()

    # --- compression -----------------------------------------------------------

    def compress(self, *, force: bool = True) -> None:
        """Rotate onto the eigenvectors of rho and drop small eigenvalues.

        With ``force=False`` the rotation is skipped when it would remove
        fewer than a tenth of the rows and no cap is exceeded; the Gram
        matrix is then spent but the rows stay as they are.
        """
        rank = self.rank
        if rank == 0:
            return
        if rank > self._dim:
            self._compress_through_rho()
            return

        gram = self._gram()
        values, vectors = _eigh_descending(gram)
        trace = float(max(np.trace(gram).real, 0.0))
        keep = self._eigen_keep(values, trace)
        over_cap = self.max_rank is not None and rank > self.max_rank
        if not (force or over_cap) and keep > (1 - _WORTHWHILE) * rank:
            return

        self.truncation_bound += float(np.clip(values[keep:], 0, None).sum())
        rotation = vectors[:, :keep] * self._scale
        self._rotate(rotation)
        self._scale = 1.0 + 0j
        self._norms2 = np.clip(values[:keep], 0, None)
        self.compressions += 1

    def _compress_through_rho(self) -> None:
        """Compress a factor with more rows than 2^n via rho itself.

        Then rho (2^n x 2^n) is smaller than the factor, and its
        eigenvectors, scaled by the square roots of the eigenvalues, are
        the new rows: the same result as the Gram route, at a fraction of
        the cost.
        """
        rho = np.zeros((self._dim, self._dim), dtype=complex)
        for block, fill in self._rows_blocks():
            rows = block[:fill]
            rho += rows.T @ rows.conj()
        rho *= abs(self._scale) ** 2

        values, vectors = _eigh_descending(rho)
        trace = float(max(np.trace(rho).real, 0.0))
        keep = self._eigen_keep(values, trace)
        self.truncation_bound += float(np.clip(values[keep:], 0, None).sum())
        kept = np.clip(values[:keep], 0, None)
        rows = np.ascontiguousarray((vectors[:, :keep] * np.sqrt(kept)).T)

        self._blocks, self._fill = [], []
        self._norms2 = np.zeros(0)
        self._scale = 1.0 + 0j
        self._append(rows, kept)
        self.compressions += 1

    def _maybe_compress(self) -> None:
        rank = self.rank
        self.max_rank_seen = max(self.max_rank_seen, rank)
        over_cap = self.max_rank is not None and rank > self.max_rank
        if not over_cap and rank < self._next_compress:
            return

        self.compress(force=False)
        after = self.rank
        if after > (1 - _WORTHWHILE) * rank:
            # Not worth it: back off, so a deep circuit pays for few Grams.
            target = int(math.ceil(after * self.growth**2)) + 1
        else:
            target = int(math.ceil(after * self.growth)) + 1
        # More rows than 2^n are always redundant: never let them pile up.
        self._next_compress = min(target, 2 * self._dim)

    def _eigen_keep(self, values: np.ndarray, trace: float) -> int:
        """How many of the descending eigenvalues survive the rules."""
        count = len(values)
        if count == 0:
            return 0
        floor = max(values[0], 0.0) * _NUMERICAL_FLOOR
        keep = int(np.count_nonzero(values > floor))
        if self.rule == "relative":
            keep = min(keep, int(np.count_nonzero(values >= self.epsilon * trace)))
        else:
            tail = np.cumsum(np.clip(values[::-1], 0, None))
            droppable = int(np.count_nonzero(tail <= self.epsilon * trace))
            keep = min(keep, count - droppable)
        if self.max_rank is not None:
            keep = min(keep, self.max_rank)
        return max(keep, 1)

    # --- read-out --------------------------------------------------------------

    def probabilities(self) -> np.ndarray:
        """Probabilities of all 2^n basis states, normalised to sum to 1.

        Index bit ``q`` is qubit ``q``. Sums of squared row entries; no
        2^n x 2^n object is formed.
        """
        total = np.zeros(self._dim)
        for block, fill in self._rows_blocks():
            for start in range(0, fill, self._chunk_rows * 16):
                rows = block[start : min(fill, start + self._chunk_rows * 16)]
                flat = rows.view(np.float64)
                squares = np.einsum("ij,ij->j", flat, flat)
                total += squares[0::2] + squares[1::2]
        total = self._to_canonical(total)
        norm = total.sum()
        return total / norm if norm > 0 else total

    def marginal(self, qubits: Sequence[int]) -> np.ndarray:
        """Probabilities of the bits of ``qubits``; bit i of the index is qubits[i]."""
        probs = self.probabilities()
        return marginalize(probs, self.num_qubits, qubits)

    def sample(
        self, shots: int, qubits: Sequence[int], rng: np.random.Generator
    ) -> dict[int, int]:
        """Counts of ``shots`` samples of ``qubits`` (bit i is qubits[i])."""
        dist = self.marginal(qubits)
        counts = rng.multinomial(shots, dist)
        return {int(i): int(c) for i, c in enumerate(counts) if c}

    def expectation(self, pauli: str | dict[int, str]) -> float:
        """The normalised expectation value of a Pauli string.

        ``pauli`` maps qubits to ``"X"``, ``"Y"``, ``"Z"`` or ``"I"``; a
        string lists them with qubit 0 on the right, like a bit string.
        """
        terms = _parse_pauli(pauli, self.num_qubits)
        matrices = {"X": _PAULI_X, "Y": _PAULI_Y, "Z": _PAULI_Z}
        total = 0j
        shape = (-1,) + (2,) * self.num_qubits
        for block, fill in self._rows_blocks():
            for start in range(0, fill, self._chunk_rows):
                rows = block[start : min(fill, start + self._chunk_rows)]
                image = rows.reshape(shape)
                for qubit, letter in terms.items():
                    axis = 1 + self._order.index(qubit)
                    image = np.moveaxis(
                        np.tensordot(matrices[letter], image, axes=([1], [axis])),
                        0,
                        axis,
                    )
                total += np.vdot(rows.reshape(shape), image)
        value = total.real * abs(self._scale) ** 2
        trace = self.trace
        return float(value / trace) if trace > 0 else 0.0

    def density_matrix(
        self, *, normalize: bool = True, max_qubits: int = 12
    ) -> np.ndarray:
        """The full 2^n x 2^n density matrix; only for small ``n``."""
        if self.num_qubits > max_qubits:
            raise ValueError(
                f"The density matrix of {self.num_qubits} qubits needs "
                f"{16 * 4**self.num_qubits} bytes; it is only built for up to "
                f"{max_qubits} qubits. Raise max_qubits if you mean it."
            )
        factor = self.factor()
        rho = factor @ factor.conj().T
        trace = np.trace(rho).real
        return rho / trace if normalize and trace > 0 else rho

    def factor(self) -> np.ndarray:
        """L, shape (2^n, r), with ``rho = L L^dagger`` (qubit 0 least).

        Column j is stored row j times the global scale, in the canonical
        order.
        """
        return self._rows().T

    def _rows(self) -> np.ndarray:
        """The rows as an (r, 2^n) array in canonical order, scaled."""
        out = np.empty((self.rank, self._dim), dtype=complex)
        axes = self._canonical_axes()
        at = 0
        for block, fill in self._rows_blocks():
            tensor = block[:fill].reshape((fill,) + (2,) * self.num_qubits)
            out[at : at + fill] = tensor.transpose([0] + [1 + a for a in axes]).reshape(
                fill, -1
            )
            at += fill
        return out * self._scale

    # --- internals: rows -------------------------------------------------------

    def _rows_blocks(self) -> Iterable[tuple[np.ndarray, int]]:
        return zip(self._blocks, self._fill, strict=True)

    def _append(self, rows: np.ndarray, norms2: np.ndarray | None) -> None:
        count = rows.shape[0]
        at = 0
        while at < count:
            if not self._blocks or self._fill[-1] == self._blocks[-1].shape[0]:
                self._grow(count - at)
            block, fill = self._blocks[-1], self._fill[-1]
            take = min(count - at, block.shape[0] - fill)
            block[fill : fill + take] = rows[at : at + take]
            self._fill[-1] += take
            at += take
        if norms2 is not None:
            self._norms2 = np.concatenate([self._norms2, norms2])

    def _grow(self, needed: int) -> None:
        """Make room for rows: enlarge the last block or start a new one."""
        if self._blocks and self._blocks[-1].shape[0] < self._block_rows:
            last = self._blocks[-1]
            size = min(
                self._block_rows, max(2 * last.shape[0], self._fill[-1] + needed)
            )
            bigger = np.empty((size, self._dim), dtype=complex)
            bigger[: self._fill[-1]] = last[: self._fill[-1]]
            self._blocks[-1] = bigger
            return
        size = min(self._block_rows, max(needed, 4))
        self._blocks.append(np.empty((size, self._dim), dtype=complex))
        self._fill.append(0)

    def _gather(self, indices: np.ndarray) -> np.ndarray:
        """Copies of the stored rows at ``indices`` (global row numbers)."""
        out = np.empty((len(indices), self._dim), dtype=complex)
        starts = np.cumsum([0] + self._fill)
        for b, (block, fill) in enumerate(self._rows_blocks()):
            mask = (indices >= starts[b]) & (indices < starts[b] + fill)
            if mask.any():
                out[mask] = block[indices[mask] - starts[b]]
        return out

    def _scratch_rows(self, count: int) -> np.ndarray:
        need = count * self._dim
        if self._scratch.size < need:
            self._scratch = np.empty(need, dtype=complex)
        return self._scratch[:need].reshape(count, self._dim)

    # --- internals: applying matrices ------------------------------------------

    def _check_matrix(self, matrix: np.ndarray, qubits: Sequence[int]) -> np.ndarray:
        matrix = np.asarray(matrix, dtype=complex)
        size = 2 ** len(qubits)
        if matrix.shape != (size, size):
            raise ValueError(
                f"A matrix on {len(qubits)} qubits must be {size}x{size}, "
                f"got shape {matrix.shape}."
            )
        if len(set(qubits)) != len(qubits) or not all(
            0 <= q < self.num_qubits for q in qubits
        ):
            raise ValueError(
                f"Qubits {tuple(qubits)} must be distinct and below {self.num_qubits}."
            )
        return matrix

    def _front(self, qubits: Sequence[int]) -> list[int]:
        """The axis permutation that moves ``qubits`` to the front, in order."""
        positions = [self._order.index(q) for q in qubits]
        rest = [k for k in range(self.num_qubits) if k not in positions]
        return positions + rest

    def _transform(
        self, matrix: np.ndarray | None, qubits: Sequence[int], norms: bool = False
    ) -> np.ndarray:
        """Multiply every row by ``matrix`` on ``qubits``, in place.

        ``matrix=None`` only moves the axes. Returns the new squared row
        norms when ``norms`` is set (else an empty array).
        """
        perm = self._front(qubits)
        axes = [0] + [1 + p for p in perm]
        shape = (-1,) + (2,) * self.num_qubits
        size = 2 ** len(qubits)
        monomial = _monomial(matrix) if matrix is not None else None
        out_norms = []
        for block, fill in self._rows_blocks():
            for start in range(0, fill, self._chunk_rows):
                rows = block[start : min(fill, start + self._chunk_rows)]
                count = rows.shape[0]
                scratch = self._scratch_rows(count)
                np.copyto(scratch.reshape(shape), rows.reshape(shape).transpose(axes))
                front = scratch.reshape(count, size, -1)
                out = rows.reshape(count, size, -1)
                if matrix is None:
                    out[...] = front
                elif monomial is not None:
                    # A permutation (with phases): move blocks, multiply none.
                    np.multiply(front[:, monomial[0]], monomial[1], out=out)
                else:
                    np.matmul(matrix, front, out=out)
                if norms:
                    flat = rows.view(np.float64)
                    out_norms.append(np.einsum("ij,ij->i", flat, flat))
        self._order = [self._order[p] for p in perm]
        return np.concatenate(out_norms) if out_norms else np.zeros(0)

    def _apply_to_rows(
        self,
        matrix: np.ndarray,
        qubits: Sequence[int],
        rows: np.ndarray,
        front_layout: bool = False,
    ) -> np.ndarray:
        """``matrix`` on ``qubits`` applied to loose rows.

        The result is in the current layout, or with ``front_layout`` in the
        layout that :meth:`_transform` on ``qubits`` would leave.
        """
        count = rows.shape[0]
        size = 2 ** len(qubits)
        shape = (count,) + (2,) * self.num_qubits
        perm = self._front(qubits)
        front = np.ascontiguousarray(
            rows.reshape(shape).transpose([0] + [1 + p for p in perm])
        )
        product = np.matmul(matrix, front.reshape(count, size, -1))
        if front_layout:
            return product.reshape(count, -1)
        product = product.reshape(shape)
        back = np.argsort(perm)
        return np.ascontiguousarray(
            product.transpose([0] + [1 + b for b in back])
        ).reshape(count, -1)

    def _reorder(self, order: list[int]) -> None:
        """Bring the rows into the axis order ``order``."""
        self._transform(None, order)

    def _fold_scale(self) -> None:
        if self._scale == 1.0:
            return
        for block, fill in self._rows_blocks():
            block[:fill] *= self._scale
        self._norms2 = self._norms2 * abs(self._scale) ** 2
        self._scale = 1.0 + 0j

    def _to_canonical(self, values: np.ndarray) -> np.ndarray:
        tensor = values.reshape((2,) * self.num_qubits)
        return tensor.transpose(self._canonical_axes()).reshape(-1)

    def _canonical_axes(self) -> list[int]:
        n = self.num_qubits
        return [self._order.index(n - 1 - c) for c in range(n)]

    # --- internals: Kraus branches ---------------------------------------------

    def _branch_weights(self, op: np.ndarray, qubits: Sequence[int]) -> np.ndarray:
        """The trace each row would contribute through ``op``."""
        gram = op.conj().T @ op
        size = gram.shape[0]
        kappa = gram[0, 0].real
        if np.allclose(gram, kappa * np.eye(size), atol=1e-13):
            return kappa * abs(self._scale) ** 2 * self._norms2
        return abs(self._scale) ** 2 * self._quadratic_forms(gram, qubits)

    def _quadratic_forms(self, matrix: np.ndarray, qubits: Sequence[int]) -> np.ndarray:
        """<row_j| matrix |row_j> for every stored row, without writing."""
        perm = self._front(qubits)
        axes = [0] + [1 + p for p in perm]
        shape = (-1,) + (2,) * self.num_qubits
        size = matrix.shape[0]
        out = []
        for block, fill in self._rows_blocks():
            for start in range(0, fill, self._chunk_rows):
                rows = block[start : min(fill, start + self._chunk_rows)]
                count = rows.shape[0]
                front = self._scratch_rows(count)
                np.copyto(front.reshape(shape), rows.reshape(shape).transpose(axes))
                front = front.reshape(count, size, -1)
                image = np.matmul(matrix, front)
                out.append(np.einsum("ijk,ijk->i", front.conj(), image).real)
        return np.concatenate(out) if out else np.zeros(0)

    def _screen(self, weights: list[np.ndarray], trace: float) -> list[np.ndarray]:
        """Which (branch, row) pairs to keep; the rest adds to the bound."""
        if not weights:
            return []
        stacked = np.stack(weights) if weights[0].size else np.zeros((len(weights), 0))
        limit = self.epsilon * trace
        if self.rule == "relative":
            keep = stacked >= limit
        else:
            flat = stacked.ravel()
            order = np.argsort(flat, kind="stable")
            tail = np.cumsum(flat[order])
            dropped = order[tail <= limit]
            keep_flat = np.ones(flat.size, dtype=bool)
            keep_flat[dropped] = False
            keep = keep_flat.reshape(stacked.shape)
        keep &= stacked > 0
        self.truncation_bound += float(stacked[~keep].sum())
        return list(keep)

    def _branches(
        self,
        ops: list[np.ndarray],
        keep: list[np.ndarray],
        qubits: Sequence[int],
        front_layout: bool,
    ) -> tuple[np.ndarray, np.ndarray]:
        images, norms = [], []
        for op, mask in zip(ops, keep, strict=True):
            indices = np.flatnonzero(mask)
            if not indices.size:
                continue
            rows = self._gather(indices)
            image = self._apply_to_rows(op, qubits, rows, front_layout)
            flat = image.view(np.float64)
            images.append(image)
            norms.append(np.einsum("ij,ij->i", flat, flat))
        if not images:
            return np.zeros((0, self._dim), dtype=complex), np.zeros(0)
        return np.concatenate(images), np.concatenate(norms)

    # --- internals: Gram matrix and rotation -----------------------------------

    def _column_chunks(self) -> Iterable[slice]:
        width = max(256, (32 * 2**20) // (16 * max(self.rank, 1)))
        for start in range(0, self._dim, width):
            yield slice(start, min(self._dim, start + width))

    def _gather_columns(self, columns: slice) -> np.ndarray:
        parts = [block[:fill, columns] for block, fill in self._rows_blocks()]
        return (
            np.concatenate(parts) if len(parts) > 1 else np.ascontiguousarray(parts[0])
        )

    def _gram(self) -> np.ndarray:
        """G[j, k] = <row_j | row_k>, including the global scale."""
        rank = self.rank
        gram = np.zeros((rank, rank), dtype=complex, order="F")
        for columns in self._column_chunks():
            part = self._gather_columns(columns)
            if _blas is not None:
                gram = _blas.zherk(
                    1.0, part.T, beta=1.0, c=gram, trans=2, overwrite_c=1
                )
            else:
                gram += part.conj() @ part.T
        if _blas is not None:
            gram = np.triu(gram) + np.triu(gram, 1).conj().T
        return gram * abs(self._scale) ** 2

    def _rotate(self, rotation: np.ndarray) -> None:
        """Replace the rows by ``rotation.T @ rows``, in place."""
        keep = rotation.shape[1]
        transposed = np.ascontiguousarray(rotation.T)
        for columns in self._column_chunks():
            new = transposed @ self._gather_columns(columns)
            at = 0
            for block, fill in self._rows_blocks():
                take = min(fill, keep - at)
                if take <= 0:
                    break
                block[:take, columns] = new[at : at + take]
                at += take
        self._truncate_rows(keep)

    def _truncate_rows(self, keep: int) -> None:
        blocks, fill, left = [], [], keep
        for block, count in self._rows_blocks():
            if left <= 0:
                break
            blocks.append(block)
            fill.append(min(count, left))
            left -= count
        self._blocks, self._fill = blocks, fill


_PAULI_X = np.array([[0, 1], [1, 0]], dtype=complex)
_PAULI_Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
_PAULI_Z = np.array([[1, 0], [0, -1]], dtype=complex)


def _monomial(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(source, phases)`` when each row of ``matrix`` has one nonzero.

    Then ``(matrix @ v)[i] = phases[i] * v[source[i]]``: permutation
    gates (x, cx, swap, ccx, cswap, iswap) and diagonal ones (z, s, t,
    cz, rz, rzz) become block moves and scalings instead of products.
    """
    nonzero = np.abs(matrix) > 1e-15
    if not np.all(nonzero.sum(axis=1) == 1):
        return None
    source = np.argmax(nonzero, axis=1)
    phases = matrix[np.arange(matrix.shape[0]), source]

    return source, phases[:, None]


def _scalar_multiple(matrix: np.ndarray) -> complex | None:
    """``a`` when ``matrix`` equals ``a`` times the identity, else None."""
    value = matrix[0, 0]
    if np.allclose(matrix, value * np.eye(matrix.shape[0]), atol=1e-14):
        return complex(value)
    return None


def _eigh_descending(gram: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (descending) and eigenvectors of a Hermitian matrix.

    numpy's divide-and-conquer solver: the MRRR driver is far slower on
    the clustered, rank-deficient spectra that Gram matrices have.
    """
    values, vectors = np.linalg.eigh(gram)

    return values[::-1], vectors[:, ::-1]


def _parse_pauli(pauli: str | dict[int, str], num_qubits: int) -> dict[int, str]:
    if isinstance(pauli, str):
        if len(pauli) != num_qubits:
            raise ValueError(
                f"A Pauli string needs one letter per qubit ({num_qubits}), "
                f"qubit 0 on the right; got {pauli!r}."
            )
        pauli = {num_qubits - 1 - k: letter for k, letter in enumerate(pauli)}
    terms = {}
    for qubit, letter in pauli.items():
        letter = letter.upper()
        if letter not in "IXYZ" or len(letter) != 1:
            raise ValueError(f"Unknown Pauli letter {letter!r} on qubit {qubit}.")
        if not 0 <= int(qubit) < num_qubits:
            raise ValueError(
                f"The Pauli term on qubit {qubit} is outside the state's "
                f"{num_qubits} qubits (0 to {num_qubits - 1})."
            )
        if letter != "I":
            terms[int(qubit)] = letter
    return terms


def marginalize(
    probs: np.ndarray, num_qubits: int, qubits: Sequence[int]
) -> np.ndarray:
    """Sum ``probs`` (qubit 0 least significant) onto ``qubits``.

    Bit i of the returned index is ``qubits[i]``.
    """
    tensor = probs.reshape((2,) * num_qubits)
    axes = [num_qubits - 1 - q for q in qubits]
    others = tuple(a for a in range(num_qubits) if a not in axes)
    summed = tensor.sum(axis=others) if others else tensor
    # After summing, the remaining axes keep their relative order.
    remaining = sorted(axes)
    order = [remaining.index(a) for a in reversed(axes)]
    return np.ascontiguousarray(np.transpose(summed, order)).reshape(-1)
