"""The ``proxima`` command line.

Exit codes (also in ``proxima --help`` and docs/cli.md):

====  =========================================================
0     success: at least one backend run succeeded
1     internal error: a bug in Proxima or a plugin (please report it)
2     usage error: an unknown option, backend or exporter
3     input error: a circuit file is missing or is not valid OpenQASM
4     every backend run failed or was refused
5     a plugin is broken or incompatible (``proxima plugins check``, or
      any command in strict mode)
130   interrupted (Ctrl-C)
====  =========================================================

Global options select plugins for one invocation: ``-p no:NAME`` blocks
NAME, ``--strict`` turns plugin failures into errors and ``--trace`` logs
every hook call. docs/configuration.md lists the config files and
environment variables that do the same persistently.

A user's mistake never shows a Python traceback; set ``PROXIMA_DEBUG=1``
to see one for an internal error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from proxima_kernel._errors import (
    CircuitError,
    PluginError,
    ProximaError,
    UsageError,
)

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_ALL_FAILED = 4
EXIT_PLUGIN_PROBLEMS = 5
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """\b
Exit codes:
  0    success (at least one backend run succeeded)
  1    internal error (a bug; PROXIMA_DEBUG=1 shows the traceback)
  2    usage error (unknown option, backend or exporter)
  3    input error (missing or malformed circuit file)
  4    every backend run failed or was refused
  5    a broken or incompatible plugin (plugins check, strict mode)
  130  interrupted
"""


class _Group(click.Group):
    """Turns Proxima's errors into one clear paragraph and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            _fail(str(exc), EXIT_USAGE)
        except CircuitError as exc:
            _fail(str(exc), EXIT_INPUT)
        except PluginError as exc:
            _fail(str(exc), EXIT_PLUGIN_PROBLEMS)
        except ProximaError as exc:
            _fail(str(exc), EXIT_INTERNAL)
        except KeyboardInterrupt:
            _fail("Interrupted; nothing more was run.", EXIT_INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence
            if os.environ.get("PROXIMA_DEBUG"):
                raise
            _fail(
                f"Internal error: {type(exc).__name__}: {exc}. This is a bug "
                f"in Proxima or one of its plugins; run again with "
                f"PROXIMA_DEBUG=1 to see the traceback, and report it.",
                EXIT_INTERNAL,
            )


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group(cls=_Group, epilog=EXIT_CODES_HELP)
@click.version_option(package_name="proxima-kernel", prog_name="proxima")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.option(
    "-p",
    "plugin_options",
    multiple=True,
    metavar="no:NAME",
    help="Block the plugin NAME for this invocation (repeatable).",
)
@click.option(
    "--strict",
    is_flag=True,
    default=None,
    help="Fail on a broken plugin instead of reporting it (PROXIMA_STRICT=1).",
)
@click.option(
    "--trace",
    is_flag=True,
    default=None,
    help="Log every plugin hook call (PROXIMA_TRACE=1).",
)
@click.pass_context
def main(
    ctx: click.Context,
    verbose: int,
    plugin_options: tuple[str, ...],
    strict: bool | None,
    trace: bool | None,
) -> None:
    """Run quantum circuits on many simulators and compare them."""
    ctx.obj = {
        "verbose": verbose,
        "plugin_options": plugin_options,
        "strict": strict,
        "trace": trace,
    }
    # Logging is set up before the first event, not here: a listing that
    # logs nothing then never imports structlog (see proxima_kernel._log).
    from proxima_kernel import _log

    _log.configure_before_first_event(lambda: _configure_logging(verbose))
    ctx.call_on_close(_log.forget_configuration)


def _configure_logging(verbose: int, trace: bool = False) -> None:
    import logging

    import structlog

    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    if trace:
        level = min(level, logging.INFO)
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def _config() -> Any:
    """The merged config of this invocation (files, env vars, flags)."""
    from proxima_kernel._config import load_config

    obj = click.get_current_context().find_root().obj or {}
    return load_config(
        strict=obj.get("strict"),
        trace=obj.get("trace"),
        plugin_options=obj.get("plugin_options", ()),
    )


def _kernel(*, lazy_logging: bool = False) -> Any:
    """A kernel set up by this invocation's config.

    Logging is configured now unless ``lazy_logging``: a run logs through
    modules that do not wait for the first event.
    """
    from proxima_kernel import _log
    from proxima_kernel._kernel import Kernel

    config = _config()
    obj = click.get_current_context().find_root().obj or {}
    if config.trace.value:
        _log.forget_configuration()
        _configure_logging(obj.get("verbose", 0), trace=True)
    elif not lazy_logging:
        _log.configure_now()
    return Kernel.from_config(config)


def _csv(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _execution_options(command: Any) -> Any:
    """The options of strategy, isolation, timeout and repeats."""
    options = [
        click.option(
            "--strategy",
            type=click.Choice(["sequential", "parallel", "adaptive"]),
            default="adaptive",
            show_default=True,
            help="Run backends one at a time, side by side, or decide from "
            "their memory estimates.",
        ),
        click.option(
            "--max-concurrent",
            type=click.IntRange(min=1),
            default=2,
            show_default=True,
            help="Most backends running at once (parallel, adaptive).",
        ),
        click.option(
            "--timeout-per-backend",
            type=click.FloatRange(min=0, min_open=True),
            help="Seconds one backend may take on one circuit; then its "
            "worker is killed.",
        ),
        click.option(
            "--memory-threshold-mb",
            type=click.FloatRange(min=0, min_open=True),
            help="Memory parallel runs may need together (adaptive; "
            "default: free memory).",
        ),
        click.option(
            "--runs",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Timed runs per backend (median, min and max are shown).",
        ),
        click.option(
            "--warmup",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="Untimed runs per backend before the timed ones.",
        ),
        click.option(
            "--in-process",
            is_flag=True,
            help="Run every backend in this process instead of a worker.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _execution(
    strategy: str,
    max_concurrent: int,
    timeout_per_backend: float | None,
    memory_threshold_mb: float | None,
    runs: int,
    warmup: int,
    in_process: bool,
) -> Any:
    from proxima_kernel._model import ExecutionOptions, ExecutionStrategy

    return ExecutionOptions(
        strategy=ExecutionStrategy(strategy),
        max_concurrent=max_concurrent,
        timeout_per_backend=timeout_per_backend,
        memory_threshold_mb=memory_threshold_mb,
        runs=runs,
        warmup=warmup,
        in_process=in_process,
    )


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("circuits", nargs=-1, required=True)
@click.option(
    "-b",
    "--backends",
    help="Comma-separated backend names (default: every installed backend).",
)
@click.option("--shots", default=1024, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", type=int, help="Seed for repeatable sampling.")
@click.option(
    "--out",
    "out_dir",
    default="proxima-out",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for report.json (and other exports).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the report as JSON on stdout."
)
@click.option("--export", "exports", help="Extra exporters, comma-separated.")
@click.option("--noise", help="Noise for every backend, e.g. depolarizing:0.001.")
@click.option(
    "--memory-limit-mb",
    type=float,
    help="Refuse a backend whose state needs more (default: 90% of free memory).",
)
@click.option(
    "--reference-max-qubits",
    default=20,
    show_default=True,
    help="Largest circuit the exact reference is computed for.",
)
@_execution_options
def run(
    circuits: Sequence[str],
    backends: str | None,
    shots: int,
    seed: int | None,
    out_dir: str,
    as_json: bool,
    exports: str | None,
    noise: str | None,
    memory_limit_mb: float | None,
    reference_max_qubits: int,
    **execution: Any,
) -> None:
    """Run CIRCUITS (OpenQASM files or specs such as ghz:5, qft:4,
    random:5:10:7) on the backends and compare them with the exact
    reference.

    \b
    Examples:
      proxima run examples/circuits/qasmbench/*.qasm --shots 4096 --seed 7
      proxima run ghz:5 --backends cirq,qiskit-aer --json
    """
    from proxima_kernel._model import RunOptions, converter
    from proxima_kernel._noise import NoiseModel

    kernel = _kernel()
    options = RunOptions(
        shots=shots,
        seed=seed,
        reference_max_qubits=reference_max_qubits,
        memory_limit_mb=memory_limit_mb,
        noise=NoiseModel.parse(noise) if noise else None,
    )
    exporters = ["json", *(_csv(exports) or [])]

    with kernel, _Progress(enabled=not as_json) as progress:
        report = kernel.run(
            list(circuits),
            backends=_csv(backends),
            options=options,
            exporters=list(dict.fromkeys(exporters)),
            out_dir=out_dir,
            progress=progress,
            execution=_execution(**execution),
        )

    if as_json:
        click.echo(json.dumps(converter.unstructure(report), indent=2))
    else:
        _print_tables(report, out_dir)
    if report.all_failed():
        _fail(
            "Every backend run failed or was refused; see the reasons above.",
            EXIT_ALL_FAILED,
        )


class _Progress:
    """A rich progress bar over backend runs, on stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def __call__(self, event: str, task: Any, result: Any) -> None:
        if self._bar is None:
            return
        if event == "plan":
            self._task = self._bar.add_task("planning", total=result)
        elif event == "start":
            label = f"circuit {task.circuit} on {task.backend}"
            self._bar.update(self._task, description=f"running {label}")
        else:
            self._bar.advance(self._task)


def _print_tables(report: Any, out_dir: str) -> None:
    from rich.console import Console

    console = Console()
    for circuit_report in report.circuits:
        console.print(_circuit_table(circuit_report))
        for name, result in circuit_report.results.items():
            if not result.ok:
                console.print(f"  {name} {result.status.value}: {result.reason}")
        comparison = circuit_report.comparison
        if comparison.reference is None:
            console.print(f"  no reference: {comparison.reference_reason}")
            _print_pairs(console, comparison)
        _print_findings(console, circuit_report)
        console.print()
    if report.execution is not None:
        console.print(f"Strategy: {report.execution.reason}")
    console.print(f"Report written to {os.path.join(out_dir, 'report.json')}")


def _print_pairs(console: Any, comparison: Any) -> None:
    """Without a reference, the backends can still be judged pairwise."""
    for pair in comparison.pairwise:
        verdict = pair.verdict
        p_value = "" if verdict.p_value is None else f", p = {verdict.p_value:.2g}"
        console.print(
            f"  {pair.first} vs {pair.second}: {verdict.agreement.value}"
            f"{p_value} (TVD {_num(pair.tvd, '.3f')})"
        )


def _print_findings(console: Any, circuit_report: Any) -> None:
    recommendation = circuit_report.comparison.recommendation
    if recommendation.reasons:
        # The chosen backend comes first; when there is none, the last
        # reason says why (each backend's own stands in the report).
        chosen = recommendation.backend is not None
        console.print(f"  {recommendation.reasons[0 if chosen else -1]}")
    for problem in circuit_report.analysis_errors:
        console.print(f"  [yellow]analysis:[/yellow] {problem}")


#: Times are the median (min-max) of the timed runs in ms; memory is the
#: worker's peak resident set in MiB; p is the chi-square verdict's p-value.
_COLUMNS = ("backend", "status", "ms", "MiB", "TVD", "Hell. F", "p", "verdict")


def _circuit_table(circuit_report: Any) -> Any:
    """One row per backend; the reasons of failures follow the table."""
    from rich.table import Table

    circuit = circuit_report.circuit
    table = Table(
        title=f"{circuit.name} ({_count(circuit.num_qubits, 'qubit')}, "
        f"{_count(circuit.num_clbits, 'bit')})",
        title_justify="left",
    )
    for header in _COLUMNS:
        table.add_column(header, no_wrap=True, overflow="fold")
    for name, result in circuit_report.results.items():
        metrics = circuit_report.comparison.per_backend.get(name)
        table.add_row(
            name,
            _status(result.status.value),
            _times(result),
            _num(result.peak_memory_mb, ".1f"),
            _num(metrics and metrics.tvd, ".3f"),
            _num(metrics and metrics.hellinger_fidelity, ".3f"),
            _num(metrics and metrics.verdict.p_value, ".2g"),
            _verdict(metrics),
        )

    return table


def _times(result: Any) -> str:
    median = _num(result.execution_time_ms, ".1f")
    if result.runs > 1:
        return f"{median} ({result.time_min_ms:.0f}-{result.time_max_ms:.0f})"
    return median


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _status(value: str) -> str:
    colour = {
        "ok": "green",
        "failed": "red",
        "unsupported": "yellow",
        "timeout": "red",
        "cancelled": "yellow",
    }[value]
    return f"[{colour}]{value}[/{colour}]"


def _num(value: float | None, spec: str) -> str:
    return "N/A" if value is None else format(value, spec)


def _verdict(metrics: Any) -> str:
    """The agreement verdict against the reference (see docs/execution.md)."""
    agrees = None if metrics is None else metrics.verdict.agrees
    if agrees is None:
        return "N/A"
    return "agrees" if agrees else "[red]DIFFERS[/red]"


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def backends(as_json: bool) -> None:
    """List the installed backends (without importing their engines)."""
    kernel = _kernel(lazy_logging=True)
    rows = []
    for name, backend in sorted(kernel.backends.items()):
        owner = getattr(backend, "_proxima_plugin", None)
        info = kernel.plugins.get(owner)
        rows.append(
            {
                "name": name,
                "method": backend.method,
                "plugin": owner,
                "distribution": info and info.distribution,
                "version": info and info.version,
                "description": backend.description,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    _echo_columns(
        [
            [
                row["name"],
                row["method"],
                f"{row['distribution'] or '-'} {row['version'] or ''}",
                row["description"],
            ]
            for row in rows
        ]
    )


def _echo_columns(rows: list[list[str]]) -> None:
    """Rows as left-aligned columns as wide as their widest cell."""
    if not rows:
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[-1]]).rstrip())


@main.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--timings", is_flag=True, help="Show each plugin's import time.")
@click.option("--hooks", is_flag=True, help="Show the hooks each plugin implements.")
@click.pass_context
def plugins(ctx: click.Context, as_json: bool, timings: bool, hooks: bool) -> None:
    """List the plugins with their status (without importing engines).

    \b
    Statuses: active, disabled (config file), blocked (this invocation:
    -p no:NAME, allowlist, autoload off), incompatible (kernel API range),
    failed (import error, missing dependency, raised in a hook).
    """
    if ctx.invoked_subcommand is not None:
        return
    import attrs

    kernel = _kernel(lazy_logging=True)
    kernel.collect()
    rows = [attrs.asdict(info) for info in kernel.plugins.values()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(_plugin_line(row, timings, hooks))


def _plugin_line(row: dict[str, Any], timings: bool, hooks: bool) -> str:
    line = (
        f"{row['name']:<14} {row['status']:<12} "
        f"{row['distribution'] or '-'} {row['version'] or ''} "
        f"[{', '.join(row['contributes'])}]"
    )
    if timings:
        took = row["import_time_ms"]
        line += "  import " + ("-" if took is None else f"{took:.1f} ms")
    if hooks and row["hooks"]:
        line += f"\n    hooks: {', '.join(row['hooks'])}"
    if row["reason"]:
        line += f"\n    {row['reason']}"
    for warning in row["warnings"]:
        line += f"\n    warning: {warning}"
    return line


@plugins.command("check")
def plugins_check() -> None:
    """Report every broken, incompatible or duplicate plugin (exit 5)."""
    kernel = _kernel(lazy_logging=True)
    problems = kernel.check()
    undeclared = [
        name
        for name, info in kernel.plugins.items()
        if info.status == "active" and info.api is None and info.distribution
    ]
    for name in undeclared:
        click.echo(f"note: {name!r} declares no PROXIMA_API range.")
    if not problems:
        click.echo(f"{len(kernel.plugins)} plugins checked; no problems.")
        return

    for problem in problems:
        click.echo(f"problem: {problem}")
    _fail(f"{len(problems)} plugin problem(s) found.", EXIT_PLUGIN_PROBLEMS)


@plugins.command("disable")
@click.argument("name")
@click.option(
    "--project",
    is_flag=True,
    help="Write ./proxima.toml instead of the user config file.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Disable a name no installed plugin has (e.g. before installing it).",
)
def plugins_disable(name: str, project: bool, force: bool) -> None:
    """Turn the plugin NAME off persistently (in a config file)."""
    installed = _installed_plugin_names()
    if name not in installed and not force:
        _fail(
            f"No installed plugin is named {name!r}, so nothing was written. "
            f"Installed plugins: {', '.join(sorted(installed)) or 'none'}. "
            f"Check the spelling, or pass --force to disable it before it is "
            f"installed.",
            EXIT_USAGE,
        )
    _set_disabled(name, project, disabled=True)


@plugins.command("enable")
@click.argument("name")
@click.option(
    "--project",
    is_flag=True,
    help="Write ./proxima.toml instead of the user config file.",
)
def plugins_enable(name: str, project: bool) -> None:
    """Turn the plugin NAME back on (undoes plugins disable)."""
    _set_disabled(name, project, disabled=False)


def _installed_plugin_names() -> set[str]:
    """Names of the installed plugins' entry points, none of them loaded."""
    import importlib.metadata

    return {point.name for point in importlib.metadata.entry_points(group="proxima")}


def _set_disabled(name: str, project: bool, *, disabled: bool) -> None:
    """Edit a config file without loading any plugin, broken ones included."""
    from pathlib import Path

    from proxima_kernel._config import set_disabled, user_config_path

    path = Path("proxima.toml") if project else user_config_path()
    changed = set_disabled(path, name, disabled)
    verb = "disabled" if disabled else "enabled"
    click.echo(f"{name} {verb} in {path}" + ("" if changed else " (no change)"))

    if name not in _installed_plugin_names():
        click.echo(f"note: no installed plugin is named {name!r}.")
    still = _config().disabled.get(name)
    if not disabled and still:
        click.echo(f"note: {name} is still disabled in {still}.")


@main.group()
def config() -> None:
    """Show the merged configuration."""


@config.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def config_show(as_json: bool) -> None:
    """Print every setting, its value and the source that set it."""
    merged = _config()
    rows = merged.as_rows()
    files = {
        "user_file": str(merged.user_file),
        "project_file": merged.project_file and str(merged.project_file),
    }
    if as_json:
        click.echo(json.dumps({"files": files, "settings": rows}, indent=2))
        return
    click.echo(f"user file:    {files['user_file']}")
    click.echo(f"project file: {files['project_file'] or '(none found)'}")
    for row in rows:
        click.echo(f"{row['key']:<18} {json.dumps(row['value']):<24} {row['source']}")
