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


def test_an_observable_of_the_wrong_width_is_refused_before_the_run():
    # Found by a user trial: 'ZZ' on six qubits failed after the simulation.
    options = RunOptions(backend_options={"lret": {"observables": ["ZZ", "XIZY"]}})

    reason = BACKEND.unsupported_reason(SUPERPOSED, options)

    assert reason == (
        "the observable 'ZZ' has 2 letters, but the circuit has 4 qubits; "
        "write one letter per qubit, qubit 0 on the right"
    )


def test_truncating_the_whole_state_fails_instead_of_reporting_no_counts():
    # Found by a user trial: depolarizing2:1 at epsilon 0.05 left a trace of
    # 0 and the run was `ok` with no counts.
    from proxima_lret import LRETRunError

    prog = program(2, 2, Gate("h", (0,)), Gate("cx", (0, 1)), Measure(0, 0))
    options = RunOptions(
        shots=100,
        noise=NoiseModel.parse("depolarizing2:1"),
        backend_options={"lret": {"epsilon": 0.1}},
    )

    with pytest.raises(LRETRunError, match="removed the whole state"):
        BACKEND.execute(BACKEND.convert(prog).native, prog, options)


def test_an_exact_run_reports_a_bound_of_zero_and_no_warning(recwarn):
    # Found by a user trial: round-off left the bound of an untruncated run
    # at 1.6e-16, and a tolerance of 0 warned.
    entangled = program(
        4,
        4,
        *(Gate("h", (q,)) for q in range(4)),
        Gate("cx", (0, 1)),
        Gate("cx", (2, 3)),
        *(Measure(q, q) for q in range(4)),
    )
    noise = NoiseModel.parse("bit_flip:0.1")

    execution = run(entangled, {"epsilon": 0, "tolerance": 0}, noise=noise)

    assert 0.0 <= execution.details["truncation_bound"] < 1e-12
    assert not [w for w in recwarn if w.category is TruncationWarning]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        (None, "the run is noiseless: a state-vector simulator is enough"),
        (
            "readout:0.05",
            "only its read-out is noisy: a state-vector simulator is enough",
        ),
    ],
)
def test_the_routing_hint_tells_read_out_noise_from_none(spec, words):
    noise = None if spec is None else NoiseModel.parse(spec)

    hint = BACKEND.routing_hint(SUPERPOSED, RunOptions(noise=noise))

    assert (hint.recommended, hint.reason, hint.expected_errors) == (False, words, 0)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"epsilon": 2}, "epsilon is a fraction of the trace, from 0 to 1"),
        ({"fuse_qubits": 0}, "fuse_qubits must be from 1"),
        ({"fuse_qubits": 10}, "fuse_qubits must be from 1"),
    ],
)
def test_the_python_api_refuses_what_the_backend_refuses(options, words):
    import proxima_lret

    with pytest.raises(ValueError, match=words):
        proxima_lret.simulate(SUPERPOSED, None, **options)


def test_an_expectation_on_a_missing_qubit_names_it():
    import proxima_lret

    outcome = proxima_lret.simulate(SUPERPOSED, None)

    with pytest.raises(ValueError, match="qubit 5 is outside the state's 4 qubits"):
        outcome.expectation({5: "X"})
