"""The drop-in part of the public JSON API (the contract in /api/v1/openapi.json)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.models import Registration, SessionSeries, SessionStatus
from tests.booking.dropins.conftest import outbox

CONTRACT_FIELDS = {
    "id",
    "title",
    "topic",
    "library",
    "location",
    "online",
    "start",
    "end",
    "capacity",
    "registered",
    "waitlisted",
    "registration_required",
    "registration_deadline",
}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_listing_has_the_contract_fields(client, create_dropin, create_topic, sign_up) -> None:
    topic = create_topic(name="Zotero")
    dropin = create_dropin(title="Zotero", topic=topic, capacity=3, location="Room 1")
    dropin.registration_deadline = dropin.starts_at - timedelta(hours=2)
    sign_up(dropin, 1)
    response = client.get("/api/v1/dropins")
    assert response.status_code == 200
    (item,) = response.get_json()
    assert set(item) >= CONTRACT_FIELDS
    assert item["id"] == str(dropin.id)
    assert item["topic"] == {"id": str(topic.id), "name": "Zotero"}
    assert item["library"]["id"] == str(dropin.library_id)
    assert (item["capacity"], item["registered"], item["waitlisted"], item["remaining"]) == (
        3,
        1,
        0,
        2,
    )
    assert item["registration_required"] is True
    assert item["online"] is False
    start = datetime.fromisoformat(item["start"])
    assert start.utcoffset() is not None  # ISO 8601 with the library's offset
    assert start == dropin.starts_at
    assert datetime.fromisoformat(item["registration_deadline"]) == dropin.registration_deadline


def test_listing_filters_and_bad_parameters(client, create_dropin, create_library) -> None:
    lib = create_library()
    a = create_dropin(library=lib)
    create_dropin()
    create_dropin(status=SessionStatus.CANCELLED)
    ids = [i["id"] for i in client.get(f"/api/v1/dropins?library={lib.id}").get_json()]
    assert ids == [str(a.id)]
    assert len(client.get("/api/v1/dropins").get_json()) == 2  # cancelled ones are left out
    later = (date.today() + timedelta(days=60)).isoformat()
    assert client.get(f"/api/v1/dropins?from={later}").get_json() == []
    bad = client.get("/api/v1/dropins?from=tomorrow&library=main")
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"from", "library"}
    backwards = client.get("/api/v1/dropins?from=2027-03-10&to=2027-03-01")
    assert backwards.status_code == 422
    assert "to" in backwards.get_json()["fields"]


def test_register_then_waitlist_then_cancel(client, db, create_dropin) -> None:
    dropin = create_dropin(capacity=1, title="Zotero")
    url = f"/api/v1/dropins/{dropin.id}/registrations"
    first = client.post(url, json={"name": "Kari", "email": "kari@uni.example"})
    assert first.status_code == 201
    body = first.get_json()
    assert body["status"] == "registered"
    assert "position" not in body
    assert len(body["manage_token"]) >= 22  # at least 128 bits
    second = client.post(url, json={"name": "Ola", "email": "ola@uni.example", "language": "nb"})
    assert second.status_code == 201
    assert (second.get_json()["status"], second.get_json()["position"]) == ("waitlisted", 1)
    shown = client.get(f"/api/v1/registrations/{body['manage_token']}").get_json()
    assert shown["registrations"][0]["status"] == "registered"
    cancel = client.post(f"/api/v1/registrations/{body['manage_token']}/cancel")
    assert cancel.status_code == 200
    assert cancel.get_json() == {"status": "cancelled", "cancelled": [str(dropin.id)]}
    promoted = client.get(f"/api/v1/registrations/{second.get_json()['manage_token']}")
    assert promoted.get_json()["registrations"][0]["status"] == "registered"
    assert outbox(db, "ola@uni.example")[-1].subject == "Du har fått plass: Zotero"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "a@uni.example"}, "name"),
        ({"name": "A"}, "email"),
        ({"name": "A", "email": "not-an-address"}, "email"),
        ({"name": 5, "email": "a@uni.example"}, "name"),
        ({"name": "A", "email": "a@uni.example", "lunch": "yes"}, "lunch"),
        ({"name": "A", "email": "a@uni.example", "sessions": "all"}, "sessions"),
        ({"name": "A", "email": "a@uni.example", "language": "de"}, "language"),
    ],
)
def test_bad_input_is_422_naming_the_field(client, db, create_dropin, payload, field) -> None:
    dropin = create_dropin(capacity=3)
    response = client.post(f"/api/v1/dropins/{dropin.id}/registrations", json=payload)
    assert response.status_code == 422
    assert field in response.get_json()["fields"]
    assert response.get_json()["error"]
    assert _count(db) == 0


def test_non_json_body_and_unknown_session(client, create_dropin) -> None:
    dropin = create_dropin(capacity=3)
    response = client.post(
        f"/api/v1/dropins/{dropin.id}/registrations",
        data="name=A",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 422
    assert "body" in response.get_json()["fields"]
    missing = client.post(
        "/api/v1/dropins/999999/registrations", json={"name": "A", "email": "a@uni.example"}
    )
    assert missing.status_code == 404
    assert missing.get_json()["error"]
    assert client.post("/api/v1/registrations/nope/cancel").status_code == 404


def test_conflicts_are_409(client, db, create_dropin, sign_up) -> None:
    closed = create_dropin(capacity=3)
    closed.registration_deadline = closed.starts_at - timedelta(days=30)
    full = create_dropin(capacity=1, waitlist_enabled=False)
    sign_up(full, 1)
    cancelled = create_dropin(capacity=3, status=SessionStatus.CANCELLED)
    who = {"name": "A", "email": "student1@uni.example"}
    for dropin, field in (
        (closed, "registration_deadline"),
        (full, "email"),
        (cancelled, "session"),
    ):
        response = client.post(f"/api/v1/dropins/{dropin.id}/registrations", json=who)
        assert response.status_code == 409, field
        assert field in response.get_json()["fields"]
    other = {"name": "B", "email": "b@uni.example"}
    response = client.post(f"/api/v1/dropins/{full.id}/registrations", json=other)
    assert response.status_code == 409
    assert response.get_json()["fields"] == {
        "session": "This session is full and keeps no waitlist."
    }
    assert _count(db) == 1


def test_one_sign_up_for_several_sessions_of_a_series(client, db, create_dropin) -> None:
    series = SessionSeries(title="Course")
    db.session.add(series)
    parts = [
        create_dropin(series=series, capacity=5, day=date.today() + timedelta(days=n))
        for n in (2, 9)
    ]
    response = client.post(
        f"/api/v1/dropins/{parts[0].id}/registrations",
        json={"name": "A", "email": "a@uni.example", "sessions": [str(parts[1].id)]},
    )
    assert response.status_code == 201
    regs = response.get_json()["registrations"]
    assert [r["session"] for r in regs] == [str(parts[0].id), str(parts[1].id)]
    token = response.get_json()["manage_token"]
    partial = client.post(
        f"/api/v1/registrations/{token}/cancel", json={"sessions": [str(parts[1].id)]}
    )
    assert partial.get_json()["cancelled"] == [str(parts[1].id)]
