"""The Curtois-Qu staff scheduling benchmark (Instance1..Instance24).

``instance`` holds the typed model of an instance, ``reader`` parses the published text
format, ``roster`` reads and writes rosters (the Curtois roster JSON and the site's
tab-separated grid) and ``evaluate`` re-scores a roster exactly, independent of any solver
model (``python -m scheduler.solver.curtois.evaluate INSTANCE ROSTER``).

The solver (``solve``) combines ``row_dp`` (one employee's cheapest row by dynamic
programming), ``pricing`` (that DP under cover prices), ``colgen`` (the master LP over rows,
its bound, the dive and the MIP over generated rows), ``descent`` (exact single-row moves),
``model`` (the CP-SAT model for large-neighbourhood search) and ``greedy``.

This file deliberately imports nothing: running ``evaluate`` with ``python -m`` must not
find that module already imported by its package. ``solve_file`` imports the solver lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only; the package imports nothing at run time
    import os
    from typing import Any


def solve_file(
    path: str | os.PathLike[str], *, time_limit: float = 60.0, workers: int = 2, seed: int = 0
) -> dict[str, Any]:
    """Solve an instance file; see :func:`scheduler.solver.curtois.solve.solve_file`.

    The import is inside the function so that importing the package stays free of OR-Tools.
    """
    from scheduler.solver.curtois.solve import solve_file as _solve_file

    return _solve_file(path, time_limit=time_limit, workers=workers, seed=seed)
