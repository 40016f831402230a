"""First-line rosters: the bridge between the database and the solver.

Demand rules and opening hours become shifts (``demand``), the setup pages' use cases
live in ``setup``, and periods, problems and runs turn the database into a solver
``Problem`` and store its ``Solution``. No Flask here: functions take a session.
"""
