"""Config files, env vars and flags merge in the documented order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from proxima_kernel import UsageError
from proxima_kernel._cli import main
from proxima_kernel._config import find_project_file, load_config, set_disabled


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment whose user file lives in ``tmp_path/xdg``."""
    return {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}


def user_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xdg" / "proxima" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_defaults_come_from_nowhere(tmp_path, home):
    config = load_config(env=home, cwd=tmp_path)

    assert (config.strict.value, config.strict.source) == (False, "default")
    assert config.autoload.value is True
    assert config.allow.value is None
    assert config.disabled == {}


def test_project_beats_user_env_beats_project_flag_beats_env(tmp_path, home):
    user_file(tmp_path, "strict = true\ntrace = true\n")
    (tmp_path / "proxima.toml").write_text("strict = false\n")

    from_files = load_config(env=home, cwd=tmp_path)
    from_env = load_config(env={**home, "PROXIMA_STRICT": "1"}, cwd=tmp_path)
    from_flag = load_config(
        env={**home, "PROXIMA_TRACE": "0"}, cwd=tmp_path, trace=True
    )

    assert from_files.strict.value is False
    assert from_files.strict.source.endswith("proxima.toml")
    assert from_files.trace.source.endswith("config.toml")
    assert (from_env.strict.value, from_env.strict.source) == (
        True,
        "env PROXIMA_STRICT",
    )
    assert (from_flag.trace.value, from_flag.trace.source) == (True, "flag --trace")


def test_disabled_names_from_both_files_add_up(tmp_path, home):
    user_file(tmp_path, '[plugins]\ndisabled = ["a"]\n')
    (tmp_path / "proxima.toml").write_text('[plugins]\ndisabled = ["b"]\n')

    config = load_config(env=home, cwd=tmp_path)

    assert sorted(config.disabled) == ["a", "b"]
    assert config.disabled_reasons()["b"].startswith("disabled in ")


def test_pyproject_tool_table_is_the_project_file(tmp_path, home):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.proxima.plugins]\nallow = ["qiskit-aer"]\nautoload = false\n'
    )
    nested = tmp_path / "src" / "pkg"
    nested.mkdir(parents=True)

    config = load_config(env=home, cwd=nested)

    assert find_project_file(nested) == tmp_path / "pyproject.toml"
    assert config.allow.value == ["qiskit-aer"]
    assert config.autoload.value is False


def test_proxima_toml_wins_over_pyproject_in_one_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.proxima]\nstrict = true\n")
    (tmp_path / "proxima.toml").write_text("strict = false\n")

    assert find_project_file(tmp_path) == tmp_path / "proxima.toml"


def test_env_vars_set_the_allowlist_and_the_autoload_switch(tmp_path, home):
    env = {
        **home,
        "PROXIMA_PLUGINS": "a, b",
        "PROXIMA_DISABLE_PLUGIN_AUTOLOAD": "yes",
    }

    config = load_config(env=env, cwd=tmp_path)

    assert config.allow.value == ["a", "b"]
    assert config.autoload.value is False
    assert config.autoload.source == "env PROXIMA_DISABLE_PLUGIN_AUTOLOAD"


def test_dash_p_needs_the_no_prefix(tmp_path, home):
    with pytest.raises(UsageError, match="no:NAME"):
        load_config(env=home, cwd=tmp_path, plugin_options=["cirq"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("strict = 3\n", "strict must be true or false"),
        ('[plugins]\ndisabled = "a"\n', "plugins.disabled must be a list"),
        ("strict = \n", "is not valid TOML"),
    ],
)
def test_a_bad_file_is_a_usage_error_naming_the_file(tmp_path, home, text, message):
    path = user_file(tmp_path, text)

    with pytest.raises(UsageError, match=message) as raised:
        load_config(env=home, cwd=tmp_path)

    assert str(path) in str(raised.value)


def test_set_disabled_keeps_other_settings(tmp_path):
    path = tmp_path / "proxima.toml"
    path.write_text('strict = true\n[plugins]\ndisabled = ["a"]\n')

    assert set_disabled(path, "b", True) is True
    assert set_disabled(path, "b", True) is False
    assert set_disabled(path, "a", False) is True

    assert path.read_text() == 'strict = true\n\n[plugins]\ndisabled = [\n    "b",\n]\n'


def test_config_show_prints_every_value_with_its_source(tmp_path, home, monkeypatch):
    user_file(tmp_path, '[plugins]\ndisabled = ["bad-dep"]\n')
    monkeypatch.chdir(tmp_path)

    done = CliRunner().invoke(
        main,
        ["-p", "no:cirq", "--strict", "config", "show", "--json"],
        env={**home, "PROXIMA_TRACE": "1"},
    )

    shown = json.loads(done.output)
    rows = {(r["key"], json.dumps(r["value"])): r["source"] for r in shown["settings"]}
    assert rows[("strict", "true")] == "flag --strict"
    assert rows[("trace", "true")] == "env PROXIMA_TRACE"
    assert rows[("plugins.disabled", '"bad-dep"')].endswith("config.toml")
    assert rows[("plugins.blocked", '"cirq"')] == "flag -p no:cirq"
    assert shown["files"]["user_file"].endswith("config.toml")
