"""Fake entry points, kernels built from them, and a reference backend."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from proxima_kernel import hookimpl
from proxima_kernel._backend import Backend, Conversion, Execution
from proxima_kernel._errors import UnsupportedCircuitError
from proxima_kernel._ir import Operation, Program, Register
from proxima_kernel._kernel import Kernel
from proxima_kernel._model import Circuit, Report, RunOptions


@attrs.frozen
class FakeDistribution:
    """The part of ``importlib.metadata.Distribution`` the kernel reads."""

    name: str = "fake-plugin"
    version: str = "0.0.0"
    requires: list[str] | None = None


@attrs.define
class FakeEntryPoint:
    """An entry point that hands over an object instead of importing one.

    ``load()`` returns ``plugin``, or raises ``error`` when one is given,
    as a broken module would at import.
    """

    name: str
    plugin: object = None
    error: BaseException | None = None
    value: str = "fake_plugin_module"
    dist: FakeDistribution | None = attrs.field(factory=FakeDistribution)
    group: str = "proxima"

    def load(self) -> object:
        if self.error is not None:
            raise self.error
        return self.plugin


def fake_entry_point(
    name: str,
    plugin: object = None,
    *,
    error: BaseException | None = None,
    distribution: str | None = None,
    version: str = "0.0.0",
    requires: Sequence[str] = (),
    module: str | None = None,
) -> FakeEntryPoint:
    """An entry point of the group ``proxima`` for tests.

    :param plugin: what loading it returns (a module, class or object
        with hook implementations).
    :param error: raise this from ``load()`` instead, like a module that
        fails at import.
    :param distribution: the distribution name shown in listings
        (default ``proxima-NAME``).
    :param requires: the distribution's ``Requires-Dist`` lines.
    :param module: the module path it pretends to load (default
        ``proxima_NAME``), used to tell a missing dependency from a
        plugin's own broken import.
    """
    dist = FakeDistribution(
        distribution or f"proxima-{name}", version, list(requires) or None
    )
    value = module or f"proxima_{name.replace('-', '_')}"
    return FakeEntryPoint(name, plugin, error, value, dist)


def make_kernel(
    *plugins: object,
    entry_points: Iterable[Any] = (),
    builtins: bool = True,
    **options: Any,
) -> Kernel:
    """A kernel that sees only the given plugins, never the installed ones.

    :param plugins: inline plugins, registered directly.
    :param entry_points: fake entry points, loaded like installed ones
        (with the block lists, API check and import guard).
    :param builtins: include the kernel's own plugin (loaders for QASM
        and ``ghz:5`` specs, the JSON exporter).
    :param options: passed to :class:`~proxima_kernel.Kernel` (``strict``,
        ``blocked``, ``allow``, ``trace``, ...).
    """
    points = list(entry_points)
    if builtins:
        from proxima_kernel import _builtins

        points.append(
            FakeEntryPoint(
                "builtins",
                _builtins,
                value="proxima_kernel._builtins",
                dist=FakeDistribution("proxima-kernel", _kernel_version()),
            )
        )
    return Kernel(plugins=plugins, entry_points=points, **options)


def program(
    num_qubits: int,
    num_clbits: int,
    *operations: Operation,
    cregs: tuple[Register, ...] | None = None,
) -> Program:
    """A program with registers ``q`` and ``c`` unless told otherwise."""
    if cregs is None:
        cregs = (Register("c", num_clbits, 0),) if num_clbits else ()
    qregs = (Register("q", num_qubits, 0),)
    return Program(num_qubits, num_clbits, tuple(operations), qregs, cregs)


class ReferenceBackend(Backend):
    """Samples the kernel's exact reference distribution.

    For testing analyzers, exporters and stores without any engine. It
    refuses what the reference cannot compute (reset, conditionals,
    mid-circuit measurement), as ``unsupported``. Seeded runs repeat.
    """

    name = "reference"
    method = "statevector"
    description = "the kernel's exact reference, sampled (for tests)"

    def engine_version(self) -> str:
        return _kernel_version()

    def unsupported_reason(
        self, program: Program, options: RunOptions | None = None
    ) -> str | None:
        features = program.features()
        if features:
            return f"the reference backend cannot run {', '.join(sorted(features))}"
        return None

    def convert(self, program: Program) -> Conversion:
        return Conversion(native=program, path=("reference",))

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        from proxima_kernel._reference import reference_distribution

        exact, why_not = reference_distribution(program, max_qubits=20)
        if exact is None:
            raise UnsupportedCircuitError(f"no exact reference: {why_not}")

        keys = sorted(exact)
        draws = random.Random(options.seed).choices(
            keys, weights=[exact[k] for k in keys], k=options.shots
        )
        counts: dict[str, int] = {}
        for key in draws:
            counts[key] = counts.get(key, 0) + 1
        return Execution(counts, dict(exact))


def sample_report(shots: int = 256, seed: int = 7) -> Report:
    """A real report: a Bell circuit run on :class:`ReferenceBackend`."""
    from proxima_kernel._ir import Gate, Measure

    prog = program(
        2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1)
    )
    circuit = Circuit("bell", "test", "bell", 2, 2, prog)
    kernel = make_kernel(backend_plugin(ReferenceBackend()), builtins=False)
    return kernel.run(circuit, backends=["reference"], shots=shots, seed=seed)


def backend_plugin(backend: Backend) -> object:
    """An inline plugin that contributes ``backend``."""
    return _Plugin(backend)


class _Plugin:
    """An inline plugin contributing one backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.__name__ = f"backend:{backend.name}"

    @hookimpl
    def proxima_register_backends(self, register: Any) -> None:
        register(self.backend)


def _kernel_version() -> str:
    from proxima_kernel import __version__

    return __version__
