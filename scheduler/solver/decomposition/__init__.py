"""Dantzig-Wolfe decomposition of a roster by person and week (built on ``colgen``).

A column is one person's schedule for one week (or a few weeks linked by a shift across
Sunday night): every per-person rule holds in it by construction, its cost is that
person's exact share of the objective. Masters cover the shifts' headcounts and carry
the unsocial spread; pricing is a labelling over the person's days. ``search.py`` is the
entry point the engine's search uses.
"""
