"""``proxima run``: tables, report.json, exit codes, and errors without tracebacks.

These run the real CLI on the installed qiskit-aer backend.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from proxima_kernel._cli import main

from kernel_support import SHIPPED

pytest.importorskip("proxima_qiskit_aer")

AER = ["--backends", "qiskit-aer"]


def proxima(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_run_prints_a_table_and_writes_report_json(tmp_path):
    code, out, _ = proxima(
        "run",
        str(SHIPPED / "bell_n4.qasm"),
        "ghz:3",
        *AER,
        "--shots",
        "2000",
        "--seed",
        "5",
        "--out",
        str(tmp_path),
    )

    assert code == 0
    assert "bell_n4 (4 qubits, 4 bits)" in out and "ghz_3" in out
    assert out.count("agrees") == 2
    report = json.loads((tmp_path / "report.json").read_text())
    ghz = report["circuits"][1]["results"]["qiskit-aer"]
    assert set(ghz["counts"]) == {"000", "111"}
    assert sum(ghz["counts"].values()) == 2000


def test_json_output_is_the_report_and_the_same_seed_repeats(tmp_path):
    args = ["run", "random:4:6:1", *AER, "--seed", "9", "--json"]

    first = json.loads(proxima(*args, "--out", str(tmp_path / "a"))[1])
    second = json.loads(proxima(*args, "--out", str(tmp_path / "b"))[1])

    counts = first["circuits"][0]["results"]["qiskit-aer"]["counts"]
    assert counts == second["circuits"][0]["results"]["qiskit-aer"]["counts"]
    assert first["options"]["seed"] == 9


def test_a_missing_file_is_an_input_error_naming_the_path(tmp_path):
    code, _, err = proxima("run", str(tmp_path / "nope.qasm"), *AER)

    assert code == 3
    assert f"No circuit file at '{tmp_path / 'nope.qasm'}'" in err
    assert "check the path" in err
    assert "Traceback" not in err


def test_malformed_qasm_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.qasm"
    path.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncx q[0] q[1];\n')

    code, _, err = proxima("run", str(path), *AER, "--out", str(tmp_path))

    assert code == 3
    assert f"{path}, line 4" in err
    assert "Traceback" not in err


def test_an_unknown_backend_is_a_usage_error_listing_the_installed(tmp_path):
    code, _, err = proxima("run", "ghz:2", "--backends", "qsim-9000")

    assert code == 2
    assert "Unknown backend 'qsim-9000'" in err
    assert "qiskit-aer" in err


def test_a_circuit_too_large_for_every_backend_exits_4_with_the_estimate(tmp_path):
    code, out, err = proxima(
        "run", "ghz:40", *AER, "--out", str(tmp_path), "--memory-limit-mb", "1024"
    )

    assert code == 4
    assert "qiskit-aer unsupported: ghz_40 has 40 qubits" in out
    assert "16.0 TiB" in json.dumps(json.loads((tmp_path / "report.json").read_text()))
    assert "Every backend run failed or was refused" in err


@pytest.mark.parametrize("spec", ["ghz:many", "ghz:0", "random:3", "qft:", "ghz:30000"])
def test_a_bad_generator_spec_is_an_input_error_saying_how_to_write_it(spec):
    code, _, err = proxima("run", spec, *AER)

    assert code == 3
    assert f"The circuit spec '{spec}' is not valid" in err
    assert "for example ghz:5" in err
    assert "Traceback" not in err


def test_a_folder_named_as_a_circuit_says_it_is_a_folder(tmp_path):
    code, _, err = proxima("run", str(tmp_path), *AER)

    assert code == 3
    assert f"'{tmp_path}' is a folder, not a circuit file" in err


def test_bad_noise_is_a_usage_error():
    code, _, err = proxima("run", "ghz:2", *AER, "--noise", "gremlins:0.1")

    assert code == 2
    assert "gremlins" in err


def test_zero_shots_is_refused_by_the_option_parser():
    code, _, err = proxima("run", "ghz:2", *AER, "--shots", "0")

    assert code == 2
    assert "--shots" in err


def test_help_documents_the_exit_codes():
    code, out, _ = proxima("run", "--help")

    assert code == 0
    for line in ("0    success", "2    usage error", "3    input error", "4    every"):
        assert line in out


def test_an_unusable_out_folder_is_refused_before_any_backend_runs(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")

    code, out, err = proxima("run", "ghz:2", *AER, "--out", str(blocker / "sub"))

    assert code == 2
    assert f"The output folder '{blocker / 'sub'}' cannot hold the report" in err
    assert out == ""


def test_a_noisy_run_judges_the_backends_pairwise(tmp_path):
    pytest.importorskip("proxima_cirq")

    code, out, _ = proxima(
        "run",
        "ghz:1",
        "--backends",
        "cirq,qiskit-aer",
        "--noise",
        "bit_flip:0.2",
        "--seed",
        "4",
        "--out",
        str(tmp_path),
    )

    assert code == 0
    assert "ghz_1 (1 qubit, 1 bit)" in out
    assert "no reference: the run is noisy" in out
    assert "cirq vs qiskit-aer: agree, p = " in out
