"""Help and listing import no engine: no cirq, qiskit or numpy."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

ENGINES = ("cirq", "qiskit", "qiskit_aer", "numpy")

SCRIPT = textwrap.dedent(
    """
    import sys
    from proxima_kernel._cli import main
    try:
        main({args!r}, prog_name="proxima")
    except SystemExit:
        pass
    roots = {{name.split(".")[0] for name in sys.modules}}
    print("IMPORTED:" + ",".join(sorted(roots & set({engines!r}))))
    """
)


@pytest.mark.parametrize(
    "args",
    [["--help"], ["plugins"], ["plugins", "--timings"], ["backends"]],
    ids=" ".join,
)
def test_the_command_imports_no_engine(args):
    code = SCRIPT.format(args=args, engines=ENGINES)

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )

    last = done.stdout.strip().splitlines()[-1]
    assert last == "IMPORTED:", f"{args} imported {last}; stderr: {done.stderr}"


def test_importing_the_kernel_imports_no_engine():
    code = (
        "import sys, proxima_kernel; "
        f"print(sorted(m for m in {ENGINES!r} if m in sys.modules))"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "[]"


def test_every_public_name_resolves_lazily():
    import proxima_kernel

    public = set(proxima_kernel.__all__) - {"API_VERSION", "hookimpl"}

    assert public == set(proxima_kernel._PUBLIC)
    assert all(getattr(proxima_kernel, name) is not None for name in public)


def test_the_pytest11_plugin_imports_neither_the_kernel_nor_the_suite():
    code = (
        "import sys, proxima_kernel.testing.pytest_plugin; "
        "print(sorted(m for m in ('proxima_kernel._kernel', "
        "'proxima_kernel.testing._suite', 'structlog', 'numpy') "
        "if m in sys.modules))"
    )

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("args", [["--help"], ["plugins"]], ids=" ".join)
def test_help_and_a_healthy_listing_do_not_import_structlog(args):
    code = SCRIPT.format(args=args, engines=("structlog", "rich", "cattrs"))

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )

    imported = done.stdout.strip().splitlines()[-1]
    assert "structlog" not in imported, f"{args}: {imported}"
