"""Every installed backend, through the kernel's one run path.

Bit-order canaries, agreement with the exact reference on QASMBench
circuits, and repeatable seeds. The backends are whatever is installed:
with the first-party plugins that is cirq, qiskit-aer and lret.

The shot-noise bound (see ``proxima_kernel._compare``) is one that a
correct sampler stays under with probability at least 99.9 %; the seeds
are fixed, so the outcome is the same on every run.
"""

from __future__ import annotations

import pytest

from proxima_kernel import Kernel, Status, load_qasm, load_qasm_file

from kernel_support import qasmbench_files

KERNEL = Kernel()
BACKENDS = sorted(KERNEL.backends)
V2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'

CANARIES = {
    "x on qubit 0": ("qreg q[3]; creg c[3]; x q[0]; measure q -> c;", "001"),
    "two registers": (
        "qreg q[3]; creg a[1]; creg b[2]; x q[2];"
        "measure q[0] -> a[0]; measure q[1] -> b[0]; measure q[2] -> b[1];",
        "100",
    ),
    "crossed bits": (
        "qreg q[2]; creg c[2]; x q[0]; measure q[0] -> c[1]; measure q[1] -> c[0];",
        "10",
    ),
    "idle qubit": ("qreg q[3]; creg c[3]; x q[1]; measure q[1] -> c[1];", "010"),
    "two qregs": (
        "qreg a[1]; qreg b[2]; creg c[3]; x b[1]; measure a[0] -> c[0];"
        "measure b[0] -> c[1]; measure b[1] -> c[2];",
        "100",
    ),
}

pytestmark = pytest.mark.skipif(not BACKENDS, reason="no backend is installed")


def small_benchmarks():
    """QASMBench files with at most 14 qubits (the larger take minutes)."""
    found = [f for f in qasmbench_files() if load_qasm_file(f).num_qubits <= 14]
    return [pytest.param(f, id=f.stem) for f in found]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("canary", CANARIES, ids=str)
def test_bit_order_canary(backend, canary):
    body, only_key = CANARIES[canary]
    circuit = load_qasm(V2 + body, name=canary)

    result = KERNEL.run([circuit], backends=[backend], shots=64, seed=1)

    outcome = result.circuits[0].results[backend]
    assert outcome.status is Status.OK, outcome.reason
    assert outcome.counts == {only_key: 64}


@pytest.mark.parametrize("path", small_benchmarks())
def test_every_backend_agrees_with_the_exact_reference(path):
    report = KERNEL.run([str(path)], backends=BACKENDS, shots=4000, seed=1234)

    circuit = report.circuits[0]
    for name, result in circuit.results.items():
        metrics = circuit.comparison.per_backend[name]
        if result.status is Status.UNSUPPORTED:
            assert result.reason, f"{name} refused {path.stem} without a reason"
            continue
        assert result.status is Status.OK, f"{name}: {result.reason}"
        assert sum(result.counts.values()) == 4000
        if circuit.comparison.reference is not None:
            assert metrics.within_bound is True, (
                f"{name} on {path.stem}: TVD {metrics.tvd:.4f} exceeds the "
                f"shot-noise bound {metrics.shot_noise_bound:.4f}"
            )


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_seed_gives_the_same_counts(backend):
    first = KERNEL.run(["random:5:8:3"], backends=[backend], shots=500, seed=77)
    second = KERNEL.run(["random:5:8:3"], backends=[backend], shots=500, seed=77)
    other = KERNEL.run(["random:5:8:3"], backends=[backend], shots=500, seed=78)

    counts = [r.circuits[0].results[backend].counts for r in (first, second, other)]
    assert counts[0] == counts[1]
    assert counts[0] != counts[2]
