"""The conformance suite: what every backend and exporter must do.

Subclass :class:`BackendConformance` or :class:`ExporterConformance` in a
plugin's tests and name the contribution, or give ``make_backend`` /
``make_exporter``. Each test runs through the kernel's own run path, so
the kernel's checks (bit order, refusals, status) apply as in a real run.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from proxima_kernel._backend import Backend
from proxima_kernel._compare import normalise, shot_noise_bound, tvd
from proxima_kernel._errors import UnsupportedCircuitError
from proxima_kernel._ir import (
    Barrier,
    Condition,
    Gate,
    Measure,
    Program,
    Register,
    Reset,
)
from proxima_kernel._kernel import Kernel
from proxima_kernel._model import (
    BackendResult,
    Circuit,
    ExecutionOptions,
    RunOptions,
    Status,
    converter,
)
from proxima_kernel._noise import Channel, NoiseModel
from proxima_kernel._reference import reference_distribution
from proxima_kernel.testing import _helpers
from proxima_kernel.testing._helpers import (
    apply_kraus,
    backend_plugin,
    execute,
    fail_if_hung,
    kraus_operators,
    mark_hung,
    program,
    sample_report,
)

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

# Deterministic programs run on the backend directly, and the one key each
# must give: registers, crossed wiring, idle qubits, unwritten bits.
EXACT_KEYS = {
    "x-on-qubit-0-reads-rightmost": (
        program(3, 3, Gate("x", (0,)), Measure(0, 0), Measure(1, 1), Measure(2, 2)),
        "001",
    ),
    "last-declared-register-on-the-left": (
        program(
            3,
            4,
            Gate("x", (0,)),
            Gate("x", (2,)),
            Measure(0, 1),  # a[1]
            Measure(2, 2),  # b[0]
            Measure(1, 3),  # b[1], reads 0
            cregs=(Register("a", 2, 0), Register("b", 2, 2)),
        ),
        "0110",
    ),
    "crossed-bits-swap-places": (
        program(2, 2, Gate("x", (0,)), Measure(0, 1), Measure(1, 0)),
        "10",
    ),
    "subset-measured-into-crossed-bits": (
        program(
            3, 3, Gate("x", (0,)), Barrier((0, 1, 2)), Measure(0, 2), Measure(2, 0)
        ),
        "100",
    ),
    "idle-qubit-and-unwritten-bit-keep-the-width": (
        program(4, 3, Gate("x", (1,)), Measure(1, 0)),
        "001",
    ),
    "bit-written-twice-keeps-the-last": (
        program(2, 1, Gate("x", (1,)), Measure(0, 0), Measure(1, 0)),
        "1",
    ),
    "clbits-without-registers-form-one": (
        program(2, 2, Gate("x", (1,)), Measure(1, 1), cregs=()),
        "10",
    ),
}

# Small programs and their exact probabilities, with every key sampled.
EXACT_PROBABILITIES = {
    "bell": (
        program(
            2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0), Measure(1, 1)
        ),
        {"00": 0.5, "11": 0.5},
    ),
    "gates-after-another-qubits-measurement": (
        program(2, 2, Measure(0, 0), Gate("h", (1,)), Measure(1, 1)),
        {"00": 0.5, "10": 0.5},
    ),
    "one-qubit-into-two-bits": (
        program(1, 2, Gate("h", (0,)), Measure(0, 0), Measure(0, 1)),
        {"00": 0.5, "11": 0.5},
    ),
}

# Dynamic programs whose final state does not decide the outcome.
UNDECIDED = {
    "mid-circuit": program(
        1, 2, Gate("h", (0,)), Measure(0, 0), Gate("h", (0,)), Measure(0, 1)
    ),
    "reset": program(1, 2, Gate("h", (0,)), Reset(0), Measure(0, 0)),
}

# Dynamic programs with one possible outcome.
DYNAMIC_KEYS = {
    "register-condition-reads-bit-0-as-least-significant": (
        program(
            3,
            3,
            Gate("x", (1,)),
            Measure(0, 0),
            Measure(1, 1),  # flags == 0b10 == 2
            Gate("x", (2,), condition=Condition((0, 1), 2, "flags==2")),
            Measure(2, 2),
            cregs=(Register("flags", 2, 0), Register("out", 1, 2)),
        ),
        "110",
    ),
    "false-condition-skips-the-operation": (
        program(
            2,
            2,
            Measure(0, 0),
            Gate("x", (1,), condition=Condition((0,), 1)),
            Measure(1, 1),
        ),
        "00",
    ),
    "condition-reads-the-latest-measurement": (
        # c[0] is 1 for the first condition and 0 again for the second.
        program(
            4,
            3,
            Gate("x", (0,)),
            Measure(0, 0),
            Gate("x", (1,), condition=Condition((0,), 1)),
            Measure(2, 0),  # rewrites c[0] with 0
            Gate("x", (3,), condition=Condition((0,), 1)),
            Measure(1, 1),
            Measure(3, 2),
        ),
        "010",
    ),
}

# The exact-noise checks: channel kinds, and the u gates they follow.
ONE_QUBIT_KINDS = [
    "depolarizing",
    "amplitude_damping",
    "phase_damping",
    "bit_flip",
    "phase_flip",
]
U0 = (0.9, 0.4, 0.2)
U1 = (2.1, -0.7, 1.3)

SUPERPOSED = program(
    4, 4, *(Gate("h", (q,)) for q in range(4)), *(Measure(q, q) for q in range(4))
)


def run_one(
    backend: Backend,
    prog: Program,
    name: str = "conformance",
    execution: ExecutionOptions | None = None,
    **options: Any,
) -> BackendResult:
    """Run ``prog`` on ``backend`` through the kernel's run path.

    Unless ``execution`` says otherwise, the backend's worker is killed
    after ``CALL_TIMEOUT_S``; a backend that hangs once fails its later
    tests at once.
    """
    fail_if_hung(backend.name)
    circuit = Circuit(name, "conformance", name, prog.num_qubits, prog.num_clbits, prog)
    plugin = backend_plugin(backend)
    deadline = _helpers.CALL_TIMEOUT_S
    execution = execution or ExecutionOptions(timeout_per_backend=deadline)
    with Kernel(plugins=[plugin], load_entry_points=False) as kernel:
        report = kernel.run(
            circuit,
            backends=[backend.name],
            options=RunOptions(**options),
            execution=execution,
        )

    result = report.circuits[0].results[backend.name]
    if result.status is Status.TIMEOUT:
        mark_hung(backend.name)
    return result


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

    Stricter checks, for a backend that claims more, are off by default:

    ``exact_probabilities``
        Ideal runs whose final state decides the outcome report exact
        probabilities (within 1e-12); runs that measure nothing, or whose
        outcome the final state does not decide, report None.
    ``dynamic_circuits``
        Mid-circuit measurement, reset and conditions on one bit or a
        whole register run (never refused), and give the right counts.
    ``noise_spec``
        A noise model the backend translates (``NoiseModel.parse``
        syntax): noisy runs repeat with a seed, and ``details["method"]``
        names :meth:`~proxima_kernel.Backend.method_for` the run.
    ``exact_noise``
        Each kernel channel (the one-qubit kinds, ``depolarizing2``, in
        the order listed, only after the gates named) leaves the density
        matrix that :func:`~proxima_kernel.testing.apply_kraus` of
        :func:`~proxima_kernel.testing.kraus_operators` gives, within
        1e-10; with ``dynamic_circuits`` too, noise after a condition
        that is false does not act. The class implements
        :meth:`noisy_density_matrix`.

    These tests call the backend directly (see
    :func:`~proxima_kernel.testing.execute`), so they see what the engine
    returned before the kernel wraps it.
    """

    backend_name: ClassVar[str | None] = None
    shots: ClassVar[int] = 4000
    seed: ClassVar[int] = 1234
    time_budget_s: ClassVar[float] = 60.0
    exact_probabilities: ClassVar[bool] = False
    dynamic_circuits: ClassVar[bool] = False
    noise_spec: ClassVar[str | None] = None
    exact_noise: ClassVar[bool] = False

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

    def noisy_density_matrix(
        self, backend: Backend, prog: Program, options: RunOptions
    ) -> Any:
        """The engine's density matrix at the end of ``prog`` under ``options``.

        Needed with ``exact_noise``: run ``prog`` through the plugin's own
        preparation, noise included, and return the final state as a
        numpy array with qubit 0 least significant (the kernel's order).
        """
        message = (
            f"{type(self).__name__} sets exact_noise but does not define "
            f"noisy_density_matrix(backend, prog, options)."
        )
        raise NotImplementedError(message)

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

    @pytest.mark.parametrize("case", sorted(EXACT_KEYS))
    def test_bit_order_of_every_shot(self, backend: Backend, case: str) -> None:
        """Each shot of a deterministic program gives its one key."""
        prog, key = EXACT_KEYS[case]

        execution = execute(backend, prog)

        assert execution.counts == {key: 2000}
        if self.exact_probabilities:
            assert execution.probabilities == {key: 1.0}

    def test_measuring_nothing_reads_all_zeros(self, backend: Backend) -> None:
        """Unwritten bits read 0; there is nothing to give probabilities of.

        A backend may refuse the program, unless it sets
        ``exact_probabilities``.
        """
        prog = program(2, 2, Gate("h", (0,)))

        try:
            execution = execute(backend, prog, shots=10)
        except UnsupportedCircuitError as exc:
            if self.exact_probabilities:
                raise
            pytest.skip(f"{backend.name} refuses it: {exc}")

        assert execution.counts == {"00": 10}
        if self.exact_probabilities:
            assert execution.probabilities is None

    def test_another_seed_gives_other_counts(self, backend: Backend) -> None:
        """One seed repeats its counts; the next seed draws others."""
        first = execute(backend, SUPERPOSED, shots=500, seed=7)
        second = execute(backend, SUPERPOSED, shots=500, seed=7)
        other = execute(backend, SUPERPOSED, shots=500, seed=8)

        assert first.counts == second.counts
        assert first.counts != other.counts

    @pytest.mark.parametrize("case", sorted(EXACT_PROBABILITIES))
    def test_exact_probabilities(self, backend: Backend, case: str) -> None:
        """Probabilities are exact, and every possible key is sampled."""
        self._needs("exact_probabilities")
        prog, expected = EXACT_PROBABILITIES[case]

        execution = execute(backend, prog)

        assert execution.probabilities == pytest.approx(expected)
        assert set(execution.counts) == set(expected)

    def test_exact_probabilities_through_crossed_bits(self, backend: Backend) -> None:
        """An uneven entangled state, worked out by hand, read crosswise."""
        self._needs("exact_probabilities")
        import numpy as np

        a, b = 0.7, 1.9
        prog = program(
            3,
            3,
            Gate("ry", (0,), (a,)),
            Gate("ry", (1,), (b,)),
            Gate("cx", (0, 1)),
            Measure(0, 2),
            Measure(1, 0),
        )
        # cx with qubit 0 as control, qubit 0 least significant.
        cx01 = np.array(
            [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=complex
        )
        state = cx01 @ np.kron(_ry(b), _ry(a)) @ np.array([1, 0, 0, 0])
        p = np.abs(state) ** 2  # index = 2*q1 + q0
        expected = {
            "000": p[0b00],  # q1=0, q0=0
            "100": p[0b01],  # q0=1 -> c2
            "001": p[0b10],  # q1=1 -> c0
            "101": p[0b11],
        }

        execution = execute(backend, prog, shots=20000)

        assert execution.probabilities == pytest.approx(expected, abs=1e-12)
        assert sum(execution.counts.values()) == 20000
        for key, probability in expected.items():
            # 20000 shots: the standard deviation is at most about 71.
            assert abs(execution.counts.get(key, 0) - 20000 * probability) < 360

    @pytest.mark.parametrize("case", sorted(UNDECIDED))
    def test_no_probabilities_when_the_final_state_does_not_decide(
        self, backend: Backend, case: str
    ) -> None:
        """Mid-circuit measurement or reset: probabilities are left out."""
        self._needs("exact_probabilities", "dynamic_circuits")

        execution = execute(backend, UNDECIDED[case], shots=100)

        assert execution.probabilities is None

    @pytest.mark.parametrize("case", sorted(DYNAMIC_KEYS))
    def test_dynamic_circuit_gives_its_one_key(
        self, backend: Backend, case: str
    ) -> None:
        """Conditions read the right bits, at the right time."""
        self._needs("dynamic_circuits")
        prog, key = DYNAMIC_KEYS[case]

        execution = execute(backend, prog, shots=200)

        assert execution.counts == {key: 200}

    def test_measure_reset_and_condition_copy_the_outcome(
        self, backend: Backend
    ) -> None:
        """A reset qubit reads 0; a conditioned x copies the first outcome."""
        self._needs("dynamic_circuits")
        prog = program(
            2,
            3,
            Gate("h", (0,)),
            Measure(0, 0),
            Reset(0),
            Gate("x", (1,), condition=Condition((0,), 1)),
            Measure(1, 1),
            Measure(0, 2),  # reset left qubit 0 in |0>
        )

        execution = execute(backend, prog, shots=1000)

        assert set(execution.counts) == {"000", "011"}
        # 500 expected; the standard deviation is about 16.
        assert 420 < execution.counts["011"] < 580
        assert execution.probabilities is None

    def test_a_mid_circuit_measurement_collapses_the_state(
        self, backend: Backend
    ) -> None:
        """h, measure, h: the second outcome is a fair coin either way."""
        self._needs("dynamic_circuits")
        prog = program(
            1, 2, Gate("h", (0,)), Measure(0, 0), Gate("h", (0,)), Measure(0, 1)
        )

        counts = execute(backend, prog, shots=1000).counts

        assert set(counts) == {"00", "01", "10", "11"}
        # 250 expected each; the standard deviation is about 14.
        assert all(180 < n < 320 for n in counts.values())

    def test_the_same_seed_gives_the_same_dynamic_counts(
        self, backend: Backend
    ) -> None:
        self._needs("dynamic_circuits")
        prog = program(
            2,
            2,
            Gate("h", (0,)),
            Measure(0, 0),
            Reset(0),
            Gate("h", (0,)),
            Measure(0, 1),
        )

        first = execute(backend, prog, shots=300, seed=4)
        second = execute(backend, prog, shots=300, seed=4)

        assert first.counts == second.counts

    def test_the_same_seed_gives_the_same_noisy_counts(self, backend: Backend) -> None:
        """A noisy run repeats with its seed, on the method it names."""
        self._needs("noise_spec")
        assert self.noise_spec is not None
        noise = NoiseModel.parse(self.noise_spec)

        first = execute(backend, SUPERPOSED, shots=300, seed=3, noise=noise)
        second = execute(backend, SUPERPOSED, shots=300, seed=3, noise=noise)

        assert first.counts == second.counts
        method = backend.method_for(RunOptions(noise=noise))
        assert first.details["method"] == method

    @pytest.mark.parametrize("kind", ONE_QUBIT_KINDS)
    def test_one_qubit_channel_after_a_one_qubit_gate(
        self, backend: Backend, kind: str
    ) -> None:
        self._needs("exact_noise")
        import numpy as np

        noise = NoiseModel((Channel(kind, 0.3),))
        expected = apply_kraus(_one_qubit_state(), kraus_operators(kind, 0.3))

        rho = self._noisy(backend, program(1, 0, Gate("u", (0,), U0)), noise)

        np.testing.assert_allclose(rho, expected, atol=1e-10)

    @pytest.mark.parametrize("kind", ONE_QUBIT_KINDS)
    def test_one_qubit_channel_acts_on_each_qubit_of_a_two_qubit_gate(
        self, backend: Backend, kind: str
    ) -> None:
        self._needs("exact_noise")
        import numpy as np

        noise = NoiseModel((Channel(kind, 0.3, ("cx",)),))
        single = kraus_operators(kind, 0.3)
        kraus = [np.kron(a, b) for a, b in itertools.product(single, single)]
        expected = apply_kraus(_two_qubit_state(), kraus)

        rho = self._noisy(backend, _two_qubit_program(), noise)

        np.testing.assert_allclose(rho, expected, atol=1e-10)

    def test_depolarizing2_picks_one_of_fifteen_paulis(self, backend: Backend) -> None:
        self._needs("exact_noise")
        import numpy as np

        p = 0.3
        paulis = [np.kron(a, b) for a, b in itertools.product(_paulis(), repeat=2)]
        kraus = [math.sqrt(1 - p) * paulis[0]]
        kraus += [math.sqrt(p / 15) * pauli for pauli in paulis[1:]]
        expected = apply_kraus(_two_qubit_state(), kraus)

        noise = NoiseModel((Channel("depolarizing2", p),))
        rho = self._noisy(backend, _two_qubit_program(), noise)

        np.testing.assert_allclose(rho, expected, atol=1e-10)

    def test_depolarizing_is_not_depolarizing2(self, backend: Backend) -> None:
        """The same p means different channels; the plugin keeps them apart."""
        self._needs("exact_noise")
        import numpy as np

        per_qubit = NoiseModel((Channel("depolarizing", 0.3, ("cx",)),))
        joint = NoiseModel((Channel("depolarizing2", 0.3, ("cx",)),))

        first = self._noisy(backend, _two_qubit_program(), per_qubit)
        second = self._noisy(backend, _two_qubit_program(), joint)

        assert not np.allclose(first, second, atol=1e-3)

    def test_depolarizing_with_p_one_keeps_a_third_for_each_pauli(
        self, backend: Backend
    ) -> None:
        """p = 1 is X, Y or Z, each with 1/3: the Bloch vector goes to -1/3
        of itself, not to the maximally mixed state."""
        self._needs("exact_noise")
        import numpy as np

        noise = NoiseModel((Channel("depolarizing", 1.0),))
        kraus = kraus_operators("depolarizing", 1.0)
        expected = apply_kraus(_one_qubit_state(), kraus)

        rho = self._noisy(backend, program(1, 0, Gate("u", (0,), U0)), noise)

        np.testing.assert_allclose(rho, expected, atol=1e-10)

    def test_channel_after_a_three_qubit_gate_acts_on_each_qubit(
        self, backend: Backend
    ) -> None:
        self._needs("exact_noise")
        import numpy as np

        noise = NoiseModel((Channel("bit_flip", 0.2, ("ccx",)),))
        prog = program(3, 0, Gate("x", (0,)), Gate("x", (1,)), Gate("ccx", (0, 1, 2)))
        single = kraus_operators("bit_flip", 0.2)
        kraus = [
            np.kron(np.kron(a, b), c) for a, b, c in itertools.product(single, repeat=3)
        ]
        expected = apply_kraus(_pure(np.eye(8)[0b111]), kraus)

        rho = self._noisy(backend, prog, noise)

        np.testing.assert_allclose(rho, expected, atol=1e-10)

    def test_channels_follow_a_gate_in_the_order_listed(self, backend: Backend) -> None:
        self._needs("exact_noise")
        import numpy as np

        prog = program(1, 0, Gate("u", (0,), U0))
        forward = NoiseModel.parse("amplitude_damping:0.4,bit_flip:0.2")
        backward = NoiseModel.parse("bit_flip:0.2,amplitude_damping:0.4")
        damp = kraus_operators("amplitude_damping", 0.4)
        flip = kraus_operators("bit_flip", 0.2)
        expected = apply_kraus(apply_kraus(_one_qubit_state(), damp), flip)

        rho = self._noisy(backend, prog, forward)

        np.testing.assert_allclose(rho, expected, atol=1e-10)
        assert not np.allclose(self._noisy(backend, prog, backward), expected)

    def test_a_channel_limited_to_some_gates_skips_the_others(
        self, backend: Backend
    ) -> None:
        self._needs("exact_noise")
        import numpy as np

        noise = NoiseModel.parse("bit_flip:0.5@h")

        rho = self._noisy(backend, program(1, 0, Gate("x", (0,))), noise)

        np.testing.assert_allclose(rho, _pure(np.array([0, 1])), atol=1e-12)

    def test_noise_follows_a_conditioned_gate_only_when_it_runs(
        self, backend: Backend
    ) -> None:
        self._needs("exact_noise", "dynamic_circuits")
        noise = NoiseModel.parse("bit_flip:1.0@x")
        prog = program(
            2,
            2,
            Measure(0, 0),
            Gate("x", (1,), condition=Condition((0,), 1)),
            Measure(1, 1),
        )

        execution = execute(backend, prog, shots=100, noise=noise)

        assert execution.counts == {"00": 100}

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

        # The kernel's own timeout: the worker is killed at the budget.
        execution = ExecutionOptions(timeout_per_backend=self.time_budget_s)

        result = run_one(backend, prog, shots=1000, seed=self.seed, execution=execution)

        assert result.status is not Status.TIMEOUT, (
            f"{backend.name} did not finish a 10-qubit circuit within "
            f"{self.time_budget_s} s: {result.reason}"
        )
        assert result.ok, result.reason

    def _noisy(self, backend: Backend, prog: Program, noise: NoiseModel) -> Any:
        options = RunOptions(shots=1, seed=5, noise=noise)
        return self.noisy_density_matrix(backend, prog, options)

    def _needs(self, *flags: str) -> None:
        off = [flag for flag in flags if not getattr(self, flag)]
        if off:
            pytest.skip(f"{type(self).__name__} does not set {', '.join(off)}")


def _pure(vector: Any) -> Any:
    import numpy as np

    return np.outer(vector, vector.conj())


def _paulis() -> list[Any]:
    """I, X, Y and Z, in that order."""
    import numpy as np

    return [
        np.eye(2, dtype=complex),
        np.array([[0, 1], [1, 0]], dtype=complex),
        np.array([[0, -1j], [1j, 0]], dtype=complex),
        np.array([[1, 0], [0, -1]], dtype=complex),
    ]


def _one_qubit_state() -> Any:
    """u(U0) on |0>."""
    import numpy as np

    from proxima_kernel._gates import gate_matrix

    return _pure(gate_matrix("u", U0) @ np.array([1, 0]))


def _two_qubit_state() -> Any:
    """u on each qubit, then cx with qubit 0 as control."""
    import numpy as np

    from proxima_kernel._gates import gate_matrix

    cx01 = np.array(
        [[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=complex
    )
    product = np.kron(gate_matrix("u", U1), gate_matrix("u", U0))
    return _pure(cx01 @ product @ np.array([1, 0, 0, 0]))


def _two_qubit_program() -> Program:
    return program(2, 0, Gate("u", (0,), U0), Gate("u", (1,), U1), Gate("cx", (0, 1)))


def _ry(theta: float) -> Any:
    import numpy as np

    c, s = math.cos(theta / 2), math.sin(theta / 2)
    return np.array([[c, -s], [s, c]])


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
