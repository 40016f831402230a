"""Forms of the desk's pages: actors, routine rows, categories, campaigns and their questions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional


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


class CampaignForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])


class QuestionForm(FlaskForm):
    question = TextAreaField(_l("The question"), validators=[DataRequired(), Length(max=4000)])
    reflection = TextAreaField(
        _l("Your reflection: how did it go, should the library help with this?"),
        validators=[Optional(), Length(max=4000)],
    )
    chafing = BooleanField(_l("This question chafes"), default=True)
    asked_on = DateField(_l("Asked on (default today)"), validators=[Optional()])
