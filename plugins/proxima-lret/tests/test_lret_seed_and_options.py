"""Seeds, options, warnings and memory estimates."""

from __future__ import annotations

import pytest
from lret_support import BACKEND, program, run
from proxima_kernel import Gate, Measure, NoiseModel, RunOptions

from proxima_lret import TruncationWarning

SUPERPOSED = program(
    4, 4, *(Gate("h", (q,)) for q in range(4)), *(Measure(q, q) for q in range(4))
)
NOISY = NoiseModel.parse("depolarizing:0.05,readout:0.02")


def test_the_same_seed_gives_the_same_counts():
    first = run(SUPERPOSED, shots=500, seed=7, noise=NOISY)
    second = run(SUPERPOSED, shots=500, seed=7, noise=NOISY)
    other = run(SUPERPOSED, shots=500, seed=8, noise=NOISY)

    assert first.counts == second.counts
    assert first.counts != other.counts


def test_counts_add_up_to_the_shots():
    execution = run(SUPERPOSED, shots=321, seed=1, noise=NOISY)

    assert sum(execution.counts.values()) == 321


def test_the_details_report_ranks_bound_and_settings():
    lret = {"epsilon": 1e-3, "rule": "cumulative", "max_rank": 5}

    details = run(SUPERPOSED, noise=NOISY, lret=lret).details

    assert details["max_rank_seen"] >= details["final_rank"] >= 1
    assert details["final_rank"] <= 5
    assert details["truncation_bound"] > 0
    assert (details["epsilon"], details["rule"]) == (1e-3, "cumulative")
    assert details["expected_errors"] == pytest.approx(4 * 0.05)


def test_a_bound_above_the_tolerance_warns():
    lret = {"epsilon": 0.1, "tolerance": 1e-6}

    with pytest.warns(TruncationWarning, match="exceeds the tolerance"):
        details = run(SUPERPOSED, noise=NOISY, lret=lret).details

    assert "exceeds the tolerance" in details["warnings"][0]


def test_a_bound_within_the_tolerance_is_quiet():
    details = run(SUPERPOSED, noise=NOISY, lret={"tolerance": 1.0}).details

    assert "warnings" not in details


def test_expectation_values_are_reported_for_pauli_strings():
    prog = program(2, 0, Gate("x", (0,)), Gate("h", (1,)))

    details = run(prog, lret={"observables": ["IZ", "ZI", "XI"]}).details

    assert details["expectations"] == pytest.approx({"IZ": -1, "ZI": 0, "XI": 1})


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"epsilon": -1}, "'epsilon' must be a number from 0 to 1"),
        ({"rule": "greedy"}, "'rule' must be 'relative' or 'cumulative'"),
        ({"max_rank": 0}, "'max_rank' must be a positive integer"),
        ({"speed": "max"}, "'speed' is not known"),
    ],
)
def test_a_bad_option_is_refused_with_a_sentence(options, words):
    run_options = RunOptions(backend_options={"lret": options})

    reason = BACKEND.unsupported_reason(SUPERPOSED, run_options)

    assert reason is not None and words in reason


def test_the_memory_estimate_grows_with_the_noise():
    quiet = RunOptions(noise=NoiseModel.parse("depolarizing:0.00001"))
    loud = RunOptions(noise=NoiseModel.parse("depolarizing:0.01"))

    small = BACKEND.estimate_memory_bytes(SUPERPOSED, quiet)
    large = BACKEND.estimate_memory_bytes(SUPERPOSED, loud)

    assert small < large


def test_an_unknown_channel_is_refused_by_name():
    from proxima_kernel import Channel

    noise = NoiseModel((Channel("crosstalk", 0.1),))

    reason = BACKEND.unsupported_reason(SUPERPOSED, RunOptions(noise=noise))

    assert reason is not None and "'crosstalk'" in reason


def test_a_gate_outside_the_table_is_refused_by_name():
    prog = program(1, 0, Gate("wobble", (0,)))

    reason = BACKEND.unsupported_reason(prog, RunOptions())

    assert reason is not None and "'wobble'" in reason


def _branchy(width: int, branching: int):
    # h, measure, h on the first `branching` qubits: each measurement is
    # followed by a gate on its qubit, so the state splits on its bit.
    ops = []
    for q in range(branching):
        ops += [Gate("h", (q,)), Measure(q, q), Gate("h", (q,))]
    ops += [Measure(q, q) for q in range(width)]
    return program(width, width, *ops)


def test_the_memory_estimate_counts_one_factor_per_branch():
    # Found by a user trial: 1024 branches of 16 qubits peaked at 2.2 GiB
    # under an estimate of 86 MiB, so --memory-limit-mb did not protect.
    from proxima_lret._routing import branch_records

    straight = BACKEND.estimate_memory_bytes(_branchy(12, 0), RunOptions())
    branched = BACKEND.estimate_memory_bytes(_branchy(12, 6), RunOptions())

    assert branch_records(_branchy(12, 6)) == 64
    assert branch_records(_branchy(12, 0)) == 1
    assert branched - straight == 63 * 2 * 16 * 2**12


def test_max_rank_caps_the_memory_estimate():
    loud = NoiseModel.parse("depolarizing:0.01")
    capped = RunOptions(noise=loud, backend_options={"lret": {"max_rank": 2}})

    assert BACKEND.estimate_memory_bytes(SUPERPOSED, capped) < (
        BACKEND.estimate_memory_bytes(SUPERPOSED, RunOptions(noise=loud))
    )
