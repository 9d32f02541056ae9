"""Wall time of ``proxima --help``, ``plugins`` and ``backends``.

Each command is timed as a fresh process, against ``python -c "import
pluggy"`` as the floor, in one run. hyperfine is used when installed;
otherwise each command runs ``--runs`` times (after one warm-up) and the
mean, median and minimum are reported. The table is printed and written
to benchmarks/results/cli_startup.json.

    python benchmarks/cli_startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "cli_startup.json"


def commands() -> dict[str, list[str]]:
    proxima = shutil.which("proxima") or str(Path(sys.executable).with_name("proxima"))
    return {
        'python -c "import pluggy"': [sys.executable, "-c", "import pluggy"],
        "proxima --help": [proxima, "--help"],
        "proxima plugins": [proxima, "plugins"],
        "proxima backends": [proxima, "backends"],
    }


def time_with_subprocess(
    argv: list[str], runs: int, env: dict[str, str]
) -> list[float]:
    """Wall times in ms of ``runs`` fresh processes, after one warm-up."""
    subprocess.run(argv, env=env, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, capture_output=True, check=True)
        times.append((time.perf_counter() - started) * 1000)
    return times


def time_with_hyperfine(argv: list[str], runs: int, env: dict[str, str]) -> list[float]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = " ".join(f"'{a}'" for a in argv)
        subprocess.run(
            ["hyperfine", "--warmup", "1", "--runs", str(runs), "-N",
             "--export-json", out.name, command],
            env=env, capture_output=True, check=True,
        )  # fmt: skip
        data = json.loads(Path(out.name).read_text())
    return [t * 1000 for t in data["results"][0]["times"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith("PROXIMA_")}
    tool = "hyperfine" if shutil.which("hyperfine") else "subprocess"
    timer = time_with_hyperfine if tool == "hyperfine" else time_with_subprocess
    rows = []
    for label, argv in commands().items():
        times = timer(argv, args.runs, env)
        rows.append(
            {
                "command": label,
                "mean_ms": round(statistics.mean(times), 1),
                "median_ms": round(statistics.median(times), 1),
                "min_ms": round(min(times), 1),
                "runs": len(times),
            }
        )
    floor = rows[0]["median_ms"]
    for row in rows:
        row["x_import_pluggy"] = round(row["median_ms"] / floor, 2)

    print(
        f"{'command':<28} {'median ms':>10} {'mean ms':>9} {'min ms':>8} {'x floor':>8}"
    )
    for row in rows:
        print(
            f"{row['command']:<28} {row['median_ms']:>10} {row['mean_ms']:>9} "
            f"{row['min_ms']:>8} {row['x_import_pluggy']:>8}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count()}
    document = {"tool": tool, "machine": machine, "results": rows}
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
