"""contrib/: the template, copied and renamed, and the insights plugin.

Both are really built and installed with pip, into a private target folder
that only the subprocesses of these tests see, so the other tests keep
their set of plugins.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from plugin_support import clean_env, proxima

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "contrib" / "plugin-template"
INSIGHTS = ROOT / "contrib" / "proxima-insights"


def copy_and_rename(target: Path, new: str) -> Path:
    """The README's rename steps: copy, move the package, replace the word."""
    folder = target / f"proxima-{new}"
    shutil.copytree(TEMPLATE, folder, ignore=shutil.ignore_patterns("*.egg-info"))
    (folder / "src" / "proxima_template").rename(folder / "src" / f"proxima_{new}")
    for test in (folder / "tests").glob("*template*"):
        test.rename(test.with_name(test.name.replace("template", new)))
    for path in folder.rglob("*"):
        if path.is_file() and "template" in path.read_text().lower():
            text = path.read_text().replace("template", new)
            path.write_text(text.replace("Template", new.capitalize()))
    return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """The renamed template and proxima-insights, pip-installed to a folder."""
    work = tmp_path_factory.mktemp("contrib")
    plugin = copy_and_rename(work, "mysim")
    # Built from a copy: a build without isolation writes egg-info beside it.
    insights = work / "proxima-insights"
    shutil.copytree(INSIGHTS, insights, ignore=shutil.ignore_patterns("*.egg-info"))
    site = work / "site"
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
        "--no-build-isolation", "--no-index", "--target", str(site),
        str(plugin), str(insights),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return {"work": work, "plugin": plugin, "insights": insights, "site": site}


def test_the_readme_gives_the_rename_steps_the_test_follows():
    readme = (TEMPLATE / "README.md").read_text()

    assert "mv src/proxima_template src/proxima_mysim" in readme
    assert 'mv "$f" "${f/template/mysim}"' in readme
    assert "s/template/mysim/g; s/Template/Mysim/g" in readme


def test_nothing_called_template_is_left_after_renaming(tmp_path):
    folder = copy_and_rename(tmp_path, "mysim")

    leftovers = [
        str(path)
        for path in folder.rglob("*")
        if "template" in path.name.lower()
        or (path.is_file() and "template" in path.read_text().lower())
    ]

    assert leftovers == []


def test_the_renamed_template_passes_the_conformance_kit(installed):
    env = clean_env(installed["work"], installed["site"])

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=installed["plugin"], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-3000:]
    # The kit's tests for every backend pass; those behind flags the
    # template does not set (exact probabilities, dynamic circuits,
    # noise, exact noise) are skipped.
    assert re.search(r"\b2[0-9] passed, 3[0-9] skipped\b", done.stdout), done.stdout[
        -500:
    ]


def test_the_renamed_plugin_is_listed_and_runs(installed):
    env = clean_env(installed["work"], installed["site"])

    rows = json.loads(
        proxima("plugins", "--json", cwd=installed["work"], env=env).stdout
    )
    done = proxima(
        "run", "ghz:3", "-b", "mysim", "--json", "--out",
        str(installed["work"] / "out"), cwd=installed["work"], env=env,
    )  # fmt: skip

    mysim = next(row for row in rows if row["name"] == "mysim")
    assert mysim["status"] == "active"
    assert mysim["distribution"] == "proxima-mysim"
    result = json.loads(done.stdout)["circuits"][0]["results"]["mysim"]
    assert result["status"] == "ok"


def test_the_insights_plugin_adds_its_insight_to_a_real_run(installed):
    env = clean_env(installed["work"], installed["site"])

    done = proxima(
        "run", "ghz:3", "-b", "mysim", "--shots", "500", "--seed", "2",
        "--json", "--out", str(installed["work"] / "out2"),
        cwd=installed["work"], env=env,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    insights = json.loads(done.stdout)["circuits"][0]["insights"]
    found = {(i["analyzer"], i["name"]): i["value"] for i in insights}
    assert found[("insights", "heavy_output_probability")] == 1.0
    assert ("insights", "normalised_entropy") in found


def test_the_insights_plugin_passes_its_own_tests(installed):
    env = clean_env(installed["work"], installed["site"])

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=installed["insights"], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout[-3000:]
