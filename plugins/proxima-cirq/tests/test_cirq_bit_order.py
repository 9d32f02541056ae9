"""Canaries: counts keys list every clbit, highest global index on the left."""

from __future__ import annotations

from cirq_support import program, run
from proxima_kernel import Barrier, Gate, Measure, Register


def test_x_on_qubit_zero_reads_as_the_rightmost_bit():
    prog = program(3, 3, Gate("x", (0,)), Measure(0, 0), Measure(1, 1), Measure(2, 2))

    execution = run(prog)

    assert execution.counts == {"001": 2000}
    assert execution.probabilities == {"001": 1.0}


def test_two_registers_join_with_the_last_declared_on_the_left():
    cregs = (Register("a", 2, 0), Register("b", 2, 2))
    prog = program(
        3,
        4,
        Gate("x", (0,)),
        Gate("x", (2,)),
        Measure(0, 1),  # a[1]
        Measure(2, 2),  # b[0]
        Measure(1, 3),  # b[1], reads 0
        cregs=cregs,
    )

    execution = run(prog)

    assert execution.counts == {"0110": 2000}
    assert execution.probabilities == {"0110": 1.0}


def test_crossed_bits_swap_places():
    prog = program(2, 2, Gate("x", (0,)), Measure(0, 1), Measure(1, 0))

    execution = run(prog)

    assert execution.counts == {"10": 2000}
    assert execution.probabilities == {"10": 1.0}


def test_a_subset_of_qubits_measured_into_crossed_bits():
    prog = program(
        3, 3, Gate("x", (0,)), Barrier((0, 1, 2)), Measure(0, 2), Measure(2, 0)
    )

    execution = run(prog)

    assert execution.counts == {"100": 2000}
    assert execution.probabilities == {"100": 1.0}


def test_an_idle_qubit_and_an_unwritten_bit_keep_the_width():
    prog = program(4, 3, Gate("x", (1,)), Measure(1, 0))

    execution = run(prog)

    assert execution.counts == {"001": 2000}
    assert execution.probabilities == {"001": 1.0}


def test_a_bit_written_twice_keeps_the_last_measurement():
    prog = program(2, 1, Gate("x", (1,)), Measure(0, 0), Measure(1, 0))

    execution = run(prog)

    assert execution.counts == {"1": 2000}
    assert execution.probabilities == {"1": 1.0}


def test_a_program_that_measures_nothing_reads_all_zeros():
    prog = program(2, 2, Gate("h", (0,)))

    execution = run(prog, shots=10)

    assert execution.counts == {"00": 10}
    assert execution.probabilities is None
