"""``scheduler purge-registrations``: forget drop-in registrants after the retention period."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("purge-registrations")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Keep this many days after each session (default: RETENTION_DAYS).",
)
@with_appcontext
def purge_registrations_command(days: int | None) -> None:
    """Clear names, e-mail addresses and answers of registrations for long-past sessions."""
    from scheduler.booking.dropins.purge import purge_registrations
    from scheduler.extensions import db
    from scheduler.timeutil import utcnow

    keep = int(current_app.config["RETENTION_DAYS"]) if days is None else days
    now = utcnow()
    count = purge_registrations(db.session, now=now, retention_days=keep)
    db.session.commit()
    cutoff = (now - timedelta(days=keep)).date().isoformat()
    noun = "registration" if count == 1 else "registrations"
    click.echo(f"Purged {count} {noun} of sessions that ended before {cutoff}.")
