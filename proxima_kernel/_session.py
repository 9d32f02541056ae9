"""Sessions: one request's lifetime, announced to plugins at start and end.

Storage and checkpoints come from plugins through the session hooks; the
kernel itself only names the session and keeps its times.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import attrs


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


@attrs.define
class Session:
    """A running request: its id, its times and what it asked for."""

    id: str = attrs.field(factory=lambda: uuid.uuid4().hex[:12])
    started_at: str = attrs.field(factory=_now)
    ended_at: str | None = None
    request: Any = attrs.field(default=None, repr=False)

    def end(self) -> None:
        self.ended_at = _now()
