"""What every request's text must be before any view sees it.

Two kinds of input used to reach the database or the JSON parser and fail there with a
500: text no database can store (a NUL, which PostgreSQL refuses; a lone UTF-16
surrogate, which JSON's ``\\ud800`` escape can carry) and JSON nested so deep that the
parser runs out of stack. Both are refused here, once for every page and endpoint, with
the field named: 422 for the text, 400 for the nesting. (Bodies above
``MAX_CONTENT_LENGTH`` get Werkzeug's 413 before anything is parsed.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider

from scheduler.errors import DomainError, InputError
from scheduler.inputs import UNSTORABLE, check_text
from scheduler.reasons import _

# Deeper than any body of ours; far below where Python's parser gives up.
MAX_JSON_DEPTH = 64


class BodyTooDeep(DomainError):
    """A JSON body nested deeper than :data:`MAX_JSON_DEPTH` (400, like malformed JSON)."""

    status = 400

    def __init__(self) -> None:
        reason = _("is nested more than %(most)s levels deep", most=MAX_JSON_DEPTH)
        super().__init__(_("body: %(reason)s", reason=reason), {"body": reason})


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body too deep to parse is a 400, not a RecursionError."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise BodyTooDeep() from None
        _check_depth(value)
        return value


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise BodyTooDeep()
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _field_name(name: str) -> str:
    """A field name fit to be shown back (the name itself may hold the bad character)."""
    return name.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")


def _json_texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, child in item.items():
                inner = f"{where}.{key}" if where else str(key)
                yield inner, str(key)
                stack.append((child, inner))
        elif isinstance(item, list):
            stack.extend(
                (child, f"{where}.{i}" if where else str(i)) for i, child in enumerate(item)
            )


def _request_texts() -> Iterator[tuple[str, str]]:
    """Every piece of text the request carries: path values, query, form, JSON."""
    for name, value in (request.view_args or {}).items():
        yield name, str(value)
    for source in (request.args, request.form):
        for name, values in source.lists():
            yield name, name
            for value in values:
                yield name, value
    for name, upload in request.files.items():
        yield name, upload.filename or ""
    if request.is_json:
        body = request.get_json(silent=True)
        if body is not None:
            yield from _json_texts(body, "")


def refuse_unstorable_text() -> None:
    """422 naming the first field whose text cannot be stored; nothing else is read."""
    for name, text in _request_texts():
        try:
            check_text(text, name)
        except InputError:
            field = _field_name(name) or "body"
            raise InputError(
                _("%(field)s: %(reason)s", field=field, reason=UNSTORABLE), {field: UNSTORABLE}
            ) from None


def init_input_guard(app: Flask) -> None:
    app.json = GuardedJSONProvider(app)
    app.before_request(refuse_unstorable_text)
