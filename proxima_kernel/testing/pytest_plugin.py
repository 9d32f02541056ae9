"""The pytest plugin of the conformance kit (entry point ``pytest11``).

It is loaded in every pytest session of an environment with
proxima-kernel installed, so it only adds an option: nothing else is
imported or collected unless ``--proxima-conformance=NAME`` is given.
Then the conformance suite runs against each named backend or exporter.
"""

from __future__ import annotations

from typing import Any


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("proxima", "Proxima plugin conformance")
    group.addoption(
        "--proxima-conformance",
        action="append",
        default=[],
        metavar="NAME",
        help="Run Proxima's conformance suite against the installed backend "
        "or exporter NAME (repeatable).",
    )


def pytest_collection_modifyitems(session: Any, config: Any, items: list) -> None:
    names = config.getoption("proxima_conformance")
    if not names:
        return

    from proxima_kernel.testing._named import collect

    items.extend(collect(session, names))
