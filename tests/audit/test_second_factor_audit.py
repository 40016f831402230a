"""Second-factor changes are recorded: enrolment, turning it off, an admin's reset."""

from __future__ import annotations

import pyotp

from scheduler.models import Role
from scheduler.signin import second_factor
from tests.factories import app_secret_box


def test_enrol_turn_off_and_reset(db, create_person, entries) -> None:
    kari = create_person(Role.LIBRARIAN)
    admin = create_person(Role.ADMIN)
    secret = second_factor.new_secret()
    second_factor.enrol(db.session, kari, secret, pyotp.TOTP(secret).now(), app_secret_box())
    second_factor.turn_off(db.session, kari, "admin")
    second_factor.reset(db.session, admin, kari)
    (enrolled,) = entries("second_factor.enrolled")
    (off,) = entries("second_factor.turned_off")
    (reset,) = entries("second_factor.reset")
    subject = f"person:{kari.id}"
    assert (enrolled.actor_id, enrolled.subject) == (kari.id, subject)
    assert (off.actor_id, off.subject) == (kari.id, subject)
    assert (reset.actor_id, reset.subject) == (admin.id, subject)
