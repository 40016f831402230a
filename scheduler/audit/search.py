"""Reading the audit log: administrators only, newest first, filtered, a page at a time,
and the same filter as CSV rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from scheduler.access import is_admin
from scheduler.errors import Forbidden
from scheduler.models.audit import AuditEntry
from scheduler.models.people import Person
from scheduler.reasons import _

PAGE_SIZE = 50
CSV_COLUMNS = (
    "at",
    "actor_id",
    "actor",
    "action",
    "subject",
    "reason",
    "ip",
    "library_id",
    "details",
)
# Spreadsheets run cells that start like a formula; a leading apostrophe keeps them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """What an administrator asked for; dates are local days, both ends included."""

    actor_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None
    page: int = 1


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def _require_admin(viewer: Person | None) -> None:
    if not is_admin(viewer):
        raise Forbidden(_("Only administrators may read the audit log."))


def _query(f: AuditFilter, tz: ZoneInfo) -> Select:
    q = select(AuditEntry)
    if f.actor_id is not None:
        q = q.where(AuditEntry.actor_id == f.actor_id)
    if f.action:
        q = q.where(AuditEntry.action == f.action)
    if f.since is not None:
        q = q.where(AuditEntry.at >= datetime.combine(f.since, time(0), tz))
    if f.until is not None:
        q = q.where(AuditEntry.at < datetime.combine(f.until + timedelta(days=1), time(0), tz))
    if f.text:
        needle = f.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        q = q.where(func.lower(AuditEntry.subject).like(f"%{needle}%", escape="\\"))
    return q


def search(session: Session, viewer: Person | None, f: AuditFilter, tz: ZoneInfo) -> AuditPage:
    """One page of entries, newest first (Forbidden unless ``viewer`` is an administrator)."""
    _require_admin(viewer)
    q = _query(f, tz)
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, f.page), pages)
    entries = session.scalars(
        q.options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return AuditPage(list(entries), page, pages, total)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(
    session: Session, viewer: Person | None, f: AuditFilter, tz: ZoneInfo
) -> Iterator[list[str]]:
    """Every matching entry as CSV cells, newest first, the header row first."""
    _require_admin(viewer)
    q = (
        _query(f, tz)
        .options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    rows: list[list[str]] = [list(CSV_COLUMNS)]
    for e in session.scalars(q):
        rows.append(
            [
                e.at.astimezone(tz).isoformat(timespec="seconds"),
                _cell(e.actor_id),
                _cell(e.actor.email if e.actor is not None else ""),
                _cell(e.action),
                _cell(e.subject),
                _cell(e.reason),
                _cell(e.ip),
                _cell(e.library_id),
                _cell(json.dumps(e.details, sort_keys=True) if e.details else ""),
            ]
        )
    return iter(rows)
