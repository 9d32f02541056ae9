"""Issue #2's measurement: ``proxima run`` over the whole QASMBench set.

Runs the real CLI once over every circuit in a QASMBench folder on the
chosen backends and prints, per circuit and backend, the status, the
engine's wall time and the distance to the exact reference with its
shot-noise bound. Exits non-zero when an ``ok`` result lies outside its
bound, or when a result that is neither ``ok`` nor refused up front
appears.

    python benchmarks/qasmbench_run.py                      # ../shared set
    python benchmarks/qasmbench_run.py --folder examples/circuits/qasmbench
    python benchmarks/qasmbench_run.py --backends cirq,qiskit-aer --shots 8192

The table also goes to benchmarks/results/qasmbench.md and the report to
benchmarks/results/qasmbench.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = REPO.parent / "shared" / "circuits" / "qasmbench"
RESULTS = REPO / "benchmarks" / "results"


def main() -> int:
    args = _arguments()
    files = sorted(Path(args.folder).glob("*.qasm"))
    if not files:
        sys.exit(f"No .qasm files in {args.folder}; pass --folder.")

    started = time.perf_counter()
    report = _run(files, args)
    elapsed = time.perf_counter() - started

    rows, problems = _rows(report)
    table = _table(rows, args, len(files), elapsed)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "qasmbench.md").write_text(table + "\n")
    (RESULTS / "qasmbench.json").write_text(json.dumps(report, indent=1) + "\n")
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)

    return 1 if problems else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=str(DEFAULT_FOLDER))
    parser.add_argument("--backends", default="cirq,lret,qiskit-aer")
    parser.add_argument("--shots", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--memory-limit-mb", type=float, default=None)
    return parser.parse_args()


def _run(files: list[Path], args: argparse.Namespace) -> dict:
    command = [
        str(Path(sys.executable).with_name("proxima")),
        "run",
        *map(str, files),
        "--backends",
        args.backends,
        "--shots",
        str(args.shots),
        "--seed",
        str(args.seed),
        "--out",
        str(RESULTS / "qasmbench-out"),
        "--json",
    ]
    if args.memory_limit_mb is not None:
        command += ["--memory-limit-mb", str(args.memory_limit_mb)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 4):
        sys.exit(f"proxima run exited {done.returncode}:\n{done.stderr}")

    return json.loads(done.stdout)


def _rows(report: dict) -> tuple[list[list[str]], list[str]]:
    rows, problems = [], []
    for circuit in report["circuits"]:
        name = circuit["circuit"]["name"]
        qubits = circuit["circuit"]["num_qubits"]
        for backend, result in circuit["results"].items():
            metrics = circuit["comparison"]["per_backend"][backend]
            rows.append(_row(name, qubits, backend, result, metrics, circuit))
            problems += _problems(name, backend, result, metrics)
        for pair in circuit["comparison"]["pairwise"]:
            rows.append(_pair_row(name, qubits, pair))
            if (
                pair["within_bound"] is False
                or pair["verdict"]["agreement"] == "disagree"
            ):
                problems.append(
                    f"{pair['first']} and {pair['second']} differ on {name}"
                )

    return rows, problems


def _row(name, qubits, backend, result, metrics, circuit) -> list[str]:
    def num(value, spec):
        return "N/A" if value is None else format(value, spec)

    verdict = {True: "within", False: "OUTSIDE", None: "N/A"}[metrics["within_bound"]]
    chi2 = metrics["verdict"]
    note = result["reason"] or metrics["reason"] or ""
    if circuit["comparison"]["reference"] is None and result["status"] == "ok":
        note = f"no reference: {circuit['comparison']['reference_reason']}"
    return [
        name,
        str(qubits),
        backend,
        result["status"],
        num(result["wall_time_ms"], ".1f"),
        num(metrics["tvd"], ".4f"),
        num(metrics["shot_noise_bound"], ".4f"),
        verdict,
        f"{chi2['agreement']} (p {num(chi2['p_value'], '.3g')})",
        note.replace("|", "/")[:110],
    ]


def _pair_row(name, qubits, pair) -> list[str]:
    verdict = {True: "within", False: "OUTSIDE", None: "N/A"}[pair["within_bound"]]
    chi2 = pair["verdict"]
    p_value = "N/A" if chi2["p_value"] is None else format(chi2["p_value"], ".3g")
    return [
        name,
        str(qubits),
        f"{pair['first']} vs {pair['second']}",
        "pair",
        "",
        f"{pair['tvd']:.4f}",
        f"{pair['shot_noise_bound']:.4f}",
        verdict,
        f"{chi2['agreement']} (p {p_value})",
        "",
    ]


def _problems(name, backend, result, metrics) -> list[str]:
    if result["status"] == "failed":
        return [f"{backend} failed on {name}: {result['reason']}"]
    if result["status"] == "ok" and metrics["within_bound"] is False:
        return [f"{backend} on {name}: TVD {metrics['tvd']:.4f} outside the bound"]
    if metrics["verdict"]["agreement"] == "disagree":
        return [f"{backend} on {name}: {metrics['verdict']['reason']}"]
    return []


def _table(rows, args, count, elapsed) -> str:
    header = [
        "circuit",
        "qubits",
        "backend",
        "status",
        "time ms",
        "TVD",
        "bound",
        "bound verdict",
        "chi-square",
        "note",
    ]
    lines = [
        f"proxima run: {count} circuits, backends {args.backends}, "
        f"{args.shots} shots, seed {args.seed}; {elapsed:.1f} s in all",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
