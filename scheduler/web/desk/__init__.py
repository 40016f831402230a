"""The desk on the web: the inquiry log page (``log``), the desk's guide with the actor
directory and routine matrix (``guide``), the library's numbers (``statistics``) and the
demand suggested from them beside the roster set-up (``suggestions``), and question
inventory campaigns (``campaigns``), the leader's review of the log's free text
(``texts``);
and the second line's attendance marks and report (``attendance``).

Views parse, call :mod:`scheduler.desk` and render; the use cases check roles.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Every desk page."""
    from scheduler.web.desk import (
        attendance,
        campaigns,
        guide,
        log,
        statistics,
        suggestions,
        texts,
    )

    for module in (log, guide, campaigns, texts, statistics, suggestions, attendance):
        app.register_blueprint(module.bp)
