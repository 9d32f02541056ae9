"""The public ways to load a circuit, importing the QASM parser lazily.

The OpenQASM parser (openqasm3 and its ANTLR runtime) costs more to import
than the rest of the kernel together, so ``import proxima_kernel``,
``proxima --help`` and plugin listings do without it; it loads the first
time a circuit is.
"""

from __future__ import annotations

from os import PathLike

from proxima_kernel._model import Circuit


def load_qasm(
    text: str, *, path: str | None = None, name: str | None = None
) -> Circuit:
    """Parse OpenQASM 2 or 3 ``text`` and lower it into a :class:`Circuit`.

    ``path`` is where the text came from: it names the circuit, appears in
    error messages and anchors relative includes. ``name`` overrides the
    circuit's name (by default the file's stem, or ``"circuit"``). Raises
    :class:`~proxima_kernel.CircuitSyntaxError` with the line of the fault.
    """
    from proxima_kernel import _qasm

    return _qasm.load_qasm(text, path=path, name=name)


def load_qasm_file(path: str | PathLike[str]) -> Circuit:
    """Read and lower the OpenQASM 2 or 3 file at ``path``.

    Raises :class:`~proxima_kernel.CircuitNotFoundError` when there is no
    readable file there.
    """
    from proxima_kernel import _qasm

    return _qasm.load_qasm_file(path)


def generate(spec: str) -> Circuit:
    """A built-in benchmark circuit: ``ghz:N``, ``qft:N`` or
    ``random:N:DEPTH:SEED``."""
    from proxima_kernel import _generators

    return _generators.generate(spec)
