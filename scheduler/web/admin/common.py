"""What the administration pages share: the acting person and the search box."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from scheduler.models import Person


def actor() -> Person:
    """The signed-in person, as the model object the use cases expect."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def search_text() -> str:
    """The list pages' ``q`` (at most 100 characters: it only filters a list)."""
    return (request.args.get("q") or "").strip()[:100]
