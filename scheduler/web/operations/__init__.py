"""Running the site: health probes and /metrics, the e-mail outbox, the system page and
the audit log for administrators, and what a request answers when the database is out of reach."""

from __future__ import annotations

from flask import Flask

from scheduler.web.operations import audit, outage, outbox, probes, system


def register(app: Flask) -> None:
    # First, so that its /healthz (liveness, no database) is the one that answers.
    app.register_blueprint(probes.bp)
    app.register_blueprint(outbox.bp)
    app.register_blueprint(system.bp)
    app.register_blueprint(audit.bp)
    outage.init_app(app)
