"""The conformance suite: what every backend and exporter must do.

Subclass :class:`BackendConformance` or :class:`ExporterConformance` in a
plugin's tests and name the contribution, or give ``make_backend`` /
``make_exporter``. Each test runs through the kernel's own run path, so
the kernel's checks (bit order, refusals, status) apply as in a real run.
"""

from __future__ import annotations

import concurrent.futures
import json
import math
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from proxima_kernel._backend import Backend
from proxima_kernel._compare import normalise, shot_noise_bound, tvd
from proxima_kernel._ir import Condition, Gate, Measure, Program, Register, Reset
from proxima_kernel._kernel import Kernel
from proxima_kernel._model import BackendResult, Circuit, RunOptions, converter
from proxima_kernel._reference import reference_distribution
from proxima_kernel.testing._helpers import backend_plugin, program, sample_report

# Each canary sets bits so that a wrong bit order gives another key.
# Keys put the highest classical bit on the left (see proxima_kernel.BIT_ORDER).
CANARIES = {
    "x-on-qubit-0": (
        program(3, 3, Gate("x", (0,)), *(Measure(q, q) for q in range(3))),
        "001",
    ),
    "x-on-qubit-2": (
        program(3, 3, Gate("x", (2,)), *(Measure(q, q) for q in range(3))),
        "100",
    ),
    "crossed-wiring": (
        program(3, 3, Gate("x", (0,)), Measure(0, 2), Measure(1, 0), Measure(2, 1)),
        "100",
    ),
    "two-registers": (
        program(
            3,
            3,
            Gate("x", (1,)),
            *(Measure(q, q) for q in range(3)),
            cregs=(Register("a", 1, 0), Register("b", 2, 1)),
        ),
        "010",
    ),
    "unmeasured-bits-read-0": (
        program(3, 3, Gate("x", (0,)), Gate("x", (1,)), Measure(0, 0)),
        "001",
    ),
}

# Small circuits with uneven distributions, judged against the reference.
DISTRIBUTIONS = {
    "bell": program(
        2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1)
    ),
    "ghz-3": program(
        3,
        3,
        Gate("h", (0,)),
        Gate("cx", (0, 1)),
        Gate("cx", (1, 2)),
        *(Measure(q, q) for q in range(3)),
    ),
    "ry-uneven": program(1, 1, Gate("ry", (0,), (1.1,)), Measure(0, 0)),
    "entangled-uneven": program(
        2,
        2,
        Gate("ry", (0,), (1.1,)),
        Gate("cx", (0, 1)),
        Gate("rx", (1,), (0.7,)),
        Measure(0, 0),
        Measure(1, 1),
    ),
    "interference": program(
        1, 1, Gate("h", (0,)), Gate("rz", (0,), (0.9,)), Gate("h", (0,)), Measure(0, 0)
    ),
}

# Dynamic circuits with a known answer: right, or refused as unsupported.
DYNAMIC = {
    "reset": (
        program(1, 2, Gate("x", (0,)), Measure(0, 0), Reset(0), Measure(0, 1)),
        {"01"},
    ),
    "conditional": (
        program(
            2,
            2,
            Gate("x", (0,)),
            Measure(0, 0),
            Gate("x", (1,), condition=Condition((0,), 1)),
            Measure(1, 1),
        ),
        {"11"},
    ),
    "mid-circuit-measurement": (
        program(
            2, 2, Gate("h", (0,)), Measure(0, 0), Gate("cx", (0, 1)), Measure(1, 1)
        ),
        {"00", "11"},
    ),
}


def run_one(
    backend: Backend, prog: Program, name: str = "conformance", **options: Any
) -> BackendResult:
    """Run ``prog`` on ``backend`` through the kernel's run path."""
    kernel = Kernel(plugins=[backend_plugin(backend)], load_entry_points=False)
    circuit = Circuit(name, "conformance", name, prog.num_qubits, prog.num_clbits, prog)
    report = kernel.run(circuit, backends=[backend.name], options=RunOptions(**options))
    return report.circuits[0].results[backend.name]


def installed(kind: str, name: str) -> Any:
    """The installed backend or exporter ``name``, or a failure saying why."""
    kernel = Kernel()
    found = kernel.backends if kind == "backend" else kernel.exporters
    if name in found:
        return found[name]

    broken = [
        f"{info.name}: {info.status} ({info.reason})"
        for info in kernel.plugins.values()
        if info.reason
    ]
    pytest.fail(
        f"No installed {kind} is named {name!r}; installed: "
        f"{', '.join(sorted(found)) or 'none'}. Plugins not active: "
        f"{'; '.join(broken) or 'none'}. Install the plugin (pip install -e "
        f"PATH) or fix the name.",
        pytrace=False,
    )


class BackendConformance:
    """What every backend must do. Set ``backend_name`` or ``make_backend``.

    ``shots`` and ``seed`` are used for the statistical checks; a correct
    backend stays within the shot-noise bound at least 99.9 % of the time
    (see :mod:`proxima_kernel._compare`), and a fixed seed repeats.
    ``time_budget_s`` is how long a 10-qubit circuit may take.
    """

    backend_name: ClassVar[str | None] = None
    shots: ClassVar[int] = 4000
    seed: ClassVar[int] = 1234
    time_budget_s: ClassVar[float] = 60.0

    @classmethod
    def make_backend(cls) -> Backend:
        if cls.backend_name is None:
            pytest.fail(
                f"{cls.__name__} needs backend_name = 'NAME' or a "
                f"make_backend() method.",
                pytrace=False,
            )
        backend: Backend = installed("backend", cls.backend_name)
        return backend

    @pytest.fixture(scope="class")
    @classmethod
    def backend(cls) -> Backend:
        return cls.make_backend()

    @pytest.mark.parametrize("canary", sorted(CANARIES))
    def test_bit_order_canary(self, backend: Backend, canary: str) -> None:
        """A deterministic circuit gives its one key, in kernel bit order."""
        prog, expected = CANARIES[canary]

        result = run_one(backend, prog, canary, shots=64, seed=self.seed)

        assert result.ok, f"{canary}: {result.status.value}: {result.reason}"
        assert result.counts == {expected: 64}, (
            f"{canary}: expected all 64 shots on {expected!r} (highest bit "
            f"on the left), got {result.counts}"
        )

    @pytest.mark.parametrize("circuit", sorted(DISTRIBUTIONS))
    def test_distribution_matches_reference(
        self, backend: Backend, circuit: str
    ) -> None:
        """Counts stay within the shot-noise bound of the exact answer."""
        prog = DISTRIBUTIONS[circuit]
        exact, _ = reference_distribution(prog, max_qubits=20)
        assert exact is not None

        result = run_one(backend, prog, circuit, shots=self.shots, seed=self.seed)

        assert result.ok, f"{circuit}: {result.status.value}: {result.reason}"
        distance = tvd(normalise(result.counts), exact)
        bound = shot_noise_bound(exact, self.shots)
        assert distance <= bound, (
            f"{circuit}: TVD {distance:.4f} from the reference is over the "
            f"shot-noise bound {bound:.4f}; counts {result.counts}, exact {exact}"
        )
        if result.probabilities is not None:
            assert result.probabilities.keys() <= exact.keys() | {
                k for k, v in result.probabilities.items() if v < 1e-9
            }
            assert tvd(result.probabilities, exact) < 1e-6

    @pytest.mark.parametrize("circuit", sorted(DYNAMIC))
    def test_dynamic_circuit_is_right_or_unsupported(
        self, backend: Backend, circuit: str
    ) -> None:
        """A construct a backend lacks is refused, never answered wrongly."""
        prog, allowed = DYNAMIC[circuit]

        result = run_one(backend, prog, circuit, shots=200, seed=self.seed)

        if result.status.value == "unsupported":
            assert result.reason, f"{circuit}: unsupported without a reason"
            return
        assert result.ok, (
            f"{circuit}: the run {result.status.value} ({result.reason}); a "
            f"backend that cannot run this construct must refuse it in "
            f"unsupported_reason() or raise UnsupportedCircuitError"
        )
        assert set(result.counts) <= allowed, (
            f"{circuit}: expected only {sorted(allowed)}, got {result.counts}"
        )

    def test_result_schema(self, backend: Backend) -> None:
        """A result has whole counts, its metadata, and serialises to JSON."""
        prog = DISTRIBUTIONS["ghz-3"]

        result = run_one(backend, prog, shots=300, seed=self.seed)

        assert result.ok, result.reason
        assert result.backend == backend.name
        assert sum(result.counts.values()) == 300
        assert all(isinstance(v, int) and v > 0 for v in result.counts.values())
        assert all(len(k) == 3 and set(k) <= {"0", "1"} for k in result.counts)
        assert isinstance(result.engine_version, str) and result.engine_version
        assert result.wall_time_ms is not None and result.wall_time_ms >= 0
        if result.probabilities is not None:
            assert math.isclose(sum(result.probabilities.values()), 1, abs_tol=1e-6)
            assert all(len(k) == 3 for k in result.probabilities)
        json.dumps(converter.unstructure(result), allow_nan=False)

    def test_same_seed_repeats(self, backend: Backend) -> None:
        """Two runs with one seed give the same counts."""
        prog = DISTRIBUTIONS["entangled-uneven"]

        first = run_one(backend, prog, shots=500, seed=self.seed)
        second = run_one(backend, prog, shots=500, seed=self.seed)

        assert first.ok and second.ok, (first.reason, second.reason)
        assert first.counts == second.counts

    def test_refuses_a_state_over_the_memory_limit(self, backend: Backend) -> None:
        """A 40-qubit state over a 1 MiB limit is refused before running."""
        prog = program(
            40,
            40,
            Gate("h", (0,)),
            *(Gate("cx", (q, q + 1)) for q in range(39)),
            *(Measure(q, q) for q in range(40)),
        )
        started = time.perf_counter()

        result = run_one(backend, prog, shots=10, seed=1, memory_limit_mb=1)

        assert result.status.value == "unsupported", result.reason
        assert result.reason
        assert time.perf_counter() - started < 10

    def test_finishes_within_the_time_budget(self, backend: Backend) -> None:
        """A 10-qubit circuit returns within ``time_budget_s`` seconds."""
        gates = [Gate("h", (q,)) for q in range(10)]
        gates += [Gate("cx", (q, (q + 1) % 10)) for q in range(10)]
        gates += [Gate("ry", (q,), (0.1 * q,)) for q in range(10)]
        prog = program(10, 10, *gates, *(Measure(q, q) for q in range(10)))

        # TODO(#5): use the kernel's run timeout once worker processes land;
        # a thread cannot be stopped, so a hung backend is only reported.
        pool = concurrent.futures.ThreadPoolExecutor(1)
        future = pool.submit(run_one, backend, prog, shots=1000, seed=self.seed)
        try:
            result = future.result(timeout=self.time_budget_s)
        except concurrent.futures.TimeoutError:
            pytest.fail(
                f"{backend.name} did not finish a 10-qubit circuit within "
                f"{self.time_budget_s} s",
                pytrace=False,
            )
        finally:
            pool.shutdown(wait=False)

        assert result.ok, result.reason


class ExporterConformance:
    """What every exporter must do. Set ``exporter_name`` or ``make_exporter``.

    The round trip needs the exporter to offer ``read(path)``, returning
    the report's data as :data:`proxima_kernel.converter` unstructures it;
    without it the test is skipped with that reason.
    """

    exporter_name: ClassVar[str | None] = None

    @classmethod
    def make_exporter(cls) -> Any:
        if cls.exporter_name is None:
            pytest.fail(
                f"{cls.__name__} needs exporter_name = 'NAME' or a "
                f"make_exporter() method.",
                pytrace=False,
            )
        return installed("exporter", cls.exporter_name)

    @pytest.fixture(scope="class")
    @classmethod
    def exporter(cls) -> Any:
        return cls.make_exporter()

    def test_has_a_name_and_a_suffix(self, exporter: Any) -> None:
        assert isinstance(exporter.name, str) and exporter.name
        assert str(exporter.suffix).startswith(".")

    def test_writes_the_report(self, exporter: Any, tmp_path: Path) -> None:
        path = tmp_path / f"report{exporter.suffix}"

        exporter.export(sample_report(), path)

        assert path.is_file() and path.stat().st_size > 0

    def test_report_round_trip(self, exporter: Any, tmp_path: Path) -> None:
        """What ``read`` gives back equals the report that was written."""
        if not hasattr(exporter, "read"):
            pytest.skip(f"{exporter.name} has no read(); no round trip to check")
        report = sample_report()
        path = tmp_path / f"report{exporter.suffix}"

        exporter.export(report, path)
        data = exporter.read(path)

        expected = json.loads(json.dumps(converter.unstructure(report)))
        assert data == expected
