"""Configuration: where settings come from and which one wins.

Sources, lowest precedence first (docs/configuration.md has the details):

1. the defaults;
2. the user file, ``$PROXIMA_CONFIG`` or else
   ``$XDG_CONFIG_HOME/proxima/config.toml`` (``~/.config/proxima/...``);
3. the project file: the nearest ``proxima.toml``, or ``pyproject.toml``
   with a ``[tool.proxima]`` table, in the working folder or a parent;
4. environment variables (``PROXIMA_STRICT``, ``PROXIMA_TRACE``,
   ``PROXIMA_PLUGINS``, ``PROXIMA_DISABLE_PLUGIN_AUTOLOAD``);
5. command-line flags (``--strict``, ``--trace``, ``-p no:NAME``).

A later source replaces an earlier one, except ``plugins.disabled``: the
names disabled in the user and the project file add up. Every value keeps
the source it came from, which ``proxima config show`` prints.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from proxima_kernel import _log
from proxima_kernel._errors import UsageError

log = _log.get_logger("proxima")

DEFAULT = "default"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_KNOWN = {"strict", "trace", "plugins"}
_KNOWN_PLUGIN_KEYS = {"disabled", "allow", "autoload"}


@attrs.define
class Setting:
    """One merged value and the source that set it."""

    value: Any
    source: str = DEFAULT


@attrs.define
class Config:
    """The merged settings of one invocation.

    ``disabled`` and ``blocked`` map a plugin name to the source that
    turned it off: ``disabled`` comes from config files and persists,
    ``blocked`` from this invocation's flags.
    """

    strict: Setting = attrs.field(factory=lambda: Setting(False))
    trace: Setting = attrs.field(factory=lambda: Setting(False))
    autoload: Setting = attrs.field(factory=lambda: Setting(True))
    allow: Setting = attrs.field(factory=lambda: Setting(None))
    disabled: dict[str, str] = attrs.field(factory=dict)
    blocked: dict[str, str] = attrs.field(factory=dict)
    user_file: Path | None = None
    project_file: Path | None = None

    def disabled_reasons(self) -> dict[str, str]:
        return {n: f"disabled in {src}" for n, src in self.disabled.items()}

    def blocked_reasons(self) -> dict[str, str]:
        return {n: f"blocked by {src}" for n, src in self.blocked.items()}

    def as_rows(self) -> list[dict[str, Any]]:
        """One row per setting, for ``proxima config show``."""
        rows = [
            {"key": key, "value": setting.value, "source": setting.source}
            for key, setting in (
                ("strict", self.strict),
                ("trace", self.trace),
                ("plugins.autoload", self.autoload),
                ("plugins.allow", self.allow),
            )
        ]
        rows += [
            {"key": "plugins.disabled", "value": name, "source": source}
            for name, source in self.disabled.items()
        ]
        rows += [
            {"key": "plugins.blocked", "value": name, "source": source}
            for name, source in self.blocked.items()
        ]
        return rows


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    """The user file: ``$PROXIMA_CONFIG``, else under the XDG config dir."""
    env = os.environ if env is None else env
    if env.get("PROXIMA_CONFIG"):
        return Path(env["PROXIMA_CONFIG"])
    base = env.get("XDG_CONFIG_HOME") or os.path.join(
        os.path.expanduser("~"), ".config"
    )
    return Path(base) / "proxima" / "config.toml"


def find_project_file(start: Path | None = None) -> Path | None:
    """The nearest ``proxima.toml`` or ``pyproject.toml`` with our table."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        own = candidate / "proxima.toml"
        if own.is_file():
            return own
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and "proxima" in _read(pyproject).get("tool", {}):
            return pyproject

    return None


def load_config(
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    strict: bool | None = None,
    trace: bool | None = None,
    plugin_options: Sequence[str] = (),
) -> Config:
    """Merge defaults, files, env vars and flags into one :class:`Config`.

    ``plugin_options`` are the values of ``-p``: ``no:NAME`` blocks NAME.
    """
    env = os.environ if env is None else env
    config = Config(user_file=user_config_path(env))
    config.project_file = find_project_file(cwd)

    for path in (config.user_file, config.project_file):
        if path is not None and path.is_file():
            _apply_file(config, path)
    _apply_env(config, env)
    _apply_flags(config, strict, trace, plugin_options)
    return config


def _apply_file(config: Config, path: Path) -> None:
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("proxima", {})
    source = f"{path}"
    for key in set(data) - _KNOWN:
        log.warning("unknown_config_key", file=source, key=key)

    for key in ("strict", "trace"):
        if key in data:
            value = _bool(data[key], f"{source}: {key}")
            setattr(config, key, Setting(value, source))
    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict):
        raise UsageError(f"{source}: [plugins] must be a table.")
    for key in set(plugins) - _KNOWN_PLUGIN_KEYS:
        log.warning("unknown_config_key", file=source, key=f"plugins.{key}")
    if "autoload" in plugins:
        value = _bool(plugins["autoload"], f"{source}: plugins.autoload")
        config.autoload = Setting(value, source)
    if "allow" in plugins:
        names = _names(plugins["allow"], f"{source}: plugins.allow")
        config.allow = Setting(names, source)
    for name in _names(plugins.get("disabled", []), f"{source}: plugins.disabled"):
        config.disabled.setdefault(name, source)


def _apply_env(config: Config, env: Mapping[str, str]) -> None:
    for key, var in (("strict", "PROXIMA_STRICT"), ("trace", "PROXIMA_TRACE")):
        if var in env:
            setattr(config, key, Setting(_bool(env[var], var), f"env {var}"))
    var = "PROXIMA_DISABLE_PLUGIN_AUTOLOAD"
    if var in env:
        config.autoload = Setting(not _bool(env[var], var), f"env {var}")
    if "PROXIMA_PLUGINS" in env:
        names = [n.strip() for n in env["PROXIMA_PLUGINS"].split(",") if n.strip()]
        config.allow = Setting(names, "env PROXIMA_PLUGINS")


def _apply_flags(
    config: Config,
    strict: bool | None,
    trace: bool | None,
    plugin_options: Sequence[str],
) -> None:
    if strict:
        config.strict = Setting(True, "flag --strict")
    if trace:
        config.trace = Setting(True, "flag --trace")
    for option in plugin_options:
        if not option.startswith("no:") or not option[3:]:
            raise UsageError(
                f"-p {option}: write -p no:NAME to block the plugin NAME "
                f"for this run; plugins load by themselves once installed."
            )
        config.blocked[option[3:]] = f"flag -p {option}"


def set_disabled(path: Path, name: str, disabled: bool) -> bool:
    """Add ``name`` to (or remove it from) ``plugins.disabled`` in ``path``.

    The file is created when missing. Returns False when nothing changed.
    The file is rewritten whole: comments in it are not kept.
    """
    import tomli_w

    data = _read(path) if path.is_file() else {}
    plugins = data.setdefault("plugins", {})
    names = list(_names(plugins.get("disabled", []), f"{path}: plugins.disabled"))
    if (name in names) == disabled:
        return False

    if disabled:
        names.append(name)
    else:
        names.remove(name)
    plugins["disabled"] = names
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return True


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            f"{path} is not valid TOML: {exc}. Fix the file or remove it."
        ) from exc
    except OSError as exc:
        raise UsageError(f"Cannot read the config file {path}: {exc}.") from exc


def _bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False

    raise UsageError(f"{where} must be true or false (or 1 or 0), got {value!r}.")


def _names(value: Any, where: str) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise UsageError(f"{where} must be a list of plugin names, got {value!r}.")
