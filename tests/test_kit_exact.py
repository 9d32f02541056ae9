"""The kit's direct-run helpers, noise references and plugin checks."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from proxima_kernel import Execution, Gate, Measure, Reset, hookimpl
from proxima_kernel.testing import (
    BackendConformance,
    PluginConformance,
    ReferenceBackend,
    apply_kraus,
    execute,
    kraus_operators,
    program,
)

BELL = program(2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1))
KINDS = ["depolarizing", "amplitude_damping", "phase_damping", "bit_flip", "phase_flip"]


class MirroredBackend(ReferenceBackend):
    """Reverses every key: the bug the exact bit-order cases are for."""

    name = "mirrored"

    def execute(self, native, program, options) -> Execution:
        done = super().execute(native, program, options)
        return Execution({k[::-1]: v for k, v in done.counts.items()})


def test_execute_runs_2000_shots_with_seed_11_by_default():
    backend = ReferenceBackend()

    execution = execute(backend, BELL)

    assert sum(execution.counts.values()) == 2000
    assert execution.counts == execute(backend, BELL, seed=11).counts


def test_execute_fails_when_the_backend_refuses():
    prog = program(1, 1, Reset(0), Measure(0, 0))

    with pytest.raises(AssertionError, match="reference refused"):
        execute(ReferenceBackend(), prog)


@pytest.mark.parametrize("kind", KINDS)
def test_kraus_operators_preserve_the_trace(kind):
    kraus = kraus_operators(kind, 0.3)

    total = sum(k.conj().T @ k for k in kraus)

    np.testing.assert_allclose(total, np.eye(2), atol=1e-12)


def test_bit_flip_one_sends_zero_to_one():
    rho = np.array([[1, 0], [0, 0]], dtype=complex)

    flipped = apply_kraus(rho, kraus_operators("bit_flip", 1.0))

    np.testing.assert_allclose(flipped, [[0, 0], [0, 1]], atol=1e-12)


def test_kraus_operators_refuse_a_two_qubit_kind():
    with pytest.raises(ValueError, match="'depolarizing2'"):
        kraus_operators("depolarizing2", 0.1)


def test_the_exact_cases_catch_a_reversed_bit_order():
    suite = BackendConformance()

    with pytest.raises(AssertionError):
        suite.test_bit_order_of_every_shot(
            MirroredBackend(), "crossed-bits-swap-places"
        )


def test_a_flag_left_off_skips_its_checks():
    suite = BackendConformance()

    with pytest.raises(pytest.skip.Exception, match="exact_probabilities"):
        suite.test_exact_probabilities(ReferenceBackend(), "bell")


def test_a_flag_set_holds_the_backend_to_it():
    """The reference gives probabilities when nothing is measured: refused."""

    class Strict(BackendConformance):
        exact_probabilities = True

    with pytest.raises(Exception, match="measures nothing"):
        Strict().test_measuring_nothing_reads_all_zeros(ReferenceBackend())


def test_plugin_checks_catch_a_missing_backend(monkeypatch):
    module = types.ModuleType("proxima_kit_probe")

    @hookimpl
    def proxima_register_backends(register):
        register(ReferenceBackend())

    module.proxima_register_backends = proxima_register_backends
    monkeypatch.setitem(sys.modules, module.__name__, module)

    class Probe(PluginConformance):
        backends = ("reference",)

    Probe.module = module.__name__
    Probe().test_the_hooks_register_the_backends_and_loaders()
    Probe.backends = ("reference", "other")
    with pytest.raises(AssertionError):
        Probe().test_the_hooks_register_the_backends_and_loaders()
