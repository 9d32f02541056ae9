"""Worker processes: a stuck, crashing or hungry backend fails alone."""

from __future__ import annotations

import threading
import time

import pytest
from exec_support import alive, ghz, shared_kernel

from proxima_kernel import (
    Backend,
    BackendComparator,
    ExecutionOptions,
    ExecutionStrategy,
    Kernel,
    RunOptions,
    Status,
    hookimpl,
)

PARALLEL = ExecutionStrategy.PARALLEL


def run(backends, **execution):
    """Run ghz:3 on ``backends`` with the shared kernel, in parallel."""
    execution.setdefault("strategy", PARALLEL)
    execution.setdefault("max_concurrent", 4)
    options = RunOptions(shots=2000, seed=3)
    report = shared_kernel().run(
        ghz(),
        backends=backends,
        options=options,
        execution=ExecutionOptions(**execution),
    )
    return report.circuits[0].results


def warm(*names):
    """Start the workers before timing: the timeout excludes start-up."""
    kernel = shared_kernel()
    kernel.workers.warm([kernel.backends[name] for name in names])


def test_a_backend_that_never_returns_is_killed_at_the_timeout():
    warm("exact-sampler", "hangs")

    started = time.perf_counter()
    results = run(["exact-sampler", "hangs"], timeout_per_backend=1.0)
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0 + 1.0
    assert results["hangs"].status is Status.TIMEOUT
    assert "timeout_per_backend of 1 s" in results["hangs"].reason
    assert "killed" in results["hangs"].reason
    assert results["exact-sampler"].status is Status.OK
    assert sum(results["exact-sampler"].counts.values()) == 2000


def test_the_comparator_returns_within_the_timeout_plus_one_second():
    comparator = BackendComparator(shared_kernel())
    warm("exact-sampler", "hangs")

    started = time.perf_counter()
    result = comparator.compare_sync(
        ghz(), ["exact-sampler", "hangs"], shots=1000, timeout_per_backend=0.5
    )
    elapsed = time.perf_counter() - started

    assert elapsed < 0.5 + 1.0
    assert result.backend_results["hangs"].status is Status.TIMEOUT
    assert result.backend_results["exact-sampler"].status is Status.OK
    assert result.fastest_backend == "exact-sampler"


def test_an_aborting_backend_fails_alone_with_the_signal_named():
    results = run(["exact-sampler", "aborts"])

    assert results["aborts"].status is Status.FAILED
    assert "died with signal SIGABRT" in results["aborts"].reason
    assert "Only this backend is affected" in results["aborts"].reason
    assert results["exact-sampler"].status is Status.OK


def test_a_backend_that_exhausts_its_memory_limit_fails_alone():
    results = run(["exact-sampler", "hog"], timeout_per_backend=20)

    assert results["hog"].status is Status.FAILED
    assert results["hog"].reason.startswith("MemoryError: the engine ran out")
    assert results["exact-sampler"].status is Status.OK


def test_a_crashed_worker_is_replaced_for_the_next_run():
    run(["aborts"])

    results = run(["aborts", "noop"])

    assert results["aborts"].status is Status.FAILED
    assert results["noop"].status is Status.OK


def test_setting_the_cancellation_event_stops_every_worker_within_a_second():
    kernel = shared_kernel()
    run(["sleepy", "sleepy-twin"], strategy=PARALLEL)  # workers up
    cancel = threading.Event()
    box = []
    options = RunOptions(shots=10, backend_options={"sleepy": {"seconds": 30}})

    def go():
        box.append(
            kernel.run(
                ghz(),
                backends=["sleepy", "sleepy-twin"],
                options=options,
                execution=ExecutionOptions(PARALLEL, 2),
                cancel=cancel,
            )
        )

    thread = threading.Thread(target=go)
    thread.start()
    time.sleep(0.5)
    pids = [kernel.workers.pids()[name] for name in ("sleepy", "sleepy-twin")]
    cancel.set()
    set_at = time.perf_counter()
    thread.join(5)
    stopped_in = time.perf_counter() - set_at

    assert stopped_in < 1.0
    assert not any(alive(pid) for pid in pids)
    results = box[0].circuits[0].results
    assert {r.status for r in results.values()} == {Status.CANCELLED}
    assert box[0].execution.cancelled


def test_workers_are_reused_between_runs():
    run(["exact-sampler"])
    first = shared_kernel().workers.pids()["exact-sampler"]

    run(["exact-sampler"])

    assert shared_kernel().workers.pids()["exact-sampler"] == first


def test_peak_memory_is_each_workers_own():
    results = run(["exact-sampler", "hog"], timeout_per_backend=20)
    results = run(["exact-sampler", "shifted"])

    sampler = results["exact-sampler"]
    assert sampler.isolation == "process"
    assert sampler.peak_memory_mb is not None
    assert 5 < sampler.peak_memory_mb < 200
    assert sampler.overhead_ms is not None


def test_the_peak_is_reset_between_tasks_of_one_worker():
    def peak(mib):
        options = RunOptions(shots=1, backend_options={"alloc": {"mib": mib}})
        report = shared_kernel().run(ghz(), backends=["alloc"], options=options)
        return report.circuits[0].results["alloc"].peak_memory_mb

    big = peak(300)
    small = peak(0)

    assert big > 300
    assert small < big - 250


def test_in_process_mode_runs_here_and_reports_no_worker_memory():
    results = run(["exact-sampler"], in_process=True)

    assert results["exact-sampler"].status is Status.OK
    assert results["exact-sampler"].isolation == "in-process"
    assert results["exact-sampler"].peak_memory_bytes is None


def test_a_backend_that_declares_itself_safe_runs_in_process():
    results = run(["noop"])

    assert results["noop"].isolation == "in-process"
    assert "in-process safe" in results["noop"].details["isolation_reason"]


def test_an_unpicklable_backend_falls_back_to_in_process_and_says_why():
    class Local(Backend):
        name = "local"

        def engine_version(self):
            return "1"

        def convert(self, program):
            from proxima_kernel import Conversion

            return Conversion(program, ())

        def execute(self, native, program, options):
            from proxima_kernel import Execution

            return Execution({"0" * program.num_clbits: options.shots})

    class Plugin:
        @hookimpl
        def proxima_register_backends(self, register):
            register(Local())

    kernel = Kernel(plugins=[Plugin()], load_entry_points=False)

    result = kernel.run(ghz(), backends=["local"]).circuits[0].results["local"]

    assert result.status is Status.OK
    assert result.isolation == "in-process"
    assert "cannot be pickled" in result.details["isolation_reason"]


@pytest.mark.parametrize("bad", [{"runs": 0}, {"timeout_per_backend": 0}])
def test_bad_execution_options_are_a_usage_error(bad):
    from proxima_kernel import UsageError

    with pytest.raises(UsageError, match="Fix the execution options"):
        run(["noop"], **bad)


def test_an_in_process_timeout_stops_the_wait_and_says_it_cannot_kill():
    started = time.perf_counter()
    results = run(["hangs"], in_process=True, timeout_per_backend=0.3)

    assert time.perf_counter() - started < 1.3
    assert results["hangs"].status is Status.TIMEOUT
    assert "cannot be killed" in results["hangs"].reason


def test_an_unpicklable_installed_backend_is_rebuilt_in_its_worker(monkeypatch):
    aer = pytest.importorskip("proxima_qiskit_aer")

    def refuse(self, protocol):
        raise TypeError("this engine handle cannot be pickled")

    monkeypatch.setattr(aer.AerBackend, "__reduce_ex__", refuse)
    with Kernel() as kernel:
        report = kernel.run(ghz(), backends=["qiskit-aer"], shots=500, seed=1)

    result = report.circuits[0].results["qiskit-aer"]
    assert result.status is Status.OK, result.reason
    assert result.isolation == "process"


UNGUARDED_SCRIPT = """
from proxima_kernel import Kernel, _builtins, hookimpl
from proxima_kernel.testing import ReferenceBackend


class Plugin:
    @hookimpl
    def proxima_register_backends(self, register):
        register(ReferenceBackend())


kernel = Kernel(plugins=[Plugin(), _builtins], load_entry_points=False)
report = kernel.run(["ghz:3"], backends=["reference"], shots=100, seed=1)
result = report.circuits[0].results["reference"]
print(result.status, result.isolation, sorted(result.counts))
"""


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_script_without_a_main_guard_runs_its_backends_in_workers(tmp_path, how):
    # Found by a new-user run: the README's example, saved as a script with
    # no `if __name__ == "__main__":`, was imported again by every worker,
    # which failed while starting; under `python -` it could not be found.
    import subprocess
    import sys

    script = tmp_path / "example.py"
    script.write_text(UNGUARDED_SCRIPT)
    command = [sys.executable, str(script) if how == "file" else "-"]

    done = subprocess.run(
        command,
        input=None if how == "file" else UNGUARDED_SCRIPT,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok process ['000', '111']"
    assert "Traceback" not in done.stderr


def test_in_process_runs_of_a_backend_stay_on_one_thread():
    # Found by an embedder's trial: qiskit-aer built on one short-lived
    # thread after another segfaulted; a backend now keeps its own thread.
    import proxima_kernel._builtins as builtins
    from proxima_kernel.testing import ReferenceBackend

    seen = []

    class Recording(ReferenceBackend):
        name = "recording"

        def convert(self, program):
            seen.append(threading.get_ident())
            return super().convert(program)

    class Plugin:
        @hookimpl
        def proxima_register_backends(self, register):
            register(Recording())

    kernel = Kernel(plugins=[Plugin(), builtins], load_entry_points=False)
    execution = ExecutionOptions(in_process=True)

    def one_run():
        kernel.run(["ghz:2"], backends=["recording"], shots=10, execution=execution)

    for _ in range(3):
        caller = threading.Thread(target=one_run)
        caller.start()
        caller.join()

    assert len(seen) == 3 and len(set(seen)) == 1
    assert threading.get_ident() not in seen
    kernel.close()
