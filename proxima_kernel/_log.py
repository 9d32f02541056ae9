"""Loggers that import structlog when the first event is logged.

structlog (with rich, which its console renderer uses) takes longer to
import than the rest of a listing command; ``proxima plugins`` on a healthy
install logs nothing, so the kernel's loggers import it only when an event
is logged. Library code never configures logging: an application does,
before its first event, and the ``proxima`` command registers its set-up
with :func:`configure_before_first_event` so that it too runs only then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The command line's logging set-up, run once before the first event.
#: Process-wide, like structlog's own configuration.
_pending: list[Callable[[], None]] = []


class LazyLogger:
    """A stand-in for ``structlog.get_logger(name)``."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, method: str) -> Any:
        import structlog

        configure_now()
        return getattr(structlog.get_logger(self._name), method)


def get_logger(name: str) -> Any:
    return LazyLogger(name)


def configure_before_first_event(setup: Callable[[], None]) -> None:
    """Run ``setup`` (which configures structlog) before the first event."""
    _pending[:] = [setup]


def configure_now() -> None:
    """Run the pending set-up, if any; later calls do nothing."""
    while _pending:
        _pending.pop()()


def forget_configuration() -> None:
    """Drop a set-up that never ran (the command that registered it ended)."""
    _pending.clear()
