"""The plugin as the kernel sees it: light import, hooks, entry point."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap

import pytest
from lret_support import program
from proxima_kernel import (
    Circuit,
    Gate,
    Kernel,
    Measure,
    NoiseModel,
    RunOptions,
    Status,
)

import proxima_lret


def test_importing_the_plugin_imports_no_numpy():
    code = textwrap.dedent(
        """
        import sys
        import proxima_lret
        from proxima_kernel import Gate, Program, RunOptions, NoiseModel

        backend = proxima_lret.LRETBackend()
        prog = Program(2, 0, (Gate("h", (0,)), Gate("cx", (0, 1))))
        options = RunOptions(noise=NoiseModel.parse("depolarizing:0.01"))
        backend.unsupported_reason(prog, options)
        backend.estimate_memory_bytes(prog, options)
        backend.routing_hint(prog, options)
        print(",".join(m for m in ("numpy", "scipy") if m in sys.modules))
        """
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == ""


def test_the_entry_point_names_the_package():
    points = importlib.metadata.entry_points(group="proxima")

    found = {point.name: point.value for point in points}

    assert found.get("lret") == "proxima_lret"


def test_the_hook_registers_the_backend():
    kernel = Kernel(load_entry_points=False, plugins=[proxima_lret])

    assert list(kernel.backends) == ["lret"]


def test_a_kernel_run_reports_counts_probabilities_and_the_bound():
    prog = program(
        2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1)
    )
    circuit = Circuit("bell", "test", "bell", 2, 2, prog)
    kernel = Kernel(load_entry_points=False, plugins=[proxima_lret])

    report = kernel.run(circuit, backends=["lret"], shots=400, seed=1)

    result = report.circuits[0].results["lret"]
    assert result.status is Status.OK, result.reason
    assert set(result.counts) == {"00", "11"}
    assert result.probabilities == pytest.approx({"00": 0.5, "11": 0.5})
    assert result.details["truncation_bound"] == 0.0
    assert result.details["final_rank"] == 1


def test_a_small_noisy_run_says_lret_is_not_the_right_tool():
    prog = program(2, 2, Gate("h", (0,)), Measure(0, 0), Measure(1, 1))
    circuit = Circuit("tiny", "test", "tiny", 2, 2, prog)
    kernel = Kernel(load_entry_points=False, plugins=[proxima_lret])
    options = RunOptions(shots=100, seed=2, noise=NoiseModel.parse("bit_flip:0.01"))

    report = kernel.run(circuit, backends=["lret"], options=options)

    result = report.circuits[0].results["lret"]
    assert result.details["recommended"] is False
    assert "density matrix" in result.details["recommendation"]
    names = [i.name for i in report.circuits[0].insights if i.analyzer == "lret"]
    assert names == ["not_the_right_tool"]
