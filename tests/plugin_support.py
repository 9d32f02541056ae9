"""Running the ``proxima`` command in a clean environment, for tests."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

#: Four tiny broken distributions (dist-info folders and their packages).
BAD_PLUGINS = Path(__file__).parent / "fixtures" / "bad_plugins"
BAD_NAMES = ("bad-api", "bad-dep", "bad-hook", "bad-import")


def clean_env(home: Path, *site: Path, **extra: str) -> dict[str, str]:
    """The environment with no Proxima settings and its own config folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROXIMA_")}
    env["XDG_CONFIG_HOME"] = str(home / "xdg")
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in site)
    env.update(extra)
    return env


def proxima(
    *args: str, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``proxima ARGS`` as a user would, in ``cwd``."""
    command = [sys.executable, "-m", "proxima_kernel", *args]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def listing(cwd: Path, env: dict[str, str], *args: str) -> dict[str, Any]:
    """``proxima plugins --json`` by plugin name."""
    done = proxima(*args, "plugins", "--json", cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    return {row["name"]: row for row in json.loads(done.stdout)}


def installed(name: str) -> bool:
    """True when a plugin entry point called ``name`` is installed."""
    points = importlib.metadata.entry_points(group="proxima")
    return name in {point.name for point in points}


#: For tests that run a real engine; tox's kernel env installs none.
needs_aer = pytest.mark.skipif(
    not installed("qiskit-aer"), reason="proxima-qiskit-aer is not installed"
)
