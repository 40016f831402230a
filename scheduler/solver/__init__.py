"""The roster engine: Problem -> CP-SAT -> Solution (ROSTER-FORMAT.md).

Imports nothing else from ``scheduler``: no Flask, no database.
"""

from __future__ import annotations

from typing import Any

from scheduler.solver.errors import InputError
from scheduler.solver.io import load_problem, problem_from_dict, problem_to_dict, solution_to_dict
from scheduler.solver.problem import (
    DEFAULT_WEIGHTS,
    TERMS,
    Assignment,
    Preference,
    Problem,
    Progress,
    Rules,
    ServicePoint,
    Shift,
    Solution,
    Staff,
    Unavailable,
    Uncovered,
)
from scheduler.solver.solve import solve

__all__ = [
    "DEFAULT_WEIGHTS",
    "TERMS",
    "Assignment",
    "InputError",
    "Preference",
    "Problem",
    "Progress",
    "Rules",
    "ServicePoint",
    "Shift",
    "Solution",
    "Staff",
    "Unavailable",
    "Uncovered",
    "check",
    "explain",
    "explain_infeasible",
    "load_problem",
    "problem_from_dict",
    "problem_to_dict",
    "solution_to_dict",
    "solve",
]

_LAZY = {"check": "check", "explain": "explain", "explain_infeasible": "explain"}


def __getattr__(name: str) -> Any:
    """``check``, ``explain`` and ``explain_infeasible`` load on first use (their modules
    are written separately and may be absent)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
