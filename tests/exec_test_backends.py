"""Test-only backends for the execution and comparison tests.

They live in an importable module so that a worker process can rebuild
them by pickling (the class is found by module and name). Register the
module itself as a plugin: ``Kernel(plugins=[exec_test_backends])``.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable
from typing import Any, ClassVar

from proxima_kernel import Backend, Conversion, Execution, Program, RunOptions, hookimpl
from proxima_kernel._reference import final_state, outcome_distribution


class ExactSampler(Backend):
    """Samples the exact distribution with numpy; hands over the state."""

    name: ClassVar[str] = "exact-sampler"

    def engine_version(self) -> str:
        import numpy

        return numpy.__version__

    def convert(self, program: Program) -> Conversion:
        return Conversion(native=program, path=("test-program",))

    def distribution(self, program: Program) -> dict[str, float]:
        return outcome_distribution(final_state(program), program)

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        import numpy as np

        distribution = self.distribution(program)
        keys = sorted(distribution)
        weights = np.array([distribution[k] for k in keys])
        rng = np.random.default_rng(options.seed)
        drawn = rng.multinomial(options.shots, weights / weights.sum())
        counts = {k: int(n) for k, n in zip(keys, drawn, strict=True) if n}
        return Execution(counts, state=final_state(program))


class ShiftedSampler(ExactSampler):
    """Moves 5 % of the probability from the likeliest outcome to another."""

    name: ClassVar[str] = "shifted"
    shift: ClassVar[float] = 0.05

    def distribution(self, program: Program) -> dict[str, float]:
        distribution = super().distribution(program)
        ordered = sorted(distribution, key=lambda k: (-distribution[k], k))
        first = ordered[0]
        second = ordered[1] if len(ordered) > 1 else _flip_last(first)
        distribution[first] -= self.shift
        distribution[second] = distribution.get(second, 0.0) + self.shift
        return distribution

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        execution = super().execute(native, program, options)
        execution.state = None
        return execution


class EmptyBackend(ExactSampler):
    """Succeeds with no counts at all."""

    name: ClassVar[str] = "empty"

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        return Execution({})


class NoopBackend(ExactSampler):
    """Returns all zeros at once; safe to run in-process."""

    name: ClassVar[str] = "noop"
    in_process_safe: ClassVar[bool] = True

    def engine_version(self) -> str:
        return "0"

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        return Execution({"0" * program.num_clbits: options.shots})


class HangingBackend(NoopBackend):
    """Never returns."""

    name: ClassVar[str] = "hangs"
    in_process_safe: ClassVar[bool] = False

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        while True:
            time.sleep(1)


class AbortingBackend(NoopBackend):
    """Kills its own process with SIGABRT, as a crashing engine would."""

    name: ClassVar[str] = "aborts"
    in_process_safe: ClassVar[bool] = False

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        os.abort()


class MemoryHog(NoopBackend):
    """Caps its address space (RLIMIT_AS), then allocates until it fails."""

    name: ClassVar[str] = "hog"
    in_process_safe: ClassVar[bool] = False
    headroom: ClassVar[int] = 256 * 2**20

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + self.headroom,) * 2)
        hoard = []
        while True:
            hoard.append(bytearray(32 * 2**20))


class AllocatingBackend(NoopBackend):
    """Touches ``backend_options['alloc']['mib']`` MiB, then lets them go."""

    name: ClassVar[str] = "alloc"
    in_process_safe: ClassVar[bool] = False

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        mib = options.backend_options.get("alloc", {}).get("mib", 0)
        block = bytearray(mib * 2**20)
        block[::4096] = b"x" * len(block[::4096])
        del block
        return super().execute(native, program, options)


class SleepyBackend(NoopBackend):
    """Sleeps ``options.backend_options['sleepy']['seconds']`` (default 0.2)."""

    name: ClassVar[str] = "sleepy"
    in_process_safe: ClassVar[bool] = False

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        time.sleep(options.backend_options.get("sleepy", {}).get("seconds", 0.2))
        return NoopBackend.execute(self, native, program, options)


class SleepyTwin(SleepyBackend):
    """A second sleeper, so that two can run side by side."""

    name: ClassVar[str] = "sleepy-twin"

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        time.sleep(options.backend_options.get("sleepy", {}).get("seconds", 0.2))
        return NoopBackend.execute(self, native, program, options)


class BusyBackend(NoopBackend):
    """Burns CPU for ``iterations`` loop turns (a balanced CPU-bound load)."""

    name: ClassVar[str] = "busy"
    in_process_safe: ClassVar[bool] = False
    default_iterations: ClassVar[int] = 3_000_000

    def execute(self, native: Any, program: Program, options: RunOptions) -> Execution:
        turns = options.backend_options.get("busy", {}).get(
            "iterations", self.default_iterations
        )
        total = 0
        for i in range(turns):
            total += i * i % 7
        return super().execute(native, program, options)


class BusyTwin(BusyBackend):
    """A second, identical CPU-bound backend."""

    name: ClassVar[str] = "busy-twin"


def _flip_last(key: str) -> str:
    return key[:-1] + ("1" if key[-1] == "0" else "0")


def _address_space() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


ALL = (
    ExactSampler,
    ShiftedSampler,
    EmptyBackend,
    NoopBackend,
    HangingBackend,
    AbortingBackend,
    MemoryHog,
    AllocatingBackend,
    SleepyBackend,
    SleepyTwin,
    BusyBackend,
    BusyTwin,
)


@hookimpl
def proxima_register_backends(register: Callable[[Backend], None]) -> None:
    for cls in ALL:
        register(cls())
