"""Forms for drop-in pages, and turning their text into the service's typed values.

Numbers, dates and times are plain text fields (rendered as the HTML5 input types), parsed
here so that every message is ours and translated; the service's refusals are put on the
form by :func:`scheduler.web.forms.errors_to_form`.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from scheduler.booking.dropins.recurrence import Recurrence, Repeat, parse_dates
from scheduler.booking.dropins.sessions import SessionDetails
from scheduler.errors import InputError
from scheduler.inputs import (
    Fields,
    parse_date,
    parse_id,
    parse_ids,
    parse_local_datetime,
    parse_time,
    parse_whole,
)
from scheduler.web.forms import MultiCheckboxField, choice

T = TypeVar("T")


# Registration and manage link --------------------------------------------------------


class RegistrationForm(FlaskForm):
    name = StringField(_l("Name"), render_kw={"autocomplete": "name", "maxlength": 200})
    email = EmailField(_l("E-mail"), render_kw={"autocomplete": "email", "maxlength": 254})
    answer = TextAreaField(_l("Your answer"), render_kw={"maxlength": 2000, "rows": 3})
    lunch = BooleanField(_l("I will join the lunch"))
    sessions = MultiCheckboxField(_l("Sessions"), choices=[], validate_choice=False)


class ManageForm(FlaskForm):
    sessions = MultiCheckboxField(_l("Sessions"), choices=[], validate_choice=False)
    # Set by the confirmation page: the first submit only asks "are you sure?".
    confirmed = HiddenField()


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
    confirm_by_email = BooleanField(
        _l("Registrants confirm their e-mail address"),
        description=_l(
            "A link is sent to the address, and the place is held until it is followed."
        ),
    )

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
        self.confirm_by_email.data = details.confirm_by_email


def read_details(form: SessionForm) -> tuple[SessionDetails, Fields]:
    """The session details in the form; ``fields.check()`` then refuses what was unreadable."""
    fields = Fields(form.data)
    details = SessionDetails(
        title=form.title.data or "",
        library_id=fields.read("library", parse_id, required=False),
        start_time=fields.read("start_time", parse_time),
        end_time=fields.read("end_time", parse_time),
        topic_id=fields.read("topic", parse_id, required=False),
        description=form.description.data,
        location=form.location.data,
        online_url=form.online_url.data,
        host_ids=tuple(fields.read("hosts", parse_ids) or ()),
        registration_required=bool(form.registration_required.data),
        capacity=fields.read("capacity", parse_whole),
        waitlist_enabled=bool(form.waitlist_enabled.data),
        deadline_local=fields.read("registration_deadline", parse_local_datetime),
        deadline_hours=fields.read("deadline_hours", parse_whole),
        question=form.question.data,
        lunch=bool(form.lunch.data),
        confirm_by_email=bool(form.confirm_by_email.data),
    )
    return details, fields


def read_date(fields: Fields) -> date | None:
    """The date of one occurrence (editing a session, which may move it)."""
    return fields.read("date", parse_date, required=True)


def read_recurrence(form: SessionForm, fields: Fields) -> Recurrence:
    """Once, weekly for some weeks, or on a list of dates."""
    repeat = form.repeat.data if form.repeat.data in set(Repeat) else Repeat.ONCE.value
    first = fields.read("date", parse_date)
    weeks = fields.read("weeks", parse_whole)
    listed: tuple[date, ...] = ()
    if repeat == Repeat.DATES:
        try:
            listed = parse_dates(form.dates.data or "")
        except InputError as exc:
            fields.errors.update(exc.fields)
    return Recurrence(Repeat(repeat), first, weeks, listed)
