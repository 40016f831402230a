"""Tell a librarian by e-mail when a connected calendar has failed for too long.

One message per failure: ``failure_notified_at`` is set when it is queued and cleared by
the next successful sync, so a calendar that fails, recovers and fails again is
reported again. The e-mail is stored in the caller's transaction and leaves after the
commit (:func:`scheduler.mail.outbox.queue_email`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.calendars.sources.problems import describe
from scheduler.calendars.sources.sync import person_zone
from scheduler.i18n import choose_language, translator
from scheduler.mail.outbox import queue_email
from scheduler.models import CalendarSource, Person


def notify_long_failures(
    session: Session,
    *,
    now: datetime,
    warn_after: timedelta,
    page_url: str,
    stop_when_failing: bool,
    default_tz: str,
    default_lang: str = "nb",
    source_ids: list[int] | None = None,
) -> list[int]:
    """Queue a message for each source (of ``source_ids``, or all) failing since before
    ``now - warn_after`` whose owner has not been told yet; returns their ids. Flushes."""
    stmt = (
        select(CalendarSource)
        .where(
            CalendarSource.failing_since <= now - warn_after,
            CalendarSource.failure_notified_at.is_(None),
        )
        .order_by(CalendarSource.id)
        .with_for_update(skip_locked=True)
    )
    if source_ids is not None:
        stmt = stmt.where(CalendarSource.id.in_(source_ids))
    sources = session.scalars(stmt).all()
    told: list[int] = []
    for source in sources:
        person = session.get(Person, source.person_id)
        if person is None or not person.active:
            continue
        lang = choose_language(person.locale, default_lang)
        subject, body = failure_message(
            source,
            translator(lang),
            zone_name=str(person_zone(session, person.id, default_tz)),
            page_url=page_url,
            stop_when_failing=stop_when_failing,
        )
        queue_email(session, person.email, subject, body)
        source.failure_notified_at = now
        told.append(source.id)
    session.flush()
    return told


def failure_message(
    source: CalendarSource,
    gettext: Callable[[str], str],
    *,
    zone_name: str,
    page_url: str,
    stop_when_failing: bool,
) -> tuple[str, str]:
    """Subject and text of the warning, in the language of ``gettext``."""
    _ = gettext
    zone = ZoneInfo(zone_name)

    def local(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%d.%m.%Y %H:%M") if value else "–"

    reason = describe(source.error_code or "", source.error_params, gettext)
    if stop_when_failing:
        consequence = _("Until it works again, students cannot book you.")
    else:
        consequence = _(
            "Students can still book you: your free times use the busy times we read "
            "last (%(last)s), so new meetings in your calendar do not block them yet."
        ) % {"last": local(source.last_success_at)}
    subject = _("Your connected calendar “%(label)s” cannot be read") % {"label": source.label}
    lines = [
        _("Since %(since)s we have not been able to read your calendar “%(label)s”: %(reason)s.")
        % {"since": local(source.failing_since), "label": source.label, "reason": reason},
        "",
        consequence,
        "",
        _("Check or replace the address on your availability page: %(url)s") % {"url": page_url},
    ]
    return subject, "\n".join(lines) + "\n"
