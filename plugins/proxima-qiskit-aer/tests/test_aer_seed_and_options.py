"""Backend options, memory estimates and readable failures.

Seed repeatability is checked by the kit (test_aer_conformance).
"""

from __future__ import annotations

import pytest
from aer_support import BACKEND, program, run
from proxima_kernel import Gate, Measure, NoiseModel, RunOptions

from proxima_qiskit_aer import AerRunError

SUPERPOSED = program(
    4, 4, *(Gate("h", (q,)) for q in range(4)), *(Measure(q, q) for q in range(4))
)


def test_backend_options_reach_the_simulator():
    options = {"qiskit-aer": {"max_parallel_threads": 1}}

    execution = run(SUPERPOSED, backend_options=options)

    assert execution.details["backend_options"] == {"max_parallel_threads": 1}


def test_an_unknown_backend_option_fails_with_a_readable_error():
    options = {"qiskit-aer": {"no_such_option": 1}}

    with pytest.raises(AerRunError, match="could not run the circuit"):
        run(SUPERPOSED, backend_options=options)


def test_options_the_plugin_sets_itself_are_refused():
    options = {"qiskit-aer": {"method": "stabilizer"}}

    with pytest.raises(AerRunError, match="method"):
        run(SUPERPOSED, backend_options=options)


def test_memory_estimate_follows_the_method():
    ideal = RunOptions()
    noisy = RunOptions(noise=NoiseModel.parse("bit_flip:0.01"))

    assert BACKEND.estimate_memory_bytes(SUPERPOSED, ideal) == 16 * 2**4
    assert BACKEND.estimate_memory_bytes(SUPERPOSED, noisy) == 16 * 4**4


def test_engine_version_is_qiskit_aers():
    import qiskit_aer

    assert BACKEND.engine_version() == qiskit_aer.__version__
