"""First-line rosters: the bridge between the database and the roster engine (no Flask).

Demand rules and opening hours become shifts (``demand``), the setup pages' use cases
live in ``setup``; ``periods``, ``problem`` and ``runs`` turn points, the first-line pool,
absences, appointments and drop-ins into a solver ``Problem``, run it as a background job
and store its roster. Functions take a session; the request or job commits.
"""
