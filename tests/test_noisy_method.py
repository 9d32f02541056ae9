"""Backends that change method for noisy runs, and unsupported channels."""

from __future__ import annotations

from proxima_kernel import Backend, Channel, NoiseModel, RunOptions
from proxima_kernel.testing import ReferenceBackend, program

NOISY = RunOptions(noise=NoiseModel.parse("bit_flip:0.1"))


class DensityWhenNoisy(ReferenceBackend):
    name = "density-when-noisy"
    noisy_method = "density_matrix"


def test_a_noisy_run_uses_the_noisy_method():
    assert DensityWhenNoisy.method_for(NOISY) == "density_matrix"


def test_an_ideal_run_keeps_the_method():
    empty = RunOptions(noise=NoiseModel())

    assert DensityWhenNoisy.method_for(RunOptions()) == "statevector"
    assert DensityWhenNoisy.method_for(empty) == "statevector"
    assert DensityWhenNoisy.method_for(None) == "statevector"


def test_without_a_noisy_method_noise_keeps_the_method():
    assert ReferenceBackend.method_for(NOISY) == "statevector"


def test_is_noisy_needs_a_channel():
    assert Backend.is_noisy(NOISY)
    assert not Backend.is_noisy(RunOptions(noise=NoiseModel()))
    assert not Backend.is_noisy(RunOptions())
    assert not Backend.is_noisy(None)


def test_the_memory_estimate_follows_the_method_of_the_run():
    prog = program(4, 0)
    backend = DensityWhenNoisy()

    assert backend.estimate_memory_bytes(prog) == 16 * 2**4
    assert backend.estimate_memory_bytes(prog, RunOptions()) == 16 * 2**4
    assert backend.estimate_memory_bytes(prog, NOISY) == 16 * 4**4
    assert ReferenceBackend().estimate_memory_bytes(prog, NOISY) == 16 * 2**4


def test_channels_outside_lists_unknown_kinds_in_model_order():
    noise = NoiseModel(
        (
            Channel("crosstalk", 0.1),
            Channel("bit_flip", 0.2),
            Channel("leakage", 0.3),
        )
    )

    outside = noise.channels_outside({"bit_flip", "readout"})

    assert [c.kind for c in outside] == ["crosstalk", "leakage"]
    assert noise.channels_outside({"crosstalk", "bit_flip", "leakage"}) == []
    assert NoiseModel().channels_outside(()) == []
