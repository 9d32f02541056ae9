"""Seeds, backend options, memory estimates and readable failures."""

from __future__ import annotations

import cirq
import pytest
from cirq_support import BACKEND, program, run
from proxima_kernel import Gate, Measure, NoiseModel, Reset, RunOptions

from proxima_cirq import CirqRunError

SUPERPOSED = program(
    4, 4, *(Gate("h", (q,)) for q in range(4)), *(Measure(q, q) for q in range(4))
)
DYNAMIC = program(
    2, 2, Gate("h", (0,)), Measure(0, 0), Reset(0), Gate("h", (0,)), Measure(0, 1)
)


def test_the_same_seed_gives_the_same_counts():
    first = run(SUPERPOSED, shots=500, seed=7)
    second = run(SUPERPOSED, shots=500, seed=7)
    other = run(SUPERPOSED, shots=500, seed=8)

    assert first.counts == second.counts
    assert first.counts != other.counts


def test_the_same_seed_gives_the_same_noisy_counts():
    noise = NoiseModel.parse("depolarizing:0.2,readout:0.1")

    first = run(SUPERPOSED, shots=300, seed=3, noise=noise)
    second = run(SUPERPOSED, shots=300, seed=3, noise=noise)

    assert first.counts == second.counts
    assert first.details["method"] == "density_matrix"


def test_the_same_seed_gives_the_same_dynamic_counts():
    first = run(DYNAMIC, shots=300, seed=4)
    second = run(DYNAMIC, shots=300, seed=4)

    assert first.counts == second.counts


def test_backend_options_reach_the_simulator():
    options = {"cirq": {"split_untangled_states": False}}

    execution = run(SUPERPOSED, backend_options=options)

    assert execution.details["backend_options"] == {"split_untangled_states": False}


def test_an_unknown_backend_option_fails_with_a_readable_error():
    options = {"cirq": {"no_such_option": 1}}

    with pytest.raises(CirqRunError, match="could not run the circuit"):
        run(SUPERPOSED, backend_options=options)


def test_options_the_plugin_sets_itself_are_refused():
    options = {"cirq": {"seed": 3}}

    with pytest.raises(CirqRunError, match="seed"):
        run(SUPERPOSED, backend_options=options)


def test_memory_estimate_follows_the_method():
    ideal = RunOptions()
    noisy = RunOptions(noise=NoiseModel.parse("bit_flip:0.01"))

    assert BACKEND.estimate_memory_bytes(SUPERPOSED, ideal) == 16 * 2**4
    assert BACKEND.estimate_memory_bytes(SUPERPOSED, noisy) == 16 * 4**4
    assert BACKEND.estimate_memory_bytes(SUPERPOSED) == 16 * 2**4


def test_the_simulators_hold_complex128_as_the_estimate_assumes():
    setup_ideal = _setup(RunOptions())
    setup_noisy = _setup(RunOptions(noise=NoiseModel.parse("bit_flip:0.01")))

    assert isinstance(setup_ideal.simulator(), cirq.Simulator)
    assert isinstance(setup_noisy.simulator(), cirq.DensityMatrixSimulator)
    state = setup_ideal.simulator().simulate(cirq.Circuit(), qubit_order=[])
    assert state.final_state_vector.dtype.itemsize == 16


def test_details_name_the_matrix_gates_and_the_noise():
    prog = program(1, 1, Gate("u", (0,), (0.1, 0.2, 0.3)), Measure(0, 0))
    noise = NoiseModel.parse("bit_flip:0.01")

    execution = run(prog, shots=10, noise=noise)

    assert execution.details == {
        "method": "density_matrix",
        "matrix_gates": ["u"],
        "noise": "bit_flip:0.01",
    }


def test_engine_version_is_cirqs():
    assert BACKEND.engine_version() == cirq.__version__


def _setup(options: RunOptions):
    from proxima_cirq._run import prepare

    return prepare(BACKEND.convert(SUPERPOSED).native, SUPERPOSED, options)
