"""``audit.record``: a fixed vocabulary, no patron data, the client address of staff."""

from __future__ import annotations

import pytest

from scheduler import audit
from scheduler.models import Role


def test_an_unknown_action_is_refused(db) -> None:
    with pytest.raises(ValueError, match="is not a valid Action"):
        audit.record(db.session, "roster.rewrite_history", actor=None, subject="x:1")


@pytest.mark.parametrize("key", sorted(audit.PATRON_FIELDS))
def test_details_may_not_name_patron_fields(db, key) -> None:
    with pytest.raises(ValueError, match="patron data"):
        audit.record(
            db.session,
            audit.Action.APPOINTMENT_CANCELLED,
            actor=None,
            subject="appointment:1",
            details={"outer": {key: "Kari Nordmann"}},
        )


def test_the_client_address_is_kept_for_staff_only(db, create_person) -> None:
    staff = create_person(Role.LIBRARIAN)
    token = audit.client_ip.set("192.0.2.7")
    try:
        mine = audit.record(db.session, audit.Action.SIGN_OUT, actor=staff, subject="person:1")
        patron = audit.record(
            db.session, audit.Action.PATRON_DATA_ERASED, actor=None, subject="patron_data"
        )
        failed = audit.record(
            db.session, audit.Action.SIGN_IN_FAILED, actor=None, subject="address:x@y.example"
        )
    finally:
        audit.client_ip.reset(token)
    assert mine.ip == "192.0.2.7"
    assert patron.ip is None
    assert failed.ip == "192.0.2.7"
