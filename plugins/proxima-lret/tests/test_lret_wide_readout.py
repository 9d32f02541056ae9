"""Read-out of many measured bits: arrays, not a dictionary per outcome.

The QASMBench circuit ising_n26 measures 26 qubits in a broad
distribution. Building a Python dictionary entry for each of its 2^26
outcomes took over 16 GiB and minutes; these cases keep that input small
enough for a test and check the answers, not the time.
"""

from __future__ import annotations

from lret_support import program, run
from proxima_kernel import Gate, Measure


def test_a_broad_distribution_over_22_bits_is_sampled_without_a_dictionary():
    width = 22
    gates = [Gate("h", (q,)) for q in range(width)]
    measures = [Measure(q, q) for q in range(width)]
    prog = program(width, width, *gates, *measures)

    execution = run(prog, shots=3000, seed=5)

    assert execution.probabilities is None
    assert sum(execution.counts.values()) == 3000
    assert all(len(key) == width for key in execution.counts)
    # 3000 draws from 2^22 equally likely records: repeats are rare.
    assert len(execution.counts) > 2990


def test_the_same_seed_gives_the_same_counts_over_many_bits():
    width = 21
    prog = program(
        width,
        width,
        *[Gate("h", (q,)) for q in range(width)],
        *[Measure(q, q) for q in range(width)],
    )

    first = run(prog, shots=500, seed=9)
    second = run(prog, shots=500, seed=9)

    assert first.counts == second.counts


def test_twenty_bits_still_keep_their_exact_probabilities():
    width = 20
    prog = program(
        width,
        width,
        Gate("x", (0,)),
        Gate("h", (19,)),
        *[Measure(q, q) for q in range(width)],
    )

    execution = run(prog, shots=1000, seed=3)

    low, high = "0" * 19 + "1", "1" + "0" * 18 + "1"
    assert execution.probabilities == {low: 0.5, high: 0.5}
    assert set(execution.counts) == {low, high}


def test_a_record_past_63_bits_keeps_its_highest_bit():
    prog = program(1, 70, Gate("x", (0,)), Measure(0, 69))

    execution = run(prog, shots=100)

    assert execution.counts == {"1" + "0" * 69: 100}
