"""Error reasons for drop-in use cases that pages can show in the reader's language.

Service code has no request and no locale, so it cannot translate. It raises
:class:`~scheduler.errors.DomainError` with :class:`Reason` values instead: each is the
English text (what the JSON API returns) and also remembers its template and
parameters, so that a page can translate the template and fill it in again. Templates
are written as ``_("... %(name)s ...", name=value)`` so that the usual message
extraction finds them and the catalogue check requires a bokmål text for each.
"""

from __future__ import annotations

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


def input_error(fields: dict[str, str]) -> InputError:
    """One InputError for all bad fields; the message lists them ("title: is required; ...")."""
    message = "; ".join(f"{name}: {reason}" for name, reason in fields.items())
    return InputError(message, fields)


def conflict(field: str, reason: str, message: str | None = None) -> Conflict:
    """The state does not allow it (closed, full, cancelled): HTTP 409 in the API."""
    return Conflict(message or reason, {field: reason})
