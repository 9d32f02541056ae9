"""The plugin as the kernel sees it: light import, hooks, entry point."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap

import pytest
from cirq_support import program
from proxima_kernel import Circuit, Gate, Kernel, Measure, Status

import proxima_cirq

ENGINES = ("cirq", "numpy", "sympy")


def test_importing_the_plugin_imports_no_engine():
    code = textwrap.dedent(
        f"""
        import sys
        import proxima_cirq
        from proxima_cirq import CirqBackend, CirqCircuitLoader

        backend = CirqBackend()
        backend.unsupported_reason
        CirqCircuitLoader().accepts("ghz:3")
        loaded = [m for m in {ENGINES!r} if m in sys.modules]
        print(",".join(loaded))
        """
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == ""


def test_the_entry_point_names_the_package():
    points = importlib.metadata.entry_points(group="proxima")

    found = {point.name: point.value for point in points}

    assert found.get("cirq") == "proxima_cirq"


def test_the_hooks_register_the_backend_and_the_loader():
    kernel = Kernel(plugins=[proxima_cirq], load_entry_points=False)

    assert list(kernel.backends) == ["cirq"]
    assert "cirq" in kernel.loaders


def test_the_entry_point_registers_the_backend():
    kernel = Kernel()

    assert "cirq" in kernel.backends
    assert kernel.backends["cirq"].engine_version()


def test_a_kernel_run_reports_counts_and_probabilities():
    prog = program(
        2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1)
    )
    circuit = Circuit("bell", "test", "bell", 2, 2, prog)
    kernel = Kernel(plugins=[proxima_cirq], load_entry_points=False)

    report = kernel.run(circuit, backends=["cirq"], shots=400, seed=1)

    result = report.circuits[0].results["cirq"]
    assert result.status is Status.OK, result.reason
    assert set(result.counts) == {"00", "11"}
    assert result.probabilities == pytest.approx({"00": 0.5, "11": 0.5})
    assert result.conversion_path[-1] == "cirq.Circuit"


def test_a_kernel_run_loads_a_cirq_circuit():
    import cirq

    q0, q1 = cirq.LineQubit.range(2)
    bell = cirq.Circuit(cirq.H(q0), cirq.CNOT(q0, q1), cirq.measure(q0, q1, key="m"))
    kernel = Kernel(plugins=[proxima_cirq], load_entry_points=False)

    report = kernel.run(bell, backends=["cirq"], shots=200, seed=2)

    result = report.circuits[0].results["cirq"]
    assert result.status is Status.OK, result.reason
    assert set(result.counts) == {"00", "11"}
    assert result.conversion_path[0] == "cirq.Circuit"


def test_a_conditioned_measurement_is_unsupported_not_failed():
    from proxima_kernel import Condition

    prog = program(2, 2, Measure(0, 0), Measure(1, 1, condition=Condition((0,), 1)))
    circuit = Circuit("cm", "test", "cm", 2, 2, prog)
    kernel = Kernel(plugins=[proxima_cirq], load_entry_points=False)

    report = kernel.run(circuit, backends=["cirq"], shots=10, seed=1)

    result = report.circuits[0].results["cirq"]
    assert result.status is Status.UNSUPPORTED
    assert "condition a measurement" in result.reason
