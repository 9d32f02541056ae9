"""Four broken plugins installed at once: the command line keeps working."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from plugin_support import (
    BAD_NAMES,
    BAD_PLUGINS,
    clean_env,
    listing,
    needs_aer,
    proxima,
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path, BAD_PLUGINS)


@needs_aer
def test_plugins_json_shows_each_bad_plugin_with_status_and_reason(tmp_path, env):
    rows = listing(tmp_path, env)

    assert {n: rows[n]["status"] for n in BAD_NAMES} == {
        "bad-api": "incompatible",
        "bad-dep": "failed",
        "bad-hook": "failed",
        "bad-import": "failed",
    }
    assert ">=2.0,<3" in rows["bad-api"]["reason"]
    assert "proxima_missing_engine" in rows["bad-dep"]["reason"]
    assert "pip install proxima-missing-engine" in rows["bad-dep"]["reason"]
    assert "RuntimeError" in rows["bad-hook"]["reason"]
    assert "broken on purpose" in rows["bad-import"]["reason"]
    assert rows["qiskit-aer"]["status"] == "active"
    assert rows["bad-dep"]["distribution"] == "proxima-bad-dep"


@needs_aer
def test_a_run_succeeds_on_every_real_backend_despite_them(tmp_path, env):
    done = proxima(
        "run",
        "ghz:3",
        "--shots",
        "200",
        "--seed",
        "3",
        "--json",
        "--out",
        str(tmp_path / "out"),
        cwd=tmp_path,
        env=env,
    )

    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["circuits"][0]["results"]
    assert results["qiskit-aer"]["status"] == "ok"
    if "cirq" in results:
        assert results["cirq"]["status"] == "ok"


def test_strict_mode_fails_the_run_with_a_clear_message(tmp_path, env):
    for how in (["--strict"], []):
        strict_env = dict(env, PROXIMA_STRICT="1") if not how else env

        done = proxima(
            *how,
            "run",
            "ghz:3",
            "--out",
            str(tmp_path / "out"),
            cwd=tmp_path,
            env=strict_env,
        )

        assert done.returncode == 5
        assert "Error: Strict mode" in done.stderr
        assert "bad-import" in done.stderr and "Traceback" not in done.stderr


def test_disable_persists_and_enable_undoes_it(tmp_path, env):
    done = proxima("plugins", "disable", "bad-dep", cwd=tmp_path, env=env)

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "xdg" / "proxima" / "config.toml").is_file()
    assert listing(tmp_path, env)["bad-dep"]["status"] == "disabled"

    proxima("plugins", "enable", "bad-dep", cwd=tmp_path, env=env)
    assert listing(tmp_path, env)["bad-dep"]["status"] == "failed"


def test_disabling_a_name_no_plugin_has_is_refused_unless_forced(tmp_path, env):
    # Found by a new-user run: a typo was written to the config silently.
    config = tmp_path / "xdg" / "proxima" / "config.toml"

    refused = proxima("plugins", "disable", "bad-dpe", cwd=tmp_path, env=env)

    assert refused.returncode == 2
    assert "No installed plugin is named 'bad-dpe'" in refused.stderr
    assert "bad-dep" in refused.stderr and "--force" in refused.stderr
    assert not config.exists()

    forced = proxima("plugins", "disable", "later", "--force", cwd=tmp_path, env=env)

    assert forced.returncode == 0, forced.stderr
    assert "later" in config.read_text()


@needs_aer
def test_disabling_every_bad_plugin_makes_strict_mode_pass(tmp_path, env):
    for name in BAD_NAMES:
        proxima("plugins", "disable", name, "--project", cwd=tmp_path, env=env)

    done = proxima(
        "--strict",
        "run",
        "ghz:2",
        "-b",
        "qiskit-aer",
        "--out",
        str(tmp_path / "out"),
        cwd=tmp_path,
        env=env,
    )

    assert done.returncode == 0, done.stderr
    assert "bad-api" in (tmp_path / "proxima.toml").read_text()


@needs_aer
def test_dash_p_blocks_a_plugin_for_one_invocation(tmp_path, env):
    rows = listing(tmp_path, env, "-p", "no:bad-import", "-p", "no:qiskit-aer")

    assert rows["bad-import"]["status"] == "blocked"
    assert rows["qiskit-aer"]["reason"] == "blocked by flag -p no:qiskit-aer"


@needs_aer
def test_the_allowlist_and_the_autoload_switch(tmp_path, env):
    allowed = listing(tmp_path, dict(env, PROXIMA_PLUGINS="qiskit-aer"))
    off = listing(tmp_path, dict(env, PROXIMA_DISABLE_PLUGIN_AUTOLOAD="1"))

    assert allowed["qiskit-aer"]["status"] == "active"
    assert allowed["bad-dep"]["status"] == "blocked"
    assert {r["status"] for n, r in off.items() if n != "builtins"} == {"blocked"}
    assert off["builtins"]["status"] == "active"


def test_plugins_check_reports_every_problem_and_exits_5(tmp_path, env):
    done = proxima("plugins", "check", cwd=tmp_path, env=env)

    assert done.returncode == 5
    problems = [ln for ln in done.stdout.splitlines() if ln.startswith("problem:")]
    assert len(problems) == 4
    assert all(any(n in p for p in problems) for n in BAD_NAMES)


@needs_aer
def test_plugins_timings_and_backends_json(tmp_path, env):
    timings = proxima("plugins", "--timings", cwd=tmp_path, env=env)
    backends = proxima("backends", "--json", cwd=tmp_path, env=env)

    assert timings.returncode == 0 and " ms" in timings.stdout
    rows = {row["name"]: row for row in json.loads(backends.stdout)}
    assert rows["qiskit-aer"]["distribution"] == "proxima-qiskit-aer"
    assert rows["qiskit-aer"]["plugin"] == "qiskit-aer"


def test_trace_logs_hook_calls_on_stderr(tmp_path, env):
    done = proxima("backends", cwd=tmp_path, env=dict(env, PROXIMA_TRACE="1"))

    assert done.returncode == 0
    assert "hook_call" in done.stderr and "proxima_register_backends" in done.stderr
    assert "outcome=raised" in done.stderr
