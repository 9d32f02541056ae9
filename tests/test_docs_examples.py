"""The Python examples in the docs run, each file in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from plugin_support import installed

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)

#: Every document; a ```python block in one is an example that must run
#: (write ```text or ```console for anything else). README's example
#: runs on qiskit-aer.
DOCUMENTS = sorted(p.relative_to(ROOT) for p in (ROOT / "docs").glob("*.md"))
ENGINE_DOCUMENTS = {Path("README.md"): "qiskit-aer"}


def examples(path: Path) -> list[str]:
    return BLOCK.findall((ROOT / path).read_text())


@pytest.mark.parametrize(
    "path", [*DOCUMENTS, *ENGINE_DOCUMENTS], ids=lambda path: str(path)
)
def test_the_examples_run(path, capsys):
    plugin = ENGINE_DOCUMENTS.get(path)
    if plugin and not installed(plugin):
        pytest.skip(f"the examples in {path} need the plugin {plugin}")
    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}"}

    for number, code in enumerate(examples(path), start=1):
        compiled = compile(code, f"{ROOT / path} example {number}", "exec")
        exec(compiled, namespace)


def test_the_guide_has_examples():
    assert len(examples(Path("docs/plugin-guide.md"))) >= 4
