"""``proxima run`` drives the same engine: strategy, repeats, isolation."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from proxima_kernel._cli import main

pytest.importorskip("proxima_qiskit_aer")


def proxima(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_execution_options_reach_the_report(tmp_path):
    code, out, _ = proxima(
        "run",
        "ghz:3",
        "--backends",
        "qiskit-aer",
        "--shots",
        "4000",
        "--seed",
        "3",
        "--strategy",
        "sequential",
        "--runs",
        "3",
        "--warmup",
        "1",
        "--in-process",
        "--json",
        "--out",
        str(tmp_path),
    )

    assert code == 0
    report = json.loads(out)
    assert report["execution"]["strategy"] == "sequential"
    assert report["execution"]["isolation"] == "in-process"
    result = report["circuits"][0]["results"]["qiskit-aer"]
    assert (result["runs"], result["warmup"], len(result["times_ms"])) == (3, 1, 3)
    assert result["time_min_ms"] <= result["execution_time_ms"]
    verdict = report["circuits"][0]["comparison"]["per_backend"]["qiskit-aer"]
    assert verdict["verdict"]["agreement"] == "agree"


def test_the_table_shows_the_verdict_the_strategy_and_the_recommendation(tmp_path):
    code, out, _ = proxima(
        "run",
        "ghz:3",
        "--backends",
        "qiskit-aer",
        "--seed",
        "3",
        "--timeout-per-backend",
        "60",
        "--out",
        str(tmp_path),
    )

    assert code == 0
    assert "agrees" in out
    assert "qiskit-aer is recommended" in out
    assert "Strategy: ADAPTIVE chose SEQUENTIAL: only one backend runs." in out


@pytest.mark.parametrize(
    "option, value", [("--runs", "0"), ("--max-concurrent", "0"), ("--warmup", "-1")]
)
def test_bad_execution_options_are_usage_errors(tmp_path, option, value):
    code, _, err = proxima("run", "ghz:3", option, value, "--out", str(tmp_path))

    assert code == 2
    assert option in err
