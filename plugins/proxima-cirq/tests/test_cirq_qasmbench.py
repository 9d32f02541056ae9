"""End to end: QASMBench circuits through the kernel on the cirq backend.

Each run must be ``ok`` and its distance to the kernel's exact reference
must stay inside the comparison's shot-noise bound (a correct sampler
lands inside it at least 99.9 % of the time; the seed is fixed).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from proxima_kernel import Kernel, Status

REPO = Path(__file__).resolve().parents[3]
#: The whole QASMBench set beside a developer's checkout, else the ten
#: circuits the repo ships; circuits missing from both are skipped.
_WHOLE_SET = REPO.parent / "shared" / "circuits" / "qasmbench"
QASMBENCH = _WHOLE_SET if _WHOLE_SET.is_dir() else REPO / "examples/circuits/qasmbench"
CIRCUITS = [
    "adder_n4",
    "bell_n4",
    "fredkin_n3",
    "inverseqft_n4",
    "qft_n4",
    "teleportation_n3",
    "vqe_n4",
]

pytestmark = pytest.mark.skipif(
    not QASMBENCH.is_dir(), reason=f"{QASMBENCH} is not available"
)


def test_qasmbench_circuits_agree_with_the_reference():
    found = [QASMBENCH / f"{name}.qasm" for name in CIRCUITS]
    paths = [str(path) for path in found if path.exists()]
    kernel = Kernel()  # the entry points bring the QASM loader and cirq

    report = kernel.run(paths, backends=["cirq"], shots=2000, seed=3)

    for circuit in report.circuits:
        name = circuit.circuit.name
        result = circuit.results["cirq"]
        metrics = circuit.comparison.per_backend.get("cirq")
        assert result.status is Status.OK, f"{name}: {result.reason}"
        if circuit.comparison.reference is not None:
            assert metrics is not None and metrics.within_bound, (name, metrics)
