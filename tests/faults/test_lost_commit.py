"""A COMMIT whose connection breaks: PostgreSQL is asked whether it committed after all,
so a 201 always means stored and an error always means not stored."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest
from flask import has_request_context, request
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from scheduler.models import Appointment

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def lose_the_answer(monkeypatch, *, after_committing: bool) -> None:
    """The booking request's COMMIT reaches the server (or not), then the line drops."""
    real_commit = Session.commit

    def commit(self: Session) -> None:
        if not (has_request_context() and request.method == "POST"):
            return real_commit(self)
        if after_committing:
            real_commit(self)
        else:
            self.rollback()
        raise OperationalError(
            "COMMIT", {}, psycopg.OperationalError("server closed the connection unexpectedly")
        )

    monkeypatch.setattr(Session, "commit", commit)


def book(client, topic_id: int, email: str):
    first = date.today() + timedelta(days=3)
    slots = client.get(f"/api/v1/slots?topic={topic_id}&from={first}&to={first}").get_json()
    slot = slots[0]
    return client.post(
        "/api/v1/appointments",
        json={
            "librarian": slot["librarian"]["id"],
            "topic": str(topic_id),
            "start": slot["start"],
            "mode": "in_person",
            "name": "Patron",
            "email": email,
        },
    )


def stored(database_url: str, email: str) -> int:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        found = conn.scalar(
            select(func.count()).select_from(Appointment).where(Appointment.patron_email == email)
        )
    engine.dispose()
    return int(found)


@pytest.mark.parametrize(("after_committing", "status"), [(True, 201), (False, 503)])
def test_the_answer_follows_what_the_database_did(
    client, bookable, database_url, monkeypatch, after_committing, status
):
    lose_the_answer(monkeypatch, after_committing=after_committing)
    answer = book(client, bookable, "lost-answer@uni.example")
    assert answer.status_code == status
    assert stored(database_url, "lost-answer@uni.example") == (1 if after_committing else 0)
