"""The Kernel: owns a plugin manager, discovers plugins, runs requests.

There is no module-level state: two kernels in one process do not see each
other's plugins. Each entry point of the group ``proxima`` is loaded in its
own guarded step, and every hook implementation is called on its own, so a
plugin that raises is reported (see :attr:`Kernel.plugins`) and the others
go on. ``strict=True`` turns such failures into errors, for plugin authors
and CI.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import pluggy
import structlog

from proxima_kernel import hookspecs
from proxima_kernel._backend import Backend
from proxima_kernel._errors import CircuitError, PluginError, UsageError
from proxima_kernel._model import Circuit, ExecutionOptions, Report, RunOptions
from proxima_kernel._plan import Plan, Request, build_plan

if TYPE_CHECKING:
    from proxima_kernel._worker import WorkerPool

log = structlog.get_logger("proxima")

ENTRY_POINT_GROUP = "proxima"


@attrs.define
class PluginInfo:
    """What the kernel knows about one plugin.

    ``status`` is ``active``, ``blocked`` (the user turned it off) or
    ``failed`` (it raised at import or in a hook; ``reason`` says how).
    """

    name: str
    status: str = "active"
    reason: str | None = None
    distribution: str | None = None
    version: str | None = None
    import_time_ms: float | None = None
    contributes: list[str] = attrs.field(factory=list)


class Kernel:
    """A plugin host and the one path that runs circuits.

    :param plugins: plugin objects or modules to register besides the
        installed ones (tests pass inline plugins this way).
    :param load_entry_points: discover installed plugins (group
        ``proxima``); False gives a kernel with only ``plugins``.
    :param blocked: names of plugins not to load.
    :param strict: raise :class:`PluginError` instead of reporting a
        failing plugin.
    """

    def __init__(
        self,
        *,
        plugins: Iterable[object] = (),
        load_entry_points: bool = True,
        blocked: Iterable[str] = (),
        strict: bool = False,
    ) -> None:
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._strict = strict
        self._blocked = set(blocked)
        self.plugins: dict[str, PluginInfo] = {}
        self._registries: dict[str, dict[str, Any]] = {}
        self._workers: WorkerPool | None = None

        if load_entry_points:
            self._load_entry_points()
        for plugin in plugins:
            self.register(plugin)

    # --- plugins -----------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object or module; returns the name it got."""
        name = name or getattr(plugin, "__name__", None) or repr(plugin)
        if name in self._blocked:
            self.plugins[name] = PluginInfo(name, "blocked", "blocked by the user")
            return name
        self._pm.register(plugin, name=name)
        self.plugins.setdefault(name, PluginInfo(name))
        self._registries.clear()
        return name

    def _load_entry_points(self) -> None:
        points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
        for point in sorted(points, key=lambda p: p.name):
            self._load_entry_point(point)

    def _load_entry_point(self, point: importlib.metadata.EntryPoint) -> None:
        dist = point.dist
        info = PluginInfo(
            point.name,
            distribution=dist.name if dist else None,
            version=dist.version if dist else None,
        )
        self.plugins[point.name] = info
        if point.name in self._blocked:
            info.status, info.reason = "blocked", "blocked by the user"
            return

        started = time.perf_counter()
        try:
            plugin = point.load()
        except Exception as exc:  # noqa: BLE001 - isolate a broken plugin
            self._plugin_failed(info, f"failed to import: {_describe(exc)}", exc)
            return
        finally:
            info.import_time_ms = (time.perf_counter() - started) * 1000

        self._pm.register(plugin, name=point.name)

    def _plugin_failed(self, info: PluginInfo, reason: str, exc: BaseException) -> None:
        info.status, info.reason = "failed", reason
        log.error("plugin_failed", plugin=info.name, reason=reason)
        if self._strict:
            raise PluginError(
                f"The plugin {info.name!r} {reason}. Strict mode turns "
                f"plugin failures into errors; fix or uninstall the plugin, "
                f"or block it."
            ) from exc

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
        try:
            return impl.function(**args)
        except Exception as exc:  # noqa: BLE001 - isolate the plugin
            name = impl.plugin_name
            info = self.plugins.setdefault(name, PluginInfo(name))
            reason = f"raised in {hook_name}: {_describe(exc)}"
            if failures is not None:
                failures.append(f"The plugin {name!r} {reason}; it was skipped.")
            self._plugin_failed(info, reason, exc)
            # A plugin that broke a hook leaves the run: later hooks skip it.
            self._pm.unregister(name=name)
            return None

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
            first = found[name]._proxima_plugin
            log.warning("duplicate_name", kind=kind, name=name, plugins=[first, owner])
            if self._strict:
                raise PluginError(
                    f"Two plugins register the {kind} {name!r}: {first!r} and "
                    f"{owner!r}. Uninstall or block one of them."
                )
            return
        # Remember the owner for listings; a slotted item may refuse it.
        with contextlib.suppress(AttributeError):
            item._proxima_plugin = owner
        found[name] = item
        info = self.plugins.setdefault(owner, PluginInfo(owner))
        if kind not in info.contributes:
            info.contributes.append(kind)

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
        from proxima_kernel._schedule import checked_execution

        if not isinstance(circuits, (list, tuple)):
            circuits = [circuits]
        options = options or RunOptions(shots=shots, seed=seed)
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
        if names is None:
            names = sorted(installed)
        unknown = [n for n in names if n not in installed]
        if unknown:
            raise UsageError(
                f"Unknown backend {', '.join(map(repr, unknown))}. Installed "
                f"backends: {', '.join(sorted(installed)) or 'none'}. Install "
                f"a backend plugin (e.g. pip install proxima-cirq) or check "
                f"the spelling."
            )
        if not names:
            raise UsageError(
                "No backend is installed or selected. Install a backend "
                "plugin, e.g. pip install proxima-cirq."
            )
        return tuple(dict.fromkeys(names))

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
        return tuple(names)


def _check_options(options: RunOptions) -> RunOptions:
    if options.shots < 1:
        raise UsageError(
            f"shots must be a positive number of samples, got {options.shots}."
        )
    return options


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
