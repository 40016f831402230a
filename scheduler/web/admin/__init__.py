"""Administration pages (admins only): one blueprint, one module per kind of thing.

``people`` (staff accounts), ``libraries`` (details, opening hours, closed dates),
``topics`` (topics, topic groups and their questions) and ``skills``. Views parse, call
:mod:`scheduler.administration` (which checks that the acting person is an
administrator) and render.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The page modules add their routes to ``bp``.
from scheduler.web.admin import (  # noqa: E402, F401
    libraries,
    people,
    skills,
    topic_groups,
    topics,
)
