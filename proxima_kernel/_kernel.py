"""The Kernel: owns a plugin manager, discovers plugins, runs requests.

There is no module-level state: two kernels in one process do not see each
other's plugins. Each entry point of the group ``proxima`` is loaded in its
own guarded step (import, API check, registration), and every hook
implementation is called on its own, so a plugin that raises is reported
(see :attr:`Kernel.plugins` and :mod:`proxima_kernel._discovery`) and the
others go on. ``strict=True`` turns such failures into errors, for plugin
authors and CI. ``trace=True`` logs every hook call as a structlog event.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import math
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from proxima_kernel import _log, hookspecs
from proxima_kernel._backend import Backend
from proxima_kernel._discovery import (
    ACTIVE,
    BLOCKED,
    DISABLED,
    FAILED,
    INCOMPATIBLE,
    PluginInfo,
    api_problem,
    engines_loaded,
    heavy_import_warning,
    import_failure,
)
from proxima_kernel._errors import CircuitError, PluginError, UsageError
from proxima_kernel._model import Circuit, ExecutionOptions, Report, RunOptions
from proxima_kernel._noise import NoiseModel

if TYPE_CHECKING:
    from proxima_kernel._config import Config
    from proxima_kernel._plan import Plan, Request
    from proxima_kernel._worker import WorkerPool

log = _log.get_logger("proxima")
trace_log = _log.get_logger("proxima.trace")

ENTRY_POINT_GROUP = "proxima"

__all__ = ["ENTRY_POINT_GROUP", "Duplicate", "Kernel", "PluginInfo"]


@attrs.frozen
class Duplicate:
    """Two plugins registered the same name for one kind of contribution."""

    kind: str
    name: str
    kept: str
    ignored: str

    def describe(self, plugins: Mapping[str, PluginInfo]) -> str:
        kept, ignored = (
            plugins[n].label if n in plugins else repr(n)
            for n in (self.kept, self.ignored)
        )
        # A backend that runs under a name it may not own would put an
        # impostor's numbers in the report: neither runs by that name.
        effect = (
            "a run that names it is refused"
            if self.kind == "backend"
            else "the second was ignored"
        )
        return (
            f"the {self.kind} {self.name!r} is registered by {kept} and by "
            f"{ignored}; {effect}. Uninstall or disable one of them "
            f"(proxima plugins disable NAME)."
        )


class Kernel:
    """A plugin host and the one path that runs circuits.

    :param plugins: plugin objects or modules to register besides the
        installed ones (tests pass inline plugins this way).
    :param load_entry_points: discover plugins through entry points;
        False gives a kernel with only ``plugins``.
    :param entry_points: the entry points to load instead of the installed
        ones of the group ``proxima`` (tests pass fakes, see
        :func:`proxima_kernel.testing.fake_entry_point`).
    :param blocked: plugins not to load for this kernel, as names or as a
        mapping of name to the reason shown (status ``blocked``).
    :param disabled: likewise, for plugins the user's config turns off
        (status ``disabled``).
    :param allow: when given, only these entry-point plugins load (the
        built-ins always do unless blocked).
    :param autoload: False loads only the built-in entry point.
    :param strict: raise :class:`PluginError` instead of reporting a
        failing or incompatible plugin, or a duplicate name.
    :param trace: log every hook call (plugin, hook, duration, outcome) as
        a ``hook_call`` event on the ``proxima.trace`` logger.
    """

    def __init__(
        self,
        *,
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
        entry_points: Iterable[Any] | None = None,
        blocked: Iterable[str] | Mapping[str, str] = (),
        disabled: Iterable[str] | Mapping[str, str] = (),
        allow: Iterable[str] | None = None,
        autoload: bool = True,
        strict: bool = False,
        trace: bool = False,
    ) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._strict = strict
        self._trace = trace
        self._blocked = _reasons(blocked, "blocked for this run")
        self._disabled = _reasons(disabled, "disabled in the config")
        self._allow = None if allow is None else set(allow)
        self._autoload = autoload
        self.plugins: dict[str, PluginInfo] = {}
        self.duplicates: list[Duplicate] = []
        self._registries: dict[str, dict[str, Any]] = {}
        self._workers: WorkerPool | None = None

        if load_entry_points:
            if entry_points is None:
                entry_points = _installed_entry_points()
            for point in sorted(entry_points, key=lambda p: p.name):
                self._load_entry_point(point)
            self._raise_if_strict()
        for plugin in plugins:
            self.register(plugin)

    @classmethod
    def from_config(cls, config: Config, **kwargs: Any) -> Kernel:
        """A kernel set up as ``config`` (files, env vars, flags) says."""
        return cls(
            blocked=config.blocked_reasons(),
            disabled=config.disabled_reasons(),
            allow=config.allow.value,
            autoload=config.autoload.value,
            strict=config.strict.value,
            trace=config.trace.value,
            **kwargs,
        )

    @property
    def strict(self) -> bool:
        return self._strict

    # --- plugins -----------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object or module; returns the name it got.

        The plugin goes through the same checks as an installed one: the
        block and disable lists, its ``PROXIMA_API`` range and hook
        validation. Its status is in :attr:`plugins`.
        """
        name = name or getattr(plugin, "__name__", None) or repr(plugin)
        info = self.plugins.setdefault(name, PluginInfo(name))
        if self._switched_off(info, builtin=True):
            return name
        self._activate(info, plugin)
        self._raise_if_strict()
        return name

    def _load_entry_point(self, point: Any) -> None:
        dist = getattr(point, "dist", None)
        info = PluginInfo(
            point.name,
            distribution=dist.name if dist else None,
            version=dist.version if dist else None,
        )
        if point.name in self.plugins:
            self._record_duplicate_plugin(info)
            return
        self.plugins[point.name] = info
        if self._switched_off(info, builtin=_is_builtin(point)):
            return

        engines = engines_loaded()
        started = time.perf_counter()
        try:
            # What a plugin prints at import must not corrupt --json output.
            with contextlib.redirect_stdout(sys.stderr):
                plugin = point.load()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - isolate it
            module = point.value.split(":")[0]
            self._plugin_failed(info, import_failure(exc, module, dist))
            return
        finally:
            info.import_time_ms = round((time.perf_counter() - started) * 1000, 3)

        heavy = heavy_import_warning(engines)
        if heavy is not None:
            info.warnings.append(heavy)
        self._activate(info, plugin)

    def _switched_off(self, info: PluginInfo, *, builtin: bool) -> bool:
        """Give ``info`` its status when the user turned the plugin off."""
        name = info.name
        if name in self._blocked:
            info.status, info.reason = BLOCKED, self._blocked[name]
        elif name in self._disabled:
            info.status, info.reason = DISABLED, self._disabled[name]
        elif not builtin and self._allow is not None and name not in self._allow:
            allowed = ", ".join(sorted(self._allow)) or "none"
            info.status = BLOCKED
            info.reason = f"not in the plugin allowlist ({allowed})"
        elif not builtin and not self._autoload:
            info.status = BLOCKED
            info.reason = "plugin autoloading is off; only the built-ins load"
        else:
            return False

        log.debug("plugin_skipped", plugin=name, status=info.status)
        return True

    def _activate(self, info: PluginInfo, plugin: object) -> None:
        """Check a loaded plugin's API range, then register it."""
        from proxima_kernel import API_VERSION

        info.api = getattr(plugin, "PROXIMA_API", None)
        if info.api is not None:
            problem = api_problem(info.api, API_VERSION)
            if problem is not None:
                info.status, info.reason = problem
                log.warning("plugin_incompatible", plugin=info.name)
                return
        try:
            self._pm.register(plugin, name=info.name)
        except Exception as exc:  # noqa: BLE001 - pluggy validates hookimpls
            self._plugin_failed(info, f"is not a valid plugin: {exc}")
            return

        callers = self._pm.get_hookcallers(plugin) or []
        unknown = [c.name for c in callers if c.spec is None]
        if unknown:
            self._pm.unregister(plugin)
            reason = (
                f"implements {', '.join(unknown)}, which is not a Proxima "
                f"hook; check the spelling against docs/hooks.md"
            )
            self._plugin_failed(info, reason)
            return
        info.set_hooks([caller.name for caller in callers])
        self._registries.clear()

    def _record_duplicate_plugin(self, info: PluginInfo) -> None:
        first = self.plugins[info.name]
        key = f"{info.name} [{info.distribution}]"
        self.plugins[key] = info
        reason = (
            f"has the same name as the plugin {first.label}; it was not "
            f"loaded. Uninstall one of the two distributions"
        )
        self._plugin_failed(info, reason)

    def _plugin_failed(self, info: PluginInfo, reason: str) -> None:
        info.status, info.reason = FAILED, reason
        log.error("plugin_failed", plugin=info.name, reason=reason)

    def _raise_if_strict(self) -> None:
        bad = [
            info
            for info in self.plugins.values()
            if info.status in (FAILED, INCOMPATIBLE)
        ]
        if not self._strict or not bad:
            return

        lines = "\n".join(
            f"  {info.name}: {info.status}, {info.reason}" for info in bad
        )
        raise PluginError(
            f"Strict mode: {len(bad)} plugin(s) cannot be used:\n{lines}\n"
            f"Fix or uninstall them, or block them (-p no:NAME or proxima "
            f"plugins disable NAME)."
        )

    def call_each(self, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call every implementation of a hook on its own, guarded.

        Implementations run in registration order. One that raises is
        reported against its plugin and skipped; the others still run.
        Returns the results that are not None.
        """
        hook = getattr(self._pm.hook, hook_name)
        outcomes = [
            self._call_impl(impl, hook_name, kwargs) for impl in hook.get_hookimpls()
        ]
        return [outcome for outcome in outcomes if outcome is not None]

    def call_each_reporting(
        self, hook_name: str, **kwargs: Any
    ) -> tuple[list[Any], list[str]]:
        """:meth:`call_each`, also returning each failure as a sentence."""
        failures: list[str] = []
        hook = getattr(self._pm.hook, hook_name)
        outcomes = [
            self._call_impl(impl, hook_name, kwargs, failures)
            for impl in hook.get_hookimpls()
        ]
        return [outcome for outcome in outcomes if outcome is not None], failures

    def _call_impl(
        self,
        impl: Any,
        hook_name: str,
        kwargs: dict[str, Any],
        failures: list[str] | None = None,
    ) -> Any:
        args = {name: kwargs[name] for name in impl.argnames}
        started = time.perf_counter()
        try:
            outcome = impl.function(**args)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - isolate it
            self._traced(impl, hook_name, started, "raised", exc)
            if failures is not None:
                failures.append(
                    f"The plugin {impl.plugin_name!r} raised in {hook_name}: "
                    f"{type(exc).__name__}: {exc}; it was skipped."
                )
            self._hook_failed(impl.plugin_name, hook_name, exc)
            return None

        self._traced(impl, hook_name, started, "ok", None)
        return outcome

    def _traced(
        self,
        impl: Any,
        hook_name: str,
        started: float,
        outcome: str,
        exc: BaseException | None,
    ) -> None:
        if not self._trace:
            return

        trace_log.info(
            "hook_call",
            plugin=impl.plugin_name,
            hook=hook_name,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            outcome=outcome,
            error=None if exc is None else f"{type(exc).__name__}: {exc}",
        )

    def _hook_failed(self, name: str, hook_name: str, exc: BaseException) -> None:
        info = self.plugins.setdefault(name, PluginInfo(name))
        reason = f"raised in {hook_name}: {type(exc).__name__}: {exc}"
        self._plugin_failed(info, reason)
        # A plugin that broke a hook leaves the run: later hooks skip it.
        if self._pm.has_plugin(name):
            self._pm.unregister(name=name)
        if self._strict:
            raise PluginError(
                f"Strict mode: the plugin {info.label} {reason}. Fix or "
                f"uninstall the plugin, or block it (-p no:{name})."
            ) from exc

    def _registry(self, hook_name: str, kind: str) -> dict[str, Any]:
        """Collect what plugins register through a ``register`` callback."""
        if hook_name in self._registries:
            return self._registries[hook_name]

        found: dict[str, Any] = {}
        hook = getattr(self._pm.hook, hook_name)
        for impl in hook.get_hookimpls():

            def register(item: Any, owner: str = impl.plugin_name) -> None:
                self._add(found, item, owner, kind)

            self._call_impl(impl, hook_name, {"register": register})

        self._registries[hook_name] = found
        return found

    def _add(self, found: dict[str, Any], item: Any, owner: str, kind: str) -> None:
        name = item.name
        if name in found:
            self._duplicate(kind, name, found[name]._proxima_plugin, owner)
            return
        # Remember the owner for listings; a slotted item may refuse it.
        with contextlib.suppress(AttributeError):
            item._proxima_plugin = owner
        found[name] = item
        info = self.plugins.setdefault(owner, PluginInfo(owner))
        info.provides.setdefault(kind, []).append(name)

    def _duplicate(self, kind: str, name: str, first: str, owner: str) -> None:
        duplicate = Duplicate(kind, name, kept=first, ignored=owner)
        self.duplicates.append(duplicate)
        message = duplicate.describe(self.plugins)
        log.warning("duplicate_name", kind=kind, name=name, plugins=[first, owner])
        for plugin in (first, owner):
            if plugin in self.plugins:
                self.plugins[plugin].warnings.append(message)
        if self._strict:
            raise PluginError(f"Strict mode: {message}")

    def collect(self) -> None:
        """Call every contribution hook now (listing and checks need it)."""
        self.backends, self.loaders, self.exporters  # noqa: B018 - collect

    def check(self) -> list[str]:
        """Every problem with the installed plugins, one sentence each.

        Failed and incompatible plugins and duplicate names; what
        ``proxima plugins check`` reports. Empty when all is well.
        """
        self.collect()
        problems = [
            f"{info.label} is {info.status}: {info.reason}."
            for info in self.plugins.values()
            if info.status in (FAILED, INCOMPATIBLE)
        ]
        problems += [d.describe(self.plugins) for d in self.duplicates]
        return problems

    @property
    def backends(self) -> dict[str, Backend]:
        """Every registered backend, by name."""
        return self._registry("proxima_register_backends", "backend")

    @property
    def loaders(self) -> dict[str, Any]:
        """Every registered circuit loader, by name, in registration order."""
        return self._registry("proxima_register_loaders", "loader")

    @property
    def exporters(self) -> dict[str, Any]:
        """Every registered report exporter, by name."""
        return self._registry("proxima_register_exporters", "exporter")

    # --- circuits ----------------------------------------------------------

    def load_circuit(self, spec: Any) -> Circuit:
        """Turn a path, a generator spec or a framework object into a Circuit."""
        if isinstance(spec, Circuit):
            return spec
        for loader in self.loaders.values():
            if loader.accepts(spec):
                circuit: Circuit = loader.load(spec)
                return circuit

        raise CircuitError(
            f"No installed loader accepts {spec!r} (a {type(spec).__name__}). "
            f"Pass an OpenQASM file path, a built-in spec such as ghz:5, or a "
            f"cirq or qiskit circuit with its Proxima plugin installed."
        )

    # --- running -----------------------------------------------------------

    def plan(self, request: Request) -> Plan:
        """Build the task DAG for ``request``; plugins may change it."""
        from proxima_kernel._plan import build_plan

        plan = build_plan(request)
        self.call_each("proxima_plan", plan=plan, request=request)
        plan.validate()

        log.info(
            "plan",
            tasks=len(plan),
            circuits=len(request.circuits),
            backends=list(request.backends),
        )
        return plan

    def run(
        self,
        circuits: Sequence[Any] | Any,
        *,
        backends: Sequence[str] | None = None,
        shots: int = 1024,
        seed: int | None = None,
        options: RunOptions | None = None,
        exporters: Sequence[str] = (),
        out_dir: str | None = None,
        progress: Callable[..., None] | None = None,
        max_workers: int = 1,
        execution: ExecutionOptions | None = None,
        cancel: threading.Event | None = None,
    ) -> Report:
        """Run circuits on backends and compare them; the one run path.

        :param circuits: one circuit spec or a list of them (paths, specs
            such as ``ghz:5``, cirq or qiskit circuits, Circuit objects).
        :param backends: backend names; None means every installed one.
        :param options: full run options; when given, ``shots`` and
            ``seed`` are ignored.
        :param exporters: exporter names to write into ``out_dir``.
        :param progress: called as ``progress("plan", None, total_runs)``
            once, then ``progress("start" | "done", task, result)`` around
            each backend run.
        :param max_workers: without ``execution``, more than 1 means
            PARALLEL with that many backends at once.
        :param execution: strategy, isolation, timeout and repeats (see
            :class:`~proxima_kernel.ExecutionOptions`).
        :param cancel: set it (from any thread) to stop the run.
        """
        from proxima_kernel._execute import execute
        from proxima_kernel._plan import Request
        from proxima_kernel._schedule import checked_execution

        if not isinstance(circuits, (list, tuple)):
            circuits = [circuits]
        if isinstance(backends, str):
            # "cirq" or "cirq,qiskit-aer", as on the command line; a bare
            # string would otherwise be read one letter at a time.
            backends = [name.strip() for name in backends.split(",")]
        options = options or RunOptions(shots=shots, seed=seed)
        if not isinstance(options, RunOptions):
            raise UsageError(
                f"options must be a RunOptions, got {type(options).__name__}; "
                f"build one with RunOptions(shots=..., seed=..., noise=...)."
            )
        if execution is not None and not isinstance(execution, ExecutionOptions):
            raise UsageError(
                f"execution must be an ExecutionOptions, got "
                f"{type(execution).__name__}; build one with "
                f"ExecutionOptions(strategy=..., timeout_per_backend=...)."
            )
        request = Request(
            circuits=list(circuits),
            backends=self._check_backends(backends),
            options=_check_options(options),
            exporters=self._check_exporters(exporters, out_dir),
            out_dir=out_dir,
            execution=checked_execution(execution, max_workers),
        )
        return execute(self, request, progress=progress, cancel=cancel)

    async def run_async(self, circuits: Any, **kwargs: Any) -> Report:
        """:meth:`run` in a worker thread, for asyncio applications."""
        import asyncio

        return await asyncio.to_thread(self.run, circuits, **kwargs)

    @property
    def workers(self) -> WorkerPool:
        """This kernel's worker processes, one per backend, reused by runs."""
        if self._workers is None:
            from proxima_kernel._worker import WorkerPool

            self._workers = WorkerPool()
        return self._workers

    def close(self) -> None:
        """Stop this kernel's worker processes (they restart when needed)."""
        if self._workers is not None:
            self._workers.close()

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_backends(self, names: Sequence[str] | None) -> tuple[str, ...]:
        installed = self.backends
        ambiguous = {d.name: d for d in self.duplicates if d.kind == "backend"}
        if names is None:
            # Run every backend whose name says which plugin it is.
            names = sorted(set(installed) - set(ambiguous))
        claimed = [ambiguous[n] for n in names if n in ambiguous]
        if claimed:
            raise UsageError(
                " ".join(
                    f"Two plugins claim the backend {d.name!r}: "
                    f"{d.describe(self.plugins)}"
                    for d in claimed
                )
            )
        unknown = [n for n in names if n not in installed]
        listed = ", ".join(sorted(installed)) or "none"
        held_back = [why for n in unknown if (why := self._held_back(n))]
        if held_back:
            raise UsageError(f"{' '.join(held_back)} Available backends: {listed}.")
        if unknown:
            raise UsageError(
                f"Unknown backend {', '.join(map(repr, unknown))}. Installed "
                f"backends: {listed}. Install a backend plugin (e.g. pip "
                f"install proxima-cirq) or check the spelling."
            )
        if not names:
            raise UsageError(
                f"No backend was selected. Installed backends: {listed}; "
                f"name some with --backends, or install a backend plugin, "
                f"e.g. pip install proxima-cirq."
            )
        return tuple(dict.fromkeys(names))

    def _held_back(self, name: str) -> str | None:
        """Why the plugin of the same name is not active, if it is not.

        A backend is usually named like its plugin; an inactive plugin
        registered nothing, so its backends look uninstalled.
        """
        info = self.plugins.get(name)
        if info is None or info.status == ACTIVE:
            return None

        return (
            f"The backend {name!r} is not available: the plugin {info.label} "
            f"is {info.status} ({info.reason})."
        )

    def _check_exporters(
        self, names: Sequence[str], out_dir: str | None
    ) -> tuple[str, ...]:
        unknown = [n for n in names if n not in self.exporters]
        if unknown:
            raise UsageError(
                f"Unknown exporter {', '.join(map(repr, unknown))}. Installed "
                f"exporters: {', '.join(sorted(self.exporters))}."
            )
        if names and out_dir is None:
            raise UsageError("Exporters need an output folder (out_dir).")
        if names:
            _check_writable_folder(str(out_dir))

        return tuple(names)


def _check_writable_folder(out_dir: str) -> None:
    """Make sure the reports can be written before any backend runs.

    A run that fails only at export would lose its results.
    """
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(
            f"The output folder {out_dir!r} cannot hold the report: "
            f"{exc.strerror or exc}. Choose a writable folder with --out "
            f"(or out_dir)."
        ) from None


#: Engines keep every shot in memory; more than this is a mistake.
MAX_SHOTS = 100_000_000
#: Seeds every engine accepts (cirq and numpy take 32-bit seeds).
MAX_SEED = 2**32 - 1


def _check_options(options: RunOptions) -> RunOptions:
    """Refuse options no backend can honour, before any work starts."""
    _check_whole("shots", options.shots)
    if options.seed is not None:
        _check_whole("seed", options.seed)
    if isinstance(options.noise, str):
        options = attrs.evolve(options, noise=NoiseModel.parse(options.noise))
    if not 1 <= options.shots <= MAX_SHOTS:
        raise UsageError(
            f"The number of shots (--shots) must be a whole number from 1 to "
            f"{MAX_SHOTS:,}, got "
            f"{options.shots}. Engines keep every shot in memory; for more "
            f"precision repeat the run with other seeds."
        )
    if options.seed is not None and not 0 <= options.seed <= MAX_SEED:
        raise UsageError(
            f"The seed (--seed) must be a whole number from 0 to {MAX_SEED} "
            f"(2^32 - 1), "
            f"the range every engine accepts; got {options.seed}."
        )
    limit = options.memory_limit_mb
    if limit is not None and not (math.isfinite(limit) and limit > 0):
        raise UsageError(
            f"The memory limit (memory_limit_mb, --memory-limit-mb) must be a "
            f"positive number of MiB, got {limit}."
        )
    if options.reference_max_qubits < 0:
        raise UsageError(
            f"The reference's qubit cap (reference_max_qubits, "
            f"--reference-max-qubits) must be 0 or more, got "
            f"{options.reference_max_qubits}; 0 turns the reference off."
        )

    return options


def _check_whole(name: str, value: Any) -> None:
    # bool is an int to Python, but True shots is a mistake.
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(
            f"The {name} (--{name}) must be a whole number, got "
            f"{type(value).__name__} {value!r}."
        )


def _installed_entry_points() -> list[Any]:
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def _is_builtin(point: Any) -> bool:
    """The kernel's own entry point, which autoload settings never skip."""
    return bool(point.value.startswith("proxima_kernel."))


def _reasons(names: Iterable[str] | Mapping[str, str], default: str) -> dict[str, str]:
    if isinstance(names, Mapping):
        return dict(names)
    return {name: default for name in names}
