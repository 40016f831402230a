"""The hard rules H1-H9 of ROSTER-FORMAT.md, one module each, written once.

Each module has one function ``add_hN_...(ctx)`` that adds its rule to a CP-SAT model
under construction (``context.Context``); H3-H5 hold by construction of the variables
and their modules hold the eligibility tests ``index.build_index`` uses. The full model,
the pricing model of one person's week and the explanation core all apply the same
functions, listed in ``scheduler.solver.formulation``. The checker (``check.py``) reads
the rules again on its own, on purpose: it is the referee.
"""
