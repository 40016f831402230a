"""What the desk's pages share: the labels of channels and duration bands, the acting
person, and the libraries a person may choose between."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.inputs import parse_id
from scheduler.models import DurationBand, InquiryChannel, Library, Person

CHANNEL_LABELS = {
    InquiryChannel.DESK: _l("Desk"),
    InquiryChannel.PHONE: _l("Phone"),
    InquiryChannel.EMAIL: _l("E-mail"),
    InquiryChannel.CHAT: _l("Chat"),
}

DURATION_LABELS = {
    DurationBand.UNDER_5: _l("Under 5 min"),
    DurationBand.FROM_5_TO_15: _l("5-15 min"),
    DurationBand.FROM_15_TO_30: _l("15-30 min"),
    DurationBand.OVER_30: _l("Over 30 min"),
}


def actor() -> Person:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def allowed_libraries(ids: set[int] | None) -> list[Library]:
    """The libraries behind :func:`scheduler.access.library_ids` (None: all of them)."""
    query = select(Library).order_by(Library.position, Library.name)
    if ids is not None:
        query = query.where(Library.id.in_(ids or {-1}))
    return list(db.session.scalars(query))


def chosen_library(raw: Any, libraries: list[Library], fallback: int | None = None) -> Library:
    """The library asked for (``?library=``), else ``fallback``, else the first allowed;
    404 for one the person may not use, so its existence is not confirmed."""
    if not libraries:
        abort(403)
    try:
        wanted = parse_id(raw, "library", required=False)
    except InputError:
        abort(404)
    if wanted is None:
        wanted = fallback
    for library in libraries:
        if library.id == wanted:
            return library
    if raw not in (None, ""):
        abort(404)
    return libraries[0]
