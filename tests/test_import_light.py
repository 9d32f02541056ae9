"""The kernel and ``proxima --help`` import no simulator and no numpy."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("numpy", "scipy", "cirq", "qiskit", "qiskit_aer", "openqasm3", "antlr4")

REPORT_HEAVY = f"""
import sys
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
print("heavy:", ",".join(heavy))
"""


def heavy_modules_after(code: str) -> str:
    script = code + "\n" + REPORT_HEAVY
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("heavy:"), done.stdout
    return last.removeprefix("heavy:").strip()


def test_importing_the_kernel_imports_no_engine_numpy_or_parser():
    assert heavy_modules_after("import proxima_kernel") == ""


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"]])
def test_the_cli_help_imports_no_engine_or_numpy(args):
    code = f"""
from proxima_kernel._cli import main
try:
    main({args!r})
except SystemExit:
    pass
"""
    assert heavy_modules_after(code) == ""
