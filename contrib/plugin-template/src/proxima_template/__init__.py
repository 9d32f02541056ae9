"""Proxima plugin: the ``template`` backend, a small exact simulator.

The kernel loads this module through the entry point in pyproject.toml and
calls the hooks below. Keep the module light: import your engine inside
the backend's methods, so that ``proxima plugins`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable

from proxima_kernel import Backend, hookimpl
from proxima_template._backend import TemplateBackend

__version__ = "0.1.0"

#: The kernel API range this plugin is written for (PEP 440).
PROXIMA_API = ">=1.0,<2"

__all__ = ["PROXIMA_API", "TemplateBackend", "__version__"]


@hookimpl
def proxima_register_backends(register: Callable[[Backend], None]) -> None:
    register(TemplateBackend())
