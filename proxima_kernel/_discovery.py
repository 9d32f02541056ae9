"""Discovery: what the kernel learns about a plugin before activating it.

Every plugin ends in one of five statuses:

============  ============================================================
active        loaded, compatible and registered; its hooks are called
disabled      turned off in a config file (``proxima plugins disable``)
blocked       turned off for this invocation (``-p no:NAME``, the
              allowlist, or autoloading switched off)
incompatible  declares a kernel API range this kernel is not in
failed        raised at import, failed validation, or raised in a hook
============  ============================================================

A plugin declares the kernel API range it supports with the module
attribute ``PROXIMA_API``, a PEP 440 specifier such as ``">=1.0,<2"``,
checked against :data:`proxima_kernel.API_VERSION` after the (light)
import and before registration. A plugin without it is assumed
compatible; ``proxima plugins check`` mentions it.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import attrs

ACTIVE = "active"
DISABLED = "disabled"
BLOCKED = "blocked"
INCOMPATIBLE = "incompatible"
FAILED = "failed"

#: The kind of contribution each hook stands for, as listed by
#: ``proxima plugins``.
HOOK_KINDS = {
    "proxima_register_backends": "backend",
    "proxima_register_loaders": "loader",
    "proxima_register_exporters": "exporter",
    "proxima_analyze": "analyzer",
    "proxima_plan": "planner",
    "proxima_before_backend_run": "observer",
    "proxima_after_backend_run": "observer",
    "proxima_on_backend_run_error": "observer",
    "proxima_session_start": "store",
    "proxima_session_end": "store",
}


#: Modules a plugin's own module should not import (they belong in the
#: backend's methods); importing one earns the plugin a warning.
ENGINES = ("cirq", "jax", "numpy", "qiskit", "qiskit_aer", "scipy", "torch")


@attrs.define
class PluginInfo:
    """What the kernel knows about one plugin.

    ``status`` is one of ``active``, ``disabled``, ``blocked``,
    ``incompatible`` or ``failed``; ``reason`` says why for every status
    but ``active``. ``import_time_ms`` is the wall time of importing the
    plugin's module (modules it shares with earlier plugins are counted
    once, in the first). ``contributes`` lists kinds of contribution
    (backend, loader, exporter, analyzer, ...), ``provides`` the names
    registered per kind, ``hooks`` the hooks the plugin implements.
    """

    name: str
    status: str = ACTIVE
    reason: str | None = None
    distribution: str | None = None
    version: str | None = None
    import_time_ms: float | None = None
    contributes: list[str] = attrs.field(factory=list)
    hooks: list[str] = attrs.field(factory=list)
    api: str | None = None
    provides: dict[str, list[str]] = attrs.field(factory=dict)
    warnings: list[str] = attrs.field(factory=list)

    @property
    def label(self) -> str:
        """The plugin with its distribution, for messages."""
        if self.distribution is None:
            return repr(self.name)
        return f"{self.name!r} (distribution {self.distribution} {self.version})"

    def set_hooks(self, hooks: list[str]) -> None:
        self.hooks = sorted(hooks)
        kinds = (HOOK_KINDS.get(hook) for hook in self.hooks)
        self.contributes = list(dict.fromkeys(kind for kind in kinds if kind))


def engines_loaded() -> set[str]:
    """The heavy engine modules imported so far in this process."""
    return {name for name in ENGINES if name in sys.modules}


def heavy_import_warning(before: set[str]) -> str | None:
    """A warning when a plugin's import brought in an engine module."""
    new = sorted(engines_loaded() - before)
    if not new:
        return None
    return (
        f"importing the plugin imported {', '.join(new)}; import engines "
        f"inside the backend's methods so that listing stays fast"
    )


def api_problem(declared: Any, api_version: str) -> tuple[str, str] | None:
    """``(status, reason)`` when ``declared`` excludes ``api_version``."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        supported = SpecifierSet(str(declared))
    except InvalidSpecifier:
        return FAILED, (
            f"declares PROXIMA_API = {declared!r}, which is not a version "
            f"range; write one such as '>=1.0,<2'"
        )
    if supported.contains(api_version, prereleases=True):
        return None

    return INCOMPATIBLE, (
        f"supports the kernel API {declared}, but this kernel provides API "
        f"{api_version}; install a release of the plugin made for API "
        f"{api_version}, or a proxima-kernel whose API it supports"
    )


def import_failure(exc: BaseException, module: str, dist: Any) -> str:
    """A readable reason for a plugin module that failed to import.

    A missing third-party module is named with the way to install it; any
    other error is described as raised.
    """
    missing = getattr(exc, "name", None)
    own = module.split(".")[0]
    if not isinstance(exc, ModuleNotFoundError) and missing == "proxima_kernel":
        return (
            f"failed to import: {type(exc).__name__}: {exc}; it needs a name "
            f"this proxima-kernel does not provide, so it was made for "
            f"another kernel release: install a plugin release made for this "
            f"kernel, or the kernel it was made for"
        )
    if not isinstance(exc, ModuleNotFoundError) or not missing:
        return f"failed to import: {type(exc).__name__}: {exc}"
    if missing.split(".")[0] == own:
        return f"failed to import: {type(exc).__name__}: {exc}"

    top = missing.split(".")[0]
    requirement = _declared_requirement(dist, top)
    needs = f"its dependency {requirement!r}" if requirement else f"{top!r}"
    fix = f"pip install {_requirement_name(requirement) if requirement else top}"
    if dist is not None:
        fix += f", or reinstall {dist.name} with its dependencies"
    return (
        f"is missing a dependency: importing it needs the module {missing!r} "
        f"({needs}), which is not installed; fix: {fix}"
    )


def _declared_requirement(dist: Any, module: str) -> str | None:
    """The dist's requirement whose project name matches ``module``."""
    wanted = _normalise(module)
    for requirement in getattr(dist, "requires", None) or []:
        if _normalise(_requirement_name(requirement)) == wanted:
            return str(requirement).split(";")[0].strip()

    return None


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return match.group(0) if match else requirement


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
