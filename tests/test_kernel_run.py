"""The one run path: plan, hooks, isolation of failures, the report."""

from __future__ import annotations

import json

import pytest

from proxima_kernel import (
    Backend,
    CircuitError,
    Conversion,
    Execution,
    ExecutionOptions,
    Insight,
    Kernel,
    NoiseModel,
    Program,
    RunOptions,
    Status,
    Task,
    UnsupportedCircuitError,
    UsageError,
    hookimpl,
)
from proxima_kernel import _builtins as builtins


class ZeroBackend(Backend):
    """Says every shot reads all zeros: right for circuits that do nothing."""

    name = "zero"
    description = "test backend"

    def engine_version(self) -> str:
        return "0.0"

    def convert(self, program: Program) -> Conversion:
        return Conversion(native=program, path=("zero-form",))

    def execute(self, native, program, options) -> Execution:
        return Execution({"0" * program.num_clbits: options.shots})


class BrokenBackend(ZeroBackend):
    name = "broken"

    def execute(self, native, program, options) -> Execution:
        raise RuntimeError("the engine fell over")


class PickyBackend(ZeroBackend):
    name = "picky"

    def unsupported_reason(self, program, options=None) -> str | None:
        return "reset is not supported" if "reset" in program.features() else None


class WrongWidthBackend(ZeroBackend):
    name = "wrong-width"

    def execute(self, native, program, options) -> Execution:
        return Execution({"0": options.shots})


class BackendPlugin:
    """Registers the test backends and records every lifecycle hook."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    @hookimpl
    def proxima_register_backends(self, register):
        for backend in (ZeroBackend, BrokenBackend, PickyBackend, WrongWidthBackend):
            register(backend())

    @hookimpl
    def proxima_before_backend_run(self, backend):
        self.calls.append(("before", backend.name))

    @hookimpl
    def proxima_after_backend_run(self, backend, result):
        self.calls.append(("after", f"{backend.name}:{result.status.value}"))

    @hookimpl
    def proxima_on_backend_run_error(self, backend, error):
        self.calls.append(("error", f"{backend.name}:{error}"))

    @hookimpl
    def proxima_session_start(self, session):
        self.calls.append(("session_start", session.id))

    @hookimpl
    def proxima_session_end(self, session, report):
        self.calls.append(("session_end", None if report is None else "report"))


EMPTY = "OPENQASM 2.0;\nqreg q[2];\ncreg c[2];\nmeasure q -> c;\n"
RESET = "OPENQASM 2.0;\nqreg q[1];\ncreg c[1];\nreset q[0];\nmeasure q -> c;\n"


@pytest.fixture
def plugin() -> BackendPlugin:
    return BackendPlugin()


@pytest.fixture
def kernel(plugin) -> Kernel:
    return Kernel(load_entry_points=False, plugins=[builtins, plugin])


@pytest.fixture
def empty_file(tmp_path):
    path = tmp_path / "empty.qasm"
    path.write_text(EMPTY)
    return path


def test_the_plan_is_a_dag_of_load_convert_run_analyse_export(kernel):
    request = kernel_request(kernel, ["ghz:2", "qft:2"], ["zero", "picky"])

    plan = kernel.plan(request)

    assert len(plan.tasks("run")) == 4
    assert [t.id for t in plan.tasks("analyse")] == ["analyse:0", "analyse:1"]
    assert set(plan.graph.predecessors("run:1:picky")) == {"convert:1:picky"}
    assert set(plan.graph.predecessors("analyse:0")) == {"run:0:zero", "run:0:picky"}
    assert set(plan.graph.predecessors("export:json")) == {"analyse:0", "analyse:1"}


def test_a_plugin_may_add_a_task_that_runs_after_the_analysis(kernel, empty_file):
    seen = []

    class Planner:
        @hookimpl
        def proxima_plan(self, plan):
            action = lambda context: seen.append(len(context.report.circuits))  # noqa: E731
            plan.add_task(Task("custom", "summary", action=action), after=["analyse:0"])

    kernel.register(Planner(), name="planner")

    kernel.run([str(empty_file)], backends=["zero"])

    assert seen == [1]


def test_a_plan_hook_that_makes_a_cycle_is_refused(kernel):
    class Looper:
        @hookimpl
        def proxima_plan(self, plan):
            plan.add_dependency("analyse:0", "load:0")

    kernel.register(Looper(), name="looper")

    with pytest.raises(UsageError, match="cycle"):
        kernel.run(["ghz:2"], backends=["zero"])


def test_every_run_fires_before_and_after_and_a_failure_fires_on_error(
    kernel, plugin, empty_file
):
    report = kernel.run([str(empty_file)], backends=["zero", "broken"])

    results = report.circuits[0].results
    assert results["zero"].status is Status.OK
    assert results["zero"].counts == {"00": 1024}
    assert results["broken"].status is Status.FAILED
    assert results["broken"].reason == "RuntimeError: the engine fell over"
    runs = [call for call in plugin.calls if not call[0].startswith("session")]
    assert runs == [
        ("before", "zero"),
        ("after", "zero:ok"),
        ("before", "broken"),
        ("error", "broken:the engine fell over"),
        ("after", "broken:failed"),
    ]


def test_a_session_starts_and_ends_around_the_run(kernel, plugin, empty_file):
    report = kernel.run([str(empty_file)], backends=["zero"])

    assert plugin.calls[0] == ("session_start", report.session_id)
    assert plugin.calls[-1] == ("session_end", "report")


def test_a_session_ends_without_a_report_when_loading_fails(kernel, plugin, tmp_path):
    with pytest.raises(CircuitError):
        kernel.run([str(tmp_path / "missing.qasm")], backends=["zero"])

    assert plugin.calls[-1] == ("session_end", None)
    assert ("before", "zero") not in plugin.calls


def test_every_bad_circuit_is_reported_together_and_nothing_runs(
    kernel, plugin, tmp_path
):
    bad = tmp_path / "bad.qasm"
    bad.write_text("OPENQASM 2.0;\nqreg q[1];\nh q[0]\n")

    with pytest.raises(CircuitError) as caught:
        kernel.run(
            [str(tmp_path / "missing.qasm"), str(bad), "ghz:2"], backends=["zero"]
        )

    message = str(caught.value)
    assert "missing.qasm" in message and "bad.qasm" in message
    assert not [call for call in plugin.calls if call[0] == "before"]


def test_a_construct_the_backend_refuses_is_unsupported_and_others_run(
    kernel, tmp_path
):
    path = tmp_path / "reset.qasm"
    path.write_text(RESET)

    report = kernel.run([str(path)], backends=["picky", "zero"])

    results = report.circuits[0].results
    assert results["picky"].status is Status.UNSUPPORTED
    assert results["picky"].reason == "reset is not supported"
    assert results["zero"].status is Status.OK


def test_an_unsupported_error_raised_in_convert_is_unsupported(kernel):
    class Refuses(ZeroBackend):
        name = "refuses"

        def convert(self, program):
            raise UnsupportedCircuitError("the gate 'rzz' has no translation")

    class Plugin:
        @hookimpl
        def proxima_register_backends(self, register):
            register(Refuses())

    kernel.register(Plugin(), name="refuses-plugin")

    result = kernel.run("ghz:2", backends=["refuses"]).circuits[0].results["refuses"]

    assert result.status is Status.UNSUPPORTED
    assert "rzz" in result.reason


def test_a_state_larger_than_the_machine_is_refused_with_the_estimate(kernel):
    report = kernel.run("ghz:50", backends=["zero"])

    result = report.circuits[0].results["zero"]
    assert result.status is Status.UNSUPPORTED
    assert "ghz_50 has 50 qubits" in result.reason
    assert "needs an estimated 16.0 PiB" in result.reason
    assert result.memory_estimate_bytes == 16 * 2**50
    assert report.all_failed()


def test_a_state_larger_than_the_memory_limit_is_refused(kernel):
    options = RunOptions(memory_limit_mb=1, shots=10)

    report = kernel.run(["ghz:17", "ghz:16"], backends=["zero"], options=options)

    first, second = (c.results["zero"] for c in report.circuits)
    assert first.status is Status.UNSUPPORTED
    assert "needs an estimated 2.0 MiB, more than the 1.0 MiB allowed" in first.reason
    assert second.ok


def test_counts_that_break_the_bit_order_fail_the_backend(kernel, empty_file):
    report = kernel.run([str(empty_file)], backends=["wrong-width", "zero"])

    results = report.circuits[0].results
    assert results["wrong-width"].status is Status.FAILED
    assert "bug in the backend plugin" in results["wrong-width"].reason
    assert results["zero"].ok


def test_an_unknown_backend_lists_the_installed_ones(kernel):
    with pytest.raises(UsageError) as caught:
        kernel.run("ghz:2", backends=["zero", "quantum-magic"])

    assert "'quantum-magic'" in str(caught.value)
    assert "broken, picky, wrong-width, zero" in str(caught.value)


def test_analyzer_insights_reach_the_report_and_a_failing_one_is_isolated(kernel):
    class Counter:
        @hookimpl
        def proxima_analyze(self, report):
            return [Insight("counter", "backends", len(report.results))]

    class Crasher:
        @hookimpl
        def proxima_analyze(self, report):
            raise ZeroDivisionError("analysis bug")

    kernel.register(Crasher(), name="crasher")
    kernel.register(Counter(), name="counter")

    report = kernel.run("ghz:2", backends=["zero"])

    names = {(i.analyzer, i.name) for i in report.circuits[0].insights}
    assert ("counter", "backends") in names
    assert ("entropy", "shannon_entropy_bits") in names
    assert kernel.plugins["crasher"].status == "failed"
    assert "ZeroDivisionError: analysis bug" in kernel.plugins["crasher"].reason


def test_the_json_export_holds_the_whole_report(kernel, tmp_path):
    report = kernel.run(
        "ghz:2", backends=["zero"], exporters=["json"], out_dir=str(tmp_path)
    )

    data = json.loads((tmp_path / "report.json").read_text())
    assert data["session_id"] == report.session_id
    assert data["bit_order"].startswith("Keys list every classical bit")
    circuit = data["circuits"][0]
    assert circuit["circuit"]["name"] == "ghz_2"
    assert len(circuit["circuit"]["content_hash"]) == 64
    assert circuit["results"]["zero"]["counts"] == {"00": 1024}
    assert circuit["results"]["zero"]["status"] == "ok"
    assert circuit["comparison"]["reference"] == pytest.approx({"00": 0.5, "11": 0.5})
    assert circuit["comparison"]["per_backend"]["zero"]["tvd"] == pytest.approx(0.5)


def test_numpy_counts_from_an_engine_become_plain_json_numbers(kernel, tmp_path):
    import numpy as np

    class Numpy(ZeroBackend):
        name = "numpy-counts"

        def execute(self, native, program, options):
            return Execution({"00": np.int64(options.shots)})

    class Plugin:
        @hookimpl
        def proxima_register_backends(self, register):
            register(Numpy())

    kernel.register(Plugin(), name="numpy-plugin")

    report = kernel.run(
        "ghz:2", backends=["numpy-counts"], exporters=["json"], out_dir=str(tmp_path)
    )

    assert type(report.circuits[0].results["numpy-counts"].counts["00"]) is int
    assert json.loads((tmp_path / "report.json").read_text())["circuits"]


def test_two_kernels_do_not_see_each_others_plugins(plugin):
    first = Kernel(load_entry_points=False, plugins=[plugin])
    second = Kernel(load_entry_points=False)

    assert "zero" in first.backends
    assert second.backends == {}


def test_run_async_gives_the_same_report_as_run(kernel, empty_file):
    import asyncio

    report = asyncio.run(kernel.run_async([str(empty_file)], backends=["zero"]))

    assert report.circuits[0].results["zero"].counts == {"00": 1024}


def kernel_request(kernel, circuits, backends):
    from proxima_kernel import Request

    return Request(circuits=circuits, backends=tuple(backends), exporters=("json",))


def test_a_noisy_refusal_names_the_density_matrix_method(kernel):
    class Noisy(ZeroBackend):
        name = "noisy-dm"
        noisy_method = "density_matrix"

    class Plugin:
        @hookimpl
        def proxima_register_backends(self, register):
            register(Noisy())

    kernel.register(Plugin(), name="noisy-plugin")
    options = RunOptions(noise=NoiseModel.parse("depolarizing:0.01"))

    report = kernel.run("ghz:30", backends=["noisy-dm"], options=options)

    reason = report.circuits[0].results["noisy-dm"].reason
    assert "the density_matrix method of noisy-dm needs an estimated 16.0 EiB" in reason


def test_an_astronomical_estimate_is_written_as_a_power_of_two(kernel):
    report = kernel.run("ghz:1000", backends=["zero"])

    reason = report.circuits[0].results["zero"].reason
    assert "needs an estimated 2^1004 B" in reason


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (
            RunOptions(shots=0),
            r"shots \(--shots\) must be a whole number from 1 to 100,000,000",
        ),
        (RunOptions(shots=10**12), "got 1000000000000"),
        (
            RunOptions(seed=-1),
            r"The seed \(--seed\) must be a whole number from 0 to 4294967295",
        ),
        (RunOptions(seed=2**40), "the range every engine accepts"),
        (RunOptions(memory_limit_mb=float("nan")), "positive number of MiB"),
        (RunOptions(memory_limit_mb=float("inf")), "positive number of MiB"),
        (
            RunOptions(memory_limit_mb=0),
            r"\(memory_limit_mb, --memory-limit-mb\) must be a positive",
        ),
        (RunOptions(reference_max_qubits=-1), "0 turns the reference off"),
    ],
)
def test_options_no_backend_can_honour_are_refused_before_any_run(
    kernel, plugin, options, words
):
    with pytest.raises(UsageError, match=words):
        kernel.run("ghz:2", backends=["zero"], options=options)

    assert plugin.calls == []


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"shots": 1.5}, r"The shots \(--shots\) must be a whole number, got float"),
        ({"shots": True}, "must be a whole number, got bool True"),
        ({"seed": "x"}, r"The seed \(--seed\) must be a whole number, got str"),
        ({"options": {"shots": 5}}, "options must be a RunOptions, got dict"),
        ({"execution": {"runs": 2}}, "execution must be an ExecutionOptions"),
        (
            {"execution": ExecutionOptions(timeout_per_backend="5")},
            "timeout_per_backend must be a number or None, got '5'",
        ),
        (
            {"execution": ExecutionOptions(strategy="fast")},
            "Unknown strategy 'fast'; use one of sequential, parallel, adaptive",
        ),
        (
            {"execution": ExecutionOptions(memory_threshold_mb=-1)},
            "memory_threshold_mb must be positive MiB, got -1",
        ),
    ],
)
def test_api_arguments_of_the_wrong_type_are_usage_errors(kernel, arguments, words):
    # Found by an embedder's trial: these raised TypeError, AttributeError
    # or ValueError from deep inside, or reached the engine.
    with pytest.raises(UsageError, match=words):
        kernel.run("ghz:2", backends=["zero"], **arguments)


def test_a_backend_string_and_a_noise_spec_string_are_read_as_on_the_cli(
    kernel, plugin
):
    # Found by an embedder's trial: backends="cirq" was read as 'c', 'i', ...
    options = RunOptions(shots=10, noise="bit_flip:0.1")

    report = kernel.run("ghz:2", backends="zero", options=options)

    assert report.backends == ["zero"]
    assert report.options.noise == NoiseModel.parse("bit_flip:0.1")
    assert ("before", "zero") in plugin.calls
