"""The conformance kit itself: it passes good plugins and catches bad ones."""

from __future__ import annotations

import time
from typing import Any

import pytest

from proxima_kernel import Execution, Measure
from proxima_kernel._builtins import JsonExporter
from proxima_kernel.testing import (
    BackendConformance,
    ExporterConformance,
    ReferenceBackend,
)

pytest_plugins = ["pytester"]


class TestReferenceBackendConforms(BackendConformance):
    @classmethod
    def make_backend(cls) -> ReferenceBackend:
        return ReferenceBackend()


class TestJsonExporterConforms(ExporterConformance):
    exporter_name = "json"


class TestJsonExporterGivenDirectly(ExporterConformance):
    @classmethod
    def make_exporter(cls) -> Any:
        return JsonExporter()


class MirroredBackend(ReferenceBackend):
    """Reverses every key: the bug the bit-order canaries are for."""

    name = "mirrored"

    def execute(self, native, program, options) -> Execution:
        done = super().execute(native, program, options)
        return Execution({k[::-1]: v for k, v in done.counts.items()})


def test_the_canaries_catch_a_reversed_bit_order():
    suite = BackendConformance()
    backend = MirroredBackend()

    with pytest.raises(AssertionError, match="highest bit"):
        suite.test_bit_order_canary(backend, "x-on-qubit-0")


def test_without_the_option_the_plugin_adds_no_test(pytester):
    pytester.makepyfile("def test_one():\n    pass\n")

    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=1)


def test_the_option_runs_the_suite_against_a_named_exporter(pytester):
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--proxima-conformance=json", "-q"
    )

    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0
    assert outcomes["passed"] == 3


def test_the_option_fails_readably_for_an_unknown_name(pytester):
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "--proxima-conformance=no-such-plugin"
    )

    result.stdout.fnmatch_lines(["*No installed backend or exporter*no-such-plugin*"])


def test_the_time_budget_check_fails_a_backend_that_hangs_and_stops_it():
    """The kit's timeout check kills a hung backend at the budget."""
    from exec_test_backends import HangingBackend

    from proxima_kernel.testing import BackendConformance

    class Quick(BackendConformance):
        time_budget_s = 1.0

    started = time.perf_counter()

    with pytest.raises(AssertionError, match="did not finish a 10-qubit circuit"):
        Quick().test_finishes_within_the_time_budget(HangingBackend())

    assert time.perf_counter() - started < 1.0 + 5.0


class StuckBackend(ReferenceBackend):
    """Never returns from execute, whether in a worker or in-process."""

    name = "stuck"

    def execute(self, native, program, options) -> Execution:
        while True:
            time.sleep(1)


def test_a_backend_that_hangs_fails_one_kit_test_and_the_rest_at_once(monkeypatch):
    # Found by a plugin author's trial: the kit waited forever on the
    # first canary of a backend whose execute never returns.
    from proxima_kernel.testing import _helpers, execute, program
    from proxima_kernel.testing._suite import run_one

    monkeypatch.setattr(_helpers, "CALL_TIMEOUT_S", 1.0)
    monkeypatch.setattr(_helpers, "_hung", set())
    prog = program(1, 1, Measure(0, 0))
    started = time.perf_counter()

    with pytest.raises(pytest.fail.Exception, match="did not return within 1 s"):
        execute(StuckBackend(), prog)
    with pytest.raises(pytest.fail.Exception, match="stuck hung on an earlier call"):
        run_one(StuckBackend(), prog)

    assert time.perf_counter() - started < 5.0


def test_the_kit_kills_a_hung_worker_at_its_deadline(monkeypatch):
    from exec_test_backends import HangingBackend

    from proxima_kernel.testing import _helpers, program
    from proxima_kernel.testing._suite import run_one

    monkeypatch.setattr(_helpers, "CALL_TIMEOUT_S", 1.0)
    monkeypatch.setattr(_helpers, "_hung", set())

    result = run_one(HangingBackend(), program(1, 1, Measure(0, 0)))

    assert result.status.value == "timeout"
    assert "hangs" in _helpers._hung
