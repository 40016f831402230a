"""An administrator's "run now": the task becomes due, and whichever process looks next
runs it under its lease (the request itself never runs a purge or a sync)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import Forbidden, InputError
from scheduler.models import Person
from scheduler.models.upkeep import UpkeepTask
from scheduler.reasons import _
from scheduler.upkeep.runner import schedules


def run_soon(
    session: Session, person: Person | None, name: str, config: Mapping[str, Any], now: datetime
) -> None:
    """Make task ``name`` due at ``now``; flushes, the request commits."""
    if not access.is_admin(person):
        raise Forbidden(_("Only administrators run upkeep tasks."))
    planned = {task.name: schedule for task, schedule in schedules(config)}
    if name not in planned:
        raise InputError.field("task", _("There is no upkeep task %(name)s.", name=name))
    if planned[name].off:
        raise InputError.field(
            "task",
            _("The task is switched off (its setting is off); `scheduler upkeep --task` runs it."),
        )
    row = session.get(UpkeepTask, name)
    if row is None:
        session.add(UpkeepTask(name=name, schedule=planned[name].key, next_run_at=now))
    else:
        row.next_run_at = now
    session.flush()
