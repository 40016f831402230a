"""Who may change a library's roster: its section leaders (and administrators).

Every rostering use case that changes set-up, periods, runs, edits, publishing or
repair calls :func:`require_leader` with the library the object belongs to, so a leader
of one branch never touches another branch's roster, whichever page or API asked.
"""

from __future__ import annotations

from scheduler import access
from scheduler.models import Person, Role
from scheduler.reasons import _


def require_leader(actor: Person | None, library_id: int) -> None:
    """Refuse (Forbidden) unless ``actor`` is a section leader of the library."""
    access.require(
        actor,
        Role.SECTION_LEADER,
        library_id,
        _("Only the section leaders of this library manage its roster."),
    )
