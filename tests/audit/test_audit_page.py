"""/admin/audit: administrators only, newest first, filters, pages, CSV (itself recorded)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from scheduler import audit
from scheduler.audit.search import PAGE_SIZE
from scheduler.models import Role


@pytest.fixture
def admin(create_person, login):
    person = create_person(Role.ADMIN, name="Ada Admin")
    login(person)
    return person


def _add(db, action, actor, subject, at):
    audit.record(db.session, action, actor=actor, subject=subject, at=at)


def test_non_admins_get_403_and_the_refusal_is_recorded(
    client, db, create_person, login, entries
) -> None:
    leader = create_person(Role.SECTION_LEADER)
    login(leader)
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/audit/audit.csv").status_code == 403
    refused = entries("forbidden")
    assert [(e.actor_id, e.subject) for e in refused] == [
        (leader.id, "GET /admin/audit/"),
        (leader.id, "GET /admin/audit/audit.csv"),
    ]


def test_lists_newest_first_and_filters(client, db, admin, create_person) -> None:
    kari = create_person(Role.LIBRARIAN, name="Kari")
    _add(db, "roster.publish", admin, "roster_period:1", datetime(2026, 3, 1, 9, tzinfo=UTC))
    _add(db, "sign_in", kari, "person:77", datetime(2026, 3, 2, 9, tzinfo=UTC))
    _add(db, "sign_out", kari, "person:77", datetime(2026, 3, 5, 9, tzinfo=UTC))
    page = client.get("/admin/audit/").get_data(as_text=True)
    order = [page.index(f"<code>{a}</code>") for a in ("sign_out", "sign_in", "roster.publish")]
    assert order == sorted(order)
    assert "no-store" in client.get("/admin/audit/").headers["Cache-Control"]

    by_person = client.get(f"/admin/audit/?person={kari.id}").get_data(as_text=True)
    assert "<code>sign_in</code>" in by_person
    assert "<code>roster.publish</code>" not in by_person
    by_action = client.get("/admin/audit/?action=sign_out").get_data(as_text=True)
    assert "<code>sign_out</code>" in by_action
    assert "<code>sign_in</code>" not in by_action
    by_dates = client.get("/admin/audit/?from=2026-03-02&to=2026-03-04").get_data(as_text=True)
    assert "<code>sign_in</code>" in by_dates
    assert "<code>sign_out</code>" not in by_dates
    assert "<code>roster.publish</code>" not in by_dates
    by_text = client.get("/admin/audit/?q=ROSTER_PERIOD").get_data(as_text=True)
    assert "<code>roster.publish</code>" in by_text
    assert "<code>sign_in</code>" not in by_text


def test_bad_filters_name_the_field(client, admin) -> None:
    response = client.get(
        "/admin/audit/?action=drop_tables&from=2026-13-01&person=²",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="action-error"' in page
    assert 'id="from-error"' in page
    assert 'id="person-error"' in page
    assert "is not an action the audit log records" in page


def test_pages_of_fifty(client, db, admin) -> None:
    for i in range(PAGE_SIZE + 5):
        _add(db, "sign_in", admin, f"person:{i}", datetime(2026, 1, 1, tzinfo=UTC))
    first = client.get("/admin/audit/?action=sign_in").get_data(as_text=True)
    second = client.get("/admin/audit/?action=sign_in&page=2").get_data(as_text=True)
    assert first.count("<code>sign_in</code>") == 50
    assert second.count("<code>sign_in</code>") == 5
    assert 'rel="next"' in first
    assert 'rel="prev"' in second


def test_csv_export_follows_the_filter_and_is_recorded(client, db, admin, entries) -> None:
    _add(db, "sign_in", admin, "person:1", datetime(2026, 3, 1, 9, tzinfo=UTC))
    _add(db, "roster.publish", admin, "=HYPERLINK(1)", datetime(2026, 3, 2, 9, tzinfo=UTC))
    response = client.get("/admin/audit/audit.csv?action=roster.publish")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:5] == ["at", "actor_id", "actor", "action", "subject"]
    assert len(rows) == 2
    assert rows[1][3] == "roster.publish"
    assert rows[1][4] == "'=HYPERLINK(1)"  # no formula in a spreadsheet
    (export,) = entries("export.audit")
    assert export.actor_id == admin.id
    assert export.details["rows"] == 1
    assert export.details["filter"] == {"action": "roster.publish"}
