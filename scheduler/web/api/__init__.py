"""The public JSON API, version 1 (described at /api/v1/openapi.json): one blueprint, one
module per area.

Public endpoints need no login. Staff endpoints accept the session cookie or a personal
token (``Authorization: Bearer``, see ``web.auth.load_user_from_token``). Forms' CSRF
protection does not fit token clients, so the blueprint is exempt from it; instead a
cookie-authenticated unsafe request must carry the CSRF token in ``X-CSRFToken``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from flask_login import current_user

from scheduler.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def _csrf_for_cookie_sessions() -> Any:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if current_user.is_authenticated and not g.get("authenticated_by_token"):
        csrf.protect()
    return None


from scheduler.web.api import (  # noqa: E402,F401  (routes register on bp)
    appointments,
    core,
    desk,
    dropins,
    openapi,
    staff_requests,
)
