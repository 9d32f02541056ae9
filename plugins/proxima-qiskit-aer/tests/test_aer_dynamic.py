"""Mid-circuit measurement, reset and conditions: what is particular to aer.

The cases every dynamic backend must get right run in the kit
(test_aer_conformance.py).
"""

from __future__ import annotations

import pytest
from aer_support import BACKEND, program, run
from proxima_kernel import (
    Condition,
    Gate,
    Measure,
    Reset,
    RunOptions,
    UnsupportedCircuitError,
)


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
