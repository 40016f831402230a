"""Forms of the leader's desk pages: actors, routine rows, categories."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ActorForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    helps_with = TextAreaField(_l("What they help with"), validators=[Optional(), Length(max=2000)])
    url = StringField(_l("Web address"), validators=[Optional(), Length(max=500)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    opening_hours = StringField(_l("Opening hours"), validators=[Optional(), Length(max=200)])
    languages = StringField(_l("Languages"), validators=[Optional(), Length(max=200)])


class RoutineForm(FlaskForm):
    question_type = StringField(
        _l("Type of question"), validators=[DataRequired(), Length(max=200)]
    )
    solution = TextAreaField(
        _l("Our solution and wording"), validators=[DataRequired(), Length(max=4000)]
    )
    actor_id = SelectField(_l("Refer to"), choices=[], validators=[Optional()])


class CategoryForm(FlaskForm):
    name = StringField(_l("New category"), validators=[DataRequired(), Length(max=100)])
