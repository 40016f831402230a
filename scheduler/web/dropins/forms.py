"""Forms for drop-in pages, and turning their text into the service's typed values.

Numbers, dates and times are plain text fields (rendered as the HTML5 input types), parsed
here so that every message is ours and translated. Field errors from the service (a
:class:`~scheduler.reasons.Reason` per field) are translated and attached
to the field of the same name, or shown above the form when no field matches.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from scheduler.booking.dropins.recurrence import Recurrence, Repeat, parse_dates
from scheduler.booking.dropins.sessions import SessionDetails
from scheduler.errors import DomainError, InputError
from scheduler.reasons import Reason, input_error

T = TypeVar("T")

try:  # WTForms 3.3 deprecates (value, label) tuples for choices
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms takes the tuples
    SelectChoice = None


def choice(value: str, label: Any) -> Any:
    """One option of a select, radio or checkbox list."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def localize(reason: str) -> str:
    """A service reason in the reader's language (plain strings are already translated)."""
    if isinstance(reason, Reason):
        params = {k: localize(v) if isinstance(v, Reason) else v for k, v in reason.params.items()}
        return _(reason.template, **params)
    return reason


def show_errors(form: FlaskForm, exc: DomainError) -> None:
    """Put each field's reason on the form field of that name, the rest above the form."""
    placed = False
    for name, reason in exc.fields.items():
        text = localize(reason)
        field = form._fields.get(name)
        if field is not None and name != "csrf_token":
            field.errors = [*field.errors, text]
            placed = True
        else:
            form.form_errors.append(text)
            placed = True
    if not placed:
        form.form_errors.append(localize(exc.message))


# Registration and manage link --------------------------------------------------------


class RegistrationForm(FlaskForm):
    name = StringField(_l("Name"), render_kw={"autocomplete": "name", "maxlength": 200})
    email = EmailField(_l("E-mail"), render_kw={"autocomplete": "email", "maxlength": 254})
    answer = TextAreaField(_l("Your answer"), render_kw={"maxlength": 2000, "rows": 3})
    lunch = BooleanField(_l("I will join the lunch"))
    sessions = MultiCheckboxField(_l("Sessions"), choices=[], validate_choice=False)


class ManageForm(FlaskForm):
    sessions = MultiCheckboxField(_l("Sessions"), choices=[], validate_choice=False)


class CancelForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the registrants"),
        description=_l("Optional. Sent with the cancellation notice."),
        render_kw={"maxlength": 2000, "rows": 4},
    )


# Staff session form ----------------------------------------------------------------


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": 200})
    topic = SelectField(_l("Topic"), choices=[], validate_choice=False)
    description = TextAreaField(_l("Description"), render_kw={"rows": 4})
    library = SelectField(_l("Library"), choices=[], validate_choice=False)
    location = StringField(
        _l("Room or place"),
        description=_l("For example “Group room 2, 1st floor”."),
        render_kw={"maxlength": 200},
    )
    online_url = StringField(
        _l("Online link"),
        description=_l("For online sessions: the video meeting address."),
        render_kw={"type": "url", "maxlength": 500, "placeholder": "https://"},
    )
    date = StringField(_l("Date"), render_kw={"type": "date"})
    start_time = StringField(_l("Starts"), render_kw={"type": "time"})
    end_time = StringField(_l("Ends"), render_kw={"type": "time"})
    repeat = RadioField(
        _l("Repeat"),
        choices=[
            choice(Repeat.ONCE.value, _l("Once")),
            choice(Repeat.WEEKLY.value, _l("Weekly")),
            choice(Repeat.DATES.value, _l("On a list of dates")),
        ],
        default=Repeat.ONCE.value,
        validate_choice=False,
    )
    weeks = StringField(
        _l("Number of weeks"),
        description=_l("Weekly: how many weeks, counting the first date."),
        render_kw={"type": "number", "min": 1, "max": 52},
    )
    dates = TextAreaField(
        _l("Dates"),
        description=_l("On a list of dates: one date per line, as YYYY-MM-DD."),
        render_kw={"rows": 3},
    )
    hosts = SelectMultipleField(
        _l("Hosts"),
        choices=[],
        validate_choice=False,
        description=_l("The session blocks their appointment calendars."),
        render_kw={"size": 8},
    )
    registration_required = BooleanField(_l("Registration required"))
    capacity = StringField(
        _l("Places"),
        description=_l("Leave empty for no limit."),
        render_kw={"type": "number", "min": 1},
    )
    waitlist_enabled = BooleanField(_l("Keep a waitlist when full"), default=True)
    registration_deadline = StringField(
        _l("Registration closes at"),
        description=_l("A date and time in the library's local time."),
        render_kw={"type": "datetime-local"},
    )
    deadline_hours = StringField(
        _l("…or this many hours before each session"),
        description=_l("Leave both empty to keep registration open until the start."),
        render_kw={"type": "number", "min": 0},
    )
    question = StringField(
        _l("Question to registrants"),
        description=_l("Optional, e.g. “Which topics would you like us to cover?”"),
        render_kw={"maxlength": 500},
    )
    lunch = BooleanField(_l("Lunch is served (ask who joins, for the head count)"))

    def fill(self, details: SessionDetails, on: date | None = None) -> None:
        """Show existing details (editing or copying a session)."""
        self.title.data = details.title
        self.topic.data = str(details.topic_id or "")
        self.description.data = details.description or ""
        self.library.data = str(details.library_id or "")
        self.location.data = details.location or ""
        self.online_url.data = details.online_url or ""
        self.date.data = on.isoformat() if on else ""
        self.start_time.data = details.start_time.strftime("%H:%M") if details.start_time else ""
        self.end_time.data = details.end_time.strftime("%H:%M") if details.end_time else ""
        self.hosts.data = [str(i) for i in details.host_ids]
        self.registration_required.data = details.registration_required
        self.capacity.data = "" if details.capacity is None else str(details.capacity)
        self.waitlist_enabled.data = details.waitlist_enabled
        deadline = details.deadline_local
        self.registration_deadline.data = deadline.strftime("%Y-%m-%dT%H:%M") if deadline else ""
        hours = details.deadline_hours
        self.deadline_hours.data = "" if hours is None else str(hours)
        self.question.data = details.question or ""
        self.lunch.data = details.lunch


def _parse(
    raw: str | None, name: str, convert: Callable[[str], T], reason: str, errors: dict[str, str]
) -> T | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return convert(text)
    except ValueError:
        errors[name] = reason
        return None


def _whole(text: str) -> int:
    return int(text, 10)


def _clock(text: str) -> time:
    value = time.fromisoformat(text)
    return value.replace(second=0, microsecond=0)


def read_details(form: SessionForm) -> tuple[SessionDetails, dict[str, str]]:
    """The session details in the form, and the fields that could not be read."""
    errors: dict[str, str] = {}
    not_number = _("must be a whole number")
    not_time = _("is not a time (use HH:MM)")
    details = SessionDetails(
        title=form.title.data or "",
        library_id=_parse(form.library.data, "library", _whole, _("is required"), errors),
        start_time=_parse(form.start_time.data, "start_time", _clock, not_time, errors),
        end_time=_parse(form.end_time.data, "end_time", _clock, not_time, errors),
        topic_id=_parse(form.topic.data, "topic", _whole, _("does not exist"), errors),
        description=form.description.data,
        location=form.location.data,
        online_url=form.online_url.data,
        host_ids=tuple(
            i
            for i in (
                _parse(h, "hosts", _whole, _("does not exist"), errors)
                for h in form.hosts.data or []
            )
            if i is not None
        ),
        registration_required=bool(form.registration_required.data),
        capacity=_parse(form.capacity.data, "capacity", _whole, not_number, errors),
        waitlist_enabled=bool(form.waitlist_enabled.data),
        deadline_local=_parse(
            form.registration_deadline.data,
            "registration_deadline",
            datetime.fromisoformat,
            _("is not a date and time"),
            errors,
        ),
        deadline_hours=_parse(
            form.deadline_hours.data, "deadline_hours", _whole, not_number, errors
        ),
        question=form.question.data,
        lunch=bool(form.lunch.data),
    )
    if details.deadline_local is not None and details.deadline_local.tzinfo is not None:
        errors["registration_deadline"] = _("is not a date and time")
    return details, errors


def read_date(form: SessionForm, errors: dict[str, str]) -> date | None:
    value = _parse(
        form.date.data, "date", date.fromisoformat, _("is not a date (use YYYY-MM-DD)"), errors
    )
    if value is None and "date" not in errors:
        errors["date"] = _("is required")
    return value


def read_recurrence(form: SessionForm, errors: dict[str, str]) -> Recurrence:
    repeat = form.repeat.data if form.repeat.data in set(Repeat) else Repeat.ONCE.value
    first = _parse(
        form.date.data, "date", date.fromisoformat, _("is not a date (use YYYY-MM-DD)"), errors
    )
    weeks = _parse(form.weeks.data, "weeks", _whole, _("must be a whole number"), errors)
    listed: tuple[date, ...] = ()
    if repeat == Repeat.DATES:
        try:
            listed = parse_dates(form.dates.data or "")
        except InputError as exc:
            errors.update({k: localize(v) for k, v in exc.fields.items()})
    return Recurrence(Repeat(repeat), first, weeks, listed)


def raise_if(errors: dict[str, Any]) -> None:
    if errors:
        raise input_error(errors)
