"""Mid-circuit measurement, reset and conditions branch on the outcome.

Every exact distribution is checked against a dense classical-quantum
reference (one density matrix per record) or worked out by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from lret_support import dense_distribution, program, run
from proxima_kernel import Condition, Gate, Measure, NoiseModel, Register, Reset

import proxima_lret


def exact(prog, noise=None):
    return proxima_lret.simulate(prog, noise, epsilon=0.0).probabilities


def assert_same(found, expected):
    keys = set(found) | {k for k, v in expected.items() if v > 1e-13}
    for key in keys:
        assert found.get(key, 0.0) == pytest.approx(expected.get(key, 0.0), abs=1e-10)


def test_measure_reset_and_a_bit_condition_copy_the_outcome():
    prog = program(
        2,
        3,
        Gate("h", (0,)),
        Measure(0, 0),
        Reset(0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
        Measure(0, 2),
    )

    execution = run(prog)

    assert execution.probabilities == pytest.approx({"000": 0.5, "011": 0.5})
    assert set(execution.counts) == {"000", "011"}


def test_a_register_condition_reads_bit_zero_as_least_significant():
    cregs = (Register("flags", 2, 0), Register("out", 1, 2))
    prog = program(
        3,
        3,
        Gate("x", (1,)),
        Measure(0, 0),
        Measure(1, 1),  # flags == 0b10 == 2
        Gate("x", (2,), condition=Condition((0, 1), 2, "flags==2")),
        Measure(2, 2),
        cregs=cregs,
    )

    assert run(prog).counts == {"110": 2000}


def test_a_false_condition_skips_the_gate_and_its_noise():
    prog = program(
        2,
        2,
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
    )

    counts = run(prog, noise=NoiseModel.parse("bit_flip:1.0@x")).counts

    assert counts == {"00": 2000}


def test_a_measured_qubit_keeps_its_collapsed_state():
    """h, measure, h again: the second reading is fresh, not a copy."""
    prog = program(1, 2, Gate("h", (0,)), Measure(0, 0), Gate("h", (0,)), Measure(0, 1))

    found = exact(prog)

    assert_same(found, {0b00: 0.25, 0b01: 0.25, 0b10: 0.25, 0b11: 0.25})


def test_readout_flips_records_that_conditions_then_read():
    prog = program(
        2,
        2,
        Gate("x", (0,)),
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
    )
    noise = NoiseModel.parse("readout:0.1")

    found = exact(prog, noise)

    # bit 0 reads 1 w.p. 0.9; qubit 1 then flips, and its reading flips too.
    expected = {0b11: 0.81, 0b01: 0.09, 0b10: 0.01, 0b00: 0.09}
    assert_same(found, expected)
    assert_same(found, dense_distribution(prog, noise))


def test_teleportation_moves_the_state_exactly():
    theta = 1.1
    prog = program(
        3,
        3,
        Gate("ry", (0,), (theta,)),
        Gate("h", (1,)),
        Gate("cx", (1, 2)),
        Gate("cx", (0, 1)),
        Gate("h", (0,)),
        Measure(0, 0),
        Measure(1, 1),
        Gate("x", (2,), condition=Condition((1,), 1)),
        Gate("z", (2,), condition=Condition((0,), 1)),
        Measure(2, 2),
    )

    found = exact(prog)

    one = sum(p for key, p in found.items() if key >> 2)
    assert one == pytest.approx(math.sin(theta / 2) ** 2, abs=1e-12)


def random_dynamic(num_qubits: int, seed: int):
    rng = np.random.default_rng(seed)
    names = ["h", "x", "ry", "cx", "rzz", "cz"]
    ops = []
    for _ in range(5 * num_qubits):
        choice = rng.integers(10)
        qubit = int(rng.integers(num_qubits))
        condition = None
        if rng.random() < 0.3:
            clbit = int(rng.integers(num_qubits))
            condition = Condition((clbit,), int(rng.integers(2)))
        if choice == 0:
            ops.append(Measure(qubit, int(rng.integers(num_qubits)), condition))
        elif choice == 1:
            ops.append(Reset(qubit, condition))
        else:
            name = names[rng.integers(len(names))]
            width = 2 if name in ("cx", "rzz", "cz") else 1
            qubits = tuple(map(int, rng.choice(num_qubits, width, replace=False)))
            params = (float(rng.uniform(-3, 3)),) if name in ("ry", "rzz") else ()
            ops.append(Gate(name, qubits, params, condition))
    ops += [Measure(q, q) for q in range(num_qubits)]
    return program(num_qubits, num_qubits, *ops)


@pytest.mark.parametrize("seed", range(8))
def test_random_dynamic_circuits_match_the_dense_reference(seed):
    prog = random_dynamic(3 + seed % 2, seed)
    noise = NoiseModel.parse("depolarizing:0.05,amplitude_damping:0.1,readout:0.03")

    found = exact(prog, noise)

    assert_same(found, dense_distribution(prog, noise))


def test_conditioned_measure_and_reset_run_only_when_the_condition_holds():
    prog = program(
        2,
        2,
        Gate("x", (0,)),
        Gate("x", (1,)),
        Measure(0, 0),
        Reset(1, condition=Condition((0,), 1)),
        Measure(1, 1, condition=Condition((0,), 1)),
    )

    assert run(prog).counts == {"01": 2000}
