"""H5 first line, ground floor only: only ``first_line`` staff are rostered.

Held by construction (no variables for anyone else); a service point off the ground
floor or not first line is an input error, refused by the reader (``io.py``).
"""

from __future__ import annotations

from scheduler.solver.problem import Staff


def may_work(person: Staff) -> bool:
    return person.first_line
