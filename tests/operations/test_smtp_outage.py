"""The mail server down or refusing: e-mails wait in the outbox, are tried again after a
growing wait, are never lost, and administrators see the ones given up on."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import select

from scheduler.jobs.runner import run_pending
from scheduler.jobs.sweeps import run_sweeps
from scheduler.mail.outbox import queue_email, retry_due_emails, send_again
from scheduler.models import EmailState, Job, OutboundEmail, Role
from scheduler.timeutil import utcnow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """A real SMTP server on 127.0.0.1 that accepts, or refuses with 451, as told."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.refusing = False
        self.received: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            return "451 4.3.0 Mailbox temporarily unavailable, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def mail_server(app):
    port = free_port()
    handler = MailServer(port)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_RETRY_SECONDS=60,
        MAIL_MAX_ATTEMPTS=3,
    )
    yield handler
    controller.stop()


def retry(app) -> int:
    """One retry sweep, in its own transaction, as a worker runs it."""
    from scheduler.extensions import db

    with app.app_context():
        queued = retry_due_emails(db.session, app.config)
        db.session.commit()
        db.session.remove()
    return queued


def fresh(db, email: OutboundEmail) -> None:
    """Read the row as the workers left it (end the test's own read transaction first)."""
    db.session.rollback()
    db.session.refresh(email)


def queued_email(db, to: str = "student@uni.example") -> OutboundEmail:
    email = queue_email(db.session, to, "Your appointment", "See you on Tuesday.")
    db.session.commit()
    return email


def test_a_refusing_server_is_tried_again_later_with_a_growing_wait(app, db, mail_server):
    mail_server.refusing = True
    email = queued_email(db)
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        run_pending(app)
        fresh(db, email)
        assert email.state == EmailState.PENDING
        assert email.attempts == 1
        assert "451" in email.error
        assert email.next_attempt_at == start + timedelta(seconds=60)

        assert retry(app) == 0  # not due yet
        clock.shift(timedelta(seconds=61))
        assert retry(app) == 1
        run_pending(app)
        fresh(db, email)
        assert email.attempts == 2
        assert email.next_attempt_at == start + timedelta(seconds=61 + 120)  # doubled

        mail_server.refusing = False
        clock.shift(timedelta(seconds=121))
        run_sweeps(app)  # what every worker runs on each sweep
        run_pending(app)
    fresh(db, email)
    assert email.state == EmailState.SENT
    assert email.error is None
    assert mail_server.received == [["student@uni.example"]]


def test_a_server_that_is_down_loses_nothing_and_the_admin_sees_it(
    app, db, client, login, create_person, mail_server
):
    app.config["MAIL_PORT"] = free_port()  # nothing listens there: connection refused
    email = queued_email(db, "lost-not@uni.example")
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(3):
            run_pending(app)
            clock.shift(timedelta(hours=1))
            retry(app)
    fresh(db, email)
    assert email.state == EmailState.FAILED
    assert email.attempts == 3
    assert "refused" in email.error.lower()
    assert db.session.scalar(select(Job.id).where(Job.state == "queued")) is None

    login(create_person(Role.ADMIN))
    page = client.get("/admin/outbox/")
    assert page.status_code == 200
    assert "lost-not@uni.example" in page.get_data(as_text=True)

    app.config["MAIL_PORT"] = mail_server.port  # the server is back
    answer = client.post(f"/admin/outbox/{email.id}/send")
    assert answer.status_code == 303
    run_pending(app)
    fresh(db, email)
    assert email.state == EmailState.SENT
    assert mail_server.received == [["lost-not@uni.example"]]


def test_the_outbox_page_is_for_administrators_only(client, login, create_person):
    login(create_person(Role.LIBRARIAN))
    assert client.get("/admin/outbox/").status_code == 403


def test_a_second_send_job_for_the_same_email_is_refused(app, db):
    email = queued_email(db)
    assert not send_again(db.session, email)  # its first job is still queued
    db.session.commit()
    assert len(db.session.scalars(select(Job).where(Job.kind == "send_email")).all()) == 1
