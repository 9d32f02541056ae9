"""Translate the kernel's noise model into cirq channels, exactly.

The kernel's conventions (see ``proxima_kernel.NoiseModel``) were written
with cirq's channels in mind, so each kind maps onto one cirq channel
with the same parameter:

* ``depolarizing:p`` -> ``cirq.depolarize(p)`` on each touched qubit;
* ``depolarizing2:p`` -> ``cirq.depolarize(p, n_qubits=2)``, jointly;
* ``amplitude_damping:g`` -> ``cirq.amplitude_damp(g)`` on each qubit;
* ``phase_damping:l`` -> ``cirq.phase_damp(l)`` on each qubit;
* ``bit_flip:p`` / ``phase_flip:p`` -> ``cirq.bit_flip(p)`` /
  ``cirq.phase_flip(p)`` on each qubit;
* ``readout:p`` -> a confusion map on every measurement.

A one-qubit channel after a k-qubit gate acts on each of the k qubits.
The channels following one gate are applied in the order the model lists
them, right after the gate and under the same classical condition, so
noise follows a conditioned gate only when it runs. Readout, as in the
qiskit-aer plugin, flips every recorded measurement independently with
the model's total flip probability; a later condition reads the flipped
bit, and the qubit itself is left alone. (With only terminal measurements
:mod:`proxima_cirq._run` draws those flips itself after the shots.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from proxima_kernel import Channel, NoiseModel

if TYPE_CHECKING:
    import cirq
    import numpy as np

#: Channel kinds applied on each touched qubit separately.
ONE_QUBIT_KINDS = frozenset(
    {"depolarizing", "amplitude_damping", "phase_damping", "bit_flip", "phase_flip"}
)
SUPPORTED_KINDS = ONE_QUBIT_KINDS | {"depolarizing2", "readout"}


def unsupported_reasons(noise: NoiseModel | None) -> list[str]:
    """Every channel of ``noise`` this plugin cannot translate."""
    if noise is None:
        return []
    outside = noise.channels_outside(SUPPORTED_KINDS)
    return [f"the noise channel {c.kind!r} has no cirq translation" for c in outside]


def after_gate(
    noise: NoiseModel, name: str, qubits: tuple[cirq.Qid, ...]
) -> list[cirq.Operation]:
    """The channel operations that follow one gate ``name`` on ``qubits``."""
    operations = []
    for channel in noise.after_gate(name, len(qubits)):
        if channel.probability == 0.0:
            continue
        operations.extend(channel_operations(channel, qubits))

    return operations


def channel_operations(
    channel: Channel, qubits: tuple[cirq.Qid, ...]
) -> list[cirq.Operation]:
    """One channel after a gate on ``qubits``, as cirq operations."""
    import cirq

    if channel.kind == "depolarizing2":
        return [cirq.depolarize(channel.probability, n_qubits=2).on(*qubits)]

    single = one_qubit_channel(channel.kind, channel.probability)
    return [single.on(qubit) for qubit in qubits]


def one_qubit_channel(kind: str, probability: float) -> cirq.Gate:
    """The cirq channel of a one-qubit kind."""
    import cirq

    builders: dict[str, Any] = {
        "depolarizing": cirq.depolarize,
        "amplitude_damping": cirq.amplitude_damp,
        "phase_damping": cirq.phase_damp,
        "bit_flip": cirq.bit_flip,
        "phase_flip": cirq.phase_flip,
    }
    if kind not in builders:
        raise ValueError(f"The noise channel {kind!r} has no cirq translation.")
    return builders[kind](probability)


def readout_confusion(noise: NoiseModel) -> dict[tuple[int, ...], np.ndarray] | None:
    """A one-bit confusion map for ``cirq.measure``, or None without readout.

    Row: the true outcome; column: the recorded one.
    """
    flip = noise.readout_error()
    if flip == 0.0:
        return None

    import numpy as np

    return {(0,): np.array([[1 - flip, flip], [flip, 1 - flip]])}
