"""An engine-neutral noise description that means the same on every backend.

A :class:`NoiseModel` is a list of channels, each attached after every gate
or after chosen gates only. Backend plugins translate it into their
engine's own form, exactly, and answer ``unsupported`` naming the channel
when they cannot.

The convention, stated once (engines disagree on it):

``depolarizing:p``
    After a gate, on *each* qubit it touches, with probability ``p`` one of
    the three Paulis X, Y, Z chosen uniformly; with ``1 - p`` nothing.
    This is cirq's ``depolarize(p)``. qiskit-aer's ``depolarizing_error``
    mixes in the maximally mixed state with weight ``lam``; the same
    channel is ``lam = p * 4/3``.
``depolarizing2:p``
    After a two-qubit gate, on its two qubits jointly, with probability
    ``p`` one of the 15 non-identity two-qubit Paulis, uniformly (cirq's
    ``depolarize(p, n_qubits=2)``; aer's ``lam = p * 16/15``).
``amplitude_damping:g``
    Kraus operators ``[[1,0],[0,sqrt(1-g)]]`` and ``[[0,sqrt(g)],[0,0]]`` on
    each touched qubit.
``phase_damping:l``
    Kraus operators ``[[1,0],[0,sqrt(1-l)]]`` and ``[[0,0],[0,sqrt(l)]]``.
``bit_flip:p`` / ``phase_flip:p``
    X (or Z) with probability ``p`` on each touched qubit.
``readout:p``
    Each measured bit is recorded flipped with probability ``p``.

A spec string joins channels with commas; ``@g1+g2`` limits a channel to
the named gates: ``depolarizing:0.001,amplitude_damping:0.01@cx+h``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

import attrs

from proxima_kernel._errors import UsageError

if TYPE_CHECKING:
    from proxima_kernel._gates import GateSpec

CHANNEL_KINDS = (
    "depolarizing",
    "depolarizing2",
    "amplitude_damping",
    "phase_damping",
    "bit_flip",
    "phase_flip",
    "readout",
)


@attrs.frozen
class Channel:
    """One noise channel and the gates it follows (None means every gate)."""

    kind: str
    probability: float
    gates: tuple[str, ...] | None = None

    def applies_to(self, gate_name: str, num_qubits: int) -> bool:
        """Whether this channel follows a gate of this name and width."""
        if self.kind == "readout":
            return False
        if self.kind == "depolarizing2" and num_qubits != 2:
            return False
        return self.gates is None or gate_name in self.gates


@attrs.frozen
class NoiseModel:
    """The channels of a noisy run, in the order they are applied."""

    channels: tuple[Channel, ...] = ()

    def after_gate(self, gate_name: str, num_qubits: int) -> list[Channel]:
        """The channels that follow one application of a gate."""
        return [c for c in self.channels if c.applies_to(gate_name, num_qubits)]

    def channels_outside(self, kinds: Collection[str]) -> list[Channel]:
        """The channels whose kind is not among ``kinds``, in model order.

        A backend lists what it cannot translate with its supported kinds,
        e.g. ``noise.channels_outside({"bit_flip", "readout"})``.
        """
        return [c for c in self.channels if c.kind not in kinds]

    def readout_error(self) -> float:
        """Total flip probability of a measured bit (0 when none is set)."""
        flip = 0.0
        for channel in self.channels:
            if channel.kind == "readout":
                flip = (
                    flip * (1 - channel.probability) + (1 - flip) * channel.probability
                )

        return flip

    def spec(self) -> str:
        """The model as a spec string that :meth:`parse` reads back."""
        parts = []
        for c in self.channels:
            text = f"{c.kind}:{c.probability:g}"
            if c.gates is not None:
                text += "@" + "+".join(c.gates)
            parts.append(text)

        return ",".join(parts)

    @classmethod
    def parse(cls, spec: str) -> NoiseModel:
        """Read a spec such as ``depolarizing:0.001,readout:0.02@cx``."""
        parts = [part.strip() for part in spec.split(",")]
        if not all(parts):
            raise UsageError(
                f"The noise spec {spec!r} has an empty channel between "
                f"commas. Write channels as KIND:P joined by commas, e.g. "
                f"depolarizing:0.001,readout:0.02."
            )

        return cls(tuple(_parse_channel(part) for part in parts))


def _parse_channel(text: str) -> Channel:
    body, _, gates = text.partition("@")
    kind, _, value = body.partition(":")
    if kind not in CHANNEL_KINDS:
        raise UsageError(
            f"Unknown noise channel {kind!r} in {text!r}. Known channels: "
            f"{', '.join(CHANNEL_KINDS)}. Write them as KIND:P, e.g. "
            f"depolarizing:0.001."
        )
    try:
        probability = float(value)
    except ValueError:
        raise UsageError(
            f"The noise channel {text!r} needs a probability after the "
            f"colon, e.g. {kind}:0.001."
        ) from None
    if not 0.0 <= probability <= 1.0:
        raise UsageError(
            f"The probability of {text!r} is {probability}; it must lie "
            f"between 0 and 1."
        )

    names = _gate_names(text, kind, gates) if "@" in text else None
    return Channel(kind, probability, names)


def _gate_names(text: str, kind: str, gates: str) -> tuple[str, ...]:
    """The gates after ``@``, each a standard gate: a typo must not
    silently turn the noise off."""
    from proxima_kernel._gates import STANDARD_GATES

    if kind == "readout":
        raise UsageError(
            f"The noise channel {text!r} limits readout error to gates, but "
            f"readout error acts on measurements; drop the @ part."
        )
    names = tuple(gates.split("+"))
    if not all(names):
        raise UsageError(
            f"The noise channel {text!r} has an empty gate name after @. "
            f"Write gate names joined by +, e.g. {kind}:0.01@cx+h."
        )
    unknown = [name for name in names if name not in STANDARD_GATES]
    if unknown:
        raise UsageError(
            f"The noise channel {text!r} names {', '.join(map(repr, unknown))} "
            f"after @, which is not a standard gate. Write gate names joined "
            f"by +, e.g. {kind}:0.01@cx+h; the gates are "
            f"{', '.join(sorted(STANDARD_GATES))}."
        )
    if kind == "depolarizing2":
        _require_two_qubit_gates(text, names, STANDARD_GATES)

    return names


def _require_two_qubit_gates(
    text: str, names: tuple[str, ...], table: Mapping[str, GateSpec]
) -> None:
    """depolarizing2 follows two-qubit gates only; naming only others
    would turn it off without a word."""
    others = [name for name in names if table[name].num_qubits != 2]
    if others:
        raise UsageError(
            f"The noise channel {text!r} attaches two-qubit depolarizing to "
            f"{', '.join(map(repr, others))}, which does not act on two "
            f"qubits, so it would never apply. Name two-qubit gates (e.g. "
            f"depolarizing2:0.01@cx+cz), or use depolarizing for one-qubit "
            f"gates."
        )
