"""Noise spec strings: what they mean, and what they refuse."""

from __future__ import annotations

import pytest

from proxima_kernel import Channel, NoiseModel, UsageError


def test_a_spec_reads_channels_in_order_with_their_gates():
    model = NoiseModel.parse("depolarizing:0.001, amplitude_damping:0.01@cx+h")

    assert model.channels == (
        Channel("depolarizing", 0.001, None),
        Channel("amplitude_damping", 0.01, ("cx", "h")),
    )
    assert NoiseModel.parse(model.spec()) == model


def test_a_channel_limited_to_gates_follows_only_those():
    model = NoiseModel.parse("bit_flip:0.2@cx,depolarizing2:0.1")

    assert [c.kind for c in model.after_gate("cx", 2)] == ["bit_flip", "depolarizing2"]
    assert model.after_gate("h", 1) == []


def test_readout_errors_compose_into_one_flip_probability():
    model = NoiseModel.parse("readout:0.1,readout:0.2")

    assert model.readout_error() == pytest.approx(0.1 * 0.8 + 0.9 * 0.2)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("gremlins:0.1", "Unknown noise channel 'gremlins'"),
        ("depolarizing", "needs a probability after the colon"),
        ("depolarizing:1.5", "must lie between 0 and 1"),
        ("depolarizing:nan", "must lie between 0 and 1"),
        ("depolarizing:0.1,,", "empty channel between commas"),
        ("bit_flip:0.2@foo", "'foo' after @, which is not a standard gate"),
        ("bit_flip:0.2@u3", "'u3' after @"),
        ("depolarizing:0.1@", "empty gate name after @"),
        ("depolarizing:0.1@cx+", "empty gate name after @"),
        ("readout:0.1@cx", "readout error acts on measurements"),
        # Found by a user trial: this noise never applied, without a word.
        ("depolarizing2:0.1@h+cx", "to 'h', which does not act on two qubits"),
    ],
)
def test_a_bad_spec_is_refused_with_what_to_write(spec, words):
    with pytest.raises(UsageError, match=words):
        NoiseModel.parse(spec)


def test_two_qubit_depolarizing_may_name_two_qubit_gates():
    model = NoiseModel.parse("depolarizing2:0.1@cx+cz")

    assert model.channels[0].gates == ("cx", "cz")
