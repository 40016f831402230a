"""The upkeep tasks: what each does, its setting and its default schedule.

Each task is safe to run twice (a second run finds nothing left to do), because a
holder that dies mid-run leaves the task to be run again once its lease expires.
A task gets an :class:`UpkeepContext` and returns counts for the run record; it works
in ``ctx.session`` and the runner commits (so the e-mails and sync jobs it queues are
dispatched after the commit, like a request's).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from scheduler.booking.appointments.purge import release_expired_holds
from scheduler.booking.appointments.reminders import send_reminders
from scheduler.booking.retention import purge_personal_data
from scheduler.calendars.sources.settings import read_settings
from scheduler.calendars.sources.sync_job import sync_due_sources
from scheduler.desk.privacy import purge_desk_text
from scheduler.jobs.sweeper import sweep_lost_jobs
from scheduler.jobs.sweeps import run_sweeps
from scheduler.mail.outbox_files import outbox_dir
from scheduler.models import ApiToken, FeedToken
from scheduler.models.upkeep import UpkeepRun, WorkerHeartbeat
from scheduler.site import Site

# Revoked feed and API tokens are kept this long (a revoked link answers 404 either way;
# the row only says when it was revoked), then deleted.
REVOKED_TOKENS_KEPT = timedelta(days=30)


@dataclass
class UpkeepContext:
    """One run of one task."""

    app: Flask
    session: Session
    config: Mapping[str, Any]
    instance_path: str
    now: datetime


@dataclass(frozen=True)
class Task:
    name: str
    setting: str  # the setting that holds its schedule, e.g. UPKEEP_PURGE
    run: Callable[[UpkeepContext], dict[str, int]]


def reminders(ctx: UpkeepContext) -> dict[str, int]:
    """E-mail patrons about today's remaining and tomorrow's appointments, once each."""
    return {"reminders": send_reminders(ctx.session, site=Site.from_config(ctx.config))}


def purge(ctx: UpkeepContext) -> dict[str, int]:
    """The retention purge (rows and outbox files), the desk log's free text after its
    own retention, and old run records and heartbeats."""
    report = purge_personal_data(
        ctx.session,
        now=ctx.now,
        retention_days=int(ctx.config["RETENTION_DAYS"]),
        outbox=outbox_dir(ctx.instance_path),
    )
    desk_texts = purge_desk_text(
        ctx.session, ctx.now, int(ctx.config.get("DESK_TEXT_RETENTION_DAYS", 90))
    )
    kept = ctx.now - timedelta(days=int(ctx.config.get("UPKEEP_KEEP_DAYS") or 30))
    runs = ctx.session.execute(
        delete(UpkeepRun)
        .where(UpkeepRun.started_at < kept, UpkeepRun.finished_at.is_not(None))
        .execution_options(synchronize_session=False)
    ).rowcount
    beats = ctx.session.execute(
        delete(WorkerHeartbeat)
        .where(WorkerHeartbeat.seen_at < kept)
        .execution_options(synchronize_session=False)
    ).rowcount
    return {
        "appointments": report.appointments,
        "registrations": report.registrations,
        "emails": report.emails,
        "files": report.files,
        "jobs": report.jobs,
        "holds_released": report.holds_released,
        "desk_texts": desk_texts,
        "run_records": runs or 0,
        "heartbeats": beats or 0,
    }


def sweep(ctx: UpkeepContext) -> dict[str, int]:
    """Jobs whose worker died are re-queued or failed; e-mails whose wait is over are
    sent again. (Each job thread and worker also sweeps on its own, every
    ``JOBS_SWEEP_SECONDS``; this run is the one that is recorded.)"""
    lost = sweep_lost_jobs(ctx.app)
    retried = run_sweeps(ctx.app)
    return {"lost_jobs": lost, "retried": retried}


def tokens(ctx: UpkeepContext) -> dict[str, int]:
    """Booking holds never confirmed in time are released (the time is offered again);
    feed and API tokens revoked long ago are deleted."""
    released = release_expired_holds(ctx.session, now=ctx.now)
    cutoff = ctx.now - REVOKED_TOKENS_KEPT
    deleted = 0
    for model in (FeedToken, ApiToken):
        deleted += (
            ctx.session.execute(
                delete(model)
                .where(model.revoked_at.is_not(None), model.revoked_at < cutoff)
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
    return {"holds_released": released, "revoked_tokens": deleted}


def calendars(ctx: UpkeepContext) -> dict[str, int]:
    """Queue a sync of each connected calendar not read for ``CALENDARS_SYNC_MINUTES``."""
    every = read_settings(ctx.config).sync_every
    return {"queued": len(sync_due_sources(ctx.session, ctx.now, every=every))}


TASKS: tuple[Task, ...] = (
    Task("reminders", "UPKEEP_REMINDERS", reminders),
    Task("purge", "UPKEEP_PURGE", purge),
    Task("sweep", "UPKEEP_SWEEP", sweep),
    Task("tokens", "UPKEEP_TOKENS", tokens),
    Task("calendars", "UPKEEP_CALENDARS", calendars),
)
