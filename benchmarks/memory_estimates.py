"""Each backend's memory estimate against its worker's measured peak.

The estimate decides refusals and how many backends ADAPTIVE runs side
by side, so it must not fall short of what a run really takes. This runs
``proxima run`` sequentially (one worker at a time) on circuits of
growing size, ideal and noisy, and prints per backend the estimate, the
peak resident memory of its worker (which includes the interpreter and
the engine, about 100-250 MiB) and their ratio. The table goes to
benchmarks/results/memory_estimates.json.

    python benchmarks/memory_estimates.py
    python benchmarks/memory_estimates.py --ideal ghz:24 --noisy random:12:3:1
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "memory_estimates.json"
MIB = 2**20


def main() -> int:
    args = _arguments()
    rows = []
    for spec in args.ideal:
        rows += _measure(spec, None, args.backends)
    for spec in args.noisy:
        rows += _measure(spec, args.noise, args.backends)

    for row in rows:
        print(
            f"{row['circuit']:<16} {row['noise'] or 'ideal':<20} "
            f"{row['backend']:<11} estimate {row['estimate_mib']:>7.0f} MiB  "
            f"peak {row['peak_mib']:>7.0f} MiB  ratio {row['ratio']:.2f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": rows}, indent=1) + "\n")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideal", nargs="*", default=["ghz:22", "ghz:24"])
    parser.add_argument("--noisy", nargs="*", default=["random:11:3:1"])
    parser.add_argument("--noise", default="depolarizing:0.001")
    parser.add_argument("--backends", default="cirq,lret,qiskit-aer")
    return parser.parse_args()


def _measure(spec: str, noise: str | None, backends: str) -> list[dict]:
    command = [
        str(Path(sys.executable).with_name("proxima")),
        "run",
        spec,
        "--backends",
        backends,
        "--strategy",
        "sequential",
        "--shots",
        "1000",
        "--json",
    ]
    if noise is not None:
        command += ["--noise", noise]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 4):
        sys.exit(f"proxima run exited {done.returncode}:\n{done.stderr}")

    circuit = json.loads(done.stdout)["circuits"][0]
    return [
        _row(circuit["circuit"]["name"], noise, name, result)
        for name, result in circuit["results"].items()
        if result["status"] == "ok"
    ]


def _row(circuit: str, noise: str | None, backend: str, result: dict) -> dict:
    estimate = result["memory_estimate_bytes"] / MIB
    peak = result["peak_memory_bytes"] / MIB
    return {
        "circuit": circuit,
        "noise": noise,
        "backend": backend,
        "estimate_mib": round(estimate, 1),
        "peak_mib": round(peak, 1),
        "ratio": round(estimate / peak, 3),
    }


if __name__ == "__main__":
    sys.exit(main())
