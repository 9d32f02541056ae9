"""Mid-circuit measurement, reset and classical conditions run on cirq."""

from __future__ import annotations

import pytest
from cirq_support import BACKEND, program, run
from proxima_kernel import (
    Condition,
    Gate,
    Measure,
    Register,
    Reset,
    RunOptions,
    UnsupportedCircuitError,
)


def test_measure_reset_and_a_bit_condition_copy_the_outcome():
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

    execution = run(prog, shots=1000)

    assert set(execution.counts) == {"000", "011"}
    # 500 expected; the standard deviation is about 16.
    assert 420 < execution.counts["011"] < 580
    assert execution.probabilities is None


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

    execution = run(prog, shots=200)

    assert execution.counts == {"110": 200}


def test_the_wrong_value_of_a_register_skips_the_gate():
    prog = program(
        3,
        3,
        Gate("x", (0,)),
        Measure(0, 0),
        Measure(1, 1),  # c[0:2] == 1, not 2
        Gate("x", (2,), condition=Condition((0, 1), 2)),
        Measure(2, 2),
    )

    execution = run(prog, shots=200)

    assert execution.counts == {"001": 200}


def test_a_condition_reads_the_latest_measurement_of_its_bit():
    """c[0] is 1 for the first condition and 0 again for the second."""
    prog = program(
        4,
        3,
        Gate("x", (0,)),
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(2, 0),  # rewrites c[0] with 0
        Gate("x", (3,), condition=Condition((0,), 1)),
        Measure(1, 1),
        Measure(3, 2),
    )

    execution = run(prog, shots=200)

    assert execution.counts == {"010": 200}


def test_a_false_condition_skips_the_operation():
    prog = program(
        2,
        2,
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
    )

    execution = run(prog, shots=200)

    assert execution.counts == {"00": 200}


def test_a_conditioned_reset_runs_only_when_the_condition_holds():
    prog = program(
        3,
        3,
        Gate("x", (0,)),
        Gate("x", (1,)),
        Gate("x", (2,)),
        Measure(0, 0),
        Reset(1, condition=Condition((0,), 1)),
        Reset(2, condition=Condition((0,), 0)),
        Measure(1, 1),
        Measure(2, 2),
    )

    execution = run(prog, shots=200)

    assert execution.counts == {"101": 200}


def test_a_bit_never_written_reads_zero_in_a_condition():
    prog = program(
        2,
        3,
        Gate("x", (0,)),
        Measure(0, 0),
        # c == 1 reads bit 2 as 0 although no measurement wrote it.
        Gate("x", (1,), condition=Condition((0, 1, 2), 1, "c==1")),
        Measure(1, 1),
    )

    execution = run(prog, shots=200)

    assert execution.counts == {"011": 200}


def test_a_condition_on_unwritten_bits_alone_is_decided_up_front():
    always = Gate("x", (0,), condition=Condition((1,), 0))
    never = Gate("x", (1,), condition=Condition((1,), 1))
    prog = program(2, 2, always, never, Measure(0, 0))

    ops = list(BACKEND.convert(prog).native.all_operations())

    assert len(ops) == 2 and not ops[0].classical_controls
    assert run(prog, shots=200).counts == {"01": 200}


def test_a_value_the_bits_cannot_hold_never_holds():
    prog = program(1, 1, Measure(0, 0), Gate("x", (0,), condition=Condition((0,), 2)))

    execution = run(prog, shots=200)

    assert execution.counts == {"0": 200}


def test_a_mid_circuit_measurement_collapses_the_state():
    """h, measure, h: the second outcome is a fair coin either way."""
    prog = program(1, 2, Gate("h", (0,)), Measure(0, 0), Gate("h", (0,)), Measure(0, 1))

    counts = run(prog, shots=1000).counts

    assert set(counts) == {"00", "01", "10", "11"}
    # 250 expected each; the standard deviation is about 14.
    assert all(180 < n < 320 for n in counts.values())


def test_a_conditioned_measurement_is_refused_by_name():
    prog = program(
        2,
        2,
        Measure(0, 0),
        Measure(1, 1, condition=Condition((0,), 1, "c==1")),
    )

    reason = BACKEND.unsupported_reason(prog, RunOptions())

    assert reason is not None and "'c==1'" in reason
    with pytest.raises(UnsupportedCircuitError, match="condition a measurement"):
        BACKEND.convert(prog)


def test_a_gate_outside_the_table_is_refused_by_name():
    prog = program(1, 0, Gate("magic", (0,)))

    reason = BACKEND.unsupported_reason(prog, RunOptions())

    assert reason is not None and "'magic'" in reason
