"""The sync as a background job: one job per source, on demand and on a schedule.

:func:`request_sync` queues a job for one source (at most one queued or running per
source: the job table's dedupe key); :func:`sync_due_sources` queues every source whose
last attempt is older than ``CALENDARS_SYNC_MINUTES`` and is what the upkeep scheduler
calls. The job reads the source with the database released (see
:mod:`scheduler.calendars.sources.sync`), records the outcome, and queues the warning
e-mail when the source has now failed for too long; it commits at its own boundary.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.calendars.sources.failure_notice import notify_long_failures
from scheduler.calendars.sources.manage import require_may_manage
from scheduler.calendars.sources.problems import SourceProblem
from scheduler.calendars.sources.secretbox import box_from_config
from scheduler.calendars.sources.settings import SourcesSettings, read_settings
from scheduler.calendars.sources.summary import summarise
from scheduler.calendars.sources.sync import load_plan, read_source, record_outcome, record_problem
from scheduler.jobs import JobContext, enqueue
from scheduler.models import CalendarSource, Job, JobState, Person
from scheduler.timeutil import utcnow

JOB_KIND = "calendar_sync"
# The default of CALENDARS_SYNC_MINUTES.
DEFAULT_EVERY = timedelta(minutes=10)
# Where the warning e-mail sends the librarian (the availability page).
PAGE_PATH = "/staff/booking/availability"


def dedupe_key(source_id: int) -> str:
    return f"calendar-sync:{source_id}"


def active_sync(session: Session, source_id: int) -> Job | None:
    return session.scalar(
        select(Job).where(
            Job.dedupe_key == dedupe_key(source_id),
            Job.state.in_((JobState.QUEUED, JobState.RUNNING)),
        )
    )


def request_sync(session: Session, source_id: int) -> Job:
    """Queue a sync of one source, or return the one already queued or running.

    The job starts when the caller commits.
    """
    existing = active_sync(session, source_id)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            return enqueue(
                session,
                JOB_KIND,
                {"source_id": source_id},
                max_attempts=1,
                dedupe_key=dedupe_key(source_id),
            )
    except IntegrityError:  # another request queued it a moment ago
        found = active_sync(session, source_id)
        if found is None:
            raise
        return found


def sync_now(session: Session, actor: Person | None, source: CalendarSource) -> Job:
    """The page's "sync now": the owner (or an administrator) queues a read at once."""
    person = session.get(Person, source.person_id)
    assert person is not None
    require_may_manage(actor, person)
    return request_sync(session, source.id)


def sync_due_sources(
    session: Session, now: datetime, *, every: timedelta = DEFAULT_EVERY
) -> list[int]:
    """Queue a sync for every source not attempted for ``every`` (the upkeep scheduler
    passes ``read_settings(config).sync_every``); returns their ids. Flushes; the caller
    commits."""
    due = list(
        session.scalars(
            select(CalendarSource.id)
            .where(
                or_(
                    CalendarSource.last_attempt_at.is_(None),
                    CalendarSource.last_attempt_at <= now - every,
                )
            )
            .order_by(CalendarSource.last_attempt_at.is_not(None), CalendarSource.last_attempt_at)
        )
    )
    for source_id in due:
        request_sync(session, source_id)
    return due


def run_sync_job(ctx: JobContext) -> dict[str, Any]:
    """Read one source and store what it gave (the handler of ``calendar_sync``). Safe
    to run twice: the second read replaces the busy times again."""
    settings = read_settings(ctx.config)
    box = box_from_config(ctx.config, ctx.instance_path)
    session = ctx.session
    source_id = int(ctx.payload["source_id"])
    default_tz = str(ctx.config.get("TIMEZONE") or "Europe/Oslo")
    started = utcnow()
    try:
        plan = load_plan(
            session,
            source_id,
            box=box,
            now=started,
            default_tz=default_tz,
            max_days=settings.options.max_days,
        )
    except SourceProblem as problem:
        record_problem(session, source_id, problem, now=started)
        _warn(session, ctx.config, settings, source_id, default_tz)
        session.commit()
        return {"ok": False, "problem": problem.code}
    # End the reading transaction before the network: no lock is held while we wait.
    session.commit()
    if plan is None:
        return {"ok": False, "removed": True}
    outcome = read_source(plan, settings.options, now=started)
    record_outcome(session, outcome, now=utcnow())
    _warn(session, ctx.config, settings, source_id, default_tz)
    session.commit()
    result: dict[str, Any] = {"ok": outcome.ok, "seconds": round(outcome.seconds, 3)}
    if outcome.problem is not None:
        result["problem"] = outcome.problem.code
    elif outcome.expansion is not None:
        result["events"] = summarise(outcome.expansion.occurrences, started).events
    else:
        result["not_modified"] = True
    return result


def _warn(
    session: Session, config: Any, settings: SourcesSettings, source_id: int, default_tz: str
) -> None:
    notify_long_failures(
        session,
        now=utcnow(),
        warn_after=settings.warn_after,
        page_url=str(config.get("PUBLIC_URL") or "").rstrip("/") + PAGE_PATH,
        stop_when_failing=settings.stop_when_failing,
        default_tz=default_tz,
        default_lang=str((config.get("LANGUAGES") or ["nb"])[0]),
        source_ids=[source_id],
    )
