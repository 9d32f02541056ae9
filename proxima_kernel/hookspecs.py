"""Every hook a Proxima plugin can implement, grouped by phase.

A plugin is any module or object with functions named like the specs below
and marked with :data:`proxima_kernel.hookimpl`. Hooks are always called
with keyword arguments, and an implementation may accept only the subset it
needs, so adding an argument to a spec never breaks a plugin.

Contribution hooks are named ``proxima_register_*`` and receive a
``register`` callback. Lifecycle hooks come in ``before_* / after_* /
on_*_error`` triplets that share their arguments.

docs/hooks.md has one entry per hook; a test keeps it in step with these
specs. Every hook exists since kernel API 1.0.

Phases: planning (backends, loaders, the plan), execution (each backend
run), analysis (insights), export (exporters) and sessions (start, end).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from proxima_kernel._backend import Backend
    from proxima_kernel._model import (
        BackendResult,
        Circuit,
        CircuitReport,
        Insight,
        Report,
        RunOptions,
    )
    from proxima_kernel._plan import Plan, Request, Task
    from proxima_kernel._session import Session

PROJECT = "proxima"

hookspec = pluggy.HookspecMarker(PROJECT)


# --- planning ----------------------------------------------------------------


@hookspec
def proxima_register_backends(register: Callable[[Backend], None]) -> None:
    """Contribute simulator backends.

    Call ``register(backend)`` once per :class:`~proxima_kernel.Backend`
    instance. Construct the instance cheaply: import the engine inside its
    methods, not at module or constructor level, so that listing backends
    never imports a simulator.

    :param register: adds one backend; a second backend with a name already
        taken is reported as a duplicate and ignored.
    :return: ignored. Every plugin's implementation is called.
    """


@hookspec
def proxima_register_loaders(register: Callable[[Any], None]) -> None:
    """Contribute circuit loaders: ways to turn a spec into a Circuit.

    A loader has a ``name``, ``accepts(spec) -> bool`` and
    ``load(spec) -> Circuit``. ``spec`` is what the user handed over: a
    path, a string such as ``ghz:5``, or a framework circuit object. The
    first loader that accepts a spec loads it, in registration order, so
    a plugin may add formats but the built-ins keep their meaning.

    :param register: adds one loader.
    :return: ignored. Every plugin's implementation is called.
    """


@hookspec
def proxima_plan(plan: Plan, request: Request) -> None:
    """Inspect or change the plan before it runs.

    The kernel has built the task graph (load, convert and run per backend,
    analyse, export) from ``request``. An implementation may add tasks with
    ``plan.add_task`` (give a task an ``action`` callable to run custom
    work), add dependencies, or drop tasks. The plan is validated again
    after every implementation has run: it must stay acyclic.

    :param plan: the task graph about to run.
    :param request: what the user asked for (circuits, backends, options).
    :return: ignored. Every plugin's implementation is called.
    """


# --- execution ---------------------------------------------------------------


@hookspec
def proxima_before_backend_run(
    task: Task, backend: Backend, circuit: Circuit, options: RunOptions
) -> None:
    """Called just before a backend runs a circuit.

    :param task: the plan's run task.
    :param backend: the backend about to run.
    :param circuit: the loaded circuit.
    :param options: shots, seed and the other run options.
    :return: ignored. Every plugin's implementation is called.
    """


@hookspec
def proxima_after_backend_run(
    task: Task,
    backend: Backend,
    circuit: Circuit,
    options: RunOptions,
    result: BackendResult,
) -> None:
    """Called after a backend run ended, whatever its status.

    :param result: the run's result; its status is ``ok``, ``failed`` or
        ``unsupported``. An implementation may add to ``result.details``.
    :return: ignored. Every plugin's implementation is called.
    """


@hookspec
def proxima_on_backend_run_error(
    task: Task,
    backend: Backend,
    circuit: Circuit,
    options: RunOptions,
    error: BaseException,
) -> None:
    """Called when a backend raised; the run is then recorded as failed.

    Also called when the backend's worker process died, timed out or was
    cancelled; ``error`` is then a :class:`~proxima_kernel.BackendRunError`
    whose message is the result's reason. An exception raised in a worker
    arrives without its traceback.

    :param error: the exception the backend raised.
    :return: ignored. Every plugin's implementation is called.
    """


# --- analysis ----------------------------------------------------------------


@hookspec
def proxima_analyze(report: CircuitReport) -> list[Insight] | None:
    """Contribute insights about one circuit's results.

    Called once per circuit after every backend ran and the comparison with
    the reference (verdicts, matrices, recommendation) was made. An
    implementation that raises is recorded in ``report.analysis_errors``
    and unregistered; the results and the other insights stay.

    :param report: the circuit, its results per backend and the comparison.
    :return: a list of :class:`~proxima_kernel.Insight`, or None. Every
        plugin's implementation is called and the lists are concatenated.
    """


# --- export ------------------------------------------------------------------


@hookspec
def proxima_register_exporters(register: Callable[[Any], None]) -> None:
    """Contribute report exporters.

    An exporter has a ``name`` (``json``), a ``suffix`` (``.json``) and
    ``export(report, path) -> None``, which writes the whole report to
    ``path``. The built-in JSON exporter is registered through this hook.

    :param register: adds one exporter.
    :return: ignored. Every plugin's implementation is called.
    """


# --- sessions ----------------------------------------------------------------


@hookspec
def proxima_session_start(session: Session) -> None:
    """Called when a session starts, before anything is planned.

    :param session: the session's id, start time and request.
    :return: ignored. Every plugin's implementation is called.
    """


@hookspec
def proxima_session_end(session: Session, report: Report | None) -> None:
    """Called when a session ends, whether or not the run succeeded.

    :param session: the session, with its end time set.
    :param report: the finished report, or None when the run was stopped
        before a report existed.
    :return: ignored. Every plugin's implementation is called.
    """
