"""Four broken plugins installed at once, and what the platform does.

The four distributions of tests/fixtures/bad_plugins (ImportError at
import, raising in a hook, an incompatible kernel API range, a missing
dependency) are put on the path of fresh ``proxima`` processes, with a
private config folder. The script then runs, and times:

1. ``proxima plugins --json``: each bad plugin's status and reason;
2. ``proxima run ghz:3`` on every installed backend: must succeed;
3. ``proxima plugins disable bad-dep``, then the listing again;
4. ``proxima --strict run ghz:3``: must fail with a clear message.

It prints what it saw and writes benchmarks/results/plugin_platform.json;
it exits 1 when an expectation does not hold.

    python benchmarks/plugin_platform.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BAD_PLUGINS = ROOT / "tests" / "fixtures" / "bad_plugins"
RESULTS = Path(__file__).parent / "results" / "plugin_platform.json"
BAD = ("bad-api", "bad-dep", "bad-hook", "bad-import")


def proxima(home: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROXIMA_")}
    env.update(XDG_CONFIG_HOME=str(home / "xdg"), PYTHONPATH=str(BAD_PLUGINS))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "proxima_kernel", *args],
        cwd=home, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return done, round((time.perf_counter() - started) * 1000, 1)


def listing(home: Path) -> tuple[dict[str, Any], float]:
    done, ms = proxima(home, "plugins", "--json")
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    return {
        n: {"status": r["status"], "reason": r["reason"]} for n, r in rows.items()
    }, ms


def main() -> int:
    checks: dict[str, bool] = {}
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        before, list_ms = listing(home)
        checks["each bad plugin is reported"] = all(
            before[n]["status"] in ("failed", "incompatible") and before[n]["reason"]
            for n in BAD
        )

        run, run_ms = proxima(home, "run", "ghz:3", "--json", "--seed", "1")
        results = json.loads(run.stdout)["circuits"][0]["results"] if run.stdout else {}
        statuses = {name: r["status"] for name, r in results.items()}
        checks["run succeeds on every backend"] = run.returncode == 0 and set(
            statuses.values()
        ) == {"ok"}

        disable, disable_ms = proxima(home, "plugins", "disable", "bad-dep")
        after, _ = listing(home)
        checks["disable works"] = after["bad-dep"]["status"] == "disabled"

        strict, strict_ms = proxima(home, "--strict", "run", "ghz:3")
        message = strict.stderr.strip().splitlines()
        checks["strict run fails clearly"] = strict.returncode != 0 and any(
            line.startswith("Error: Strict mode") for line in message
        )

    document = {
        "listing": {n: before[n] for n in sorted(before)},
        "run": {"exit": run.returncode, "statuses": statuses, "ms": run_ms},
        "listing_ms": list_ms,
        "disable": {
            "exit": disable.returncode,
            "ms": disable_ms,
            "then": after["bad-dep"],
        },
        "strict": {
            "exit": strict.returncode,
            "ms": strict_ms,
            "message": [ln for ln in message if not ln.startswith("20")][:6],
        },
        "checks": checks,
    }
    for name in sorted(before):
        row = before[name]
        print(f"{name:<12} {row['status']:<13} {row['reason'] or ''}")
    print(f"run: exit {run.returncode}, {statuses}, {run_ms} ms")
    print(
        f"disable bad-dep: exit {disable.returncode}, now {after['bad-dep']['status']}"
    )
    print(f"strict run: exit {strict.returncode}")
    for line in document["strict"]["message"]:
        print(f"  {line}")
    for check, held in checks.items():
        print(f"{'ok  ' if held else 'FAIL'} {check}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"written to {RESULTS}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
