"""At fixed seeds, installed backends pass the verdict on small QASMBench circuits.

Each installed backend (qiskit-aer, cirq, ...) is judged against the exact
reference at the 99.9 % level, every pair of them against each other, and
each against itself at another seed. Backends that are not installed are
skipped, so the cirq pairs join in as soon as proxima-cirq is installed.
"""

from __future__ import annotations

import functools
import importlib.metadata
import itertools
from pathlib import Path

import pytest

from proxima_kernel import Agreement, ExecutionOptions, Kernel, RunOptions, Status

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [
    ROOT.parent / "shared" / "circuits" / "qasmbench",
    ROOT / "examples" / "circuits" / "qasmbench",
]
FOLDER = next((f for f in FOLDERS if f.is_dir()), None)

#: "Small": the exact reference stays quick to compute.
MAX_QUBITS = 16
SHOTS = 10_000
#: Shots for circuits with classical control, which engines simulate shot
#: by shot (and which have no exact reference, only pairwise verdicts).
DYNAMIC_SHOTS = 1_000
BACKENDS = ("qiskit-aer", "cirq")

INSTALLED = {p.name for p in importlib.metadata.entry_points(group="proxima")}
PRESENT = [name for name in BACKENDS if name in INSTALLED]

pytestmark = pytest.mark.skipif(FOLDER is None, reason="no QASMBench folder")


def _qubits(path: Path) -> int:
    text = path.read_text()
    return sum(
        int(line.split("[")[1].split("]")[0])
        for line in text.splitlines()
        if line.strip().startswith("qreg")
    )


def small_circuits() -> list[Path]:
    if FOLDER is None:
        return []
    paths = sorted(FOLDER.glob("*.qasm"))
    return [p for p in paths if _qubits(p) <= MAX_QUBITS]


@functools.cache
def kernel() -> Kernel:
    return Kernel()


@functools.cache
def report(seed: int, dynamic: bool):
    paths = [p for p in small_circuits() if _is_dynamic(p) == dynamic]
    shots = DYNAMIC_SHOTS if dynamic else SHOTS
    return kernel().run(
        [str(p) for p in paths],
        backends=PRESENT,
        options=RunOptions(shots=shots, seed=seed),
        execution=ExecutionOptions(max_concurrent=2),
    )


def _is_dynamic(path: Path) -> bool:
    return "if(" in path.read_text().replace(" ", "")


def circuit_report(path: Path, seed: int = 11):
    found = report(seed, _is_dynamic(path)).circuits
    return next(c for c in found if c.circuit.name == path.stem)


def _skip_unless(*names: str) -> None:
    missing = [n for n in names if n not in INSTALLED]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", small_circuits(), ids=lambda p: p.stem)
def test_the_backend_agrees_with_the_exact_reference(path, backend):
    _skip_unless(backend)
    found = circuit_report(path)
    if found.comparison.reference is None:
        pytest.skip(f"no reference: {found.comparison.reference_reason}")

    result = found.results[backend]
    verdict = found.comparison.per_backend[backend].verdict

    assert result.status is Status.OK, result.reason
    assert verdict.agreement is Agreement.AGREE, verdict.reason


@pytest.mark.parametrize("first, second", list(itertools.combinations(BACKENDS, 2)))
@pytest.mark.parametrize("path", small_circuits(), ids=lambda p: p.stem)
def test_two_backends_agree_with_each_other(path, first, second):
    _skip_unless(first, second)
    found = circuit_report(path)

    pair = next(
        m for m in found.comparison.pairwise if {m.first, m.second} == {first, second}
    )

    assert pair.verdict.agreement is Agreement.AGREE, pair.verdict.reason


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", small_circuits(), ids=lambda p: p.stem)
def test_a_backend_agrees_with_itself_at_another_seed(path, backend):
    _skip_unless(backend)
    from proxima_kernel._compare import homogeneity

    first = circuit_report(path, 11).results[backend]
    second = circuit_report(path, 12).results[backend]

    verdict = homogeneity(first.counts, second.counts)

    assert verdict.agreement is Agreement.AGREE, verdict.reason
