"""Reasons that a page can show in its reader's language; one kind for every use case.

Use cases run without a request, so they do not know the reader's language. They raise
:class:`~scheduler.errors.DomainError` whose message and field reasons are
:class:`Reason` values instead: the English text (what the JSON API, logs and the CLI
show) that also remembers its template and parameters, so that a page can translate the
template and fill it in again (:func:`translate`). Templates are written as
``_("... %(name)s ...", name=value)`` so that message extraction finds them and the
catalogue test requires a bokmål text for each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scheduler.errors import Conflict, InputError


class Reason(str):
    """An English reason that can be translated later from its template."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Reason:
        self = super().__new__(cls, template % params if params else template)
        self.template = template
        self.params = params
        return self


def _(template: str, **params: Any) -> Reason:
    """Mark ``template`` for translation and fill it in (English) for now."""
    return Reason(template, **params)


def translate(text: str, gettext: Callable[[str], str]) -> str:
    """``text`` in the reader's language when it is a :class:`Reason` (its parameters
    too, when they are reasons themselves); any other text unchanged."""
    if not isinstance(text, Reason):
        return str(text)
    translated = gettext(text.template)
    if not text.params:
        return translated
    return translated % {
        name: translate(value, gettext) if isinstance(value, Reason) else value
        for name, value in text.params.items()
    }


def input_error(fields: Mapping[str, str]) -> InputError:
    """One InputError for all bad fields; the message lists them ("title: is required; ...")."""
    message = "; ".join(f"{name}: {reason}" for name, reason in fields.items())
    return InputError(message, dict(fields))


def conflict(field: str, reason: str, message: str | None = None) -> Conflict:
    """The state does not allow it (closed, full, cancelled): HTTP 409 in the API."""
    return Conflict(message or reason, {field: reason})
