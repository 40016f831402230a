"""Running the site: health probes and /metrics, the e-mail outbox and the system page
for administrators, and what a request answers when the database is out of reach."""

from __future__ import annotations

from flask import Flask

from scheduler.web.operations import outage, outbox, probes, system


def register(app: Flask) -> None:
    # First, so that its /healthz (liveness, no database) is the one that answers.
    app.register_blueprint(probes.bp)
    app.register_blueprint(outbox.bp)
    app.register_blueprint(system.bp)
    outage.init_app(app)
