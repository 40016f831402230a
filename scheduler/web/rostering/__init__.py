"""Rosters on the web: set-up (``setup``), periods and solver runs (``runs``), review,
edits and publishing (``review``), staff wishes (``wishes``) and "my shifts"
(``my_shifts``); ``forms`` holds the forms of set-up and wishes.

Each page module owns one blueprint, named as its endpoints are (``roster_setup``,
``roster_runs``, ``roster_review``, ``roster_wishes``, ``my_shifts``). Views parse,
call :mod:`scheduler.rostering` and render.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Every roster page."""
    from scheduler.web.rostering import my_shifts, review, runs, setup, wishes

    for module in (setup, wishes, runs, review, my_shifts):
        app.register_blueprint(module.bp)
