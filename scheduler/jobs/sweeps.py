"""Work every worker does on each sweep besides lost jobs (sending again the e-mails whose
wait is over): one list per app, like the handlers (:data:`scheduler.job_handlers.SWEEPS`).

A sweep gets the worker's session and the app's settings and returns how much it did;
it runs in its own transaction, committed here, so the jobs it adds are dispatched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from scheduler.extensions import db

log = logging.getLogger(__name__)

EXTENSION_KEY = "scheduler_job_sweeps"
Sweep = Callable[[Session, Mapping[str, Any]], int]


def init_app(app: Flask, sweeps: Iterable[Sweep]) -> None:
    app.extensions[EXTENSION_KEY] = list(sweeps)


def run_sweeps(app: Flask) -> int:
    """Run the app's sweeps; one failing does not stop the others."""
    done = 0
    for sweep in app.extensions.get(EXTENSION_KEY, []):
        with app.app_context():
            try:
                done += int(sweep(db.session, app.config) or 0)  # type: ignore[arg-type]
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("sweep %s failed", getattr(sweep, "__name__", sweep))
            finally:
                db.session.remove()
    return done
