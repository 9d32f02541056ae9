"""The plugin as the kernel sees it: entry point, status, light import."""

from __future__ import annotations

import subprocess
import sys

from proxima_kernel import Kernel


def test_the_installed_plugin_is_active_and_registers_its_backend():
    kernel = Kernel()

    info = kernel.plugins["template"]
    assert info.status == "active", info.reason
    assert "template" in kernel.backends


def test_importing_the_plugin_imports_no_engine():
    code = "import sys, proxima_template; print('numpy' in sys.modules)"

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "False"
