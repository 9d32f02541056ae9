"""The import-linter contracts in pyproject.toml cover the whole codebase.

A contract that lists only some private modules, or only some plugins,
would pass while a new module breaks the rule; these tests keep the lists
complete.
"""

from __future__ import annotations

import tomllib

from kernel_support import REPO


def contracts() -> dict:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]
    return config["importlinter"]


def private_kernel_modules() -> set[str]:
    folder = REPO / "proxima_kernel"
    return {f"proxima_kernel.{p.stem}" for p in folder.glob("_*.py")} - {
        "proxima_kernel.__init__"
    }


def plugin_packages() -> set[str]:
    return {
        p.name for p in REPO.glob("plugins/*/src/*") if (p / "__init__.py").exists()
    }


def test_every_private_kernel_module_is_forbidden_to_plugins():
    public_only = contracts()["contracts"][1]

    assert set(public_only["forbidden_modules"]) == private_kernel_modules()


def test_every_plugin_package_is_checked_by_both_contracts():
    kernel_only, public_only = contracts()["contracts"]

    assert plugin_packages() <= set(kernel_only["forbidden_modules"])
    assert set(public_only["source_modules"]) == plugin_packages()
    assert plugin_packages() <= set(contracts()["root_packages"])
