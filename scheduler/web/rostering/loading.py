"""Rows in a leader's URL: found (else 404) and in a library the person leads (else 403)."""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import Select

from scheduler import access
from scheduler.extensions import db
from scheduler.models import Role, RosterPeriod, RosterRun
from scheduler.rostering.permissions import require_leader


def leader_period(period_id: int) -> RosterPeriod:
    period = db.get_or_404(RosterPeriod, period_id)
    require_leader(current_user, period.library_id)
    return period


def leader_run(run_id: int) -> RosterRun:
    run = db.get_or_404(RosterRun, run_id)
    require_leader(current_user, run.period.library_id)
    return run


def only_led(stmt: Select, library_id_column) -> Select:
    """``stmt`` narrowed to the libraries the signed-in person leads (all for an admin)."""
    ids = access.library_ids(current_user, Role.SECTION_LEADER)
    return stmt if ids is None else stmt.where(library_id_column.in_(ids))


__all__ = ["leader_period", "leader_run", "only_led"]
