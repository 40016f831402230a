"""The CP-SAT model of a roster (or of some weeks of it) for the search.

Built from the one list of rules and terms (``formulation.py``): one Boolean per
eligible (staff, shift) pair (H3-H5 by construction), H1-H9 as constraints, the
objective's terms each tied exactly to the assignment, plus redundant cuts
(``cuts.py``). So the model's objective of *any* solution equals the objective the
checker recomputes.

A model can cover only some weeks (``weeks``) with other assignments fixed
(``fixed``): the search builds one week at a time that way before it improves the
whole roster.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.solver.cuts import add_cuts
from scheduler.solver.formulation import add_hard_rules, minimize, objective_terms
from scheduler.solver.index import Index
from scheduler.solver.rules.context import Term, build_context


@dataclass
class RosterModel:
    """A built model and the handles the search needs."""

    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]  # (staff, shift) -> assigned
    shifts: list[int]  # the shifts this model covers
    impossible_pins: list[tuple[int, int]] = field(default_factory=list)
    var_index: dict[tuple[int, int], int] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)  # empty when not scored


def build_model(
    idx: Index,
    *,
    weeks: Iterable[int] | None = None,
    fixed: set[tuple[int, int]] | None = None,
    fixed_weeks: Iterable[int] = (),
    unsocial_offset: dict[int, int] | None = None,
    unsocial: bool = True,
    scored: bool = True,
) -> RosterModel:
    """Build the model over ``weeks`` (all when None).

    Shifts in ``fixed_weeks`` (a subset of ``weeks``) are fixed to the pairs in ``fixed``;
    ``unsocial_offset`` adds unsocial shifts already held in weeks the model leaves out.
    ``unsocial=False`` leaves out the unsocial spread (the one term spanning weeks);
    ``scored=False`` builds the hard rules only, for a first roster fast.
    """
    ctx = build_context(
        idx,
        weeks=weeks,
        fixed=fixed,
        fixed_weeks=fixed_weeks,
        unsocial_offset=dict(unsocial_offset or {}),
        spread=unsocial,
    )
    add_hard_rules(ctx)
    terms: list[Term] = []
    if scored:
        terms = objective_terms(ctx)
        add_cuts(ctx)
        minimize(ctx, terms)
    rm = RosterModel(
        model=ctx.model,
        x=ctx.vars.x,
        shifts=ctx.shifts,
        impossible_pins=ctx.impossible_pins,
        terms=terms,
    )
    rm.var_index = {k: v.index for k, v in ctx.vars.x.items()}
    return rm
