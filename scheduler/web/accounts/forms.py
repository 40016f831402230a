"""The forms of the password pages. They check only what a browser can get wrong; the
password rule itself is :mod:`scheduler.accounts.policy`, run by the use case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from scheduler.accounts.policy import MAX_LENGTH, MIN_LENGTH

_NEW_HINT = _l(
    "At least %(min)s characters. Several uncommon words together are easy to remember "
    "and hard to guess; no special characters needed.",
    min=MIN_LENGTH,
)


def _new_password() -> PasswordField:
    return PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_NEW_HINT,
        render_kw={"autocomplete": "new-password"},
    )


def _repeat() -> PasswordField:
    return PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChoosePasswordForm(FlaskForm):
    new_password = _new_password()
    repeat = _repeat()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password()
    repeat = _repeat()


class ForgotForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
