"""Mid-circuit measurement, reset and classical conditions."""

from __future__ import annotations

import pytest
from aer_support import BACKEND, program, run
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

    execution = run(prog)

    assert set(execution.counts) == {"000", "011"}
    assert 800 < execution.counts["011"] < 1200
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

    execution = run(prog)

    assert execution.counts == {"110": 2000}


def test_a_false_condition_skips_the_operation():
    prog = program(
        2,
        2,
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0,), 1)),
        Measure(1, 1),
    )

    execution = run(prog)

    assert execution.counts == {"00": 2000}


def test_conditioned_measure_and_reset_are_expressed():
    prog = program(
        2,
        2,
        Gate("x", (0,)),
        Gate("x", (1,)),
        Measure(0, 0),
        Reset(1, condition=Condition((0,), 1)),
        Measure(1, 1, condition=Condition((0,), 1)),
    )

    execution = run(prog)

    assert execution.counts == {"01": 2000}


def test_a_condition_over_part_of_a_register_is_refused():
    prog = program(
        2,
        3,
        Measure(0, 0),
        Gate("x", (1,), condition=Condition((0, 1), 1, "c[0:2]==1")),
    )

    reason = BACKEND.unsupported_reason(prog, RunOptions())

    assert reason is not None and "c[0:2]==1" in reason
    with pytest.raises(UnsupportedCircuitError, match="whole classical register"):
        BACKEND.convert(prog)


def test_a_value_the_bits_cannot_hold_is_refused():
    prog = program(1, 1, Gate("x", (0,), condition=Condition((0,), 2)))

    reason = BACKEND.unsupported_reason(prog, RunOptions())

    assert reason is not None and "cannot hold" in reason
