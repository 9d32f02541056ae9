"""Built-in benchmark circuits, named by a spec such as ``ghz:5``.

Each generator writes OpenQASM 2 text (with the classic ``qelib1.inc``
names ``u3`` and ``cu1``, which every OpenQASM 2 tool knows) and loads it with
:func:`~proxima_kernel._qasm.load_qasm`, so a generated circuit has real
QASM as its source, a stable content hash, and the same lowering as a file.

``ghz:N``
    ``h`` on qubit 0, a chain of ``cx`` gates, then every qubit measured:
    half the shots read all zeros, half all ones.
``qft:N``
    The quantum Fourier transform (qubit 0 least significant, final swaps
    included) applied to the basis state with every even-numbered qubit set
    (``x`` on q[0], q[2], ...), then every qubit measured. The transform
    of a basis state spreads evenly over all outcomes; the input is encoded
    in the phases, so the counts are uniform.
``random:N:DEPTH:SEED``
    DEPTH layers, each a ``u3`` gate (lowered to ``u``) with random angles
    on every qubit followed by a brick of ``cx`` gates on neighbours (pairs
    starting at qubit 0 in even layers, at qubit 1 in odd ones), then every
    qubit measured. Angles come from ``random.Random(SEED)`` and are written
    with six decimals, so a spec gives the same circuit on every machine.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import attrs

from proxima_kernel._errors import CircuitError
from proxima_kernel._loading import load_qasm
from proxima_kernel._model import Circuit

FORMAT = "generator"

#: The most gates a generated circuit may have. The text goes through the
#: same OpenQASM parser as a file, which reads about a thousand statements
#: a second; larger specs would spend minutes there before any backend could
#: refuse them.
MAX_GATES = 20_000

_FORMS = "ghz:N, qft:N or random:N:DEPTH:SEED"
_HEADER = 'OPENQASM 2.0;\ninclude "qelib1.inc";\n'


def is_generator_spec(spec: str) -> bool:
    """True when ``spec`` names a built-in generator, valid or not.

    ``ghz:abc`` counts, so that :func:`generate` can explain what is wrong
    with it instead of a file loader reporting a missing file.
    """
    kind, sep, _ = spec.strip().partition(":")
    return bool(sep) and kind.lower() in _GENERATORS


def generate(spec: str) -> Circuit:
    """Build the circuit a spec such as ``ghz:5`` or ``random:4:3:7`` names.

    Raises :class:`~proxima_kernel.UsageError` for an unknown generator or
    arguments that are not positive whole numbers (``SEED`` may be 0).
    """
    kind, _, rest = spec.strip().partition(":")
    kind = kind.lower()
    if kind not in _GENERATORS:
        raise _usage(spec, f"{kind!r} is not a built-in generator")

    build, arity = _GENERATORS[kind]
    numbers = _numbers(spec, kind, rest, arity)
    text = build(*numbers)
    name = "_".join([kind, *map(str, numbers)])
    circuit = load_qasm(text, name=name)

    return attrs.evolve(
        circuit,
        format=FORMAT,
        origin=spec,
        conversion_path=(FORMAT, *circuit.conversion_path[1:]),
    )


def _numbers(spec: str, kind: str, rest: str, arity: int) -> list[int]:
    parts = rest.split(":") if rest else []
    if len(parts) != arity:
        wanted = "1 number" if arity == 1 else f"{arity} numbers"
        raise _usage(spec, f"it takes {wanted} after the name")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        raise _usage(spec, "its arguments must be whole numbers") from None

    # The third number of random is the seed, which may be 0.
    if any(n < 1 for n in numbers[:2]) or any(n < 0 for n in numbers):
        problem = (
            "the qubit count must be at least 1"
            if arity == 1
            else "N and DEPTH must be at least 1 and SEED at least 0"
        )
        raise _usage(spec, problem)
    gates = _GATE_COUNTS[kind](*numbers)
    if gates > MAX_GATES:
        raise _usage(
            spec,
            f"it would have {gates:,} gates, and generators build at most "
            f"{MAX_GATES:,} (parsing more takes minutes); use fewer qubits "
            f"or layers, or write the circuit to a QASM file",
        )

    return numbers


def _usage(spec: str, problem: str) -> CircuitError:
    message = (
        f"The circuit spec {spec!r} is not valid: {problem}. Built-in "
        f"circuits are written {_FORMS}, for example ghz:5, qft:4 or "
        "random:4:3:7; anything else is read as a path to a QASM file."
    )
    return CircuitError(message)


def _preamble(n: int) -> list[str]:
    return [_HEADER + f"qreg q[{n}];", f"creg c[{n}];"]


def _ghz(n: int) -> str:
    lines = _preamble(n)
    lines.append("h q[0];")
    lines += [f"cx q[{i}],q[{i + 1}];" for i in range(n - 1)]
    lines.append("measure q -> c;")

    return "\n".join(lines) + "\n"


def _qft(n: int) -> str:
    lines = _preamble(n)
    lines += [f"x q[{i}];" for i in range(0, n, 2)]
    for target in reversed(range(n)):
        lines.append(f"h q[{target}];")
        for control in reversed(range(target)):
            angle = f"pi/{2 ** (target - control)}"
            lines.append(f"cu1({angle}) q[{target}],q[{control}];")
    lines += [f"swap q[{i}],q[{n - 1 - i}];" for i in range(n // 2)]
    lines.append("measure q -> c;")

    return "\n".join(lines) + "\n"


def _random(n: int, depth: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = _preamble(n)
    for layer in range(depth):
        for qubit in range(n):
            theta = rng.uniform(0, math.pi)
            phi, lam = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
            angles = f"{theta:.6f},{phi:.6f},{lam:.6f}"
            lines.append(f"u3({angles}) q[{qubit}];")
        for first in range(layer % 2, n - 1, 2):
            lines.append(f"cx q[{first}],q[{first + 1}];")
    lines.append("measure q -> c;")

    return "\n".join(lines) + "\n"


_GENERATORS: dict[str, tuple[Callable[..., str], int]] = {
    "ghz": (_ghz, 1),
    "qft": (_qft, 1),
    "random": (_random, 3),
}


def _random_gates(n: int, depth: int, seed: int) -> int:
    # A u3 on every qubit per layer; cx pairs from qubit 0 in even layers,
    # from qubit 1 in odd ones.
    return depth * n + (depth + 1) // 2 * (n // 2) + depth // 2 * ((n - 1) // 2)


#: How many gates (measurements aside) each generator writes.
_GATE_COUNTS: dict[str, Callable[..., int]] = {
    "ghz": lambda n: n,
    "qft": lambda n: (n + 1) // 2 + n + n * (n - 1) // 2 + n // 2,
    "random": _random_gates,
}
