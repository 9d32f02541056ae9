"""One kernel with the test backends, shared by the execution tests.

Sharing it keeps the worker processes alive from test to test, so each
backend's worker starts once per test session.
"""

from __future__ import annotations

import functools
import os

import exec_test_backends

from proxima_kernel import Circuit, Kernel, _builtins
from proxima_kernel._generators import generate


@functools.cache
def shared_kernel() -> Kernel:
    """The test backends and the built-ins, without installed plugins."""
    return Kernel(plugins=[exec_test_backends, _builtins], load_entry_points=False)


@functools.cache
def ghz(n: int = 3) -> Circuit:
    return generate(f"ghz:{n}")


def alive(pid: int | None) -> bool:
    """True while a process with this id exists (and is not a zombie)."""
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        return os.path.exists(f"/proc/{pid}")
