"""The kernel's exceptions. A user never has to catch an engine's own.

    ProximaError
    ├── UsageError          the request itself is wrong (unknown backend, bad option)
    ├── CircuitError        a circuit cannot be loaded
    │   ├── CircuitNotFoundError   the file does not exist
    │   └── CircuitSyntaxError     the file is not valid OpenQASM (file, line)
    ├── UnsupportedCircuitError    a backend cannot run this circuit (construct named)
    ├── BackendRunError     a backend run failed, timed out or its worker died
    └── PluginError         a plugin failed to load or broke a hook

Each message is a full sentence: what went wrong, where, and how to fix it.
"""

from __future__ import annotations


class ProximaError(Exception):
    """Base class of every error the kernel raises on purpose."""


class UsageError(ProximaError):
    """The request is wrong: an unknown backend, exporter or option."""


class CircuitError(ProximaError):
    """A circuit could not be loaded or lowered."""


class CircuitNotFoundError(CircuitError):
    """A circuit file does not exist or cannot be read."""


class CircuitSyntaxError(CircuitError):
    """A circuit file is not valid OpenQASM, or uses an undefined name."""

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None
    ) -> None:
        where = path or "<string>"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class UnsupportedCircuitError(ProximaError):
    """A backend cannot run a circuit; ``construct`` names what it lacks."""

    def __init__(self, message: str, *, construct: str | None = None) -> None:
        super().__init__(message)
        self.construct = construct


class PluginError(ProximaError):
    """A plugin could not be loaded, or raised inside a hook."""


class BackendRunError(ProximaError):
    """A backend run failed where its exception could not travel back.

    Handed to ``proxima_on_backend_run_error`` for a run in a worker
    process (the message is the worker's reason) and for a timeout.
    """
