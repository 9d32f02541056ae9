"""Paths and small helpers shared by the kernel's tests."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: The ten QASMBench circuits the repo ships (with their licence).
SHIPPED = REPO / "examples" / "circuits" / "qasmbench"

#: The whole QASMBench set, beside a developer's checkout; absent in CI
#: and in a user's clone, where the tests that need it are skipped.
QASMBENCH = Path(
    os.environ.get(
        "PROXIMA_QASMBENCH", REPO.parent / "shared" / "circuits" / "qasmbench"
    )
)


def qasmbench_files() -> list[Path]:
    """Every QASMBench file there is: the whole set, else the shipped ten."""
    folder = QASMBENCH if QASMBENCH.is_dir() else SHIPPED
    return sorted(folder.glob("*.qasm"))
