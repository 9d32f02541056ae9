"""LRET and qiskit-aer agree on QASMBench circuits, run through the kernel."""

from __future__ import annotations

from pathlib import Path

import pytest
from proxima_kernel import Kernel, NoiseModel, RunOptions, Status

REPO = Path(__file__).resolve().parents[3]
#: The whole QASMBench set beside a developer's checkout, else the ten
#: circuits the repo ships (which hold every circuit named below).
_WHOLE_SET = REPO.parent / "shared" / "circuits" / "qasmbench"
QASMBENCH = _WHOLE_SET if _WHOLE_SET.is_dir() else REPO / "examples/circuits/qasmbench"
CIRCUITS = ["adder_n4.qasm", "qft_n4.qasm", "teleportation_n3.qasm", "bell_n4.qasm"]

pytestmark = pytest.mark.skipif(
    not QASMBENCH.is_dir(), reason="the QASMBench circuits are not on this machine"
)


def run_both(names, noise=None):
    paths = [str(QASMBENCH / name) for name in names]
    present = [p for p in paths if Path(p).exists()]
    if not present:
        pytest.skip("none of the chosen QASMBench circuits is present")
    aer_options = {"qiskit-aer": {"max_parallel_threads": 1}}
    options = RunOptions(shots=4000, seed=5, noise=noise, backend_options=aer_options)

    return Kernel().run(present, backends=["lret", "qiskit-aer"], options=options)


@pytest.mark.parametrize("noise", [None, "depolarizing:0.01,readout:0.02"])
def test_lret_and_aer_agree_within_the_shot_noise_bound(noise):
    model = NoiseModel.parse(noise) if noise else None

    report = run_both(CIRCUITS, model)

    for circuit in report.circuits:
        for result in circuit.results.values():
            assert result.status is Status.OK, (circuit.circuit.name, result.reason)
        pair = circuit.comparison.pairwise[0]
        assert pair.within_bound, (circuit.circuit.name, pair)
        if model is None and circuit.comparison.reference is not None:
            metrics = circuit.comparison.per_backend["lret"]
            assert metrics.within_bound, (circuit.circuit.name, metrics)
