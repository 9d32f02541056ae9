"""Translate the kernel's noise model into qiskit-aer errors, exactly.

The kernel's conventions (see ``proxima_kernel.NoiseModel``) and aer's
differ in one place: aer's ``depolarizing_error(lam, k)`` mixes in the
maximally mixed state with weight ``lam``, which picks each of the
``4**k - 1`` non-identity Paulis with probability ``lam / 4**k``. The
kernel's ``p`` is the total probability of a non-identity Pauli, so
``lam = p * 4**k / (4**k - 1)``: 4/3 for one qubit, 16/15 for two.

A one-qubit channel (``depolarizing``, ``amplitude_damping``,
``phase_damping``, ``bit_flip``, ``phase_flip``) acts on *each* qubit a
gate touches: after a two-qubit gate it is the tensor product of two
one-qubit errors. ``depolarizing2`` acts on a two-qubit gate's qubits
jointly. The channels following one gate are composed in the order the
model lists them. ``readout`` becomes one aer ``ReadoutError`` on every
measured bit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from proxima_kernel import STANDARD_GATES, Channel, NoiseModel, Program

if TYPE_CHECKING:
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import QuantumError

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
    return [
        f"the noise channel {c.kind!r} has no qiskit-aer translation" for c in outside
    ]


def gate_errors(noise: NoiseModel, program: Program) -> dict[str, QuantumError]:
    """The aer error that follows each gate name used in ``program``.

    Gates no channel follows are absent.
    """
    errors = {}
    for name in sorted({gate.name for gate in program.gates()}):
        width = STANDARD_GATES[name].num_qubits
        error = _composed(noise.after_gate(name, width), width)
        if error is not None:
            errors[name] = error

    return errors


def readout_model(noise: NoiseModel) -> AerNoiseModel | None:
    """An aer noise model holding only the readout error, or None."""
    flip = noise.readout_error()
    if flip == 0.0:
        return None

    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import ReadoutError

    model = AerNoiseModel()
    model.add_all_qubit_readout_error(
        ReadoutError([[1 - flip, flip], [flip, 1 - flip]])
    )
    return model


def channel_error(channel: Channel, width: int) -> QuantumError:
    """The aer error of one channel after a gate on ``width`` qubits."""
    if channel.kind == "depolarizing2":
        return _depolarizing(channel.probability, 2)

    single = _one_qubit_error(channel.kind, channel.probability)
    error = single
    for _ in range(width - 1):
        error = error.tensor(single)
    return error


def _composed(channels: list[Channel], width: int) -> QuantumError | None:
    error = None
    for channel in channels:
        if channel.probability == 0.0:
            continue
        step = channel_error(channel, width)
        error = step if error is None else error.compose(step)

    return error


def _one_qubit_error(kind: str, probability: float) -> QuantumError:
    from qiskit_aer import noise

    if kind == "depolarizing":
        return _depolarizing(probability, 1)
    if kind == "amplitude_damping":
        return noise.amplitude_damping_error(probability)
    if kind == "phase_damping":
        return noise.phase_damping_error(probability)
    if kind in ("bit_flip", "phase_flip"):
        pauli = "X" if kind == "bit_flip" else "Z"
        return noise.pauli_error([(pauli, probability), ("I", 1 - probability)])

    raise ValueError(f"The noise channel {kind!r} has no qiskit-aer translation.")


def _depolarizing(probability: float, num_qubits: int) -> Any:
    from qiskit_aer.noise import depolarizing_error

    terms = 4**num_qubits
    return depolarizing_error(probability * terms / (terms - 1), num_qubits)
