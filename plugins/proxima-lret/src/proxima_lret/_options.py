"""The LRET run options, read from ``RunOptions.backend_options["lret"]``.

This module imports no numpy: the kernel checks options while it plans.
"""

from __future__ import annotations

import numbers
from typing import Any

import attrs
from proxima_kernel import RunOptions, UsageError

RULES = ("relative", "cumulative")


@attrs.frozen
class Settings:
    """One run's LRET options, checked.

    :param epsilon: the screening and truncation threshold, a fraction of
        the state's trace (0 keeps everything: the run is exact).
    :param rule: ``"relative"`` drops each Kraus branch and each
        eigenvalue whose weight is below ``epsilon * trace``;
        ``"cumulative"`` drops the smallest ones while their sum stays
        within ``epsilon * trace`` (the tail rule of Chen et al.).
    :param max_rank: the most rows a compression keeps (None: no cap).
    :param tolerance: warn when the truncation bound exceeds it.
    :param fuse_qubits: the widest block gates and channels are fused into.
    :param observables: Pauli strings (qubit 0 on the right) whose
        expectation values go into ``details["expectations"]``.
    """

    epsilon: float = 1e-4
    rule: str = "relative"
    max_rank: int | None = None
    tolerance: float | None = None
    fuse_qubits: int = 4
    observables: tuple[str, ...] = ()


OPTION_KEYS = tuple(field.name for field in attrs.fields(Settings))


def settings_of(options: RunOptions | None) -> Settings:
    """The checked settings of a run; a bad option raises UsageError."""
    raw = dict(options.backend_options.get("lret", {})) if options else {}
    problem = _problem(raw)
    if problem is not None:
        raise UsageError(
            f"The LRET option {problem}. Set the options under "
            f"backend_options['lret']; they are {', '.join(OPTION_KEYS)}."
        )

    if "observables" in raw:
        raw["observables"] = tuple(raw["observables"])
    return Settings(**raw)


def _problem(raw: dict[str, Any]) -> str | None:
    """What is wrong with the raw options, as the end of a sentence."""
    unknown = sorted(set(raw) - set(OPTION_KEYS))
    if unknown:
        return f"{', '.join(map(repr, unknown))} is not known"
    checks = (
        ("epsilon", _is_fraction, "a number from 0 to 1"),
        ("rule", lambda v: v in RULES, "'relative' or 'cumulative'"),
        ("max_rank", _is_count_or_none, "a positive integer or None"),
        ("tolerance", _is_number_or_none, "a number of at least 0 or None"),
        ("fuse_qubits", _is_fuse_width, "an integer from 1 to 6"),
        ("observables", _is_pauli_list, "a list of Pauli strings of I X Y Z"),
    )
    for key, valid, expected in checks:
        if key in raw and not valid(raw[key]):
            return f"{key!r} must be {expected}, got {raw[key]!r}"

    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_fraction(value: Any) -> bool:
    return _is_number(value) and 0 <= value <= 1


def _is_count_or_none(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, numbers.Integral) and value >= 1


def _is_number_or_none(value: Any) -> bool:
    return value is None or (_is_number(value) and value >= 0)


def _is_fuse_width(value: Any) -> bool:
    # runner.MAX_FUSE_QUBITS, not imported: the runner brings in numpy.
    return isinstance(value, numbers.Integral) and 1 <= value <= 6


def _is_pauli_list(value: Any) -> bool:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        return False
    return all(
        isinstance(s, str) and s and set(s.upper()) <= set("IXYZ") for s in value
    )
