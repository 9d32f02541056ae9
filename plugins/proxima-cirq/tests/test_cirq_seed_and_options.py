"""Backend options, memory estimates and readable failures.

Seed repeatability is checked by the kit (test_cirq_conformance).
"""

from __future__ import annotations

import cirq
import pytest
from cirq_support import BACKEND, program, run
from proxima_kernel import Gate, Measure, NoiseModel, RunOptions

from proxima_cirq import CirqRunError

SUPERPOSED = program(
    4, 4, *(Gate("h", (q,)) for q in range(4)), *(Measure(q, q) for q in range(4))
)


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


def test_memory_estimate_counts_the_state_and_cirqs_buffers():
    ideal = RunOptions()
    noisy = RunOptions(noise=NoiseModel.parse("bit_flip:0.01"))

    # A state vector and one buffer; a density matrix and three.
    assert BACKEND.estimate_memory_bytes(SUPERPOSED, ideal) == 4 * 16 * 2**4
    assert BACKEND.estimate_memory_bytes(SUPERPOSED, noisy) == 6 * 16 * 4**4
    assert BACKEND.estimate_memory_bytes(SUPERPOSED) == 4 * 16 * 2**4


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
