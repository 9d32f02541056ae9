"""Fake entry points, kernels built from them, and a reference backend."""

from __future__ import annotations

import concurrent.futures
import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
import pytest

from proxima_kernel import hookimpl
from proxima_kernel._backend import Backend, Conversion, Execution
from proxima_kernel._errors import UnsupportedCircuitError
from proxima_kernel._ir import Operation, Program, Register
from proxima_kernel._kernel import Kernel
from proxima_kernel._model import Circuit, Report, RunOptions
from proxima_kernel._worker import BackendThread


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


def execute(backend: Backend, prog: Program, **options: Any) -> Execution:
    """Convert and execute ``prog`` on ``backend`` as the kernel would.

    Calls the backend's own methods, without the kernel around them, so
    a test sees the :class:`~proxima_kernel.Execution` as the engine
    returned it (counts, probabilities, details). The backend must
    accept the program: a reason from ``unsupported_reason`` fails the
    test. ``options`` go to :class:`~proxima_kernel.RunOptions`;
    ``shots`` defaults to 2000 and ``seed`` to 11.
    """
    options.setdefault("shots", 2000)
    options.setdefault("seed", 11)
    run_options = RunOptions(**options)
    reason = backend.unsupported_reason(prog, run_options)
    assert reason is None, f"{backend.name} refused the program: {reason}"

    def convert_and_execute() -> Execution:
        conversion = backend.convert(prog)
        return backend.execute(conversion.native, prog, run_options)

    return call_with_deadline(backend, convert_and_execute)


#: How long one call of the kit may take before its backend counts as hung.
CALL_TIMEOUT_S = 30.0

#: Backends that hung once in this session: later calls fail at once.
_hung: set[str] = set()
#: The thread each backend's direct calls run on (see BackendThread).
_threads: dict[str, BackendThread] = {}


def call_with_deadline(backend: Backend, call: Callable[[], Any]) -> Any:
    """``call()`` on the backend's own thread, failing the test at the deadline.

    A backend that never returns cannot be stopped in this process: the
    test fails after ``CALL_TIMEOUT_S``, and every later call to the same
    backend fails at once instead of waiting again.
    """
    fail_if_hung(backend.name)
    thread = _threads.get(backend.name)
    if thread is None:
        thread = _threads[backend.name] = BackendThread(f"kit-{backend.name}")

    future = thread.submit(call)
    try:
        return future.result(timeout=CALL_TIMEOUT_S)
    except concurrent.futures.TimeoutError:
        mark_hung(backend.name)
        pytest.fail(
            f"{backend.name} did not return within {CALL_TIMEOUT_S:g} s on a "
            f"small circuit; the kit stops waiting, and fails its other "
            f"calls to {backend.name} at once.",
            pytrace=False,
        )


def fail_if_hung(name: str) -> None:
    """Fail at once when the backend ``name`` hung earlier in the session."""
    if name in _hung:
        pytest.fail(
            f"{name} hung on an earlier call of the kit (see the first "
            f"failure); this test is not run.",
            pytrace=False,
        )


def mark_hung(name: str) -> None:
    """Record that ``name`` hung, so later calls fail at once."""
    _hung.add(name)


def kraus_operators(kind: str, p: float) -> list[Any]:
    """The Kraus operators of a one-qubit channel, as the kernel defines it.

    Written from the conventions in :mod:`proxima_kernel._noise` (see
    :class:`~proxima_kernel.NoiseModel`), for checking a plugin's noise
    translation against an analytic answer. ``kind`` is one of
    ``depolarizing``, ``amplitude_damping``, ``phase_damping``,
    ``bit_flip`` and ``phase_flip``; ``p`` is its parameter.
    """
    import numpy as np

    identity = np.eye(2, dtype=complex)
    x = np.array([[0, 1], [1, 0]], dtype=complex)
    y = np.array([[0, -1j], [1j, 0]], dtype=complex)
    z = np.array([[1, 0], [0, -1]], dtype=complex)
    kept = np.array([[1, 0], [0, math.sqrt(1 - p)]])

    if kind == "depolarizing":
        paulis = [math.sqrt(p / 3) * pauli for pauli in (x, y, z)]
        return [math.sqrt(1 - p) * identity, *paulis]
    if kind == "amplitude_damping":
        return [kept, np.array([[0, math.sqrt(p)], [0, 0]])]
    if kind == "phase_damping":
        return [kept, np.array([[0, 0], [0, math.sqrt(p)]])]
    if kind == "bit_flip":
        return [math.sqrt(1 - p) * identity, math.sqrt(p) * x]
    if kind == "phase_flip":
        return [math.sqrt(1 - p) * identity, math.sqrt(p) * z]

    message = f"{kind!r} is not a one-qubit channel kind of the kernel."
    raise ValueError(message)


def apply_kraus(rho: Any, kraus: Iterable[Any]) -> Any:
    """The channel with Kraus operators ``kraus`` applied to ``rho``."""
    return sum(k @ rho @ k.conj().T for k in kraus)


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
