"""The web's part of the audit log: the client address for entries written during a
request, and an entry for every refusal (403), whatever refused it.

A 403 response rolls the request's transaction back (nothing the request did stays),
so its entry is written and committed on its own afterwards.
"""

from __future__ import annotations

import logging

from flask import Flask, g, request
from flask_login import current_user

from scheduler import audit
from scheduler.extensions import db

log = logging.getLogger(__name__)


def init_audit_trail(app: Flask) -> None:
    @app.before_request
    def _remember_client_ip() -> None:
        g._audit_ip_token = audit.client_ip.set(request.remote_addr)

    @app.teardown_request
    def _forget_client_ip(_exc: BaseException | None) -> None:
        token = g.pop("_audit_ip_token", None)
        if token is not None:
            audit.client_ip.reset(token)


def record_forbidden() -> None:
    """One entry for this refused request (actor, method, path), in its own commit.

    Called after the request's rollback. A failure to write it is logged, and the
    visitor still gets the 403 page, not an error.
    """
    try:
        actor = current_user if current_user.is_authenticated else None
        audit.record(
            db.session,
            audit.Action.FORBIDDEN,
            actor=actor,
            subject=f"{request.method} {request.path}",
            details={"endpoint": request.endpoint},
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record a refused request in the audit log")
