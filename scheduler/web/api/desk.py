"""The desk's inquiry log in the API: what the desk page's offline queue sends.

A staff endpoint (session cookie with ``X-CSRFToken``, or a personal token). Sending
the same entry again (same ``client_uuid``) answers 200 with the stored entry instead
of 201, so a queue can replay without fear. Error reasons stay English here.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user, login_required

from scheduler.desk.inquiries import log_inquiry, read_inquiry
from scheduler.errors import InputError
from scheduler.extensions import db
from scheduler.web import current_site
from scheduler.web.api import bp


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError("The body must be a JSON object.", {"body": "must be a JSON object"})
    return body


@bp.post("/desk/inquiries")
@login_required
def create_inquiry() -> Any:
    """Log one inquiry; 201 when stored now, 200 when it had been stored before."""
    data = read_inquiry(_body())
    logged = log_inquiry(
        db.session,
        current_user._get_current_object(),  # type: ignore[attr-defined]
        data,
        current_site().now,
    )
    inquiry = logged.inquiry
    body = {
        "id": str(inquiry.id),
        "client_uuid": inquiry.client_uuid,
        "created": logged.created,
        "asked_at": inquiry.asked_at.isoformat(),
    }
    return jsonify(body), 201 if logged.created else 200
