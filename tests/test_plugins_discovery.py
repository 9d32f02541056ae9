"""Guarded discovery: every plugin gets a status, none can break the kernel."""

from __future__ import annotations

import asyncio
import sys
import types

import pytest
import structlog

from proxima_kernel import Kernel, PluginError, UsageError, hookimpl
from proxima_kernel.testing import (
    ReferenceBackend,
    backend_plugin,
    fake_entry_point,
    make_kernel,
)


@pytest.fixture
def default_logging():
    """structlog as a library leaves it: a CLI test may have configured it."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


def module(name: str, **attributes: object) -> types.ModuleType:
    """A plugin module made in memory."""
    made = types.ModuleType(name)
    made.__dict__.update(attributes)
    return made


@hookimpl
def _raise_in_register(register):
    raise RuntimeError("boom")


def good_plugin(backend_name: str = "good") -> object:
    backend = type(backend_name, (ReferenceBackend,), {"name": backend_name})()
    return backend_plugin(backend)


def statuses(kernel: Kernel) -> dict[str, str]:
    return {name: info.status for name, info in kernel.plugins.items()}


def test_each_kind_of_broken_plugin_gets_its_status_and_the_rest_work():
    points = [
        fake_entry_point("good", good_plugin()),
        fake_entry_point("bad-import", error=ImportError("broken on purpose")),
        fake_entry_point(
            "bad-dep",
            error=ModuleNotFoundError(
                "No module named 'fancy_engine'", name="fancy_engine"
            ),
            requires=["fancy-engine>=2"],
        ),
        fake_entry_point("bad-api", module("bad_api", PROXIMA_API=">=2,<3")),
        fake_entry_point(
            "bad-hook",
            module("bad_hook", proxima_register_backends=_raise_in_register),
        ),
    ]

    kernel = make_kernel(entry_points=points)
    kernel.collect()

    assert statuses(kernel) == {
        "good": "active",
        "bad-import": "failed",
        "bad-dep": "failed",
        "bad-api": "incompatible",
        "bad-hook": "failed",
        "builtins": "active",
    }
    assert list(kernel.backends) == ["good"]


def test_a_missing_dependency_names_the_module_and_the_fix():
    error = ModuleNotFoundError("No module named 'fancy_engine'", name="fancy_engine")
    point = fake_entry_point("bad-dep", error=error, requires=["fancy-engine>=2"])

    reason = make_kernel(entry_points=[point]).plugins["bad-dep"].reason

    assert "'fancy_engine'" in reason
    assert "fancy-engine>=2" in reason
    assert "pip install fancy-engine" in reason


def test_a_plugin_that_breaks_its_own_import_is_not_called_a_missing_dependency():
    error = ModuleNotFoundError(
        "No module named 'proxima_x._gone'", name="proxima_x._gone"
    )
    point = fake_entry_point("x", error=error)

    reason = make_kernel(entry_points=[point]).plugins["x"].reason

    assert reason.startswith("failed to import: ModuleNotFoundError")


def test_the_api_range_is_checked_before_activation():
    called = []

    @hookimpl
    def proxima_register_backends(register):
        called.append(True)

    plugin = module(
        "old", PROXIMA_API="<1.0", proxima_register_backends=proxima_register_backends
    )

    kernel = make_kernel(entry_points=[fake_entry_point("old", plugin)])
    kernel.collect()

    info = kernel.plugins["old"]
    assert info.status == "incompatible"
    assert "<1.0" in info.reason and "API 1.0" in info.reason
    assert called == []


def test_an_api_range_that_is_not_a_range_fails_readably():
    plugin = module("odd", PROXIMA_API="version one")

    info = make_kernel(entry_points=[fake_entry_point("odd", plugin)]).plugins["odd"]

    assert info.status == "failed"
    assert "not a version range" in info.reason


def test_an_unknown_hook_name_fails_the_plugin():
    @hookimpl
    def proxima_register_backend(register):  # misspelt on purpose
        pass

    plugin = module("typo", proxima_register_backend=proxima_register_backend)

    info = make_kernel(entry_points=[fake_entry_point("typo", plugin)]).plugins["typo"]

    assert info.status == "failed"
    assert "proxima_register_backend" in info.reason


def test_a_duplicate_backend_names_both_distributions():
    points = [
        fake_entry_point("one", good_plugin("cirq"), distribution="proxima-cirq"),
        fake_entry_point("two", good_plugin("cirq"), distribution="cirq-fork"),
    ]
    kernel = make_kernel(entry_points=points)

    problems = kernel.check()

    assert len(problems) == 1
    assert "proxima-cirq" in problems[0] and "cirq-fork" in problems[0]
    assert kernel.plugins["two"].warnings == problems
    assert kernel.plugins["one"].warnings == problems


def test_a_backend_two_plugins_claim_is_refused_not_picked():
    # Found by a plugin author's trial: an entry point sorting first could
    # run in place of the real cirq, with exit 0.
    points = [
        fake_entry_point("aaa", good_plugin("cirq"), distribution="impostor"),
        fake_entry_point("cirq", good_plugin("cirq"), distribution="proxima-cirq"),
        fake_entry_point("other", good_plugin("other")),
    ]
    kernel = make_kernel(entry_points=points)

    with pytest.raises(UsageError) as raised:
        kernel.run(["ghz:2"], backends=["cirq"])
    report = kernel.run(["ghz:2"], shots=10)

    assert "Two plugins claim the backend 'cirq'" in str(raised.value)
    assert "impostor" in str(raised.value) and "proxima-cirq" in str(raised.value)
    assert "a run that names it is refused" in str(raised.value)
    assert set(report.circuits[0].results) == {"other"}


def test_a_duplicate_backend_is_an_error_in_strict_mode():
    points = [
        fake_entry_point("one", good_plugin("cirq")),
        fake_entry_point("two", good_plugin("cirq")),
    ]
    kernel = make_kernel(entry_points=points, strict=True)

    with pytest.raises(PluginError, match="cirq"):
        kernel.collect()


def test_two_distributions_with_one_plugin_name_are_both_reported():
    points = [
        fake_entry_point("same", good_plugin("a"), distribution="dist-a"),
        fake_entry_point("same", good_plugin("b"), distribution="dist-b"),
    ]

    kernel = make_kernel(entry_points=points)

    second = kernel.plugins["same [dist-b]"]
    assert second.status == "failed"
    assert "dist-a" in second.reason


def test_strict_mode_raises_for_every_broken_plugin_at_once():
    points = [
        fake_entry_point("bad-import", error=ImportError("broken")),
        fake_entry_point("bad-api", module("bad_api", PROXIMA_API=">=2")),
    ]

    with pytest.raises(PluginError) as raised:
        make_kernel(entry_points=points, strict=True)

    assert "bad-import" in str(raised.value) and "bad-api" in str(raised.value)


def test_blocked_disabled_allowlist_and_autoload_give_their_statuses():
    names = ["a", "b", "c", "d"]
    points = [fake_entry_point(n, good_plugin(n)) for n in names]

    kernel = make_kernel(
        entry_points=points,
        blocked={"a": "blocked by flag -p no:a"},
        disabled=["b"],
        allow=["a", "b", "c"],
    )

    assert statuses(kernel) == {
        "a": "blocked",
        "b": "disabled",
        "c": "active",
        "d": "blocked",
        "builtins": "active",
    }
    assert kernel.plugins["a"].reason == "blocked by flag -p no:a"
    assert "allowlist" in kernel.plugins["d"].reason


def test_autoload_off_still_loads_the_builtins():
    kernel = make_kernel(
        entry_points=[fake_entry_point("x", good_plugin())], autoload=False
    )

    assert statuses(kernel) == {"x": "blocked", "builtins": "active"}
    assert "qasm" in kernel.loaders


def test_listing_shows_hooks_kinds_and_what_each_plugin_provides():
    kernel = make_kernel(entry_points=[fake_entry_point("good", good_plugin())])
    kernel.collect()

    builtins = kernel.plugins["builtins"]
    assert builtins.distribution == "proxima-kernel"
    assert builtins.api == ">=1.0,<2"
    assert "proxima_register_loaders" in builtins.hooks
    assert set(builtins.contributes) == {"analyzer", "exporter", "loader"}
    assert builtins.provides["exporter"] == ["json"]
    assert kernel.plugins["good"].import_time_ms is not None


def test_two_kernels_in_one_process_do_not_see_each_others_plugins():
    first = make_kernel(good_plugin("first"), builtins=False)
    second = make_kernel(good_plugin("second"), builtins=False)

    assert list(first.backends) == ["first"]
    assert list(second.backends) == ["second"]


def test_a_plugin_raising_in_a_hook_leaves_the_run_and_the_run_succeeds():
    class Analyzer:
        @hookimpl
        def proxima_analyze(self, report):
            raise RuntimeError("analysis broke")

    kernel = make_kernel(good_plugin(), Analyzer())

    report = kernel.run("ghz:2", backends=["good"], shots=50, seed=1)

    assert report.circuits[0].results["good"].ok
    failed = [i for i in kernel.plugins.values() if i.status == "failed"]
    assert len(failed) == 1 and "analysis broke" in failed[0].reason


def test_a_plugin_raising_in_a_hook_fails_the_run_in_strict_mode():
    class Analyzer:
        @hookimpl
        def proxima_analyze(self, report):
            raise RuntimeError("analysis broke")

    kernel = make_kernel(good_plugin(), Analyzer(), strict=True)

    with pytest.raises(PluginError, match="analysis broke"):
        kernel.run("ghz:2", backends=["good"], shots=50, seed=1)


def test_tracing_logs_every_hook_call_with_plugin_duration_and_outcome(
    default_logging,
):
    kernel = make_kernel(good_plugin(), trace=True)

    with structlog.testing.capture_logs() as events:
        kernel.run("ghz:2", backends=["good"], shots=20, seed=1)

    calls = [e for e in events if e["event"] == "hook_call"]
    hooks = {e["hook"] for e in calls}
    assert {"proxima_register_backends", "proxima_analyze"} <= hooks
    assert all(e["outcome"] == "ok" and e["duration_ms"] >= 0 for e in calls)
    assert all(e["plugin"] for e in calls)


def test_without_tracing_no_hook_call_is_logged(default_logging):
    kernel = make_kernel(good_plugin())

    with structlog.testing.capture_logs() as events:
        kernel.run("ghz:2", backends=["good"], shots=20, seed=1)

    assert not [e for e in events if e["event"] == "hook_call"]


def test_run_async_gives_the_same_report_as_run():
    kernel = make_kernel(good_plugin())

    report = asyncio.run(kernel.run_async("ghz:2", backends=["good"], shots=30, seed=4))

    assert report.circuits[0].results["good"].counts == (
        kernel.run("ghz:2", backends=["good"], shots=30, seed=4)
        .circuits[0]
        .results["good"]
        .counts
    )


def test_an_inline_plugin_goes_through_the_api_check():
    plugin = module("inline", PROXIMA_API=">=9")
    kernel = Kernel(load_entry_points=False)

    kernel.register(plugin)

    assert kernel.plugins["inline"].status == "incompatible"


def test_a_plugin_whose_import_pulls_in_an_engine_gets_a_warning(monkeypatch):
    class HeavyPoint:
        name = "heavy"
        value = "proxima_heavy"
        dist = None

        def load(self):
            monkeypatch.setitem(sys.modules, "torch", types.ModuleType("torch"))
            return module("proxima_heavy")

    monkeypatch.delitem(sys.modules, "torch", raising=False)

    info = make_kernel(entry_points=[HeavyPoint()]).plugins["heavy"]

    assert info.status == "active"
    assert "imported torch" in info.warnings[0]


def test_a_plugin_importing_a_name_the_kernel_lacks_is_told_why():
    error = ImportError(
        "cannot import name 'load_circuit' from 'proxima_kernel'",
        name="proxima_kernel",
    )

    info = make_kernel(entry_points=[fake_entry_point("old", error=error)]).plugins
    reason = info["old"].reason

    assert "load_circuit" in reason
    assert "made for another kernel release" in reason


def test_a_plugin_calling_sys_exit_fails_alone():
    @hookimpl
    def proxima_analyze(report):
        raise SystemExit(3)

    points = [
        fake_entry_point("exits-at-import", error=SystemExit(1)),
        fake_entry_point("exits-in-hook", module("m", proxima_analyze=proxima_analyze)),
        fake_entry_point("good", good_plugin()),
    ]
    kernel = make_kernel(entry_points=points)

    report = kernel.run("ghz:2", backends=["good"], shots=10, seed=1)

    assert report.circuits[0].results["good"].ok
    assert kernel.plugins["exits-at-import"].status == "failed"
    assert "SystemExit" in kernel.plugins["exits-in-hook"].reason


def test_what_a_plugin_prints_at_import_goes_to_stderr(capsys):
    class Noisy:
        name = "noisy"
        value = "proxima_noisy"
        dist = None

        def load(self):
            print("hello from a plugin")
            return module("proxima_noisy")

    make_kernel(entry_points=[Noisy()])

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "hello from a plugin" in captured.err


def test_asking_for_the_backend_of_a_blocked_plugin_says_it_is_blocked():
    # Found by a new-user run: `-p no:cirq run --backends cirq` said cirq
    # was not installed and to pip install it.
    points = [fake_entry_point(n, good_plugin(n)) for n in ("a", "b", "c")]
    kernel = make_kernel(
        entry_points=points, blocked={"a": "blocked by flag -p no:a"}, disabled=["b"]
    )

    with pytest.raises(UsageError) as raised:
        kernel.run(["ghz:2"], backends=["a", "b"])

    message = str(raised.value)
    assert "The backend 'a' is not available: the plugin 'a'" in message
    assert "is blocked (blocked by flag -p no:a)" in message
    assert "The backend 'b' is not available" in message and "is disabled" in message
    assert message.endswith("Available backends: c.")
    assert "pip install" not in message


def test_an_empty_backend_list_names_the_installed_backends():
    kernel = make_kernel(entry_points=[fake_entry_point("c", good_plugin("c"))])

    with pytest.raises(
        UsageError, match="No backend was selected. Installed backends: c;"
    ):
        kernel.run(["ghz:2"], backends=[])
