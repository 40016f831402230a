"""Forms for booking pages: labels and first checks in the visitor's language.

The forms catch what a browser can get wrong (empty, too long); the service checks
everything again and its reasons are put on the same fields
(:func:`scheduler.web.forms.errors_to_form`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from scheduler.booking.appointments.book import MAX_ANSWER, MAX_MESSAGE, MAX_NAME
from scheduler.models import ExceptionKind, GroupQuestion, Mode
from scheduler.web.forms import DateField, MultiCheckboxField
from scheduler.web.i18n import page_language

MODE_LABELS = {
    Mode.IN_PERSON: _l("In person"),
    Mode.ONLINE: _l("Online (video)"),
    Mode.PHONE: _l("Phone"),
}


def mode_choices(modes: Iterable[Mode]) -> list[tuple[str, str]]:
    return [(m.value, str(MODE_LABELS[m])) for m in modes]


class PatronForm(FlaskForm):
    """The short booking form: who, how, and what the patron needs help with."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=MAX_NAME)])
    email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(),
            Length(max=254),
            Email(message=_l("Enter an e-mail address like name@example.com.")),
        ],
        description=_l("We send the confirmation and a link to change or cancel here."),
    )
    mode = RadioField(_l("How would you like to meet?"), validators=[InputRequired()])
    message = TextAreaField(
        _l("What do you need help with?"),
        validators=[Optional(), Length(max=MAX_MESSAGE)],
        description=_l("A few words help the librarian prepare."),
    )

    QUESTION_PREFIX = "q_"

    def question_fields(self) -> list[Any]:
        return [f for f in self if f.name.startswith(self.QUESTION_PREFIX)]

    def answers(self) -> dict[str, str]:
        prefix = self.QUESTION_PREFIX
        return {f.name[len(prefix) :]: (f.data or "") for f in self.question_fields()}


def patron_form(
    questions: Iterable[GroupQuestion], modes: Iterable[Mode], **kwargs: Any
) -> PatronForm:
    """A booking form with the booking page's own questions and the slot's modes."""

    class Form(PatronForm):
        pass

    for q in questions:
        validators = [DataRequired() if q.required else Optional(), Length(max=MAX_ANSWER)]
        lang = page_language()
        field = TextAreaField(
            q.localized("label", lang),
            validators=validators,
            description=q.localized("help_text", lang) or "",
        )
        setattr(Form, f"{PatronForm.QUESTION_PREFIX}{q.id}", field)
    form = Form(**kwargs)
    form.mode.choices = mode_choices(modes)
    if form.mode.data is None and len(form.mode.choices) == 1:
        form.mode.data = form.mode.choices[0][0]
    return form


class MoveForm(FlaskForm):
    """Choose a new time for an appointment (the radio buttons list free slots)."""

    start = RadioField(_l("New time"), validators=[InputRequired()])


class StaffCancelForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the patron"),
        validators=[Optional(), Length(max=MAX_MESSAGE)],
        description=_l("Sent with the cancellation, e.g. why and what to do instead."),
    )


class SettingsForm(FlaskForm):
    action = HiddenField(default="settings")
    bookable = BooleanField(_l("Students can book me"))
    slot_minutes = IntegerField(
        _l("Length of an appointment (minutes)"), validators=[InputRequired(), NumberRange(10, 480)]
    )
    buffer_minutes = IntegerField(
        _l("Break after each appointment (minutes)"),
        validators=[InputRequired(), NumberRange(0, 240)],
    )
    notice_hours = IntegerField(
        _l("Minimum notice (hours)"),
        validators=[InputRequired(), NumberRange(0, 720)],
        description=_l("Nobody can book, move or cancel online later than this."),
    )
    horizon_days = IntegerField(
        _l("Booking opens (days ahead)"), validators=[InputRequired(), NumberRange(1, 365)]
    )
    max_per_day = IntegerField(
        _l("At most this many appointments a day"),
        validators=[Optional(), NumberRange(1, 50)],
        description=_l("Leave empty for no limit."),
    )


class MeetingLinkForm(FlaskForm):
    """The librarian's own video meeting room; the service checks the address."""

    action = HiddenField(default="meeting_link")
    meeting_url = StringField(
        _l("My meeting room"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "An https address (Zoom, Teams, Jitsi, Whereby …) sent to patrons who book an"
            " online appointment with you. Leave empty for none."
        ),
        render_kw={"inputmode": "url", "autocomplete": "url"},
    )


WEEKDAY_CHOICES = [
    ("0", _l("Monday")),
    ("1", _l("Tuesday")),
    ("2", _l("Wednesday")),
    ("3", _l("Thursday")),
    ("4", _l("Friday")),
    ("5", _l("Saturday")),
    ("6", _l("Sunday")),
]


class WindowForm(FlaskForm):
    action = HiddenField(default="add_window")
    weekday = SelectField(_l("Day"), validators=[InputRequired()])
    start = TimeField(_l("From"), validators=[InputRequired()])
    end = TimeField(_l("To"), validators=[InputRequired()])
    library = SelectField(_l("Library"), validators=[InputRequired()])
    modes = MultiCheckboxField(_l("Ways to meet"), default=[Mode.IN_PERSON.value])
    valid_from = DateField(_l("First date"), validators=[Optional()])
    valid_until = DateField(_l("Last date"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are set here, not in the field: WTForms 3.3 warns about tuples there.
        self.weekday.choices = [(value, str(label)) for value, label in WEEKDAY_CHOICES]
        self.modes.choices = mode_choices(Mode)


class ExceptionForm(FlaskForm):
    action = HiddenField(default="add_exception")
    date = DateField(_l("Date"), validators=[InputRequired()])
    kind = SelectField(_l("Change"))
    start = TimeField(_l("From"), validators=[Optional()], description=_l("Empty: all day"))
    end = TimeField(_l("To"), validators=[Optional()])
    library = SelectField(_l("Library"))
    modes = MultiCheckboxField(_l("Ways to meet"), default=[Mode.IN_PERSON.value])
    note = StringField(_l("Note (only you see it)"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [
            (ExceptionKind.BLOCKED.value, str(_l("Not available"))),
            (ExceptionKind.EXTRA.value, str(_l("Extra time"))),
        ]
        self.modes.choices = mode_choices(Mode)
