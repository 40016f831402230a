"""Publish a period's draft roster: what staff see on "my shifts" and in their feeds.

The draft (Assignment rows) is compared with what was published before
(PublishedShift rows of the period), person by person:

- a shift someone already had keeps its row, and so its calendar UID and SEQUENCE;
- a shift that moved (the same person, the same day, another time or service point)
  keeps its row with the new times and a higher SEQUENCE, so calendars move the event;
- a shift someone no longer has becomes CANCELLED (with ``cancelled_at``), so calendars
  drop it; one that comes back is confirmed again with a higher SEQUENCE;
- anything else is a new row.

Each person whose shifts changed gets one e-mail listing their changes; it is stored
with the publish and sent by a job after the commit. Use cases flush; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from babel import dates
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scheduler import audit
from scheduler.errors import InputError
from scheduler.i18n import date_locale
from scheduler.mail.letter import Letter
from scheduler.models import (
    Assignment,
    PeriodStatus,
    Person,
    PublishedShift,
    PublishedShiftStatus,
    RosterPeriod,
    ServicePoint,
    Shift,
)
from scheduler.reasons import _
from scheduler.rostering.permissions import require_leader
from scheduler.rostering.roster_check import lock_period
from scheduler.rostering.runs import assert_not_running
from scheduler.site import Site
from scheduler.timeutil import to_local, utcnow

Slot = tuple[int, datetime, datetime]  # (service point, starts_at, ends_at), UTC


@dataclass(frozen=True)
class ShiftChange:
    """One change to one person's shifts. ``kind``: added, removed, moved, kept."""

    kind: str
    person_id: int
    new: Slot | None = None
    old: Slot | None = None
    row_id: int | None = None  # the PublishedShift row it keeps or cancels


@dataclass
class RosterDiff:
    """The draft compared with the published roster, per person."""

    changes: list[ShiftChange] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[ShiftChange]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def changed(self) -> list[ShiftChange]:
        return [c for c in self.changes if c.kind != "kept"]

    def by_person(self) -> dict[int, list[ShiftChange]]:
        out: dict[int, list[ShiftChange]] = defaultdict(list)
        for c in self.changed:
            out[c.person_id].append(c)
        return dict(out)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(("added", "removed", "moved", "kept"), 0)
        for c in self.changes:
            out[c.kind] += 1
        return out


@dataclass
class PublishResult:
    version: int
    diff: RosterDiff
    notified: list[int]  # person ids e-mailed


def _draft_slots(session: Session, period: RosterPeriod) -> dict[int, list[Slot]]:
    rows = session.execute(
        select(Assignment.person_id, Shift.service_point_id, Shift.starts_at, Shift.ends_at)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(Shift.period_id == period.id)
        .order_by(Shift.starts_at, Shift.service_point_id)
    )
    out: dict[int, list[Slot]] = defaultdict(list)
    for person_id, point_id, start, end in rows:
        out[person_id].append((point_id, start, end))
    return out


def _published(session: Session, period: RosterPeriod) -> list[PublishedShift]:
    return list(
        session.scalars(
            select(PublishedShift)
            .where(PublishedShift.period_id == period.id)
            .order_by(PublishedShift.starts_at, PublishedShift.id)
        )
    )


def _slot(row: PublishedShift) -> Slot:
    return (row.service_point_id, row.starts_at, row.ends_at)


def compare(
    session: Session, period: RosterPeriod, wanted: dict[int, list[Slot]] | None = None
) -> RosterDiff:
    """What publishing now would change (nothing is written).

    :param wanted: every person's shifts as they should be published; by default the
        draft roster's. Self-service changes pass the published roster with their one
        change applied, so that they go through the same diff as a publish.
    """
    tz = period.library.timezone
    if wanted is None:
        wanted = _draft_slots(session, period)
    rows = _published(session, period)
    by_person: dict[int, list[PublishedShift]] = defaultdict(list)
    for row in rows:
        by_person[row.person_id].append(row)
    diff = RosterDiff()
    for person_id in sorted(set(wanted) | set(by_person)):
        new_slots = list(wanted.get(person_id, []))
        mine = by_person.get(person_id, [])
        confirmed = [r for r in mine if r.status == PublishedShiftStatus.CONFIRMED]
        cancelled = [r for r in mine if r.status == PublishedShiftStatus.CANCELLED]
        unmatched: list[Slot] = []
        for slot in new_slots:
            row = next((r for r in confirmed if _slot(r) == slot), None)
            if row is not None:
                confirmed.remove(row)
                diff.changes.append(ShiftChange("kept", person_id, slot, slot, row.id))
            else:
                unmatched.append(slot)
        # The same person on the same day at another time or place: a move.
        still: list[Slot] = []
        for slot in unmatched:
            day = to_local(slot[1], tz).date()
            same_day = [r for r in confirmed if to_local(r.starts_at, tz).date() == day]
            if same_day:
                row = min(same_day, key=lambda r: abs((r.starts_at - slot[1]).total_seconds()))
                confirmed.remove(row)
                diff.changes.append(ShiftChange("moved", person_id, slot, _slot(row), row.id))
            else:
                still.append(slot)
        for slot in still:
            # A cancelled row for exactly this shift comes back (same UID); else a new one.
            row = next((r for r in cancelled if _slot(r) == slot), None)
            if row is not None:
                cancelled.remove(row)
            diff.changes.append(
                ShiftChange("added", person_id, slot, None, row.id if row else None)
            )
        for row in confirmed:
            diff.changes.append(ShiftChange("removed", person_id, None, _slot(row), row.id))
    return diff


def publish(
    session: Session,
    period: RosterPeriod,
    *,
    actor: Person | None,
    my_shifts_url: str | None = None,
    site: Site | None = None,
) -> PublishResult:
    """Publish the draft roster of ``period`` and queue e-mails about the changes.

    Refuses (InputError, nothing changed) while a solver run is active, and when the
    draft roster is empty: publishing would cancel everyone's shifts, which is never
    what "publish" means. Flushes; the caller commits.

    :param my_shifts_url: the "my shifts" page, linked from the e-mails.
    :param site: the site context; its language is the e-mails' for people who chose none.
    """
    require_leader(actor, period.library_id)
    lock_period(session, period)
    assert_not_running(period)
    if not session.scalar(
        select(Assignment.id).join(Shift).where(Shift.period_id == period.id).limit(1)
    ):
        raise InputError.field(
            "period",
            _("the roster is empty: generate it or add assignments before publishing"),
        )
    diff = compare(session, period)
    now = utcnow()
    apply_diff(session, period, diff, now)
    period.status = PeriodStatus.PUBLISHED
    period.published_at = now
    period.published_version = (period.published_version or 0) + 1
    changed = diff.by_person()
    audit.record(
        session,
        audit.Action.ROSTER_PUBLISH,
        actor=actor,
        subject=f"roster_period:{period.id}",
        details={"version": period.published_version, **diff.counts},
        library_id=period.library_id,
    )
    session.flush()
    notified = _notify(session, period, changed, my_shifts_url, site or Site())
    return PublishResult(period.published_version, diff, notified)


def apply_diff(session: Session, period: RosterPeriod, diff: RosterDiff, now: datetime) -> None:
    """Write ``diff`` to the published roster: rows kept, moved (SEQUENCE bumped),
    cancelled (kept as CANCELLED for the feeds) or added. Flushes nothing."""
    rows = {r.id: r for r in _published(session, period)}
    for c in diff.changes:
        if c.kind == "kept":
            continue
        if c.kind == "removed":
            row = rows[c.row_id]  # type: ignore[index]
            row.status = PublishedShiftStatus.CANCELLED
            row.cancelled_at = now
            row.sequence += 1
        elif c.kind == "moved" or (c.kind == "added" and c.row_id is not None):
            row = rows[c.row_id]  # type: ignore[index]
            assert c.new is not None
            row.service_point_id, row.starts_at, row.ends_at = c.new
            row.status = PublishedShiftStatus.CONFIRMED
            row.cancelled_at = None
            row.sequence += 1
        else:
            assert c.new is not None
            point_id, start, end = c.new
            session.add(
                PublishedShift(
                    person_id=c.person_id,
                    period_id=period.id,
                    service_point_id=point_id,
                    starts_at=start,
                    ends_at=end,
                    status=PublishedShiftStatus.CONFIRMED,
                    sequence=0,
                )
            )


# E-mails -----------------------------------------------------------------------------


def describe_slot(slot: Slot, points: dict[int, str], letter: Letter) -> str:
    """'Monday 4 January 2027, 08:00–10:00, Information desk' in the letter's language."""
    point_id, start, end = slot
    return f"{letter.when(start, end)}, {points.get(point_id, '?')}"


def _notify(
    session: Session,
    period: RosterPeriod,
    changed: dict[int, list[ShiftChange]],
    url: str | None,
    site: Site,
) -> list[int]:
    if not changed:
        return []
    points = {
        p.id: p.name
        for p in session.scalars(
            select(ServicePoint).where(ServicePoint.library_id == period.library_id)
        )
    }
    people = {
        p.id: p
        for p in session.scalars(
            select(Person)
            .where(Person.id.in_(list(changed)))
            .options(selectinload(Person.role_rows))
        )
    }
    sent = []
    for person_id, changes in sorted(changed.items()):
        person = people.get(person_id)
        if person is None or not person.active or not person.email:
            continue
        letter = Letter(person.email, language=person.locale, site=site, tz=period.library.timezone)
        subject = shift_change_email(letter, person, period, changes, points, url)
        letter.queue(session, subject, signature=None)
        sent.append(person_id)
    return sent


def _day(day: date, lang: str) -> str:
    return dates.format_date(day, "d MMMM yyyy", locale=date_locale(lang))


def shift_change_email(
    letter: Letter,
    person: Person,
    period: RosterPeriod,
    changes: list[ShiftChange],
    points: dict[int, str],
    url: str | None,
) -> str:
    """Write one person's "your shifts changed" e-mail into ``letter``; returns its subject."""
    _ = letter.gettext
    first = period.published_version <= 1
    start = _day(period.start_date, letter.lang)
    library = period.library.name
    if first:
        subject = _("Your shifts from %(start)s are published") % {"start": start}
        intro = _(
            "The roster for %(library)s from %(start)s (%(weeks)s weeks) is published. Your shifts:"
        ) % {"library": library, "start": start, "weeks": period.weeks}
    else:
        subject = _("Your shifts from %(start)s have changed") % {"start": start}
        intro = _("The roster for %(library)s from %(start)s has changed. Your changes:") % {
            "library": library,
            "start": start,
        }
    letter.greet(person.name)
    letter.add(intro, "")

    def shown(slot: Slot | None) -> str:
        assert slot is not None
        return describe_slot(slot, points, letter)

    for c in sorted(changes, key=lambda c: (c.new or c.old or (0, period.published_at))[1]):
        if c.kind == "added":
            letter.add(_("New: %(shift)s") % {"shift": shown(c.new)})
        elif c.kind == "removed":
            letter.add(_("Cancelled: %(shift)s") % {"shift": shown(c.old)})
        elif c.kind == "moved":
            letter.add(_("Moved: %(old)s → %(new)s") % {"old": shown(c.old), "new": shown(c.new)})
    if url:
        letter.add("", _("All your shifts: %(url)s") % {"url": url})
    letter.add("", _("Your calendar feed, if you subscribe to one, updates by itself."))
    return subject
