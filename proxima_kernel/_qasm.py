"""The OpenQASM frontend: parse OpenQASM 2 or 3 text, lower it to a Program.

Parsing is done by the reference parser ``openqasm3.parse`` (it reads
OpenQASM 2.0 files too); this module only walks the resulting syntax tree
and lowers it into :class:`~proxima_kernel._ir.Program`.

What is lowered
---------------
* ``qreg``/``creg``, ``qubit[n]``/``bit[n]``, single ``qubit q;``/``bit b;``
  and ``const`` numbers. Qubits and bits get global indices in declaration
  order (see :mod:`proxima_kernel._ir`).
* ``include "qelib1.inc"`` and ``include "stdgates.inc"`` are built in and
  never read from disk; either one makes the union of both libraries
  available, mapped onto the standard gate table (``u1`` -> ``p``,
  ``u2(φ,λ)`` -> ``u(π/2,φ,λ)``, ``cu3`` -> ``cu(θ,φ,λ,0)``, ...). ``U``
  and ``CX`` need no include. Any other include is read relative to the
  including file's folder (the working directory for text without a path)
  and may hold gate definitions, constants and further includes.
* ``gate`` definitions, expanded inline with their parameters and qubits
  substituted. A definition may reuse the name of a library gate; it then
  takes precedence.
* Parameter expressions: ``pi``/``π``, ``tau``/``τ``, ``euler``/``ℇ``,
  ``+ - * / % **``, unary minus, ``sin cos tan exp ln sqrt asin acos atan``
  (and the ``arc*`` spellings). Division is always real division. In
  OpenQASM 2, ``^`` is the power operator; in OpenQASM 3 it is a bitwise
  operator and is refused.
* Register broadcasting, ``measure a -> b`` and ``b = measure a``,
  ``reset``, ``barrier`` (without operands: every qubit declared so far).
* ``if (creg == v)`` with OpenQASM 2 semantics (bit 0 of the register is the
  least significant bit of ``v``), and OpenQASM 3 ``if`` statements on
  bits, with blocks, nesting and, for one-bit conditions, ``else``.
* ``inv @``, ``pow(k) @``, ``ctrl @`` and ``negctrl @`` where the result is
  again a standard gate (``inv`` and integer ``pow`` also on user gates).
* ``gphase`` is dropped: a global phase changes no outcome.

Errors
------
Text the parser rejects, an undefined name, a wrong number of parameters
or qubits and an index out of range raise
:class:`~proxima_kernel.CircuitSyntaxError` with the file and line. Valid
OpenQASM that Proxima cannot lower (loops, subroutines, classical
variables, ``opaque``, ``extern``, ...) raises
:class:`~proxima_kernel.CircuitError` naming the construct and the line.
A file without an ``OPENQASM`` header is read as OpenQASM 3.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from os import PathLike
from pathlib import Path
from typing import Any, NoReturn, cast

import attrs
import openqasm3
from openqasm3 import ast
from openqasm3.parser import QASM3ParsingError

from proxima_kernel import _ir as ir
from proxima_kernel._errors import (
    CircuitError,
    CircuitNotFoundError,
    CircuitSyntaxError,
)
from proxima_kernel._gates import STANDARD_GATES
from proxima_kernel._model import Circuit

PROGRAM_FORM = "proxima-program"

_HEADER = re.compile(r"\A(?:\s|//[^\n]*|/\*.*?\*/)*OPENQASM\s+([0-9]+)", re.DOTALL)
_OPAQUE = re.compile(r"^\s*opaque\b", re.MULTILINE)
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)

_STANDARD_INCLUDES = frozenset({"qelib1.inc", "stdgates.inc"})

_CONSTANTS = {
    "pi": math.pi,
    "π": math.pi,
    "tau": math.tau,
    "τ": math.tau,
    "euler": math.e,
    "ℇ": math.e,
}

_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "exp": math.exp,
    "ln": math.log,
    "sqrt": math.sqrt,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "arcsin": math.asin,
    "arccos": math.acos,
    "arctan": math.atan,
}

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "%": lambda a, b: a % b,
    "**": lambda a, b: a**b,
}

_UNSUPPORTED = {
    "ForInLoop": "a 'for' loop",
    "WhileLoop": "a 'while' loop",
    "SubroutineDefinition": "a subroutine definition ('def')",
    "ExternDeclaration": "an 'extern' declaration",
    "ClassicalAssignment": "a classical assignment",
    "IODeclaration": "an 'input' or 'output' declaration",
    "Box": "a 'box' block",
    "DelayInstruction": "a 'delay' instruction",
    "CalibrationDefinition": "a calibration definition ('defcal')",
    "CalibrationStatement": "a calibration block ('cal')",
    "CalibrationGrammarDeclaration": "a calibration grammar declaration",
    "AliasStatement": "an alias ('let')",
    "SwitchStatement": "a 'switch' statement",
    "ReturnStatement": "a 'return' statement",
    "BreakStatement": "a 'break' statement",
    "ContinueStatement": "a 'continue' statement",
    "EndStatement": "an 'end' statement",
    "ExpressionStatement": "an expression statement (such as a call)",
}


def load_qasm(
    text: str, *, path: str | None = None, name: str | None = None
) -> Circuit:
    """Parse OpenQASM 2 or 3 ``text`` and lower it into a :class:`Circuit`.

    ``path`` is where the text came from: it names the circuit, appears in
    error messages and anchors relative includes. ``name`` overrides the
    circuit's name (by default the file's stem, or ``"circuit"``).
    """
    version = _header_version(text)
    tree = _parse(_as_parsable(text, version), path)
    _check_version(tree, text, path)
    fmt = "qasm3" if tree.version is None else _format_of(tree.version)
    program = _Lowerer(path, fmt).lower(tree)

    return Circuit(
        name=name or (Path(path).stem if path else "circuit"),
        format=fmt,
        source=text,
        num_qubits=program.num_qubits,
        num_clbits=program.num_clbits,
        program=program,
        origin=path or "",
        conversion_path=(fmt, PROGRAM_FORM),
    )


def load_qasm_file(path: str | PathLike[str]) -> Circuit:
    """Read and lower the OpenQASM file at ``path``.

    Raises :class:`~proxima_kernel.CircuitNotFoundError` when there is no
    readable file there.
    """
    where = str(path)
    text = _read_text(Path(path), where)

    return load_qasm(text, path=where)


def _read_text(file: Path, where: str) -> str:
    if file.is_dir():
        message = (
            f"{where!r} is a folder, not a circuit file; name the .qasm "
            f"files in it instead (e.g. {where.rstrip('/')}/*.qasm)."
        )
        raise CircuitNotFoundError(message)
    if not file.is_file():
        message = (
            f"No circuit file at {where!r}: check the path; built-in "
            "circuits are written like ghz:5, qft:4 or random:4:3:7."
        )
        raise CircuitNotFoundError(message)
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        message = (
            f"The circuit file {where!r} is not UTF-8 text; save it as UTF-8 OpenQASM."
        )
        raise CircuitError(message) from None
    except OSError as exc:
        message = f"The circuit file {where!r} cannot be read: {exc.strerror}."
        raise CircuitNotFoundError(message) from None


def _header_version(text: str) -> str | None:
    match = _HEADER.match(text)
    return match.group(1) if match else None


def _as_parsable(text: str, major: str | None) -> str:
    """Rewrite OpenQASM 2's power operator ``^`` as ``**``.

    The reference parser reads ``^`` with OpenQASM 3's meaning (a bitwise
    operator of low precedence), which would silently change the value of
    an OpenQASM 2 expression such as ``pi^2/4``. No other OpenQASM 2 token
    contains ``^``, and the rewrite keeps every line number.
    """
    if major == "2":
        return text.replace("^", "**")
    return text


def _check_version(tree: ast.Program, text: str, path: str | None) -> None:
    """Refuse a header other than OpenQASM 2.x or 3.x.

    The reference parser takes any number; reading ``OPENQASM 4.0;`` with
    OpenQASM 3's rules would run a language nobody wrote.
    """
    if tree.version is None or tree.version.split(".")[0] in ("2", "3"):
        return

    header = _HEADER.match(text)
    line = text.count("\n", 0, header.end()) + 1 if header else None
    message = (
        f"'OPENQASM {tree.version};' names a version Proxima does not read; "
        f"it reads OpenQASM 2 and 3. Change the header to 'OPENQASM 2.0;' "
        f"or 'OPENQASM 3.0;' to match the file's language."
    )
    raise CircuitSyntaxError(message, path=path, line=line)


def _format_of(version: str) -> str:
    return "qasm2" if version.split(".")[0] == "2" else "qasm3"


def _parse(text: str, path: str | None) -> ast.Program:
    """Run the reference parser and translate its errors."""
    if not _COMMENT.sub("", text).strip():
        message = (
            "The circuit holds no OpenQASM statements; write at least a "
            "header such as 'OPENQASM 3.0;' and a qubit declaration."
        )
        raise CircuitSyntaxError(message, path=path)

    # ANTLR prints every error to stderr before raising; the error is
    # reported through the exception instead, so the print is swallowed
    # (loading runs on one thread; the redirect is process-wide).
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            return openqasm3.parse(text)
        except QASM3ParsingError as exc:
            raise _syntax_error(exc, text, path) from None
        except Exception:  # noqa: BLE001 - the parser fails oddly on some input
            message = (
                "The OpenQASM parser could not read this text; check that "
                "it is a complete OpenQASM 2 or 3 program."
            )
            raise CircuitSyntaxError(message, path=path) from None


def _syntax_error(exc: Exception, text: str, path: str | None) -> CircuitError:
    line, column, token = _error_position(exc)
    opaque = _opaque_line(text, line)
    if opaque is not None:
        message = (
            "An 'opaque' gate declaration cannot be lowered: Proxima needs "
            "every gate's definition. Replace it with a 'gate' definition "
            "or with standard gates."
        )
        return CircuitError(f"{_where(path, opaque)}: {message}")

    at = f"column {column + 1}" if column is not None else "this line"
    found = "the end of the file" if token == "<EOF>" else repr(token)
    message = (
        f"The text is not valid OpenQASM: unexpected {found} at {at}. "
        "Check this statement and the end of the one before it (a "
        "missing ';' is reported on the next statement)."
    )
    if token is None:
        message = f"The text is not valid OpenQASM: {_lexer_message(exc)} at {at}."
    return CircuitSyntaxError(message, path=path, line=line)


def _error_position(exc: Exception) -> tuple[int | None, int | None, Any]:
    """Dig the line, column and offending token out of a parser error."""
    match = re.match(r"L(\d+):C(\d+):", str(exc))
    if match:
        return int(match.group(1)), int(match.group(2)), None

    cause = exc.__cause__
    inner = cause.args[0] if cause is not None and cause.args else None
    token = getattr(inner, "offendingToken", None)
    if token is None:
        return None, None, "?"
    return token.line, token.column, token.text


def _lexer_message(exc: Exception) -> str:
    message = re.sub(r"^L\d+:C\d+:\s*", "", str(exc))
    return message.replace("token recognition error at:", "unknown characters")


def _opaque_line(text: str, error_line: int | None) -> int | None:
    for match in _OPAQUE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if error_line is None or line <= error_line:
            return line
    return None


def _where(path: str | None, line: int | None) -> str:
    where = path or "<string>"
    return where if line is None else f"{where}, line {line}"


def _line(node: ast.QASMNode) -> int | None:
    return node.span.start_line if node.span is not None else None


# --- the gate library ----------------------------------------------------


def _same(*params: float) -> tuple[float, ...]:
    return params


@attrs.frozen
class _Alias:
    """A library gate name lowered onto one standard gate."""

    name: str
    target: str
    num_params: int
    convert: Callable[..., tuple[float, ...]] = _same

    @property
    def num_qubits(self) -> int:
        return STANDARD_GATES[self.target].num_qubits

    def lower(self, params: Sequence[float], qubits: Sequence[int]) -> ir.Gate:
        return ir.Gate(self.target, tuple(qubits), self.convert(*params))


def _library() -> dict[str, _Alias]:
    aliases = {
        name: _Alias(name, name, spec.num_params)
        for name, spec in STANDARD_GATES.items()
    }
    extra = [
        _Alias("U", "u", 3),
        _Alias("CX", "cx", 0),
        _Alias("u3", "u", 3),
        _Alias("u2", "u", 2, lambda phi, lam: (math.pi / 2, phi, lam)),
        _Alias("u1", "p", 1),
        _Alias("phase", "p", 1),
        _Alias("u0", "id", 1, lambda gamma: ()),
        _Alias("cu1", "cp", 1),
        _Alias("cphase", "cp", 1),
        _Alias("cu3", "cu", 3, lambda th, phi, lam: (th, phi, lam, 0.0)),
    ]
    aliases.update((alias.name, alias) for alias in extra)
    return aliases


_LIBRARY = _library()
_ALWAYS_DEFINED = frozenset({"U", "CX"})

_SELF_INVERSE = frozenset(
    {"id", "x", "y", "z", "h", "cx", "cy", "cz", "ch", "swap", "ccx", "cswap"}
)
_INVERSE_PAIRS = {"s": "sdg", "t": "tdg", "sx": "sxdg"}
_INVERSE_PAIRS.update({b: a for a, b in list(_INVERSE_PAIRS.items())})
_NEGATED_ANGLE = frozenset(
    {"rx", "ry", "rz", "p", "cp", "crx", "cry", "crz", "rxx", "ryy", "rzz"}
)
_CONTROLLED = {
    "x": "cx",
    "y": "cy",
    "z": "cz",
    "h": "ch",
    "sx": "csx",
    "p": "cp",
    "rx": "crx",
    "ry": "cry",
    "rz": "crz",
    "u": "cu",
    "cx": "ccx",
    "swap": "cswap",
}


def _inverse(gate: ir.Gate) -> ir.Gate | None:
    """The standard gate undoing ``gate``, or None when there is none."""
    name, params = gate.name, gate.params
    if name in _SELF_INVERSE:
        return gate
    if name in _INVERSE_PAIRS:
        return attrs.evolve(gate, name=_INVERSE_PAIRS[name])
    if name in _NEGATED_ANGLE:
        return attrs.evolve(gate, params=(-params[0],))
    if name == "u":
        theta, phi, lam = params
        return attrs.evolve(gate, params=(-theta, -lam, -phi))
    if name == "cu":
        theta, phi, lam, gamma = params
        return attrs.evolve(gate, params=(-theta, -lam, -phi, -gamma))
    return None


def _controlled(gate: ir.Gate, control: int) -> ir.Gate | None:
    """``gate`` with one more control qubit in front, or None."""
    target = _CONTROLLED.get(gate.name)
    if target is None:
        return None
    params = gate.params + (0.0,) if target == "cu" else gate.params
    return ir.Gate(target, (control, *gate.qubits), params)


# --- user gates ----------------------------------------------------------


@attrs.frozen
class _GateDef:
    """A ``gate`` definition, kept as syntax and expanded at each call."""

    name: str
    params: tuple[str, ...]
    qubit_names: tuple[str, ...]
    body: tuple[ast.Statement, ...]
    path: str | None
    line: int | None

    @property
    def num_params(self) -> int:
        return len(self.params)

    @property
    def num_qubits(self) -> int:
        return len(self.qubit_names)


@attrs.frozen
class _Operand:
    """Indices named by one operand; ``broadcast`` when it is a register."""

    indices: tuple[int, ...]
    broadcast: bool
    label: str


# --- lowering ------------------------------------------------------------


class _Lowerer:
    """Walks one parsed program (and its includes) into a Program."""

    def __init__(self, path: str | None, fmt: str) -> None:
        self._path = path
        self._format = fmt
        self._qregs: dict[str, ir.Register] = {}
        self._cregs: dict[str, ir.Register] = {}
        self._single: set[str] = set()
        self._declared_at: dict[str, int | None] = {}
        self._num_qubits = 0
        self._num_clbits = 0
        self._constants: dict[str, float] = {}
        self._gates: dict[str, _GateDef] = {}
        self._library_included = False
        self._included: set[Path] = set()
        self._ops: list[ir.Operation] = []
        self._condition: dict[int, int] = {}
        self._labels: list[str] = []

    def lower(self, tree: ast.Program) -> ir.Program:
        for statement in tree.statements:
            self._statement(statement)

        return ir.Program(
            num_qubits=self._num_qubits,
            num_clbits=self._num_clbits,
            operations=tuple(self._ops),
            qregs=tuple(self._qregs.values()),
            cregs=tuple(self._cregs.values()),
        )

    # errors

    def _error(self, node: ast.QASMNode, message: str) -> NoReturn:
        raise CircuitSyntaxError(message, path=self._path, line=_line(node))

    def _unsupported(
        self, node: ast.QASMNode, construct: str, hint: str = ""
    ) -> NoReturn:
        where = _where(self._path, _line(node))
        hint = hint or (
            "Proxima runs gates, measurements, resets and bit conditions "
            "only; rewrite the circuit without it (unroll loops, inline "
            "subroutines, use bit registers for classical data)."
        )
        message = f"{where}: Proxima cannot lower {construct}."
        raise CircuitError(f"{message} {hint}")

    @contextlib.contextmanager
    def _in_file(self, path: str | None) -> Iterator[None]:
        outer, self._path = self._path, path
        try:
            yield
        finally:
            self._path = outer

    # statements

    def _statement(self, node: ast.Statement | ast.Pragma) -> None:
        handler = self._HANDLERS.get(type(node).__name__)
        if handler is None:
            kind = type(node).__name__
            self._unsupported(node, _UNSUPPORTED.get(kind, f"a {kind}"))
        handler(self, node)

    def _ignore(self, node: ast.Statement) -> None:
        """Pragmas and a global phase change no outcome."""

    def _include(self, node: ast.Include) -> None:
        if node.filename in _STANDARD_INCLUDES:
            self._library_included = True
            return

        base = Path(self._path).parent if self._path else Path.cwd()
        file = (base / node.filename).resolve()
        if file in self._included:
            return
        if not file.is_file():
            self._error(
                node,
                f"The included file {node.filename!r} does not exist "
                f"(looked for {str(file)!r}). Includes are read relative "
                "to the including file's folder.",
            )
        self._included.add(file)
        self._lower_include(node, file)

    def _lower_include(self, node: ast.Include, file: Path) -> None:
        where = str(file)
        text = _read_text(file, where)
        version = _header_version(text) or self._format[-1]
        tree = _parse(_as_parsable(text, version), where)
        allowed = {"QuantumGateDefinition", "Include", "ConstantDeclaration"}
        with self._in_file(where):
            for statement in tree.statements:
                if type(statement).__name__ not in allowed | {"Pragma"}:
                    self._unsupported(
                        statement,
                        "this statement in an included file",
                        "Included files may hold only gate definitions, "
                        "constants and includes.",
                    )
                self._statement(statement)

    def _declare(self, node: ast.QASMNode, name: str) -> None:
        if name in self._declared_at or name in _CONSTANTS:
            earlier = self._declared_at.get(name)
            where = f" at line {earlier}" if earlier else " as a constant"
            self._error(
                node,
                f"The name {name!r} is already declared{where}; give this "
                "declaration a different name.",
            )
        self._declared_at[name] = _line(node)

    def _size(self, node: ast.QASMNode, size: ast.Expression | None) -> int:
        if size is None:
            return 1
        value = self._index_value(size, {})
        if value < 1:
            self._error(node, f"A register needs at least 1 bit, not {value}.")
        return value

    def _qubit_declaration(self, node: ast.QubitDeclaration) -> None:
        name = node.qubit.name
        self._declare(node, name)
        size = self._size(node, node.size)
        self._qregs[name] = ir.Register(name, size, self._num_qubits)
        self._num_qubits += size
        if node.size is None:
            self._single.add(name)

    def _classical_declaration(self, node: ast.ClassicalDeclaration) -> None:
        if not isinstance(node.type, (ast.BitType, ast.BoolType)):
            kind = type(node.type).__name__.removesuffix("Type").lower()
            self._unsupported(node, f"a classical variable of type {kind}")
        name = node.identifier.name
        self._declare(node, name)
        size = self._size(node, getattr(node.type, "size", None))
        self._cregs[name] = ir.Register(name, size, self._num_clbits)
        self._num_clbits += size
        if getattr(node.type, "size", None) is None:
            self._single.add(name)

        init = node.init_expression
        if isinstance(init, ast.QuantumMeasurement):
            self._measure_into(node, init.qubit, node.identifier)
        elif init is not None:
            self._unsupported(node, "an initialised classical variable")

    def _constant(self, node: ast.ConstantDeclaration) -> None:
        name = node.identifier.name
        self._declare(node, name)
        self._constants[name] = self._value(node.init_expression, {})

    def _gate_definition(self, node: ast.QuantumGateDefinition) -> None:
        name = node.name.name
        earlier = self._gates.get(name)
        if earlier is not None:
            self._error(
                node,
                f"Gate {name!r} is already defined at line {earlier.line}; "
                "rename one of the two definitions.",
            )
        definition = _GateDef(
            name=name,
            params=tuple(param.name for param in node.arguments),
            qubit_names=tuple(qubit.name for qubit in node.qubits),
            body=tuple(node.body),
            path=self._path,
            line=_line(node),
        )
        self._check_body(definition)
        self._gates[name] = definition

    def _check_body(self, definition: _GateDef) -> None:
        """Check the names a gate body uses before the gate is known.

        The gate itself is not yet defined here, so it cannot call itself.
        """
        names = set(definition.qubit_names)
        for node in definition.body:
            if isinstance(node, ast.QuantumGate):
                self._resolve_gate(node)
            for qubit in getattr(node, "qubits", None) or ():
                if not isinstance(qubit, ast.Identifier):
                    self._error(
                        qubit,
                        f"Inside gate {definition.name!r} operands are the "
                        "gate's own qubit names; indexing is not allowed.",
                    )
                if qubit.name not in names:
                    self._error(
                        qubit,
                        f"{qubit.name!r} is not a qubit of gate "
                        f"{definition.name!r}, whose qubits are "
                        f"{', '.join(definition.qubit_names)}.",
                    )

    # quantum operations

    def _gate_call(self, node: ast.QuantumGate) -> None:
        operands = [self._operand(q, self._qregs, "qubit") for q in node.qubits]
        params = self._params(node, {})
        for qubits in self._broadcast(node, operands):
            self._emit(self._apply(node, params, qubits))

    def _params(
        self, node: ast.QuantumGate, env: dict[str, float]
    ) -> tuple[float, ...]:
        return tuple(float(self._value(arg, env)) for arg in node.arguments)

    def _apply(
        self,
        node: ast.QuantumGate,
        params: tuple[float, ...],
        qubits: tuple[int, ...],
    ) -> list[ir.Gate | ir.Barrier]:
        """Lower one call, modifiers included, on concrete qubits."""
        gate = self._resolve_gate(node)
        controls = self._count_controls(node)
        if len(qubits) != len(set(qubits)):
            self._error(node, f"Gate {gate.name!r} is given the same qubit twice.")

        base = qubits[controls:]
        if isinstance(gate, _Alias):
            ops: list[ir.Gate | ir.Barrier] = [gate.lower(params, base)]
        else:
            ops = self._expand(gate, params, base)
        end = controls
        for modifier in reversed(node.modifiers):
            count = self._modifier_controls(modifier)
            ops = self._modify(node, modifier, ops, qubits[end - count : end])
            end -= count

        return ops

    def _resolve_gate(self, node: ast.QuantumGate) -> _Alias | _GateDef:
        """Find the called gate and check its parameter and qubit counts."""
        name = node.name.name
        gate = self._gates.get(name) or self._library_gate(node, name)
        expected = gate.num_qubits + self._count_controls(node)
        self._check_count(node, name, "parameter", gate.num_params, len(node.arguments))
        self._check_count(node, name, "qubit", expected, len(node.qubits))

        return gate

    def _library_gate(self, node: ast.QuantumGate, name: str) -> _Alias:
        alias = _LIBRARY.get(name)
        if alias is not None and (self._library_included or name in _ALWAYS_DEFINED):
            return alias
        if alias is not None:
            library = "qelib1.inc" if self._format == "qasm2" else "stdgates.inc"
            self._error(
                node,
                f"Gate {name!r} comes from the standard library, which "
                f"this file does not include; add 'include \"{library}\";' "
                "after the OPENQASM line.",
            )
        self._error(
            node,
            f"Gate {name!r} is not defined. Define it with a 'gate' block "
            "before this line, or include the library that provides it.",
        )

    def _check_count(
        self, node: ast.QASMNode, name: str, what: str, want: int, got: int
    ) -> None:
        if want != got:
            self._error(
                node,
                f"Gate {name!r} takes {_plural(want, what)}, but "
                f"{_plural(got, what)} {'was' if got == 1 else 'were'} "
                "given.",
            )

    def _count_controls(self, node: ast.QuantumGate) -> int:
        return sum(self._modifier_controls(m) for m in node.modifiers)

    def _modifier_controls(self, modifier: ast.QuantumGateModifier) -> int:
        if modifier.modifier.name not in ("ctrl", "negctrl"):
            return 0
        if modifier.argument is None:
            return 1
        return self._index_value(modifier.argument, {})

    def _expand(
        self, gate: _GateDef, params: tuple[float, ...], qubits: Sequence[int]
    ) -> list[ir.Gate | ir.Barrier]:
        """Inline a user gate's body with parameters and qubits bound."""
        env = dict(zip(gate.params, params, strict=True))
        where = dict(zip(gate.qubit_names, qubits, strict=True))
        ops: list[ir.Gate | ir.Barrier] = []
        with self._in_file(gate.path):
            for node in gate.body:
                ops.extend(self._body_statement(node, env, where))

        return ops

    def _body_statement(
        self,
        node: ast.Statement,
        env: dict[str, float],
        where: dict[str, int],
    ) -> list[ir.Gate | ir.Barrier]:
        if isinstance(node, ast.QuantumGate):
            qubits = _bound(node.qubits, where)
            return self._apply(node, self._params(node, env), qubits)
        if isinstance(node, ast.QuantumBarrier):
            return [ir.Barrier(_bound(node.qubits, where))]
        if isinstance(node, ast.QuantumPhase) and not node.modifiers:
            return []
        kind = type(node).__name__
        self._unsupported(
            node, _UNSUPPORTED.get(kind, f"a {kind} inside a gate definition")
        )

    def _modify(
        self,
        node: ast.QuantumGate,
        modifier: ast.QuantumGateModifier,
        ops: list[ir.Gate | ir.Barrier],
        controls: Sequence[int],
    ) -> list[ir.Gate | ir.Barrier]:
        kind = modifier.modifier.name
        if kind == "inv":
            return self._invert(node, ops)
        if kind == "pow":
            return self._power(node, modifier, ops)

        return self._control(node, ops, controls, negated=kind == "negctrl")

    def _invert(
        self, node: ast.QuantumGate, ops: list[ir.Gate | ir.Barrier]
    ) -> list[ir.Gate | ir.Barrier]:
        inverted: list[ir.Gate | ir.Barrier] = []
        for op in reversed(ops):
            if isinstance(op, ir.Barrier):
                inverted.append(op)
                continue
            inverse = _inverse(op)
            if inverse is None:
                self._unsupported(
                    node,
                    f"'inv @' on gate {op.name!r}",
                    "Its inverse is not a standard gate.",
                )
            inverted.append(inverse)
        return inverted

    def _power(
        self,
        node: ast.QuantumGate,
        modifier: ast.QuantumGateModifier,
        ops: list[ir.Gate | ir.Barrier],
    ) -> list[ir.Gate | ir.Barrier]:
        argument = cast(ast.Expression, modifier.argument)
        exponent = self._value(argument, {})
        if float(exponent) != int(exponent):
            self._unsupported(node, f"'pow({exponent}) @' (not an integer)")
        exponent = int(exponent)
        if exponent < 0:
            ops, exponent = self._invert(node, ops), -exponent
        return ops * exponent

    def _control(
        self,
        node: ast.QuantumGate,
        ops: list[ir.Gate | ir.Barrier],
        controls: Sequence[int],
        *,
        negated: bool,
    ) -> list[ir.Gate | ir.Barrier]:
        gates = [op for op in ops if isinstance(op, ir.Gate)]
        if len(gates) != 1:
            self._unsupported(node, "'ctrl @' on a gate of several steps")
        gate: ir.Gate | None = gates[0]
        for control in reversed(controls):
            gate = _controlled(gate, control) if gate else None
        if gate is None:
            self._unsupported(
                node,
                f"'ctrl @' on gate {gates[0].name!r}",
                "Its controlled form is not a standard gate.",
            )

        if not negated:
            return [gate]
        flips: list[ir.Gate | ir.Barrier] = [ir.Gate("x", (q,)) for q in controls]
        return [*flips, gate, *flips]

    def _measure(self, node: ast.QuantumMeasurementStatement) -> None:
        if node.target is None:
            self._unsupported(
                node,
                "a measurement without a target bit",
                "Write 'c = measure q;' with a declared bit register.",
            )
        self._measure_into(node, node.measure.qubit, node.target)

    def _measure_into(
        self,
        node: ast.QASMNode,
        qubit: ast.QASMNode,
        target: ast.QASMNode,
    ) -> None:
        qubits = self._operand(qubit, self._qregs, "qubit")
        clbits = self._operand(target, self._cregs, "bit")
        if len(qubits.indices) != len(clbits.indices):
            self._error(
                node,
                f"Cannot measure {qubits.label} ({len(qubits.indices)} "
                f"qubits) into {clbits.label} ({len(clbits.indices)} bits); "
                "the sizes must match.",
            )
        pairs = zip(qubits.indices, clbits.indices, strict=True)
        self._emit([ir.Measure(q, c) for q, c in pairs])

    def _reset(self, node: ast.QuantumReset) -> None:
        operand = self._operand(node.qubits, self._qregs, "qubit")
        self._emit([ir.Reset(q) for q in operand.indices])

    def _barrier(self, node: ast.QuantumBarrier) -> None:
        qubits: list[int] = []
        for qubit in node.qubits:
            for index in self._operand(qubit, self._qregs, "qubit").indices:
                if index not in qubits:
                    qubits.append(index)
        self._ops.append(ir.Barrier(tuple(qubits or range(self._num_qubits))))

    def _phase(self, node: ast.QuantumPhase) -> None:
        if node.modifiers:
            self._unsupported(node, "a modified 'gphase'")

    def _emit(self, ops: Sequence[ir.Operation]) -> None:
        if not self._condition:
            self._ops.extend(ops)
            return
        condition = self._current_condition()
        for op in ops:
            if not isinstance(op, ir.Barrier):
                op = attrs.evolve(op, condition=condition)
            self._ops.append(op)

    # operands and broadcasting

    def _operand(
        self,
        node: ast.QASMNode,
        registers: dict[str, ir.Register],
        kind: str,
    ) -> _Operand:
        """Resolve ``q``, ``q[i]``, ``q[a:b]`` or ``q[{i, j}]``."""
        if isinstance(node, ast.Identifier):
            register = self._register(node, node.name, registers, kind)
            single = node.name in self._single
            return _Operand(tuple(register.indices()), not single, node.name)

        if isinstance(node, ast.IndexedIdentifier):
            name, indices = node.name.name, node.indices
        elif isinstance(node, ast.IndexExpression):
            collection = cast(ast.Identifier, node.collection)
            name, indices = collection.name, [node.index]
        else:
            self._unsupported(node, f"a {kind} operand of this form")
        register = self._register(node, name, registers, kind)
        if len(indices) != 1:
            self._error(
                node,
                f"{kind.capitalize()} register {name!r} has one "
                "dimension; index it with one subscript.",
            )
        return self._subscript(node, register, indices[0], kind)

    def _register(
        self,
        node: ast.QASMNode,
        name: str,
        registers: dict[str, ir.Register],
        kind: str,
    ) -> ir.Register:
        register = registers.get(name)
        if register is not None:
            return register
        if name in self._qregs or name in self._cregs:
            other = "bit" if kind == "qubit" else "qubit"
            self._error(
                node,
                f"{name!r} is a {other} register, but a {kind} is needed here.",
            )
        declaration = "qreg" if kind == "qubit" else "creg"
        self._error(
            node,
            f"The {kind} register {name!r} is not declared. Declare it "
            f"before this line, e.g. '{declaration} {name}[2];'.",
        )

    def _subscript(
        self,
        node: ast.QASMNode,
        register: ir.Register,
        index: Any,
        kind: str,
    ) -> _Operand:
        if isinstance(index, ast.DiscreteSet):
            positions = [self._index_value(v, {}) for v in index.values]
        elif len(index) == 1 and isinstance(index[0], ast.RangeDefinition):
            positions = self._range(register, index[0])
        elif len(index) == 1:
            position = self._index_value(index[0], {})
            single = self._position(node, register, position, kind)
            return _Operand((single,), False, f"{register.name}[{position}]")
        else:
            self._error(node, "Index a register with one subscript at a time.")

        indices = tuple(self._position(node, register, p, kind) for p in positions)
        return _Operand(indices, True, register.name)

    def _range(self, register: ir.Register, span: ast.RangeDefinition) -> list[int]:
        """OpenQASM 3 ranges include their end: ``q[0:2]`` is 3 qubits."""
        start = 0 if span.start is None else self._index_value(span.start, {})
        end = register.size - 1 if span.end is None else self._index_value(span.end, {})
        step = 1 if span.step is None else self._index_value(span.step, {})
        return list(range(start, end + (1 if step > 0 else -1), step))

    def _position(
        self, node: ast.QASMNode, register: ir.Register, i: int, kind: str
    ) -> int:
        position = i + register.size if i < 0 else i
        if not 0 <= position < register.size:
            self._error(
                node,
                f"Index {i} is out of range: {kind} register "
                f"{register.name!r} has {register.size} {kind}s (indices 0 "
                f"to {register.size - 1}).",
            )
        return register.offset + position

    def _broadcast(
        self, node: ast.QuantumGate, operands: list[_Operand]
    ) -> list[tuple[int, ...]]:
        """One qubit tuple per application: registers run side by side."""
        sizes = {len(op.indices) for op in operands if op.broadcast}
        if len(sizes) > 1:
            labels = ", ".join(
                f"{op.label} ({len(op.indices)})" for op in operands if op.broadcast
            )
            self._error(
                node,
                f"Registers of different sizes cannot be broadcast together: {labels}.",
            )
        count = sizes.pop() if sizes else 1
        return [
            tuple(op.indices[i] if op.broadcast else op.indices[0] for op in operands)
            for i in range(count)
        ]

    # classical conditions

    def _branch(self, node: ast.BranchingStatement) -> None:
        bits, label = self._condition_bits(node.condition)
        self._run_block(node.if_block, bits, label)
        if not node.else_block:
            return
        if len(bits) != 1:
            self._unsupported(node, "an 'else' branch on a multi-bit condition")
        ((clbit, value),) = bits.items()
        self._run_block(node.else_block, {clbit: 1 - value}, f"!({label})")

    def _run_block(
        self, block: list[ast.Statement], bits: dict[int, int], label: str
    ) -> None:
        outer, outer_labels = self._condition, self._labels
        merged = dict(outer)
        for clbit, value in bits.items():
            if merged.setdefault(clbit, value) != value:
                return  # contradicts an enclosing condition: never runs
        self._condition, self._labels = merged, [*outer_labels, label]
        try:
            for statement in block:
                self._statement(statement)
        finally:
            self._condition, self._labels = outer, outer_labels

    def _current_condition(self) -> ir.Condition:
        clbits = tuple(self._condition)
        value = sum(bit << i for i, bit in enumerate(self._condition.values()))
        return ir.Condition(clbits, value, " && ".join(self._labels))

    def _condition_bits(self, node: ast.Expression) -> tuple[dict[int, int], str]:
        """Read a condition as required values of classical bits."""
        if isinstance(node, ast.UnaryExpression) and node.op.name == "!":
            bits, label = self._condition_bits(node.expression)
            if len(bits) == 1:
                return {k: 1 - v for k, v in bits.items()}, f"!{label}"
        elif isinstance(node, ast.BinaryExpression) and node.op.name in (
            "==",
            "!=",
        ):
            return self._comparison(node)
        elif isinstance(node, (ast.Identifier, ast.IndexExpression)):
            operand = self._operand(node, self._cregs, "bit")
            if len(operand.indices) == 1:
                return {operand.indices[0]: 1}, operand.label
        self._unsupported(
            node,
            "this condition",
            "Conditions must compare classical bits or a bit register "
            "with a constant, as in 'if (c == 1)' or 'if (c[0])'.",
        )

    def _comparison(self, node: ast.BinaryExpression) -> tuple[dict[int, int], str]:
        target, constant = node.lhs, node.rhs
        if not isinstance(target, (ast.Identifier, ast.IndexExpression)):
            target, constant = constant, target
        operand = self._operand(target, self._cregs, "bit")
        value = self._index_value(constant, {})
        size = len(operand.indices)
        if not 0 <= value < 2**size:
            self._error(
                node,
                f"{operand.label} has {_plural(size, 'bit')} and can never "
                f"equal {value}; compare with a value from 0 to "
                f"{2**size - 1}.",
            )

        bits = {c: (value >> i) & 1 for i, c in enumerate(operand.indices)}
        label = f"{operand.label} == {value}"
        if node.op.name == "==":
            return bits, label
        if size != 1:
            self._unsupported(node, "'!=' on a multi-bit register")
        return {c: 1 - v for c, v in bits.items()}, f"{operand.label} != {value}"

    # expressions

    def _value(self, node: ast.Expression, env: dict[str, float]) -> Any:
        """Evaluate a constant expression to an int or float."""
        if isinstance(node, (ast.IntegerLiteral, ast.FloatLiteral)):
            return node.value
        if isinstance(node, ast.BooleanLiteral):
            return int(node.value)
        if isinstance(node, ast.Identifier):
            return self._lookup(node, env)
        if isinstance(node, ast.UnaryExpression) and node.op.name == "-":
            return -self._value(node.expression, env)
        if isinstance(node, ast.BinaryExpression):
            return self._binary(node, env)
        if isinstance(node, ast.FunctionCall):
            return self._call(node, env)
        if isinstance(node, ast.Cast):
            value = self._value(node.argument, env)
            return float(value) if isinstance(node.type, ast.FloatType) else value
        self._unsupported(node, "this kind of expression")

    def _lookup(self, node: ast.Identifier, env: dict[str, float]) -> Any:
        name = node.name
        for scope in (env, self._constants, _CONSTANTS):
            if name in scope:
                return scope[name]
        self._error(
            node,
            f"The identifier {name!r} is not defined; use a gate "
            "parameter, a 'const', or one of pi, tau and euler.",
        )

    def _binary(self, node: ast.BinaryExpression, env: dict[str, float]) -> Any:
        operator = _BINARY.get(node.op.name)
        if operator is None:
            hint = "Use '**' for a power." if node.op.name == "^" else ""
            self._unsupported(node, f"the operator {node.op.name!r}", hint)
        lhs, rhs = self._value(node.lhs, env), self._value(node.rhs, env)
        if node.op.name == "/":
            lhs = float(lhs)
        return self._checked(node, lambda: operator(lhs, rhs))

    def _call(self, node: ast.FunctionCall, env: dict[str, float]) -> float:
        name = node.name.name
        function = _FUNCTIONS.get(name)
        if function is None:
            known = ", ".join(_FUNCTIONS)
            self._error(
                node,
                f"The function {name!r} is not known; the known functions are {known}.",
            )
        if len(node.arguments) != 1:
            self._error(node, f"The function {name!r} takes one argument.")
        argument = self._value(node.arguments[0], env)
        return self._checked(node, lambda: function(argument))

    def _checked(self, node: ast.QASMNode, compute: Callable[[], Any]) -> Any:
        try:
            value = compute()
        except ZeroDivisionError:
            self._error(node, "The expression divides by zero.")
        except (ValueError, OverflowError):
            self._error(node, "The expression has no finite real value.")
        if isinstance(value, complex):
            self._error(node, "The expression has no real value.")
        return value

    def _index_value(self, node: ast.Expression, env: dict[str, float]) -> int:
        value = self._value(node, env)
        if isinstance(value, float) and not value.is_integer():
            self._error(node, f"Expected a whole number here, got {value}.")
        return int(value)

    _HANDLERS: dict[str, Callable[[Any, Any], None]] = {
        "Include": _include,
        "QubitDeclaration": _qubit_declaration,
        "ClassicalDeclaration": _classical_declaration,
        "ConstantDeclaration": _constant,
        "QuantumGateDefinition": _gate_definition,
        "QuantumGate": _gate_call,
        "QuantumMeasurementStatement": _measure,
        "QuantumReset": _reset,
        "QuantumBarrier": _barrier,
        "QuantumPhase": _phase,
        "BranchingStatement": _branch,
        "Pragma": _ignore,
    }


def _bound(qubits: Sequence[Any], where: dict[str, int]) -> tuple[int, ...]:
    """A gate body's qubit names (checked at definition) as indices."""
    return tuple(where[cast(ast.Identifier, q).name] for q in qubits)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
