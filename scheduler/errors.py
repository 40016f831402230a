"""Domain errors raised by use cases; the web layer maps them to pages and JSON.

No Flask here: ``booking``, ``rostering`` and friends raise these, and ``web`` decides
whether they become a form message, a JSON body with a 4xx status, or a CLI exit code.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: a message for people, plus per-field reasons."""

    status = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})

    def to_json(self) -> dict:
        return {"error": self.message, "fields": self.fields}


class InputError(DomainError):
    """The input is malformed or breaks a rule; nothing was changed."""

    status = 422

    @classmethod
    def field(cls, name: str, reason: str) -> InputError:
        """One bad field: the message is "<name>: <reason>"."""
        return cls(f"{name}: {reason}", {name: reason})


class Conflict(DomainError):
    """The request was valid but the state does not allow it (slot taken, session full)."""

    status = 409


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403
