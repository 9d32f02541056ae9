"""The plugin as the kernel sees it: light import, hooks, entry point."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap

import pytest
from aer_support import program
from proxima_kernel import Circuit, Gate, Kernel, Measure, Status

import proxima_qiskit_aer

ENGINES = ("qiskit", "qiskit_aer", "numpy")


def test_importing_the_plugin_imports_no_engine():
    code = textwrap.dedent(
        f"""
        import sys
        import proxima_qiskit_aer
        from proxima_qiskit_aer import AerBackend, QiskitCircuitLoader

        backend = AerBackend()
        backend.unsupported_reason
        QiskitCircuitLoader().accepts("ghz:3")
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

    assert found.get("qiskit-aer") == "proxima_qiskit_aer"


def test_the_hooks_register_the_backend_and_the_loader():
    kernel = Kernel(plugins=[proxima_qiskit_aer], load_entry_points=False)

    assert list(kernel.backends) == ["qiskit-aer"]
    assert "qiskit" in kernel.loaders


def test_a_kernel_run_reports_counts_and_probabilities():
    prog = program(
        2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1)
    )
    circuit = Circuit("bell", "test", "bell", 2, 2, prog)
    kernel = Kernel(plugins=[proxima_qiskit_aer], load_entry_points=False)

    report = kernel.run(circuit, backends=["qiskit-aer"], shots=400, seed=1)

    result = report.circuits[0].results["qiskit-aer"]
    assert result.status is Status.OK, result.reason
    assert set(result.counts) == {"00", "11"}
    assert result.probabilities == pytest.approx({"00": 0.5, "11": 0.5})
    assert result.conversion_path[-1] == "qiskit.QuantumCircuit"
