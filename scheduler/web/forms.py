"""What every form page shares: field classes, a use case's refusal put on the form, and
the flow show → validate → act → redirect (or the form again, with its status).

Forms catch what a browser can get wrong (empty, too long, not a number); the use case
checks everything again and refuses with :class:`~scheduler.errors.DomainError`, whose
reasons :func:`errors_to_form` puts on the fields they name, in the page's language.
The request then rolls back (any status from 400 up), so a refused form changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField as _DateField
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from scheduler.errors import DomainError, InputError
from scheduler.inputs import parse_date
from scheduler.web.i18n import localize

T = TypeVar("T")

try:  # WTForms 3.3 deprecates (value, label) tuples for choices
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms takes the tuples
    SelectChoice = None


def choice(value: str, label: Any) -> Any:
    """One option of a select, radio or checkbox list."""
    return SelectChoice(value, label) if SelectChoice is not None else (value, label)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (days of the week, roles, skills, sessions)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DateField(_DateField):
    """A date within the window :func:`scheduler.inputs.parse_date` accepts (five years
    either way of today), so that year 1 or 9999 is a field error, not date arithmetic
    that leaves the calendar further on."""

    def pre_validate(self, form: Any) -> None:
        if self.data is not None:
            try:
                parse_date(self.data.isoformat(), self.name)
            except InputError as exc:
                raise ValidationError(localize(exc.fields[self.name])) from None


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the form behind a button that changes something."""


def errors_to_form(
    form: FlaskForm, exc: DomainError, renames: Mapping[str, str] | None = None
) -> None:
    """Put each reason of ``exc`` on the form field it names, in the page's language.

    ``renames`` maps a use case's field name to the form's where they differ. Bad input
    for a field the form does not show goes above the form as "field: reason"; any other
    refusal (a conflict, say) without a field of its own shows its message there, once.
    """
    renames = renames or {}
    message_needed = not exc.fields
    for name, reason in exc.fields.items():
        field = form._fields.get(renames.get(name, name))
        text = localize(reason)
        if field is not None and name != "csrf_token":
            field.errors = [*field.errors, text]
        elif isinstance(exc, InputError):
            form.form_errors.append(f"{name}: {text}")
        else:
            message_needed = True
    if message_needed:
        form.form_errors.append(localize(exc.message))


def form_flow(
    form: FlaskForm,
    act: Callable[[], T],
    done: Callable[[T], ResponseReturnValue],
    render: Callable[[int], ResponseReturnValue],
    *,
    renames: Mapping[str, str] | None = None,
) -> ResponseReturnValue:
    """The flow of a page with one form.

    A GET shows the form (``render(200)``). A submitted form that does not validate is
    shown again with its messages (422). A valid one is carried out by ``act``; success
    answers with ``done(result)`` (usually a redirect), a refusal puts its reasons on the
    form and shows it again with the refusal's status (422 bad input, 409 conflict ...).
    """
    if form.validate_on_submit():
        try:
            result = act()
        except DomainError as exc:
            errors_to_form(form, exc, renames)
            return render(exc.status)
        return done(result)
    return render(422 if form.is_submitted() else 200)


def saved(message: str, url: str, *, code: int = 302, category: str = "success") -> Response:
    """Say what happened (a flash message) and go on to ``url``."""
    flash(message, category)
    return redirect(url, code)
