"""Forms for the roster set-up pages (service points, hours, pool, demand, wishes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from scheduler.models import Channel
from scheduler.web.forms import DateField, MultiCheckboxField
from scheduler.web.i18n import weekday_name

CHANNEL_LABELS = {
    Channel.DESK: _l("Information desk"),
    Channel.PHONE: _l("Phone"),
    Channel.EMAIL: _l("E-mail"),
    Channel.CHAT: _l("Chat"),
    Channel.BACK_OFFICE: _l("Back office"),
}


def weekday_choices() -> list[tuple[str, str]]:
    return [(str(d), weekday_name(d)) for d in range(7)]


class ServicePointForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    channel = SelectField(_l("Channel"), choices=[])
    ground_floor = BooleanField(_l("On the ground floor"), default=True)
    first_line = BooleanField(_l("First line (staffed by the duty team)"), default=True)
    location = StringField(_l("Where"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.channel.choices = [(c.value, str(label)) for c, label in CHANNEL_LABELS.items()]


class OpeningHoursForm(FlaskForm):
    weekday = SelectField(_l("Day"), choices=[])
    opens = TimeField(_l("Opens"), validators=[InputRequired()])
    closes = TimeField(_l("Closes"), validators=[InputRequired()])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.weekday.choices = weekday_choices()


class ClosedDateForm(FlaskForm):
    date = DateField(_l("Closed on"), validators=[InputRequired()])
    reason = StringField(_l("Why"), validators=[Optional(), Length(max=200)])


class PoolMemberForm(FlaskForm):
    person_id = SelectField(_l("Person"), choices=[], coerce=int)
    skills = MultiCheckboxField(_l("Skills"), choices=[])
    min_hours_per_week = DecimalField(
        _l("Minimum hours a week"),
        validators=[InputRequired()],
        default=4,
        description=_l("At least 4: first-line staff work at least 4 hours a week."),
    )
    target_hours_per_week = DecimalField(_l("Target hours a week"), validators=[Optional()])
    max_hours_per_week = DecimalField(_l("Maximum hours a week"), validators=[Optional()])
    max_hours_per_day = DecimalField(_l("Maximum hours a day"), validators=[Optional()])


class DemandRuleForm(FlaskForm):
    service_point_id = SelectField(_l("Service point"), choices=[], coerce=int)
    label = StringField(_l("Label"), validators=[Optional(), Length(max=200)])
    weekdays = MultiCheckboxField(_l("Days"), choices=[])
    start_time = TimeField(_l("From"), validators=[InputRequired()])
    end_time = TimeField(_l("Until"), validators=[InputRequired()])
    block_minutes = IntegerField(
        _l("Shift length (minutes)"),
        validators=[InputRequired(), NumberRange(min=15, max=1440)],
        default=120,
        description=_l("The time is cut into shifts of this length; a shorter last one is kept."),
    )
    min_staff = IntegerField(
        _l("People needed"), validators=[InputRequired(), NumberRange(min=0)], default=1
    )
    max_staff = IntegerField(
        _l("At most"), validators=[InputRequired(), NumberRange(min=1)], default=1
    )
    skills = MultiCheckboxField(_l("Skills needed"), choices=[])
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until"), validators=[Optional()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.weekdays.choices = weekday_choices()


class AbsenceForm(FlaskForm):
    start_date = DateField(_l("From date"), validators=[InputRequired()])
    start_time = TimeField(_l("From time"), validators=[Optional()])
    end_date = DateField(_l("To date"), validators=[InputRequired()])
    end_time = TimeField(_l("To time"), validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class PreferenceForm(FlaskForm):
    date = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("From"), validators=[InputRequired()])
    end_time = TimeField(_l("Until"), validators=[InputRequired()])
    wish = SelectField(_l("I would"), choices=[])
    strength = IntegerField(
        _l("How much (1-10)"), validators=[InputRequired(), NumberRange(min=1, max=10)], default=3
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.wish.choices = [
            ("prefer", str(_l("like to work then"))),
            ("dislike", str(_l("rather not work then"))),
        ]
