"""docs/hooks.md has one entry per hook, with the spec's arguments."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from proxima_kernel import hookspecs
from proxima_kernel._discovery import HOOK_KINDS

HOOKS_MD = Path(__file__).resolve().parents[1] / "docs" / "hooks.md"
ENTRY = re.compile(r"^### `(proxima_\w+)\(([^)]*)\)`$", re.M)


def specs() -> dict[str, list[str]]:
    """Every hookspec by name, with its argument names."""
    return {
        name: list(inspect.signature(func).parameters)
        for name, func in vars(hookspecs).items()
        if hasattr(func, f"{hookspecs.PROJECT}_spec")
    }


def documented() -> dict[str, list[str]]:
    entries = ENTRY.findall(HOOKS_MD.read_text())
    return {
        name: [a.strip() for a in args.split(",") if a.strip()]
        for name, args in entries
    }


def test_every_hook_has_an_entry_and_every_entry_a_hook():
    assert sorted(documented()) == sorted(specs())


def test_each_entry_lists_the_spec_arguments_in_order():
    found = documented()

    for name, arguments in specs().items():
        assert found.get(name) == arguments, f"{name} in docs/hooks.md"


def test_each_documented_argument_is_explained_in_its_entry():
    text = HOOKS_MD.read_text()
    sections = dict(zip(ENTRY.findall(text), ENTRY.split(text)[3::3], strict=True))

    for (name, _), body in sections.items():
        for argument in specs()[name]:
            assert f"`{argument}`" in body, f"{name}: {argument} is not explained"


def test_every_hook_has_a_kind_in_the_listing_table():
    assert set(HOOK_KINDS) == set(specs())
    for hook in specs():
        assert f"`{hook}`" in HOOKS_MD.read_text().split("## Planning")[0]
