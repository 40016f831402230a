"""Invitations: only administrators send them, only to people who may sign in, and the
e-mail carries the link and its expiry on the library's clock."""

from __future__ import annotations

import pytest

from scheduler import accounts
from scheduler.errors import Conflict, Forbidden
from scheduler.models import Role
from tests.accounts.conftest import site_at


def test_the_invitation_carries_the_link_and_its_expiry_in_local_time(
    db, create_person, mails
) -> None:
    admin = create_person(Role.ADMIN)
    ola = create_person(Role.LIBRARIAN, email="ola@uni.example", name="Ola", locale="en")
    issued = accounts.invite(db.session, ola, admin, site_at())
    (letter,) = mails("ola@uni.example")
    assert letter.subject == "Your staff account: choose a password"
    assert issued.url in letter.body_text
    # 09:00 UTC on 1 March + 24 hours, on Oslo's clock.
    assert "until 2 March 2027, 10:00" in letter.body_text
    assert letter.body_text.startswith("Hello Ola,")


def test_in_norwegian_for_people_who_read_it(db, create_person, mails) -> None:
    admin = create_person(Role.ADMIN)
    kari = create_person(Role.LIBRARIAN, email="kari@uni.example", locale="nb")
    accounts.invite(db.session, kari, admin, site_at())
    (letter,) = mails("kari@uni.example")
    assert letter.subject == "Ansattkontoen din: velg et passord"
    assert "til 2. mars 2027, 10:00" in letter.body_text


def test_only_administrators_invite(db, create_person, mails) -> None:
    leader = create_person(Role.SECTION_LEADER)
    ola = create_person(Role.LIBRARIAN, email="ola@uni.example")
    with pytest.raises(Forbidden):
        accounts.invite(db.session, ola, leader, site_at())
    assert mails("ola@uni.example") == []


def test_people_who_may_not_sign_in_are_not_invited(db, create_person, mails) -> None:
    admin = create_person(Role.ADMIN)
    gone = create_person(Role.LIBRARIAN, email="gone@uni.example", active=False)
    with pytest.raises(Conflict) as refused:
        accounts.invite(db.session, gone, admin, site_at())
    assert "active" in refused.value.fields
    assert mails("gone@uni.example") == []
