"""The OpenQASM frontend lowers real files and small programs exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from proxima_kernel import _ir as ir
from proxima_kernel._errors import (
    CircuitError,
    CircuitNotFoundError,
    CircuitSyntaxError,
)
from proxima_kernel._gates import gate_matrix
from proxima_kernel._qasm import load_qasm, load_qasm_file

from kernel_support import QASMBENCH, qasmbench_files

V2 = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'
V3 = 'OPENQASM 3.0;\ninclude "stdgates.inc";\n'

# (qubits, clbits) of each benchmark, read off its register declarations.
EXPECTED_SIZES = {
    "adder_n4": (4, 4),
    "basis_change_n3": (3, 3),
    "bell_n4": (4, 4),
    "bv_n14": (14, 13),
    "cat_state_n22": (22, 44),
    "cat_state_n4": (4, 4),
    "deutsch_n2": (2, 2),
    "error_correctiond3_n5": (5, 5),
    "fredkin_n3": (3, 3),
    "ghz_state_n23": (23, 46),
    "grover_n2": (2, 2),
    "inverseqft_n4": (4, 4),
    "ising_n26": (26, 52),
    "iswap_n2": (2, 2),
    "qaoa_n3": (3, 3),
    "qft_n18": (18, 36),
    "qft_n4": (4, 4),
    "teleportation_n3": (3, 3),
    "toffoli_n3": (3, 3),
    "vqe_n4": (4, 4),
}


def unitary(program: ir.Program) -> np.ndarray:
    """The program's gates as one matrix, qubit 0 least significant."""
    n = program.num_qubits
    u = np.eye(2**n, dtype=complex).reshape([2] * (2 * n))
    for gate in program.gates():
        k = len(gate.qubits)
        m = gate_matrix(gate.name, gate.params).reshape([2] * (2 * k))
        axes = [n - 1 - q for q in gate.qubits]
        u = np.tensordot(m, u, axes=(list(range(k, 2 * k)), axes))
        u = np.moveaxis(u, list(range(k)), axes)

    return u.reshape(2**n, 2**n)


def ops(text: str) -> tuple[ir.Operation, ...]:
    return load_qasm(text).program.operations


def G(name, *qubits, params=(), condition=None) -> ir.Gate:  # noqa: N802 - reads like the IR
    return ir.Gate(name, qubits, tuple(params), condition)


# --- the benchmark files -------------------------------------------------


@pytest.mark.parametrize("file", qasmbench_files(), ids=lambda p: p.stem)
def test_every_benchmark_lowers_with_its_declared_sizes(file):
    circuit = load_qasm_file(file)

    assert (circuit.num_qubits, circuit.num_clbits) == EXPECTED_SIZES[file.stem]
    assert circuit.format == "qasm2"
    assert circuit.name == file.stem
    assert circuit.origin == str(file)
    assert circuit.conversion_path == ("qasm2", "proxima-program")
    assert circuit.program.gates()


@pytest.mark.skipif(not QASMBENCH.is_dir(), reason="no shared circuits")
def test_the_806_line_qft_lowers_every_gate():
    circuit = load_qasm_file(QASMBENCH / "qft_n18.qasm")

    assert len(circuit.program.gates()) == 783


@pytest.mark.skipif(not QASMBENCH.is_dir(), reason="no shared circuits")
def test_qasm2_if_statements_condition_on_one_bit_registers():
    program = load_qasm_file(QASMBENCH / "inverseqft_n4.qasm").program

    conditioned = [op for op in program.gates() if op.condition]

    assert conditioned[0] == G(
        "p",
        1,
        params=(math.pi / 2,),
        condition=ir.Condition((0,), 1, "c0 == 1"),
    )
    assert [op.condition.clbits for op in conditioned] == [
        (0,), (0,), (1,), (0,), (1,), (2,)
    ]  # fmt: skip


# --- exact lowering of small programs ------------------------------------


def test_a_gate_on_a_register_is_applied_to_each_qubit():
    text = V2 + "qreg a[2];\nqreg b[2];\nh a;\ncx a, b;\ncx a[0], b;\n"

    assert ops(text) == (
        G("h", 0),
        G("h", 1),
        G("cx", 0, 2),
        G("cx", 1, 3),
        G("cx", 0, 2),
        G("cx", 0, 3),
    )


def test_registers_get_global_offsets_in_declaration_order():
    text = V2 + "qreg a[2];\ncreg x[1];\nqreg b[3];\ncreg y[2];\nx b[1];\n"

    program = load_qasm(text).program

    assert program.qregs == (ir.Register("a", 2, 0), ir.Register("b", 3, 2))
    assert program.cregs == (ir.Register("x", 1, 0), ir.Register("y", 2, 1))
    assert (program.num_qubits, program.num_clbits) == (5, 3)
    assert program.operations == (G("x", 3),)


def test_measurements_follow_the_written_bits_even_when_crossed():
    text = V2 + "qreg q[2];\ncreg c[2];\nmeasure q[0] -> c[1];\n"
    text += "measure q[1] -> c[0];\nmeasure q -> c;\n"

    assert ops(text) == (
        ir.Measure(0, 1),
        ir.Measure(1, 0),
        ir.Measure(0, 0),
        ir.Measure(1, 1),
    )


def test_a_user_gate_is_expanded_with_its_parameters_and_qubits():
    text = V2 + "gate twist(a, b) x, y { rz(a/2) y; cx y, x; ry(-b) x; }\n"
    text += "qreg q[3];\ntwist(pi, 0.25) q[2], q[0];\n"

    assert ops(text) == (
        G("rz", 0, params=(math.pi / 2,)),
        G("cx", 0, 2),
        G("ry", 2, params=(-0.25,)),
    )


def test_user_gates_nest_and_their_matrix_is_the_intended_one():
    text = V2 + "gate hh a { h a; }\ngate mycz a, b { hh b; cx a, b; hh b; }\n"
    text += "qreg q[2];\nmycz q[0], q[1];\n"

    program = load_qasm(text).program

    assert [g.name for g in program.gates()] == ["h", "cx", "h"]
    np.testing.assert_allclose(unitary(program), gate_matrix("cz"), atol=1e-12)


def test_qasm2_library_names_map_onto_standard_gates():
    text = V2 + "qreg q[2];\nu1(0.1) q[0];\nu2(0.2, 0.3) q[0];\n"
    text += "u3(0.4, 0.5, 0.6) q[0];\nU(1, 2, 3) q[1];\nCX q[0], q[1];\n"
    text += "cu1(0.7) q[0], q[1];\ncu3(0.8, 0.9, 1.0) q[0], q[1];\n"
    text += "u0(5) q[0];\nid q[1];\n"

    assert ops(text) == (
        G("p", 0, params=(0.1,)),
        G("u", 0, params=(math.pi / 2, 0.2, 0.3)),
        G("u", 0, params=(0.4, 0.5, 0.6)),
        G("u", 1, params=(1.0, 2.0, 3.0)),
        G("cx", 0, 1),
        G("cp", 0, 1, params=(0.7,)),
        G("cu", 0, 1, params=(0.8, 0.9, 1.0, 0.0)),
        G("id", 0),
        G("id", 1),
    )


def test_pi_expressions_are_numerically_exact():
    text = V2 + "qreg q[1];\nrz(pi/2) q[0];\nrz(-pi/4) q[0];\n"
    text += "rz(2*pi/3) q[0];\nrz(pi^2/4) q[0];\nrz(sqrt(2)*cos(0)) q[0];\n"
    text += "rz(ln(exp(1.5)) - 3 + 1e-3) q[0];\n"

    params = [op.params[0] for op in ops(text)]

    assert params == [
        math.pi / 2,
        -math.pi / 4,
        2 * math.pi / 3,
        math.pi**2 / 4,
        math.sqrt(2),
        math.log(math.exp(1.5)) - 3 + 1e-3,
    ]


def test_a_qasm2_if_compares_the_whole_register_bit_0_lowest():
    text = V2 + "qreg q[1];\ncreg a[1];\ncreg c[3];\nif (c == 5) x q[0];\n"

    (gate,) = ops(text)

    assert gate.condition == ir.Condition((1, 2, 3), 5, "c == 5")


def test_reset_and_barrier_with_and_without_operands():
    text = V2 + "qreg q[2];\nqreg r[1];\nreset q;\nbarrier q[1], r;\nbarrier;\n"

    assert ops(text) == (
        ir.Reset(0),
        ir.Reset(1),
        ir.Barrier((1, 2)),
        ir.Barrier((0, 1, 2)),
    )


def test_openqasm3_declarations_measure_and_if_blocks():
    text = V3 + (
        "qubit[2] q;\nqubit r;\nbit[2] c;\n"
        "h q;\nc[0] = measure q[0];\nmeasure r -> c[1];\n"
        "if (c[0] == 1) { x q[1]; z r; }\n"
        "if (c[1]) { if (!c[0]) { h r; } } else { s r; }\n"
    )

    circuit = load_qasm(text, name="v3")

    one, both = (
        ir.Condition((0,), 1, "c[0] == 1"),
        ir.Condition((1, 0), 1, "c[1] && !c[0]"),
    )
    assert circuit.format == "qasm3"
    assert circuit.name == "v3"
    assert circuit.program.operations == (
        G("h", 0),
        G("h", 1),
        ir.Measure(0, 0),
        ir.Measure(2, 1),
        G("x", 1, condition=one),
        G("z", 2, condition=one),
        G("h", 2, condition=both),
        G("s", 2, condition=ir.Condition((1,), 0, "!(c[1])")),
    )


def test_openqasm3_constants_ranges_and_declared_measurement():
    text = V3 + "const int n = 3;\nqubit[n] q;\nx q[0:1];\nx q[-1];\n"
    text += "bit[n] c = measure q;\n"

    assert ops(text) == (
        G("x", 0),
        G("x", 1),
        G("x", 2),
        ir.Measure(0, 0),
        ir.Measure(1, 1),
        ir.Measure(2, 2),
    )


def test_modifiers_on_standard_gates_give_standard_gates():
    text = V3 + "qubit[3] q;\nctrl @ x q[0], q[1];\nctrl(2) @ x q[0], q[1], q[2];\n"
    text += "inv @ s q[0];\ninv @ u(1, 2, 3) q[0];\nctrl @ rz(0.5) q[2], q[0];\n"
    text += "pow(2) @ t q[1];\nnegctrl @ z q[0], q[1];\n"

    assert ops(text) == (
        G("cx", 0, 1),
        G("ccx", 0, 1, 2),
        G("sdg", 0),
        G("u", 0, params=(-1.0, -3.0, -2.0)),
        G("crz", 2, 0, params=(0.5,)),
        G("t", 1),
        G("t", 1),
        G("x", 0),
        G("cz", 0, 1),
        G("x", 0),
    )


def test_inv_of_a_user_gate_is_its_inverse():
    text = V3 + "gate g(a) x, y { rx(a) x; cx x, y; t y; }\nqubit[2] q;\n"
    text += "g(0.3) q[0], q[1];\ninv @ g(0.3) q[0], q[1];\n"

    product = unitary(load_qasm(text).program)

    np.testing.assert_allclose(product, np.eye(4), atol=1e-12)


def test_gphase_and_pragmas_are_dropped():
    text = V3 + "qubit q;\ngphase(pi);\npragma anything here\nh q;\n"

    assert ops(text) == (G("h", 0),)


def test_text_without_a_header_is_read_as_openqasm3():
    circuit = load_qasm('include "stdgates.inc";\nqubit[1] q;\nx q;\n')

    assert circuit.format == "qasm3"
    assert circuit.conversion_path == ("qasm3", "proxima-program")


def test_a_local_include_is_read_next_to_the_including_file(tmp_path):
    (tmp_path / "mine.inc").write_text("gate flip a { x a; }\n")
    file = tmp_path / "main.qasm"
    file.write_text(V2 + 'include "mine.inc";\nqreg q[1];\nflip q[0];\n')

    circuit = load_qasm_file(file)

    assert circuit.name == "main"
    assert circuit.source == file.read_text()
    assert circuit.program.operations == (G("x", 0),)


def test_crlf_files_load_like_lf_files(tmp_path):
    file = tmp_path / "crlf.qasm"
    file.write_bytes((V2 + "qreg q[1];\nh q[0];\n").replace("\n", "\r\n").encode())

    assert load_qasm_file(file).program.operations == (G("h", 0),)


# --- errors --------------------------------------------------------------


def syntax_error(text: str, path: str = "bad.qasm") -> CircuitSyntaxError:
    with pytest.raises(CircuitSyntaxError) as info:
        load_qasm(text, path=path)
    return info.value


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("h q[0]\ncx q[0], q[1];\n", 5, ["not valid OpenQASM", "';'"]),
        ("h q[0;\n", 4, ["not valid OpenQASM", "column"]),
        ("foo q[0];\n", 4, ["Gate 'foo' is not defined", "'gate' block"]),
        ("h r[0];\n", 4, ["register 'r' is not declared"]),
        ("h q[2];\n", 4, ["Index 2 is out of range", "indices 0 to 1"]),
        ("cx q[0];\n", 4, ["'cx' takes 2 qubits", "1 qubit was given"]),
        ("rz q[0];\n", 4, ["'rz' takes 1 parameter"]),
        ("rz(theta) q[0];\n", 4, ["identifier 'theta' is not defined"]),
        ("cx q[0], q[0];\n", 4, ["same qubit twice"]),
        ("rz(1/0) q[0];\n", 4, ["divides by zero"]),
        ("qreg q[1];\n", 4, ["'q' is already declared at line 3"]),
        ("gate g a { h b; }\n", 4, ["'b' is not a qubit of gate 'g'"]),
    ],
)
def test_bad_programs_name_the_file_line_and_problem(body, line, words):
    error = syntax_error(V2 + "qreg q[2];\n" + body)

    assert error.path == "bad.qasm"
    assert error.line == line
    assert str(error).startswith(f"bad.qasm, line {line}: ")
    for word in words:
        assert word in str(error)


def test_a_missing_library_include_is_suggested():
    error = syntax_error("OPENQASM 2.0;\nqreg q[1];\nh q[0];\n")

    assert error.line == 3
    assert 'include "qelib1.inc";' in str(error)


def test_an_error_in_an_included_file_names_that_file(tmp_path):
    (tmp_path / "lib.inc").write_text("\ngate g a { nothere a; }\n")
    file = tmp_path / "main.qasm"
    file.write_text(V2 + 'include "lib.inc";\n')

    with pytest.raises(CircuitSyntaxError) as info:
        load_qasm_file(file)

    assert info.value.path == str(tmp_path / "lib.inc")
    assert info.value.line == 2
    assert "'nothere' is not defined" in str(info.value)


@pytest.mark.parametrize(
    ("body", "construct"),
    [
        ("for int i in [0:1] { h q[i]; }\n", "a 'for' loop"),
        ("while (true) { h q; }\n", "a 'while' loop"),
        ("def f(qubit a) { h a; }\n", "a subroutine definition"),
        ("int k = 3;\n", "a classical variable of type int"),
        ("bit b;\nb = 1;\n", "a classical assignment"),
        ("extern e(int) -> int;\n", "an 'extern' declaration"),
    ],
)
def test_valid_qasm3_that_cannot_be_lowered_names_the_construct(body, construct):
    with pytest.raises(CircuitError) as info:
        load_qasm(V3 + "qubit[2] q;\n" + body, path="loop.qasm")

    assert not isinstance(info.value, CircuitSyntaxError)
    assert str(info.value).startswith("loop.qasm, line ")
    assert f"cannot lower {construct}" in str(info.value)


def test_opaque_is_named_with_its_line():
    with pytest.raises(CircuitError, match=r"x\.qasm, line 4: An 'opaque'"):
        load_qasm(V2 + "qreg q[1];\nopaque magic a;\n", path="x.qasm")


def test_a_missing_file_points_at_the_path_and_the_generator_form(tmp_path):
    missing = tmp_path / "x.qasm"

    with pytest.raises(CircuitNotFoundError) as info:
        load_qasm_file(missing)

    assert f"No circuit file at '{missing}'" in str(info.value)
    assert "ghz:5" in str(info.value)


def test_an_empty_file_is_a_syntax_error():
    error = syntax_error("// only a comment\n")

    assert "holds no OpenQASM statements" in str(error)


@pytest.mark.parametrize("version", ["4.0", "1.5"])
def test_a_version_other_than_2_or_3_is_refused_at_its_header(version):
    # Found by a new-user run: 'OPENQASM 4.0;' ran as OpenQASM 3.
    error = syntax_error(f"// a circuit\nOPENQASM {version};\nqubit q;\nx q;\n")

    assert error.line == 2
    assert f"'OPENQASM {version};' names a version Proxima does not read" in str(error)
    assert "'OPENQASM 3.0;'" in str(error)
