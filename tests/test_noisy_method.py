"""The Backend base: noisy method, memory estimate, refusals, failures."""

from __future__ import annotations

import pytest

from proxima_kernel import (
    Backend,
    Channel,
    NoiseModel,
    Reset,
    RunOptions,
    UnsupportedCircuitError,
)
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


class TwoKinds(ReferenceBackend):
    name = "two-kinds"
    noise_kinds = frozenset({"bit_flip", "readout"})


def test_noise_reasons_name_each_channel_outside_the_kinds():
    noise = NoiseModel((Channel("crosstalk", 0.1), Channel("bit_flip", 0.2)))

    reasons = TwoKinds().noise_reasons(RunOptions(noise=noise))

    assert reasons == ["the noise channel 'crosstalk' has no two-kinds translation"]


def test_noise_reasons_are_empty_without_noise_or_kinds():
    noise = RunOptions(noise=NoiseModel((Channel("crosstalk", 0.1),)))

    assert TwoKinds().noise_reasons(None) == []
    assert TwoKinds().noise_reasons(RunOptions()) == []
    assert TwoKinds().noise_reasons(NOISY) == []
    assert ReferenceBackend().noise_reasons(noise) == []


class NoReset(Backend):
    """Uses the base unsupported_reason (ReferenceBackend has its own)."""

    name = "no-reset"
    noise_kinds = frozenset({"bit_flip"})

    def program_reasons(self, program):
        return ["reset is not supported"] if program.features() else []


def test_the_default_unsupported_reason_joins_program_and_noise_reasons():
    prog = program(1, 1, Reset(0))
    noise = NoiseModel((Channel("crosstalk", 0.1),))
    backend = NoReset()

    reason = backend.unsupported_reason(prog, RunOptions(noise=noise))

    assert reason == (
        "reset is not supported; "
        "the noise channel 'crosstalk' has no no-reset translation"
    )
    assert backend.unsupported_reason(program(1, 1)) is None


def test_refuse_raises_only_with_reasons():
    Backend.refuse([])

    with pytest.raises(UnsupportedCircuitError, match="^a; b$"):
        Backend.refuse(["a", "b"])


def test_run_details_name_the_method_extras_options_and_noise():
    options = RunOptions(
        noise=NoiseModel.parse("bit_flip:0.01"),
        backend_options={"density-when-noisy": {"threads": 1}, "other": {"x": 2}},
    )

    details = DensityWhenNoisy().run_details(options, matrix_gates=("u",), none=())

    assert details == {
        "method": "density_matrix",
        "matrix_gates": ["u"],
        "backend_options": {"threads": 1},
        "noise": "bit_flip:0.01",
    }
    assert list(details) == ["method", "matrix_gates", "backend_options", "noise"]


def test_run_details_of_an_ideal_run_hold_the_method_alone():
    details = DensityWhenNoisy().run_details(RunOptions(noise=NoiseModel()))

    assert details == {"method": "statevector"}


def test_a_failure_message_names_backend_method_cause_and_the_options():
    message = DensityWhenNoisy.failure_message(
        "MemoryError: out of memory.", "density_matrix", {"precision": "single"}
    )

    assert message == (
        "density-when-noisy could not run the circuit with the density_matrix "
        "method: MemoryError: out of memory. Check the backend options "
        "{'precision': 'single'} given for density-when-noisy."
    )


def test_a_failure_message_without_options_suggests_a_smaller_run():
    message = DensityWhenNoisy.failure_message("status ERROR", "statevector")

    assert message.endswith(
        "statevector method: status ERROR. A smaller circuit or fewer shots may fit."
    )
