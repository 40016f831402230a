"""Logging an inquiry: one tap per field, stored once however often the browser sends it.

The desk page queues entries in the browser while the network is away and sends them
again when it returns; an answer can be lost after the row was stored. The browser's
UUID for the entry is therefore unique in the database, and a second copy (also one
racing the first on another connection) is answered with the stored row.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scheduler.desk.roles import require_desk
from scheduler.errors import NotFound
from scheduler.inputs import Fields, parse_id, parse_instant, parse_whole
from scheduler.models import (
    Actor,
    Appointment,
    DurationBand,
    Inquiry,
    InquiryCategory,
    InquiryChannel,
    Library,
    Person,
    ServicePoint,
)
from scheduler.reasons import _, input_error

MAX_TEXT = 2000
# Entries queued offline are sent late, but not weeks late; clocks may be a bit ahead.
OLDEST_QUEUED = timedelta(days=14)
CLOCK_SKEW = timedelta(minutes=10)
# A wrong tap can be taken back by its author for this long.
UNDO_WINDOW = timedelta(hours=12)


@dataclass(frozen=True)
class InquiryInput:
    client_uuid: str
    library_id: int
    channel: InquiryChannel
    duration: DurationBand
    service_point_id: int | None = None
    category_id: int | None = None
    read_scale: int | None = None
    referred_to_id: int | None = None
    appointment_id: int | None = None
    handed_over: bool = False
    description: str | None = None
    reflection: str | None = None
    asked_at: datetime | None = None


@dataclass(frozen=True)
class Logged:
    inquiry: Inquiry
    created: bool  # False: this entry had been stored before (a replay)


def _uuid(raw: object, field: str) -> str:
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise input_error({field: _("is required")})
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise input_error({field: _("is not a UUID")}) from None


def _choice(enum_cls: Any, raw: object, field: str, *, required: bool = True) -> Any:
    text = "" if raw is None else str(raw).strip()
    if not text:
        if required:
            raise input_error({field: _("is required")})
        return None
    try:
        return enum_cls(text)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise input_error({field: _("must be one of %(allowed)s", allowed=allowed)}) from None


def _text(raw: object, field: str) -> str | None:
    text = "" if raw is None else str(raw).strip()
    if len(text) > MAX_TEXT:
        raise input_error({field: _("at most %(num)s characters", num=MAX_TEXT)})
    return text or None


def _flag(raw: object, field: str) -> bool:
    return str(raw or "").strip().lower() in ("1", "true", "on", "yes")


def _optional_instant(raw: object, field: str) -> datetime | None:
    if raw is None or not str(raw).strip():
        return None
    return parse_instant(raw, field)


def read_inquiry(values: Mapping[str, Any]) -> InquiryInput:
    """An inquiry from a form post or a JSON body; every bad field reported at once."""
    f = Fields(values)
    data = {
        "client_uuid": f.read("client_uuid", _uuid),
        "library_id": f.read("library", parse_id),
        "channel": f.read("channel", lambda raw, name: _choice(InquiryChannel, raw, name)),
        "duration": f.read("duration", lambda raw, name: _choice(DurationBand, raw, name)),
        "service_point_id": f.read("service_point", parse_id, required=False),
        "category_id": f.read("category", parse_id, required=False),
        "read_scale": f.read("read_scale", parse_whole, low=1, high=6),
        "referred_to_id": f.read("referred_to", parse_id, required=False),
        "appointment_id": f.read("appointment", parse_id, required=False),
        "handed_over": f.read("handed_over", _flag),
        "description": f.read("description", _text),
        "reflection": f.read("reflection", _text),
        "asked_at": f.read("asked_at", _optional_instant),
    }
    f.check()
    return InquiryInput(**data)


def _check_refs(session: Session, actor: Person, data: InquiryInput, now: datetime) -> None:
    errors: dict[str, str] = {}
    wrong = _("does not belong to this library")
    if data.service_point_id is not None:
        point = session.get(ServicePoint, data.service_point_id)
        if point is None or point.library_id != data.library_id:
            errors["service_point"] = wrong
    if data.category_id is not None:
        category = session.get(InquiryCategory, data.category_id)
        if category is None or category.library_id != data.library_id:
            errors["category"] = wrong
    if data.referred_to_id is not None:
        referred = session.get(Actor, data.referred_to_id)
        if referred is None or referred.library_id != data.library_id:
            errors["referred_to"] = wrong
    if data.appointment_id is not None:
        appointment = session.get(Appointment, data.appointment_id)
        if appointment is None or appointment.booked_by_id != actor.id:
            errors["appointment"] = _("is not a guidance session you booked from the desk")
    if data.asked_at is not None and not (now - OLDEST_QUEUED <= data.asked_at <= now + CLOCK_SKEW):
        errors["asked_at"] = _("must lie within the last %(days)s days", days=OLDEST_QUEUED.days)
    if errors:
        raise input_error(errors)


def _by_uuid(session: Session, client_uuid: str) -> Inquiry | None:
    return session.scalar(select(Inquiry).where(Inquiry.client_uuid == client_uuid))


def log_inquiry(session: Session, actor: Person, data: InquiryInput, now: datetime) -> Logged:
    """Store one inquiry, or return the one stored before under the same UUID."""
    stored = _by_uuid(session, data.client_uuid)
    if stored is not None:
        return Logged(stored, created=False)
    library = session.get(Library, data.library_id)
    if library is None:
        raise NotFound(_("No such library."), {"library": _("does not exist")})
    require_desk(actor, library.id)
    _check_refs(session, actor, data, now)
    values = {
        "client_uuid": data.client_uuid,
        "library_id": library.id,
        "service_point_id": data.service_point_id,
        "channel": data.channel,
        "category_id": data.category_id,
        "duration": data.duration,
        "read_scale": data.read_scale,
        "referred_to_id": data.referred_to_id,
        "appointment_id": data.appointment_id,
        "handed_over": data.handed_over or data.appointment_id is not None,
        "description": data.description,
        "reflection": data.reflection,
        "asked_at": data.asked_at or now,
        "recorded_by_id": actor.id,
        "created_at": now,
        "anonymised": False,
    }
    # INSERT ... ON CONFLICT DO NOTHING: a copy racing this one waits for it to commit
    # and then inserts nothing, instead of failing the request.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = session.execute(
        insert(Inquiry).values(**values).on_conflict_do_nothing(index_elements=["client_uuid"])
    )
    stored = _by_uuid(session, data.client_uuid)
    assert stored is not None
    return Logged(stored, created=bool(result.rowcount))


def recent_inquiries(
    session: Session, actor: Person, now: datetime, limit: int = 10
) -> list[Inquiry]:
    """What this person logged in the last hours (the desk page shows it, to undo a
    wrong tap)."""
    return list(
        session.scalars(
            select(Inquiry)
            .where(Inquiry.recorded_by_id == actor.id, Inquiry.created_at >= now - UNDO_WINDOW)
            .order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
            .limit(limit)
        )
    )


def delete_inquiry(session: Session, actor: Person, inquiry: Inquiry, now: datetime) -> None:
    """Undo a wrong tap: the person who logged it may remove it within twelve hours."""
    if inquiry.recorded_by_id != actor.id or now - inquiry.created_at > UNDO_WINDOW:
        reason = _("only your own entries of the last twelve hours can be removed")
        raise input_error({"inquiry": reason})
    session.delete(inquiry)
    session.flush()
