"""The objective's terms (ROSTER-FORMAT.md), one module each, written once.

Each module has one function ``name(ctx) -> Term(name, weight, expr)`` whose expression
is the term's unweighted count, tied exactly to the assignment; the model sums
``weight x expr`` and keeps the terms for reporting. Listed in
``scheduler.solver.formulation``.
"""
