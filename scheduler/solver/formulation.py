"""The one list of hard rules and objective terms, and how a model is made from them.

Every CP-SAT model of a roster — the whole period, a few weeks with the rest fixed, one
person's week priced under duals, the explanation core — is a ``Context`` with these
rules applied, and (when it is scored) these terms summed. A new rule is one new module
and one line here.
"""

from __future__ import annotations

from scheduler.solver.rules.context import Context, Term
from scheduler.solver.rules.h1_headcount import add_h1_headcount
from scheduler.solver.rules.h2_one_place import add_h2_one_place
from scheduler.solver.rules.h6_weekly_hours import add_h6_weekly_hours
from scheduler.solver.rules.h7_daily_hours import add_h7_daily_hours
from scheduler.solver.rules.h8_breaks import add_h8_breaks
from scheduler.solver.rules.h9_pins import add_h9_pins
from scheduler.solver.terms.change import change
from scheduler.solver.terms.duty_days import duty_days
from scheduler.solver.terms.preference import preference
from scheduler.solver.terms.split_duty import split_duty
from scheduler.solver.terms.target import target
from scheduler.solver.terms.understaffing import understaffing
from scheduler.solver.terms.unsocial_spread import unsocial_spread

# Hard rules. H3 availability, H4 skills and H5 first line hold by construction: the
# variables exist only for pairs that keep them (rules/h3_availability.py ...).
HARD_RULES = (
    add_h1_headcount,
    add_h2_one_place,
    add_h6_weekly_hours,
    add_h7_daily_hours,
    add_h8_breaks,
    add_h9_pins,
)

# Objective terms, in ROSTER-FORMAT.md's order.
TERMS = (
    understaffing,
    target,
    preference,
    split_duty,
    duty_days,
    unsocial_spread,
    change,
)


def add_hard_rules(ctx: Context) -> None:
    for rule in HARD_RULES:
        rule(ctx)


def objective_terms(ctx: Context) -> list[Term]:
    return [term(ctx) for term in TERMS]


def minimize(ctx: Context, terms: list[Term], extra: object = 0) -> None:
    """Minimise the weighted sum of ``terms`` (plus ``extra``)."""
    ctx.model.minimize(sum(t.weight * t.expr for t in terms) + extra)
