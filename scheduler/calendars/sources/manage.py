"""Use cases: connect, change and remove a librarian's calendars (no Flask, flush only).

A person manages their own connected calendars; an administrator may manage anyone's.
Input is checked before anything changes, and every bad field is named with a reason a
page can translate. Nothing here contacts the calendar: reading it is the sync's job
(and the page's "test" button, through :func:`preview`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.access import is_admin
from scheduler.calendars.sources.fetch import normalise_url
from scheduler.calendars.sources.problems import TEMPLATES, SourceProblem
from scheduler.calendars.sources.secretbox import SecretBox, mask_url
from scheduler.errors import Forbidden
from scheduler.models import CalendarSource, Person, Role, SourceKind
from scheduler.reasons import Reason, input_error

LABEL_LIMIT = 100
SECRET_LIMIT = 2000


@dataclass(frozen=True)
class SourceInput:
    """What the form gives: kind, a name, the address and (CalDAV) the credentials."""

    kind: str
    label: str
    url: str
    username: str = ""
    password: str = ""


def may_manage(actor: Person | None, person: Person) -> bool:
    """The person themself (when bookable staff) or an administrator."""
    if actor is None or not actor.is_active:
        return False
    if is_admin(actor):
        return True
    return actor.id == person.id and actor.holds_anywhere(Role.LIBRARIAN)


def require_may_manage(actor: Person | None, person: Person) -> None:
    if not may_manage(actor, person):
        raise Forbidden(_reason("forbidden"))


def sources_of(session: Session, person_id: int) -> list[CalendarSource]:
    return list(
        session.scalars(
            select(CalendarSource)
            .where(CalendarSource.person_id == person_id)
            .order_by(CalendarSource.id)
        )
    )


def check_new(
    session: Session,
    actor: Person | None,
    person: Person,
    data: SourceInput,
    *,
    max_sources: int = 5,
) -> tuple[SourceKind, str, str]:
    """Everything :func:`add_source` checks, without saving: kind, label, address.

    The page calls it before it reads the calendar, so bad input costs no request.
    """
    require_may_manage(actor, person)
    kind, label, url = _checked(data, require_secrets=True)
    count = session.scalar(
        select(func.count(CalendarSource.id)).where(CalendarSource.person_id == person.id)
    )
    if (count or 0) >= max_sources:
        raise input_error({"label": _reason("too_many_sources", limit=max_sources)})
    return kind, label, url


def add_source(
    session: Session,
    actor: Person | None,
    person: Person,
    data: SourceInput,
    *,
    box: SecretBox,
    max_sources: int = 5,
) -> CalendarSource:
    """Connect a calendar (saved, not read yet: the caller reads it or queues a sync)."""
    kind, label, url = check_new(session, actor, person, data, max_sources=max_sources)
    source = CalendarSource(
        person_id=person.id,
        kind=kind,
        label=label,
        url_sealed=box.seal(url),
        url_hint=mask_url(url),
        username_sealed=box.seal(data.username.strip()) if kind == SourceKind.CALDAV else None,
        password_sealed=box.seal(data.password) if kind == SourceKind.CALDAV else None,
    )
    session.add(source)
    session.flush()
    return source


def change_source(
    session: Session,
    actor: Person | None,
    source: CalendarSource,
    data: SourceInput,
    *,
    box: SecretBox,
) -> CalendarSource:
    """Rename it, or replace its address or credentials (blank ones are kept).

    A new address forgets the validators, so the next sync reads everything again; the
    busy times stay until that sync replaces them.
    """
    person = session.get(Person, source.person_id)
    assert person is not None
    require_may_manage(actor, person)
    kind, label, url = _checked(
        SourceInput(source.kind.value, data.label, data.url, data.username, data.password),
        require_secrets=False,
    )
    source.label = label
    if url:
        source.url_sealed = box.seal(url)
        source.url_hint = mask_url(url)
        source.etag = None
        source.last_modified = None
        source.window_end = None
    if kind == SourceKind.CALDAV:
        if data.username.strip():
            source.username_sealed = box.seal(data.username.strip())
        if data.password:
            source.password_sealed = box.seal(data.password)
    session.flush()
    return source


def remove_source(session: Session, actor: Person | None, source: CalendarSource) -> None:
    """Disconnect it; its busy times go with it."""
    person = session.get(Person, source.person_id)
    assert person is not None
    require_may_manage(actor, person)
    session.delete(source)
    session.flush()


def _checked(data: SourceInput, *, require_secrets: bool) -> tuple[SourceKind, str, str]:
    """Kind, label and normalised address (blank when not required and not given)."""
    errors: dict[str, str] = {}
    try:
        kind = SourceKind(data.kind)
    except ValueError:
        errors["kind"] = _reason("kind")
        kind = SourceKind.ICS
    label = " ".join((data.label or "").split())
    if not label:
        errors["label"] = _reason("label_required")
    elif len(label) > LABEL_LIMIT:
        errors["label"] = _reason("label_too_long", limit=LABEL_LIMIT)
    url = ""
    if require_secrets or (data.url or "").strip():
        try:
            url = normalise_url(data.url)
            if len(url) > SECRET_LIMIT:
                raise SourceProblem("url")
        except SourceProblem as problem:
            errors["url"] = problem.reason
    if kind == SourceKind.CALDAV and require_secrets:
        if not data.username.strip():
            errors["username"] = _reason("username_required")
        if not data.password:
            errors["password"] = _reason("password_required")
    if errors:
        raise input_error(errors)
    return kind, label, url


def _reason(code: str, **params: object) -> Reason:
    return Reason(TEMPLATES[code], **params)
