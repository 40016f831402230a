"""The roster engine: Problem -> CP-SAT -> Solution (ROSTER-FORMAT.md).

Imports nothing else from ``scheduler``: no Flask, no database.
"""

from __future__ import annotations

from typing import Any

from scheduler.solver.check import CheckReport, Violation, check
from scheduler.solver.errors import InputError
from scheduler.solver.io import load_problem, problem_from_dict, problem_to_dict, solution_to_dict
from scheduler.solver.isolated import solve_isolated
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
    "CheckReport",
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
    "Violation",
    "check",
    "explain",
    "explain_infeasible",
    "load_problem",
    "problem_from_dict",
    "problem_to_dict",
    "solution_to_dict",
    "solve",
    "solve_isolated",
]

# The explanations need OR-Tools; they load on first use so that importing the package
# (and the Curtois evaluator under it) stays light. The module is not called ``explain``:
# importing a submodule sets the package attribute of its name, which would hide the
# function.
_LAZY = {"explain": "explanations", "explain_infeasible": "explanations"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
