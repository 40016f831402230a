"""The availability page's "Connected calendars": connect (after reading the calendar
once), sync now, replace the address, remove; and a warning when one keeps failing.

Connecting reads the calendar in the request, with the database released while the
server answers, so that a wrong address gets its message next to the field and nothing
is saved. "Sync now" queues the background job; the page shows "Reading…" until it is
done (a small script polls, or the page refreshes itself without JavaScript).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates
from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, StringField
from wtforms.validators import DataRequired, Length, Optional

from scheduler.calendars.sources.busy_query import next_busy
from scheduler.calendars.sources.expand import BusyTime
from scheduler.calendars.sources.manage import (
    SourceInput,
    add_source,
    change_source,
    check_new,
    may_manage,
    remove_source,
    sources_of,
)
from scheduler.calendars.sources.problems import describe
from scheduler.calendars.sources.secretbox import SecretBox, box_from_config
from scheduler.calendars.sources.settings import SourcesSettings, read_settings
from scheduler.calendars.sources.summary import SUMMARY_WEEKS, summarise
from scheduler.calendars.sources.sync import (
    person_zone,
    plan_for_new,
    read_source,
    record_outcome,
)
from scheduler.calendars.sources.sync_job import active_sync, request_sync, sync_now
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.i18n import date_locale
from scheduler.inputs import parse_id
from scheduler.models import BusyInterval, CalendarSource, Person
from scheduler.web.appointments import bp
from scheduler.web.forms import choice
from scheduler.web.i18n import page_language

ACTIONS = ("add_calendar", "sync_calendar", "replace_calendar", "remove_calendar")
# Problems that are about the credentials rather than the address.
_CREDENTIAL_PROBLEMS = {"login": "password"}


class CalendarForm(FlaskForm):
    """Connect a calendar: what kind, a name, the address and (CalDAV) credentials."""

    kind = RadioField(
        _l("Kind of calendar"),
        choices=[
            choice(
                "ics", _l("A secret iCalendar address (Outlook, Google, any .ics or webcal link)")
            ),
            choice("caldav", _l("A CalDAV calendar (Nextcloud, iCloud, Fastmail)")),
        ],
        default="ics",
    )
    label = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Your own name for it, for example “Outlook”."),
    )
    url = StringField(
        _l("Address"),
        validators=[DataRequired(), Length(max=2000)],
        description=_l(
            "Outlook: Settings → Calendar → Shared calendars → Publish a calendar, the ICS "
            "link. Google: the calendar's settings → “Secret address in iCal format”."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    username = StringField(
        _l("User name (CalDAV only)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    password = PasswordField(
        _l("App password (CalDAV only)"),
        validators=[Optional(), Length(max=500)],
        description=_l("Make an app password for this in your account; not your own password."),
        render_kw={"autocomplete": "new-password"},
    )


class ReplaceForm(FlaskForm):
    """Replace a source's address (after the link was reset) or its app password."""

    source = HiddenField()
    url = StringField(
        _l("New address"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    username = StringField(_l("New user name"), validators=[Optional(), Length(max=200)])
    password = PasswordField(
        _l("New app password"),
        validators=[Optional(), Length(max=500)],
        render_kw={"autocomplete": "new-password"},
    )


@dataclass(frozen=True)
class SourceRow:
    """One connected calendar as the page shows it."""

    source: CalendarSource
    status: str
    problem: str | None
    syncing: bool
    failing_long: bool


def settings() -> SourcesSettings:
    return read_settings(current_app.config)


def secret_box() -> SecretBox:
    return box_from_config(current_app.config, current_app.instance_path)


def section(person: Person, now: datetime, tz: str) -> dict[str, Any]:
    """What the template needs: the rows, and whether any keeps failing."""
    config = settings()
    rows = []
    for source in sources_of(db.session, person.id):
        failing_long = (
            source.failing_since is not None and source.failing_since <= now - config.warn_after
        )
        problem = describe(source.error_code, source.error_params, _) if source.error_code else None
        rows.append(
            SourceRow(
                source=source,
                status=_status(source, now, tz),
                problem=problem,
                syncing=active_sync(db.session, source.id) is not None,
                failing_long=failing_long,
            )
        )
    return {
        "rows": rows,
        "failing": [r for r in rows if r.failing_long],
        "stop_when_failing": config.stop_when_failing,
        "max_sources": config.max_per_person,
    }


def apply(
    action: str, person: Person, add_form: CalendarForm, replace_form: ReplaceForm, now: datetime
) -> str | None:
    """Carry out one posted calendar action; the flash message, or None if the form
    failed (its errors are on the form). InputError for the service's field errors."""
    actor = current_user._get_current_object()  # type: ignore[attr-defined]
    if action == "add_calendar":
        if not add_form.validate_on_submit():
            return None
        return _connect(actor, person, add_form, now)
    if action == "replace_calendar":
        if not replace_form.validate_on_submit():
            return None
        source = _own_source(person, replace_form.source.data)
        if not (replace_form.url.data or replace_form.username.data or replace_form.password.data):
            raise InputError("url: is required", {"url": _("is required")})
        change_source(
            db.session,
            actor,
            source,
            SourceInput(
                source.kind.value,
                source.label,
                replace_form.url.data or "",
                replace_form.username.data or "",
                replace_form.password.data or "",
            ),
            box=secret_box(),
        )
        request_sync(db.session, source.id)
        return _("“%(label)s” is changed; it is read again now.") % {"label": source.label}
    source = _own_source(person, _posted_id())
    if action == "sync_calendar":
        sync_now(db.session, actor, source)
        return _("Reading “%(label)s”…") % {"label": source.label}
    if action == "remove_calendar":
        label = source.label
        remove_source(db.session, actor, source)
        return _("“%(label)s” is disconnected and its busy times are deleted.") % {"label": label}
    raise InputError.field("action", "unknown")


def _connect(actor: Person, person: Person, form: CalendarForm, now: datetime) -> str:
    config = settings()
    data = SourceInput(
        kind=form.kind.data or "ics",
        label=form.label.data or "",
        url=form.url.data or "",
        username=form.username.data or "",
        password=form.password.data or "",
    )
    # Check the input and the right to connect before contacting anything.
    kind, _label, url = check_new(
        db.session, actor, person, data, max_sources=config.max_per_person
    )
    tz = tz_of(person)
    plan = plan_for_new(
        db.session,
        person.id,
        kind=kind,
        url=url,
        username=data.username.strip() or None,
        password=data.password or None,
        now=now,
        default_tz=current_app.config["TIMEZONE"],
        max_days=config.options.max_days,
    )
    # Release the database while the calendar's server answers (nothing is written yet).
    db.session.rollback()
    outcome = read_source(plan, config.options, now=now)
    if outcome.problem is not None:
        field = _CREDENTIAL_PROBLEMS.get(outcome.problem.code, "url")
        raise InputError(outcome.problem.message, {field: outcome.problem.reason})
    source = add_source(
        db.session, actor, person, data, box=secret_box(), max_sources=config.max_per_person
    )
    record_outcome(db.session, replace(outcome, plan=replace(plan, source_id=source.id)), now=now)
    assert outcome.expansion is not None
    summary = summarise(outcome.expansion.occurrences, now)
    found = found_text(summary.events, summary.weeks, summary.next_busy, tz)
    return _("“%(label)s” is connected: %(found)s.") % {"label": source.label, "found": found}


def found_text(events: int, weeks: int, upcoming: BusyTime | BusyInterval | None, tz: str) -> str:
    """ "14 busy events in the next 8 weeks; next: Tue 12:00–13:30"."""
    text = ngettext(
        "%(num)d busy event in the next %(weeks)d weeks",
        "%(num)d busy events in the next %(weeks)d weeks",
        events,
        weeks=weeks,
    )
    if upcoming is not None:
        if isinstance(upcoming, BusyInterval):
            start, end = upcoming.starts_at, upcoming.ends_at
        else:
            start, end = upcoming.start, upcoming.end
        zone = ZoneInfo(tz)
        text += "; " + _("next: %(day)s %(start)s–%(end)s") % {
            "day": dates.format_date(
                start.astimezone(zone).date(), "EEE d MMM", locale=date_locale(page_language())
            ),
            "start": start.astimezone(zone).strftime("%H:%M"),
            "end": end.astimezone(zone).strftime("%H:%M"),
        }
    return text


def _status(source: CalendarSource, now: datetime, tz: str) -> str:
    if source.last_success_at is None:
        return _("Not read yet.")
    zone = ZoneInfo(tz)
    read_at = source.last_success_at.astimezone(zone)
    when = dates.format_datetime(
        read_at, "d MMM HH:mm", tzinfo=zone, locale=date_locale(page_language())
    )
    upcoming = next_busy(db.session, source.id, now)
    found = found_text(source.event_count or 0, SUMMARY_WEEKS, upcoming, tz)
    return _("Read %(when)s: %(found)s.") % {"when": when, "found": found}


def tz_of(person: Person) -> str:
    """The zone the person's times are shown in (where they are bookable)."""
    return str(person_zone(db.session, person.id, current_app.config["TIMEZONE"]))


def _posted_id() -> str:
    return request.form.get("source", "")


def _own_source(person: Person, raw: str | None) -> CalendarSource:
    try:
        source_id = parse_id(raw, "source")
    except InputError:
        abort(404)
    source = db.session.get(CalendarSource, source_id)
    if source is None or source.person_id != person.id:
        abort(404)
    return source


@bp.get("/staff/booking/calendars/<id:source_id>/status")
def calendar_status(source_id: int) -> Any:
    """Whether a sync is still running (polled by the page's script)."""
    source = db.session.get(CalendarSource, source_id)
    person = db.session.get(Person, source.person_id) if source else None
    actor = current_user._get_current_object() if current_user.is_authenticated else None  # type: ignore[attr-defined]
    if source is None or person is None or not may_manage(actor, person):
        abort(404)
    return jsonify({"syncing": active_sync(db.session, source_id) is not None})
