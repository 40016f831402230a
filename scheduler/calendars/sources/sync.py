"""Use cases: read a connected calendar and replace its busy times (no Flask, flush only).

A sync has three steps so that no database transaction stays open while a remote
server takes its time (on SQLite a writing transaction holds the database's only write
lock):

1. :func:`load_plan` reads the source and opens its secrets -> a plain :class:`SyncPlan`;
2. :func:`read_source` fetches and expands, with no database at all -> :class:`SyncOutcome`
   (a problem is part of the outcome, never raised);
3. :func:`record_outcome` stores it: on success the source's busy times are replaced in
   the caller's transaction (delete and insert commit together, so readers see the old
   set or the new one, never a gap); on failure only the error is recorded and the last
   good busy times stay.

The caller (the sync job) commits after step 1 and after step 3.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from scheduler.calendars.sources.expand import (
    BusyTime,
    ExpandOptions,
    Expansion,
    expand,
    parse_calendars,
)
from scheduler.calendars.sources.fetch import Fetcher, FetchLimits
from scheduler.calendars.sources.own_uids import OwnUids
from scheduler.calendars.sources.problems import SourceProblem
from scheduler.calendars.sources.secretbox import SecretBox
from scheduler.calendars.sources.summary import summarise
from scheduler.models import (
    AvailabilityRule,
    BookingSettings,
    BusyInterval,
    CalendarSource,
    Library,
    Person,
    SourceKind,
)
from scheduler.models.people import person_libraries

# Read a little into the past (an event in progress) and past the booking horizon.
PAST = timedelta(days=1)
MARGIN = timedelta(days=2)


@dataclass(frozen=True)
class SyncPlan:
    """Everything needed to read one source, as plain values (secrets opened)."""

    source_id: int | None  # None: a test of an address not saved yet
    person_id: int | None
    kind: SourceKind
    url: str
    username: str | None
    password: str | None
    window_start: datetime
    window_end: datetime
    zone: ZoneInfo
    owner_emails: frozenset[str]
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class SyncOutcome:
    """What reading a source gave: busy times, "not modified", or a problem."""

    plan: SyncPlan
    started_at: datetime
    expansion: Expansion | None = None
    not_modified: bool = False
    problem: SourceProblem | None = None
    etag: str | None = None
    last_modified: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class SyncOptions:
    """Deployment settings for reading sources."""

    limits: FetchLimits
    own_uid_host: str | None = None
    max_events: int = 10_000
    max_days: int = 366


def window_for(now: datetime, horizon_days: int, max_days: int) -> tuple[datetime, datetime]:
    """The period read: from yesterday to the booking horizon, plus a margin."""
    days = min(horizon_days, max_days)
    return now - PAST, now + timedelta(days=days) + MARGIN


def person_zone(session: Session, person_id: int, default_tz: str) -> ZoneInfo:
    """The zone floating and all-day times are read in: where the person is bookable."""
    name = session.scalar(
        select(Library.timezone)
        .join(AvailabilityRule, AvailabilityRule.library_id == Library.id)
        .where(AvailabilityRule.person_id == person_id)
        .order_by(AvailabilityRule.id)
        .limit(1)
    ) or session.scalar(
        select(Library.timezone)
        .join(person_libraries, person_libraries.c.library_id == Library.id)
        .where(person_libraries.c.person_id == person_id)
        .order_by(Library.position, Library.id)
        .limit(1)
    )
    return ZoneInfo(name or default_tz)


def load_plan(
    session: Session,
    source_id: int,
    *,
    box: SecretBox,
    now: datetime,
    default_tz: str,
    max_days: int = 366,
) -> SyncPlan | None:
    """The plan for a saved source (None if it was removed). A secret that no key opens
    raises SourceProblem("secret_lost")."""
    source = session.get(CalendarSource, source_id)
    if source is None:
        return None
    horizon = session.scalar(
        select(BookingSettings.horizon_days).where(BookingSettings.person_id == source.person_id)
    )
    start, end = window_for(now, horizon or 8 * 7, max_days)
    email = session.scalar(select(Person.email).where(Person.id == source.person_id))
    username = box.open(source.username_sealed) if source.username_sealed else None
    # Unless the window has moved on by more than a day since the last full read, ask
    # only for changes: a 304 keeps the stored busy times, which still cover the window.
    fresh = source.window_end is not None and end - source.window_end <= timedelta(days=1)
    return SyncPlan(
        source_id=source.id,
        person_id=source.person_id,
        kind=source.kind,
        url=box.open(source.url_sealed),
        username=username,
        password=box.open(source.password_sealed) if source.password_sealed else None,
        window_start=start,
        window_end=end,
        zone=person_zone(session, source.person_id, default_tz),
        owner_emails=_owner_emails(email, username),
        etag=source.etag if fresh else None,
        last_modified=source.last_modified if fresh else None,
    )


def plan_for_new(
    session: Session,
    person_id: int,
    *,
    kind: SourceKind,
    url: str,
    username: str | None,
    password: str | None,
    now: datetime,
    default_tz: str,
    max_days: int = 366,
) -> SyncPlan:
    """A plan for an address not saved yet (the page's test before connecting it)."""
    horizon = session.scalar(
        select(BookingSettings.horizon_days).where(BookingSettings.person_id == person_id)
    )
    start, end = window_for(now, horizon or 8 * 7, max_days)
    email = session.scalar(select(Person.email).where(Person.id == person_id))
    return SyncPlan(
        source_id=None,
        person_id=person_id,
        kind=kind,
        url=url,
        username=username,
        password=password,
        window_start=start,
        window_end=end,
        zone=person_zone(session, person_id, default_tz),
        owner_emails=_owner_emails(email, username),
    )


def read_source(plan: SyncPlan, options: SyncOptions, *, now: datetime) -> SyncOutcome:
    """Fetch and expand one source; never raises for a problem with the source."""
    began = _time.monotonic()
    expand_options = ExpandOptions(
        window_start=plan.window_start,
        window_end=plan.window_end,
        zone=plan.zone,
        own_uids=OwnUids(options.own_uid_host),
        owner_emails=plan.owner_emails,
        max_events=options.max_events,
    )
    try:
        with Fetcher(options.limits) as fetcher:
            if plan.kind == SourceKind.CALDAV:
                # Imported here: the caldav library (lxml, niquests) is only needed for
                # CalDAV sources, not at every start of the app.
                from scheduler.calendars.sources.caldav_reader import (
                    CalDAVCredentials,
                    read_caldav,
                )

                calendars = read_caldav(
                    CalDAVCredentials(plan.url, plan.username or "", plan.password or ""),
                    fetcher=fetcher,
                    window_start=plan.window_start,
                    window_end=plan.window_end,
                )
                return SyncOutcome(
                    plan,
                    now,
                    expansion=expand(calendars, expand_options),
                    seconds=_time.monotonic() - began,
                )
            headers = {"Accept": "text/calendar, */*;q=0.5"}
            if plan.etag:
                headers["If-None-Match"] = plan.etag
            if plan.last_modified:
                headers["If-Modified-Since"] = plan.last_modified
            answer = fetcher.get(plan.url, headers=headers)
        if answer.status == 304 and (plan.etag or plan.last_modified):
            return SyncOutcome(
                plan,
                now,
                not_modified=True,
                etag=plan.etag,
                last_modified=plan.last_modified,
                seconds=_time.monotonic() - began,
            )
        _check_status(answer.status, answer.reason)
        if "html" in answer.headers.get("content-type", "").lower():
            raise SourceProblem("not_calendar")
        expansion = expand(parse_calendars(answer.body), expand_options)
        return SyncOutcome(
            plan,
            now,
            expansion=expansion,
            etag=answer.headers.get("etag"),
            last_modified=answer.headers.get("last-modified"),
            seconds=_time.monotonic() - began,
        )
    except SourceProblem as problem:
        return SyncOutcome(plan, now, problem=problem, seconds=_time.monotonic() - began)


def record_outcome(
    session: Session, outcome: SyncOutcome, *, now: datetime
) -> CalendarSource | None:
    """Store what a read gave; flushes. None if the source was removed meanwhile."""
    source_id = outcome.plan.source_id
    if source_id is None:
        return None
    source = session.scalar(
        select(CalendarSource).where(CalendarSource.id == source_id).with_for_update()
    )
    if source is None:
        return None
    if source.last_success_at is not None and source.last_success_at > outcome.started_at:
        return source  # a later read has already been stored
    source.last_attempt_at = now
    if outcome.problem is not None:
        source.error_code = outcome.problem.code
        source.error_params = dict(outcome.problem.params)
        if source.failing_since is None:
            source.failing_since = outcome.started_at
        session.flush()
        return source
    source.last_success_at = now
    source.error_code = None
    source.error_params = None
    source.failing_since = None
    source.failure_notified_at = None
    source.etag = _short(outcome.etag, 255)
    source.last_modified = _short(outcome.last_modified, 64)
    if outcome.expansion is not None:
        replace_busy(session, source, outcome.expansion.busy)
        source.event_count = summarise(outcome.expansion.occurrences, now).events
        source.window_start = outcome.plan.window_start
        source.window_end = outcome.plan.window_end
    session.flush()
    return source


def record_problem(
    session: Session, source_id: int, problem: SourceProblem, *, now: datetime
) -> CalendarSource | None:
    """Record a failure found before reading (a secret no key opens); data unchanged."""
    source = session.get(CalendarSource, source_id)
    if source is None:
        return None
    source.last_attempt_at = now
    source.error_code = problem.code
    source.error_params = dict(problem.params)
    if source.failing_since is None:
        source.failing_since = now
    session.flush()
    return source


def replace_busy(session: Session, source: CalendarSource, busy: tuple[BusyTime, ...]) -> None:
    """The source's busy times become ``busy`` (in the caller's transaction)."""
    # Name the owner, so the free-slot cache moves only this librarian's entries on
    # (the option's name is the cache's OWNERS_OPTION; calendars do not import booking).
    owner = {"availability_owners": [source.person_id]}
    session.execute(
        delete(BusyInterval).where(BusyInterval.source_id == source.id),
        execution_options=owner,
    )
    if busy:
        session.execute(
            insert(BusyInterval).execution_options(**owner),
            [
                {
                    "source_id": source.id,
                    "person_id": source.person_id,
                    "starts_at": t.start,
                    "ends_at": t.end,
                    "kind": t.kind,
                }
                for t in busy
            ],
        )
    session.expire(source, ["busy"])


def _check_status(status: int, reason: str) -> None:
    if 200 <= status < 300:
        return
    if status == 404:
        raise SourceProblem("not_found")
    if status in (401, 403):
        raise SourceProblem("login")
    raise SourceProblem("http", status=status, reason=reason or "")


def _owner_emails(*values: str | None) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v and "@" in v)


def _short(value: str | None, limit: int) -> str | None:
    return value if value is None or len(value) <= limit else None
