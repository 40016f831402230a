"""Forms of the administration pages (libraries, topics, topic groups, questions, skills)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from scheduler.administration.libraries import time_zones
from scheduler.web.forms import MultiCheckboxField, choice
from scheduler.web.i18n import weekday_name

SLUG_HINT = _l("Part of the web address: lower-case letters a-z, digits and hyphens.")


class LibraryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name"), validators=[DataRequired(), Length(max=64)], description=SLUG_HINT
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[],
        default="Europe/Oslo",
        description=_l("Times at this library are shown and entered in this zone."),
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    is_main = BooleanField(
        _l("Main library"),
        description=_l("The main library is open every day; there is only one."),
    )
    position = IntegerField(
        _l("Order"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=10_000)],
        description=_l("Lists show libraries with a lower number first."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = [choice(z, z) for z in time_zones()]


class WeeklyHoursForm(FlaskForm):
    """Opening and closing time for each weekday (``opens_0`` … ``closes_6``)."""

    def day_fields(self) -> list[tuple[int, str, Any, Any]]:
        return [(d, weekday_name(d), self[f"opens_{d}"], self[f"closes_{d}"]) for d in range(7)]


for _day in range(7):
    setattr(WeeklyHoursForm, f"opens_{_day}", TimeField(_l("Opens"), validators=[Optional()]))
    setattr(WeeklyHoursForm, f"closes_{_day}", TimeField(_l("Closes"), validators=[Optional()]))


class ClosedDatesForm(FlaskForm):
    first = DateField(_l("Closed from"), validators=[InputRequired()])
    until = DateField(
        _l("Closed until"),
        validators=[Optional()],
        description=_l("The last closed day; leave empty for one day."),
    )
    reason = StringField(_l("Why"), validators=[Optional(), Length(max=200)])


class TopicForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name"), validators=[DataRequired(), Length(max=64)], description=SLUG_HINT
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    group = SelectField(_l("Booking page (topic group)"), choices=[])
    people = MultiCheckboxField(_l("Who covers it"), choices=[])


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Short name"), validators=[DataRequired(), Length(max=64)], description=SLUG_HINT
    )
    intro = TextAreaField(
        _l("Introduction"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Shown at the top of the booking page."),
    )
    allowed_email_domains = StringField(
        _l("Allowed e-mail domains"),
        validators=[Optional(), Length(max=500)],
        description=_l(
            "Separated by commas, e.g. uni.example, student.uni.example. Empty: anyone may "
            "book; otherwise the address is verified by a link before the booking is confirmed."
        ),
    )
    confirm_by_email = BooleanField(
        _l("Bookers confirm their e-mail address"),
        description=_l(
            "A link is sent to the address, and the time is held until it is followed. "
            "Addresses that book often are asked to confirm in any case."
        ),
    )
    position = IntegerField(
        _l("Order"), default=0, validators=[InputRequired(), NumberRange(min=0, max=10_000)]
    )


class QuestionForm(FlaskForm):
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=500)])
    required = BooleanField(_l("An answer is required"))


class SkillForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Used in demand rules and the roster: lower-case letters, digits, hyphens."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
