"""``scheduler sync-calendars``: read connected calendars now (for cron, until the upkeep
scheduler calls :func:`~scheduler.calendars.sources.sync_job.sync_due_sources` itself)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("sync-calendars")
@click.option("--all", "every", is_flag=True, help="Every source, not only those due.")
@click.option("--source", "source_id", type=click.IntRange(min=1), help="One source by id.")
@with_appcontext
def sync_calendars_command(every: bool, source_id: int | None) -> None:
    """Queue a sync of the connected calendars that are due (or all, or one); without a
    broker the jobs run here at once."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from scheduler import jobs
    from scheduler.calendars.sources.sync_job import request_sync, sync_due_sources
    from scheduler.extensions import db
    from scheduler.models import CalendarSource
    from scheduler.timeutil import utcnow

    session = db.session
    if source_id is not None:
        if session.get(CalendarSource, source_id) is None:
            raise click.BadParameter(
                f"no connected calendar with id {source_id}", param_hint="--source"
            )
        request_sync(session, source_id)
        queued = [source_id]
    else:
        queued = sync_due_sources(session, utcnow(), every=timedelta(0) if every else None)
    session.commit()
    noun = "calendar" if len(queued) == 1 else "calendars"
    click.echo(f"Queued {len(queued)} {noun}.")
    if queued and not current_app.config.get("BROKER_URL"):
        jobs.run_pending(current_app._get_current_object())  # type: ignore[attr-defined]
        failing = session.scalar(
            select(func.count(CalendarSource.id)).where(
                CalendarSource.id.in_(queued), CalendarSource.error_code.is_not(None)
            )
        )
        click.echo(f"Read {len(queued) - failing}; {failing} failed (see the availability pages).")
