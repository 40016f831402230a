"""The booking widget for a library's own web site, and the library's online settings.

``pages``: small pages (``/embed/group/<slug>``, ``/embed/topic/<slug>``) with no site
navigation that other sites may frame, only those on the library's allow-list, and
``/embed/widget.js`` that places the frame. ``settings``: the page where a section leader
sets the allow-list and the meeting-room template.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("embed", __name__)


def register(app: Flask) -> None:
    from scheduler.web.embed import pages, settings  # noqa: F401

    app.register_blueprint(bp)
