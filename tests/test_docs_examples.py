"""The Python examples in the docs run, each file in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)

#: The documents whose ```python blocks are examples meant to run.
RUNNABLE = ("plugin-guide.md", "configuration.md", "hooks.md")


def examples(name: str) -> list[str]:
    return BLOCK.findall((DOCS / name).read_text())


@pytest.mark.parametrize("name", RUNNABLE)
def test_the_examples_run(name, capsys):
    namespace: dict[str, object] = {"__name__": f"docs_{name}"}

    for number, code in enumerate(examples(name), start=1):
        compiled = compile(code, f"{DOCS / name} example {number}", "exec")
        exec(compiled, namespace)


def test_the_guide_has_examples():
    assert len(examples("plugin-guide.md")) >= 4
