"""The ``scheduler`` command: database set-up, demo data, serving, roster solving."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from scheduler.config import ConfigError


def _create_app():
    from scheduler import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False)
def cli() -> None:
    """Library booking and staffing scheduler."""


def upgrade_database(wait_seconds: float = 600.0) -> None:
    """Create the schema or bring it up to date through the migrations.

    A database already up to date is only looked at (no write lock), so a server starts
    while another process holds SQLite's write lock. An upgrade that finds the database
    locked waits and tries again, for up to ``wait_seconds``.
    """
    import time

    from flask_migrate import upgrade
    from sqlalchemy.exc import OperationalError

    directory = current_app.extensions["migrate"].directory
    if _schema_is_current(directory):
        return
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            upgrade(directory=directory)
            return
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            click.echo(
                "The database is locked by another process; waiting to upgrade it...", err=True
            )
            time.sleep(2)


def _schema_is_current(directory: str) -> bool:
    """True if the database is at the newest migration (read without a write lock)."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from scheduler.database import read_only_transactions
    from scheduler.extensions import db

    heads = set(ScriptDirectory.from_config(_alembic_config(Config, directory)).get_heads())
    with read_only_transactions(), db.engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
        conn.rollback()
    return current == heads


def _alembic_config(config_class, directory: str):
    cfg = config_class()
    cfg.set_main_option("script_location", directory)
    return cfg


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create the database or upgrade it to the current schema."""
    upgrade_database()
    click.echo(f"Database ready: {_safe_url()}")


def seed_demo_if_empty(today: date | None = None) -> list | None:
    """Load the demo into an empty database; None (and nothing written) if it has data."""
    from scheduler import demo
    from scheduler.database import read_only_transactions
    from scheduler.extensions import db

    # Look without the write lock, and end that transaction either way: a transaction
    # left open here would hold SQLite's lock while the server and its worker start.
    with read_only_transactions():
        empty = demo.is_empty(db.session)
        db.session.rollback()
    if not empty:
        return None
    sign_ins = demo.seed_demo(db.session, today=today or date.today())
    db.session.commit()
    path = Path(current_app.instance_path) / "demo-sign-ins.txt"
    path.write_text("".join(f"{s.role}: {s.email} / {s.password}\n" for s in sign_ins))
    path.chmod(0o600)
    return sign_ins


def _print_sign_ins(sign_ins: list | None) -> None:
    path = Path(current_app.instance_path) / "demo-sign-ins.txt"
    if sign_ins is None:
        click.echo("The database already has data; demo not loaded.")
        if path.exists():
            click.echo(f"Demo sign-ins (from {path}):")
            click.echo(path.read_text().rstrip())
        return
    click.echo("Demo loaded. Sign in as:")
    for s in sign_ins:
        click.echo(f"  {s.role:<17} {s.email:<26} password: {s.password}")
    click.echo(f"(also saved in {path})")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo (five libraries, staff, topics, sessions) into an empty database."""
    upgrade_database()
    _print_sign_ins(seed_demo_if_empty())


def served_address(host: str, port: int) -> str:
    """The address a browser on this machine uses: the host as given (``localhost`` for
    every interface), an IPv6 literal in brackets."""
    if host in ("0.0.0.0", "::", ""):
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--demo", is_flag=True, help="Load the demo first if the database is empty.")
@with_appcontext
def serve(host: str, port: int, threads: int, demo: bool) -> None:
    """Serve the app with a production WSGI server (waitress), run background jobs and
    keep the upkeep schedule (without a broker: threads in this process)."""
    from waitress import serve as waitress_serve

    from scheduler.jobs.thread import start_worker_thread
    from scheduler.upkeep.thread import start_upkeep_thread

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    address = served_address(host, port)
    if app.config.get("PUBLIC_URL_DERIVED"):
        # Links in e-mails and feeds must reach this server, not a default port.
        app.config["PUBLIC_URL"] = address
    upgrade_database()
    if demo:
        _print_sign_ins(seed_demo_if_empty())
    if not app.config.get("BROKER_URL") and app.config.get("JOBS_THREAD"):
        start_worker_thread(app)
    if not app.config.get("BROKER_URL") and app.config.get("UPKEEP_ENABLED"):
        start_upkeep_thread(app)
    everywhere = "  (every interface)" if host in ("0.0.0.0", "::") else ""
    click.echo(f"Serving on {address}/{everywhere}  (Ctrl+C to stop)")
    _stop_cleanly_on_sigterm()
    waitress_serve(app, host=host, port=port, threads=threads, ident="scheduler")


def _stop_cleanly_on_sigterm() -> None:
    """SIGTERM (systemd, Docker) stops the server as Ctrl+C does: waitress closes, and the
    exit lets the upkeep thread finish its task or give its lease up (``atexit``)."""
    import signal
    import threading

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


@click.group("feeds")
def feeds_group() -> None:
    """Calendar feed links."""


@feeds_group.command("revoke")
@click.option("--email", help="Revoke this person's feed links.")
@click.option("--all", "everyone", is_flag=True, help="Revoke everyone's feed links.")
@with_appcontext
def feeds_revoke(email: str | None, everyone: bool) -> None:
    """Make feed links stop working (404); people make new ones on their settings page."""
    from scheduler import accounts, audit
    from scheduler.calendars import tokens
    from scheduler.extensions import db

    if bool(email) == everyone:
        click.echo("error: give either --email or --all", err=True)
        sys.exit(2)
    if everyone:
        count = tokens.revoke_all_tokens(db.session)
        subject = "feed_tokens:all"
    else:
        person = accounts.find_by_email(db.session, email or "")
        if person is None:
            click.echo(f"error: --email: no person with e-mail {email!r}", err=True)
            sys.exit(2)
        count = tokens.revoke_tokens(db.session, person)
        subject = f"person:{person.id}"
    audit.record(
        db.session,
        audit.Action.FEED_LINK_REVOKED,
        actor=None,
        subject=subject,
        details={"revoked": count, "via": "command line"},
    )
    db.session.commit()
    click.echo(f"Revoked {count} feed link{'s' if count != 1 else ''}.")


@click.group("sessions")
def sessions_group() -> None:
    """Staff sign-in sessions."""


@sessions_group.command("end")
@click.option("--email", help="Sign this person out on every device.")
@click.option("--all", "everyone", is_flag=True, help="Sign everyone out.")
@with_appcontext
def sessions_end(email: str | None, everyone: bool) -> None:
    """End staff sessions (a suspected break-in, a stolen laptop); people sign in again."""
    from sqlalchemy import delete

    from scheduler import accounts
    from scheduler.extensions import db
    from scheduler.models import StaffSession
    from scheduler.signin import sessions

    if bool(email) == everyone:
        click.echo("error: give either --email or --all", err=True)
        sys.exit(2)
    if everyone:
        count = int(db.session.execute(delete(StaffSession)).rowcount or 0)
    else:
        person = accounts.find_by_email(db.session, email or "")
        if person is None:
            click.echo(f"error: --email: no person with e-mail {email!r}", err=True)
            sys.exit(2)
        count = sessions.end_all(db.session, person)
    db.session.commit()
    click.echo(f"Ended {count} session{'s' if count != 1 else ''}.")


@click.command("create-admin")
@click.argument("email")
@click.option("--name", help="The person's name (needed when the account is new).")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of printing "
    "a link to choose it (for scripts).",
)
@with_appcontext
def create_admin_command(email: str, name: str | None, password_stdin: bool) -> None:
    """Create an administrator, or make the person with EMAIL one, and print a one-time
    link (24 hours) to choose the password. Running it again never makes a second
    account for the same address; it ends the old link and prints a new one."""
    from scheduler.accounts import create_admin
    from scheduler.errors import InputError
    from scheduler.extensions import db
    from scheduler.site import Site

    password = None
    if password_stdin:
        if sys.stdin.isatty():  # typed by hand: ask without showing it
            password = click.prompt("Password", hide_input=True, default="", err=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            click.echo("error: --password-stdin: no password on standard input", err=True)
            sys.exit(2)
    options = {"email": "EMAIL", "name": "--name", "password": "--password-stdin"}
    try:
        result = create_admin(
            db.session, email, Site.from_config(current_app.config), name=name, password=password
        )
    except InputError as exc:
        db.session.rollback()
        for field, reason in (exc.fields or {"": exc.message}).items():
            click.echo(f"error: {options.get(field, field)}: {reason}", err=True)
        sys.exit(2)
    db.session.commit()
    person = result.person
    if result.created:
        click.echo(f"Created the administrator {person.name} <{person.email}>.")
    else:
        click.echo(f"{person.name} <{person.email}> is an administrator (no new account).")
    if result.link is None:
        click.echo("The password is set.")
    else:
        click.echo("Open this link within 24 hours to choose the password (it works once):")
        click.echo(f"  {result.link.url}")


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """E-mail patrons about tomorrow's appointments (run from cron; safe to repeat)."""
    from scheduler.booking.appointments.reminders import send_reminders
    from scheduler.extensions import db
    from scheduler.site import Site

    sent = send_reminders(db.session, site=Site.from_config(current_app.config))
    db.session.commit()
    click.echo(f"Reminders queued: {sent}")


@click.command("sync-calendars")
@click.option("--all", "every", is_flag=True, help="Every source, not only those due.")
@click.option("--source", "source_id", type=click.IntRange(min=1), help="One source by id.")
@with_appcontext
def sync_calendars_command(every: bool, source_id: int | None) -> None:
    """Queue a sync of the connected calendars that are due (or all, or one); without a
    broker the jobs run here at once."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from scheduler.calendars.sources.settings import read_settings
    from scheduler.calendars.sources.sync_job import request_sync, sync_due_sources
    from scheduler.extensions import db
    from scheduler.jobs.runner import run_pending
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
        interval = timedelta(0) if every else read_settings(current_app.config).sync_every
        queued = sync_due_sources(session, utcnow(), every=interval)
    session.commit()
    noun = "calendar" if len(queued) == 1 else "calendars"
    click.echo(f"Queued {len(queued)} {noun}.")
    if queued and not current_app.config.get("BROKER_URL"):
        run_pending(current_app._get_current_object())  # type: ignore[attr-defined]
        failing = session.scalar(
            select(func.count(CalendarSource.id)).where(
                CalendarSource.id.in_(queued), CalendarSource.error_code.is_not(None)
            )
        )
        click.echo(f"Read {len(queued) - failing}; {failing} failed (see the availability pages).")


@click.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Keep personal data this many days (default: RETENTION_DAYS).",
)
@with_appcontext
def purge_command(days: int | None) -> None:
    """Delete patrons' and registrants' names, addresses and messages after the
    retention period (appointments, drop-in registrations, stored e-mails and their
    files in the outbox folder, finished jobs), and release booking holds that were
    never confirmed; clear the free text of desk inquiries after
    DESK_TEXT_RETENTION_DAYS unless marked anonymised. The upkeep schedule runs this
    nightly by itself (UPKEEP_PURGE)."""
    from scheduler.booking.retention import purge_personal_data
    from scheduler.desk.privacy import purge_desk_text
    from scheduler.extensions import db
    from scheduler.mail.outbox_files import outbox_dir
    from scheduler.timeutil import utcnow

    retention = int(current_app.config["RETENTION_DAYS"]) if days is None else days
    report = purge_personal_data(
        db.session,
        now=utcnow(),
        retention_days=retention,
        outbox=outbox_dir(current_app.instance_path),
    )
    desk_days = int(current_app.config["DESK_TEXT_RETENTION_DAYS"])
    desk_texts = purge_desk_text(db.session, utcnow(), desk_days)
    db.session.commit()
    click.echo(
        f"Purged appointments: {report.appointments}; "
        f"registrations: {report.registrations}; deleted e-mails: {report.emails} "
        f"(files: {report.files}); finished jobs: {report.jobs}; "
        f"expired holds released: {report.holds_released} (retention {retention} days); "
        f"desk inquiry texts: {desk_texts} (retention {desk_days} days)"
    )


@click.command("upkeep")
@click.option("--task", "task", help="Run this task now, whatever its schedule says.")
@with_appcontext
def upkeep_command(task: str | None) -> None:
    """Run the upkeep tasks that are due now (the web processes or workers do this by
    themselves; for cron-only set-ups, or to run one task at once with --task)."""
    from scheduler.upkeep.runner import run_due
    from scheduler.upkeep.tasks import TASKS

    names = [t.name for t in TASKS]
    if task is not None and task not in names:
        click.echo(f"error: --task: {task!r} is not a task (one of {', '.join(names)})", err=True)
        sys.exit(2)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ran = run_due(app, force=task)
    for run in ran:
        done = ", ".join(f"{k}: {v}" for k, v in run.counts.items()) or "-"
        click.echo(f"{run.task}: {run.outcome} ({done})")
    if not ran:
        click.echo("Nothing was due (or another process is running it).")
    if any(run.outcome != "ok" for run in ran):
        sys.exit(1)


@click.command("worker")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs run at the same time (threads).",
)
@with_appcontext
def worker_command(workers: int) -> None:
    """Run background jobs from the queue (needs SCHEDULER_BROKER_URL) and the upkeep
    schedule (reminders, purge, sweeps, calendar sync); Ctrl+C stops."""
    import logging

    from scheduler.jobs import queue
    from scheduler.upkeep import heartbeat, periodic

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job_queue = queue.get_queue(app)
    if job_queue is None:
        click.echo(
            "error: SCHEDULER_BROKER_URL: not set; the worker needs a redis:// URL", err=True
        )
        sys.exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"Worker for queue {app.config['BROKER_QUEUE']!r} on {_safe_broker()}")
    upkeep = bool(app.config.get("UPKEEP_ENABLED"))
    if upkeep:
        periodic.register(job_queue)
    beats = heartbeat.BeatThread(app, "worker", float(app.config.get("UPKEEP_POLL_SECONDS") or 30))
    beats.start()
    try:
        queue.run_worker(app, workers=workers, periodic=upkeep)
    finally:
        beats.stop()


def _safe_broker() -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(str(current_app.config["BROKER_URL"])).render_as_string(hide_password=True)
    except Exception:
        return "redis"


def register_commands(app) -> None:
    """Commands that need the app (database, config) live on ``app.cli``; the
    ``scheduler`` group finds them there, and so does ``flask --app scheduler``."""
    for command in (
        init_db,
        demo_command,
        create_admin_command,
        serve,
        feeds_group,
        sessions_group,
        send_reminders_command,
        purge_command,
        sync_calendars_command,
        upkeep_command,
        worker_command,
    ):
        app.cli.add_command(command)


@cli.group()
def roster() -> None:
    """First-line roster engine (no database needed)."""


@roster.command("solve")
@click.argument("problem_path", metavar="PROBLEM.json", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the solution here.")
@click.option("--time-limit", default=10.0, show_default=True, type=click.FloatRange(min=0))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--format",
    "fmt",
    default="roster",
    show_default=True,
    type=click.Choice(["roster", "curtois"]),
    help="roster: the JSON of docs/roster-format.md; curtois: a Curtois-Qu instance.",
)
def roster_solve(
    problem_path: str,
    output: str | None,
    time_limit: float,
    workers: int,
    seed: int,
    fmt: str,
) -> None:
    """Solve a roster problem; exit 0 with a roster, 1 without one, 2 on bad input."""

    from scheduler.solver import InputError, load_problem, solution_to_dict, solve

    if fmt == "curtois":
        try:
            from scheduler.solver.curtois.solve import solve_file
        except ImportError:
            click.echo("error: --format curtois: the Curtois solver is not available", err=True)
            sys.exit(2)
        try:
            result = solve_file(problem_path, time_limit=time_limit, workers=workers, seed=seed)
        except (InputError, OSError, ValueError) as exc:
            click.echo(f"error: {problem_path}: {exc}", err=True)
            sys.exit(2)
        _write_json(result, output)
        sys.exit(0 if result.get("roster") else 1)
    try:
        problem = load_problem(problem_path)
    except InputError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    solution = solve(problem, time_limit=time_limit, workers=workers, seed=seed)
    _write_json(solution_to_dict(solution), output)
    click.echo(
        f"{solution.status} objective={solution.objective} bound={solution.bound} "
        f"time={solution.wall_time_s:.1f}s",
        err=True,
    )
    sys.exit(0 if solution.status in ("OPTIMAL", "FEASIBLE") else 1)


def _write_json(data: dict, output: str | None) -> None:
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(
        hide_password=True
    )


def main() -> None:
    try:
        cli(prog_name="scheduler")
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
