"""The built-in generators give exact, deterministic circuits."""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest

from proxima_kernel import _ir as ir
from proxima_kernel._errors import CircuitError
from proxima_kernel._gates import gate_matrix
from proxima_kernel._generators import (
    _GATE_COUNTS,
    _numbers,
    generate,
    is_generator_spec,
)
from proxima_kernel._qasm import load_qasm


def final_state(program: ir.Program) -> np.ndarray:
    """The state the gates make from |0...0>, qubit 0 least significant."""
    n = program.num_qubits
    state = np.zeros([2] * n, dtype=complex)
    state[(0,) * n] = 1
    for gate in program.gates():
        k = len(gate.qubits)
        m = gate_matrix(gate.name, gate.params).reshape([2] * (2 * k))
        axes = [n - 1 - q for q in gate.qubits]
        state = np.tensordot(m, state, axes=(list(range(k, 2 * k)), axes))
        state = np.moveaxis(state, list(range(k)), axes)

    return state.reshape(2**n)


def test_ghz_3_is_h_a_cx_chain_and_measure_all():
    circuit = generate("ghz:3")

    assert circuit.program.operations == (
        ir.Gate("h", (0,)),
        ir.Gate("cx", (0, 1)),
        ir.Gate("cx", (1, 2)),
        ir.Measure(0, 0),
        ir.Measure(1, 1),
        ir.Measure(2, 2),
    )
    assert (circuit.num_qubits, circuit.num_clbits) == (3, 3)


def test_a_generated_circuit_names_its_spec_and_keeps_real_qasm():
    circuit = generate("ghz:5")

    assert circuit.name == "ghz_5"
    assert circuit.format == "generator"
    assert circuit.origin == "ghz:5"
    assert circuit.conversion_path == ("generator", "proxima-program")
    assert circuit.source.startswith("OPENQASM 2.0;")
    assert load_qasm(circuit.source).program == circuit.program


def test_ghz_state_is_an_even_superposition_of_all_zeros_and_all_ones():
    state = final_state(generate("ghz:4").program)

    expected = np.zeros(16)
    expected[0] = expected[15] = 1 / math.sqrt(2)
    np.testing.assert_allclose(state, expected, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_qft_is_the_fourier_transform_of_the_even_qubits_state(n):
    x = sum(1 << q for q in range(0, n, 2))

    state = final_state(generate(f"qft:{n}").program)

    size = 2**n
    expected = [cmath.exp(2j * math.pi * x * y / size) for y in range(size)]
    np.testing.assert_allclose(state, np.array(expected) / math.sqrt(size), atol=1e-12)


def test_qft_measures_every_qubit_into_its_own_bit():
    program = generate("qft:3").program

    assert program.measurements() == [ir.Measure(q, q) for q in range(3)]


def test_random_is_deterministic_for_a_seed():
    first, again = generate("random:4:3:7"), generate("random:4:3:7")

    assert first.source == again.source
    assert first.content_hash == again.content_hash
    assert first.program == again.program
    assert generate("random:4:3:8").source != first.source


def test_random_alternates_u_layers_and_cx_bricks():
    program = generate("random:4:3:11").program

    names = [(g.name, g.qubits) for g in program.gates()]

    u_layer = [("u", (q,)) for q in range(4)]
    even, odd = [("cx", (0, 1)), ("cx", (2, 3))], [("cx", (1, 2))]
    assert names == u_layer + even + u_layer + odd + u_layer + even
    assert program.measurements() == [ir.Measure(q, q) for q in range(4)]
    assert generate("random:4:3:11").name == "random_4_3_11"


def test_random_angles_are_the_seeded_values_rounded_to_six_decimals():
    gate = generate("random:1:1:0").program.gates()[0]

    theta, phi, lam = gate.params
    assert 0 <= theta <= math.pi
    assert all(0 <= a <= math.tau for a in (phi, lam))
    assert all(round(a, 6) == a for a in gate.params)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ("ghz:abc", "must be whole numbers"),
        ("ghz:0", "at least 1"),
        ("ghz", "takes 1 number after the name"),
        ("foo:3", "'foo' is not a built-in generator"),
        ("random:3:2", "takes 3 numbers"),
        ("random:3:0:1", "DEPTH must be at least 1"),
        ("qft:2:2", "takes 1 number"),
        ("qft:1000", "it would have 501,500 gates"),
        ("random:40:1000:1", "at most 20,000"),
    ],
)
def test_bad_specs_explain_the_valid_forms(spec, problem):
    with pytest.raises(CircuitError) as info:
        generate(spec)

    message = str(info.value)
    assert f"The circuit spec {spec!r} is not valid" in message
    assert problem in message
    assert "ghz:N, qft:N or random:N:DEPTH:SEED" in message


def test_seed_zero_is_allowed():
    assert generate("random:2:1:0").num_qubits == 2


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("ghz:5", True),
        ("ghz:abc", True),
        ("QFT:3", True),
        ("random:2:2:2", True),
        ("foo:3", False),
        ("circuits/bell.qasm", False),
        ("ghz", False),
    ],
)
def test_is_generator_spec_recognises_generator_names(spec, expected):
    assert is_generator_spec(spec) is expected


@pytest.mark.parametrize(
    "spec", ["ghz:7", "qft:1", "qft:6", "qft:7", "random:5:4:2", "random:6:3:0"]
)
def test_the_gate_count_behind_the_cap_is_the_number_written(spec):
    kind, *numbers = spec.split(":")
    circuit = generate(spec)

    written = sum(1 for _ in circuit.program.gates())

    assert _GATE_COUNTS[kind](*map(int, numbers)) == written


def test_the_cap_falls_between_qft_198_and_qft_199():
    assert _numbers("qft:198", "qft", "198", 1) == [198]

    with pytest.raises(CircuitError, match="would have 20,099 gates"):
        _numbers("qft:199", "qft", "199", 1)
