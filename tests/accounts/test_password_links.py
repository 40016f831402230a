"""One-time password links: hashed at rest, single use, expiring, one open at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from scheduler import accounts
from scheduler.accounts import LinkState, LinkUnusable
from scheduler.errors import InputError
from scheduler.models import AuditEntry, LinkPurpose, PasswordLink
from tests.accounts.conftest import NOW, site_at

NEW_PASSWORD = "velvet tractor minnow lantern"


def test_only_a_digest_of_the_token_is_stored(db, create_person) -> None:
    person = create_person()
    issued = accounts.issue_link(db.session, person, LinkPurpose.SET, site_at())
    assert issued.url == f"https://library.test/account/password/{issued.token}"
    assert len(issued.token) >= 32  # 192 bits, URL-safe
    row = db.session.scalar(select(PasswordLink))
    assert row.token_hash == accounts.token_digest(issued.token)
    assert issued.token not in row.token_hash


def test_a_link_sets_the_password_once(db, create_person) -> None:
    person = create_person()
    issued = accounts.issue_link(db.session, person, LinkPurpose.SET, site_at())
    accounts.redeem(db.session, issued.token, NEW_PASSWORD, NOW + timedelta(minutes=5))
    assert accounts.verify_password(person.password_hash, NEW_PASSWORD)
    with pytest.raises(LinkUnusable) as again:
        accounts.redeem(db.session, issued.token, "another fine long phrase", NOW)
    assert again.value.state == LinkState.USED
    assert again.value.status == 410
    assert accounts.verify_password(person.password_hash, NEW_PASSWORD)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password.set_by_link"))


def test_a_weak_password_leaves_the_link_open(db, create_person) -> None:
    person = create_person()
    issued = accounts.issue_link(db.session, person, LinkPurpose.SET, site_at())
    with pytest.raises(InputError) as weak:
        accounts.redeem(db.session, issued.token, "password1234", NOW)
    assert "password" in weak.value.fields
    assert accounts.find_link(db.session, issued.token, NOW)[0] == LinkState.VALID


@pytest.mark.parametrize(
    ("purpose", "lifetime"),
    [(LinkPurpose.SET, timedelta(hours=24)), (LinkPurpose.RESET, timedelta(hours=1))],
)
def test_links_expire(db, create_person, purpose, lifetime) -> None:
    person = create_person()
    with time_machine.travel(NOW, tick=False):
        issued = accounts.issue_link(db.session, person, purpose, site_at())
        db.session.commit()
    assert issued.expires_at == NOW + lifetime
    just_before = NOW + lifetime - timedelta(seconds=1)
    with time_machine.travel(just_before, tick=False):
        assert accounts.find_link(db.session, issued.token, site_at(just_before).now)[0] == (
            LinkState.VALID
        )
    with time_machine.travel(NOW + lifetime, tick=False), pytest.raises(LinkUnusable) as expired:
        accounts.redeem(db.session, issued.token, NEW_PASSWORD, site_at(NOW + lifetime).now)
    assert expired.value.state == LinkState.EXPIRED
    assert person.password_hash is not None
    assert not accounts.verify_password(person.password_hash, NEW_PASSWORD)


def test_a_new_link_ends_the_old_one(db, create_person) -> None:
    person = create_person()
    first = accounts.issue_link(db.session, person, LinkPurpose.SET, site_at())
    second = accounts.issue_link(db.session, person, LinkPurpose.RESET, site_at())
    assert accounts.find_link(db.session, first.token, NOW)[0] == LinkState.USED
    assert accounts.find_link(db.session, second.token, NOW)[0] == LinkState.VALID


def test_unknown_malformed_and_deactivated_links_are_unknown(db, create_person) -> None:
    assert accounts.find_link(db.session, "nope", NOW)[0] == LinkState.UNKNOWN
    assert accounts.find_link(db.session, "x" * 5000, NOW)[0] == LinkState.UNKNOWN
    assert accounts.find_link(db.session, "\ud800", NOW)[0] == LinkState.UNKNOWN
    person = create_person()
    issued = accounts.issue_link(db.session, person, LinkPurpose.SET, site_at())
    person.active = False
    db.session.flush()
    with pytest.raises(LinkUnusable) as caught:
        accounts.redeem(db.session, issued.token, NEW_PASSWORD, NOW)
    assert caught.value.status == 404
