"""From a kernel program to LRET operations, and :func:`simulate`.

Lowering needs numpy (gate matrices, Kraus operators), so the backend
imports this module only inside its methods.
"""

from __future__ import annotations

from typing import Any

from proxima_kernel import (
    Barrier,
    Gate,
    Measure,
    NoiseModel,
    Program,
    Reset,
    gate_matrix,
)

from proxima_lret import channels, runner
from proxima_lret.fusion import Kraus, Unitary


def lower(program: Program, noise: NoiseModel | None = None) -> list[Any]:
    """The program as runner operations, each gate followed by its noise.

    A gate's channels inherit its condition, so noise follows a
    conditioned gate only when the gate runs. Resets are the channel
    ``|0><0|, |0><1|``; barriers vanish.
    """
    noise = noise or NoiseModel()
    flip = noise.readout_error()
    ops: list[Any] = []
    for op in program.operations:
        ops.extend(_lower_one(op, noise, flip))

    return ops


def _lower_one(op: Any, noise: NoiseModel, flip: float) -> list[Any]:
    condition = _condition(op)
    if isinstance(op, Gate):
        gate = Unitary(gate_matrix(op.name, op.params), tuple(op.qubits), condition)
        return [gate, *_noise_after(op, noise, condition)]
    if isinstance(op, Measure):
        return [runner.Measure(op.qubit, op.clbit, flip, condition)]
    if isinstance(op, Reset):
        return [Kraus(channels.reset_operators(), (op.qubit,), condition)]
    if isinstance(op, Barrier):
        return []

    raise TypeError(
        f"LRET cannot lower the operation {op!r}; the kernel's program holds "
        f"only gates, measurements, resets and barriers."
    )


def _condition(op: Any) -> tuple[tuple[int, ...], int] | None:
    condition = getattr(op, "condition", None)
    if condition is None:
        return None
    return tuple(condition.clbits), condition.value


def _noise_after(gate: Gate, noise: NoiseModel, condition: Any) -> list[Kraus]:
    out = []
    for channel in noise.after_gate(gate.name, len(gate.qubits)):
        if channel.probability == 0.0:
            continue
        kraus = channels.kraus_operators(channel.kind, channel.probability)
        if channel.kind == "depolarizing2":
            out.append(Kraus(kraus, tuple(gate.qubits), condition))
        else:
            out.extend(Kraus(kraus, (q,), condition) for q in gate.qubits)

    return out


def simulate(
    program: Program,
    noise: NoiseModel | None = None,
    *,
    shots: int = 0,
    seed: int | None = None,
    epsilon: float = 1e-4,
    rule: str = "relative",
    max_rank: int | None = None,
    fuse_qubits: int = 4,
) -> runner.Outcome:
    """Run ``program`` under ``noise`` on LRET, keeping the final states.

    The returned :class:`~proxima_lret.runner.Outcome` holds the outcome
    distribution (integer keys, bit ``c`` is clbit ``c``), ``shots``
    seeded samples, the ranks and the truncation bound, and answers
    :meth:`~proxima_lret.runner.Outcome.expectation`,
    :meth:`~proxima_lret.runner.Outcome.probability_vector` and, for
    small ``n``, :meth:`~proxima_lret.runner.Outcome.density_matrix`.
    """
    ops = lower(program, noise)

    return runner.run(
        program.num_qubits,
        program.num_clbits,
        ops,
        shots=shots,
        seed=seed,
        epsilon=epsilon,
        rule=rule,
        max_rank=max_rank,
        fuse_qubits=fuse_qubits,
        keep_states=True,
    )
