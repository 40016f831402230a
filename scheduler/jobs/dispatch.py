"""After a commit, hand the new job ids to whoever listens: the thread worker, the queue.

``enqueue`` notes each new job id on the session; the commit passes them on, a rollback
forgets them. Listeners are registered per app, so a process with several apps (tests)
wakes the right worker.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from scheduler.extensions import db
from scheduler.jobs.enqueue import PENDING_KEY

Listener = Callable[[list[int]], None]

_listeners: dict[int, list[Listener]] = {}


def listen(app: Flask, send: Listener) -> None:
    """Call ``send(job_ids)`` after each commit that added jobs in ``app``."""
    _listeners.setdefault(id(app), []).append(send)


def dispatch(app: Flask, job_ids: list[int]) -> None:
    for send in _listeners.get(id(app), []):
        send(job_ids)


def _after_commit(session: Session) -> None:
    job_ids = session.info.pop(PENDING_KEY, None)
    if job_ids:
        dispatch(current_app._get_current_object(), job_ids)  # type: ignore[attr-defined]


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def init_app(app: Flask) -> None:
    # One listener pair for the shared scoped session, however many apps are created.
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_rollback", _after_rollback)
