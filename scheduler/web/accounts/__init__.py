"""Staff accounts on the web: choosing a password through a one-time link, changing it,
asking for a reset (``passwords``), and the administrators' invitation button
(``invitations``). The rules live in :mod:`scheduler.accounts`; these pages only
parse, call and render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from scheduler.extensions import limiter


def _password_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD"]


def password_limit(view: Callable[..., Any]) -> Callable[..., Any]:
    """Rate-limit POSTs per client: each one may send an e-mail or check a password."""
    return limiter.limit(_password_limit, methods=["POST"])(view)


def register(app: Flask) -> None:
    from scheduler.web.accounts import invitations, passwords

    app.register_blueprint(passwords.bp)
    app.register_blueprint(invitations.bp)
