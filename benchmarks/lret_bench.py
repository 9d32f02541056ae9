"""Benchmark LRET against qiskit-aer's density-matrix method.

The workload is the one of issue 4: random brick circuits of depth 20 (a
random one-qubit ``u`` gate on every qubit in each layer, then CNOTs on
alternating bricks), with ``depolarizing:0.001`` after every gate on each
qubit it touches (the kernel's convention: a non-identity Pauli with
probability p; aer gets ``lam = p * 4/3``).

Every measurement runs in a fresh subprocess, one thread each
(``OPENBLAS_NUM_THREADS=1`` and friends before numpy loads, aer's
``max_parallel_threads=1``), so that its peak memory (``ru_maxrss`` of
that process, in MiB, interpreter and imports included) belongs to that
run alone.

Fidelity is Uhlmann's, ``F(rho, sigma) = (tr sqrt(sqrt(sigma) rho
sqrt(sigma)))^2``, between aer's exact density matrix ``rho`` and LRET's
normalised ``sigma = L L^dagger / tr``. It is computed from the thin SVD
of L without forming sigma, wherever aer can hold rho. ``tvd`` is the
total variation distance of the two outcome distributions.

Quick run::

    python benchmarks/lret_bench.py --qubits 8 10 --epsilons 1e-4

The full run (aer at 14 qubits takes most of an hour; its results are
cached in ``benchmarks/.cache`` and reused with ``--reuse-aer``)::

    python benchmarks/lret_bench.py --qubits 8 10 12 14 16 18 \\
        --epsilons 1e-4 1e-5 1e-6 --aer-max-qubits 14
"""

from __future__ import annotations

import os

for _name in (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_name] = "1"

import argparse  # noqa: E402 - the thread caps must come before numpy
import datetime  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results"
DEPTH = 20
NOISE = "depolarizing:0.001"
PROBABILITY = 0.001


def brick_program(num_qubits: int, depth: int = DEPTH, seed: int = 7):
    """The benchmark circuit as a kernel program (no measurements)."""
    import numpy as np

    from proxima_kernel import Gate, Program

    rng = np.random.default_rng([seed, num_qubits])
    ops = []
    for layer in range(depth):
        for qubit in range(num_qubits):
            angles = tuple(float(a) for a in rng.uniform(0, 2 * np.pi, 3))
            ops.append(Gate("u", (qubit,), angles))
        for qubit in range(layer % 2, num_qubits - 1, 2):
            ops.append(Gate("cx", (qubit, qubit + 1)))

    return Program(num_qubits, 0, tuple(ops))


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- workers: each runs in its own process ---------------------------------


def lret_worker(num_qubits: int, epsilon: float, factor_path: str | None) -> dict:
    """Run LRET once; save the normalised factor when asked."""
    import numpy as np

    import proxima_lret
    from proxima_kernel import NoiseModel

    program = brick_program(num_qubits)
    noise = NoiseModel.parse(NOISE)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = proxima_lret.simulate(program, noise, epsilon=epsilon)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = peak_mib()

    if factor_path is not None:
        np.save(factor_path, outcome.factor())
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_mib": peak,
        "final_rank": outcome.final_rank,
        "max_rank_seen": outcome.max_rank_seen,
        "bound": outcome.truncation_bound,
        "compressions": outcome.compressions,
    }


def aer_worker(num_qubits: int, rho_path: str) -> dict:
    """Run aer's density-matrix method once and save rho (kernel order)."""
    import numpy as np
    from qiskit import QuantumCircuit
    from qiskit_aer import AerSimulator
    from qiskit_aer.noise import depolarizing_error

    program = brick_program(num_qubits)
    circuit = QuantumCircuit(num_qubits)
    error = depolarizing_error(PROBABILITY * 4 / 3, 1)
    for gate in program.operations:
        getattr(circuit, gate.name)(*gate.params, *gate.qubits)
        for qubit in gate.qubits:
            circuit.append(error, [qubit])
    circuit.save_density_matrix(label="rho")
    simulator = AerSimulator(method="density_matrix", max_parallel_threads=1)

    started, cpu = time.perf_counter(), time.process_time()
    result = simulator.run(circuit, shots=1).result()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = peak_mib()

    # aer's index has qubit 0 least significant, like the kernel's.
    np.save(rho_path, np.asarray(result.data(0)["rho"]))
    return {"wall_s": wall, "cpu_s": cpu, "peak_mib": peak}


def fidelity_worker(rho_path: str, factor_path: str) -> dict:
    """Uhlmann fidelity and outcome TVD of LRET's factor against rho."""
    import numpy as np

    rho = np.load(rho_path, mmap_mode="r")
    factor = np.load(factor_path)
    factor = factor / np.linalg.norm(factor)
    left, singular, _ = np.linalg.svd(factor, full_matrices=False)

    image = np.asarray(rho @ left)
    middle = singular[:, None] * (left.conj().T @ image) * singular[None, :]
    values = np.clip(np.linalg.eigvalsh((middle + middle.conj().T) / 2), 0, None)
    fidelity = float(np.sqrt(values).sum() ** 2)

    exact = np.real(np.diagonal(rho)).copy()
    approx = np.einsum("ij,ij->i", factor.conj(), factor).real
    tvd = 0.5 * float(np.abs(exact / exact.sum() - approx).sum())
    return {"fidelity": fidelity, "tvd": tvd}


# --- orchestration -----------------------------------------------------------


def in_subprocess(*args: str) -> dict:
    """Run this script as a worker and return the JSON it prints."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"The benchmark worker {' '.join(args)} failed with exit code "
            f"{done.returncode}:\n{done.stderr[-2000:]}"
        )

    return json.loads(done.stdout.strip().splitlines()[-1])


def aer_case(num_qubits: int, reuse: bool) -> dict:
    """aer's figures for one size, measured now or read from the cache."""
    CACHE.mkdir(exist_ok=True)
    rho_path = CACHE / f"aer_rho_n{num_qubits}.npy"
    meta_path = CACHE / f"aer_n{num_qubits}.json"
    if reuse and meta_path.exists() and rho_path.exists():
        return {**json.loads(meta_path.read_text()), "cached": True}

    figures = in_subprocess("aer", str(num_qubits), str(rho_path))
    meta_path.write_text(json.dumps(figures))
    return {**figures, "cached": False}


def lret_case(num_qubits: int, epsilon: float, with_aer: bool) -> dict:
    """LRET's figures for one size and epsilon, with fidelity if possible."""
    CACHE.mkdir(exist_ok=True)
    factor_path = CACHE / f"lret_factor_n{num_qubits}_eps{epsilon:g}.npy"
    save = str(factor_path) if with_aer else "-"
    figures = in_subprocess("lret", str(num_qubits), repr(epsilon), save)
    if with_aer:
        rho_path = CACHE / f"aer_rho_n{num_qubits}.npy"
        figures.update(in_subprocess("fidelity", str(rho_path), str(factor_path)))
        factor_path.unlink()

    return figures


def benchmark(args: argparse.Namespace) -> list[dict]:
    rows = []
    for n in args.qubits:
        aer = None
        if n <= args.aer_max_qubits:
            aer = aer_case(n, args.reuse_aer)
        for epsilon in args.epsilons:
            lret = lret_case(n, epsilon, aer is not None)
            row = {"qubits": n, "epsilon": epsilon, "lret": lret, "aer": aer}
            if aer is not None:
                row.update(ratios(lret, aer, n))
            rows.append(row)
            print(format_row(row), flush=True)

    return rows


def ratios(lret: dict, aer: dict, num_qubits: int) -> dict:
    """How much faster and smaller LRET is than aer, by several measures.

    ``speedup`` divides CPU times (robust when other work shares the
    machine); ``speedup_wall`` divides wall times. ``memory_ratio``
    divides peak resident memory; ``memory_ratio_vs_state`` divides the
    bare size of aer's state, 16 * 4^n bytes, so it flatters aer.
    """
    state_mib = 16 * 4**num_qubits / 2**20
    return {
        "speedup": aer["cpu_s"] / lret["cpu_s"],
        "speedup_wall": aer["wall_s"] / lret["wall_s"],
        "memory_ratio": aer["peak_mib"] / lret["peak_mib"],
        "memory_ratio_vs_state": state_mib / lret["peak_mib"],
    }


COLUMNS = [
    ("n", "qubits", "d"),
    ("eps", "epsilon", ".0e"),
    ("lret s", "lret.wall_s", ".2f"),
    ("lret cpu", "lret.cpu_s", ".2f"),
    ("lret MiB", "lret.peak_mib", ".0f"),
    ("rank", "lret.final_rank", "d"),
    ("max", "lret.max_rank_seen", "d"),
    ("bound", "lret.bound", ".4f"),
    ("fidelity", "lret.fidelity", ".4f"),
    ("tvd", "lret.tvd", ".4f"),
    ("aer s", "aer.wall_s", ".1f"),
    ("aer cpu", "aer.cpu_s", ".1f"),
    ("aer MiB", "aer.peak_mib", ".0f"),
    ("speedup", "speedup", ".1f"),
    ("mem x", "memory_ratio", ".1f"),
    ("mem x dm", "memory_ratio_vs_state", ".1f"),
]
HEADER = " ".join(f"{title:>9}" for title, _, _ in COLUMNS)


def format_row(row: dict) -> str:
    """One table line; a figure that was not measured reads n/a."""
    cells = []
    for _, path, spec in COLUMNS:
        value = row
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        cells.append("n/a" if value is None else format(value, spec))

    return " ".join(f"{cell:>9}" for cell in cells)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[8, 10, 12])
    parser.add_argument("--epsilons", type=float, nargs="+", default=[1e-4])
    parser.add_argument(
        "--aer-max-qubits",
        type=int,
        default=12,
        help="largest n run on aer (14 needs 4 GiB and most of an hour)",
    )
    parser.add_argument(
        "--reuse-aer",
        action="store_true",
        help="reuse aer's cached figures and density matrices",
    )
    parser.add_argument("--out", type=Path, default=None)

    return parser.parse_args(argv)


def worker(argv: list[str]) -> None:
    kind, rest = argv[0], argv[1:]
    if kind == "lret":
        save = None if rest[2] == "-" else rest[2]
        figures = lret_worker(int(rest[0]), float(rest[1]), save)
    elif kind == "aer":
        figures = aer_worker(int(rest[0]), rest[1])
    else:
        figures = fidelity_worker(rest[0], rest[1])
    print(json.dumps(figures))


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--worker":
        worker(argv[1:])
        return

    args = parse(argv)
    print(HEADER, flush=True)
    rows = benchmark(args)

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or RESULTS / f"lret_bench_{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"depth": DEPTH, "noise": NOISE, "threads": 1, "created": stamp}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
