"""The public JSON API for booking (the contract in /api/v1/openapi.json)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from scheduler.models import Appointment, AppointmentStatus, OutboundEmail
from tests.booking.appointments.helpers import NOW, TODAY, TUESDAY, at


@pytest.fixture(autouse=True)
def _clock(frozen):
    return frozen


def count(db, model=Appointment) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def body_for(who, about, /, **kw) -> dict:
    body = {
        "librarian": str(who.id),
        "start": at(TUESDAY, 9).isoformat(),
        "topic": str(about.id),
        "mode": "in_person",
        "name": "Ola Student",
        "email": "ola@uni.example",
        "message": "Help with PubMed",
    }
    body.update(kw)
    return body


def test_librarians_public_profiles(client, topic, librarian, library, create_topic) -> None:
    other_topic = create_topic()
    response = client.get(f"/api/v1/librarians?topic={topic.id}")
    assert response.status_code == 200
    assert response.json == [
        {
            "id": str(librarian.id),
            "name": librarian.name,
            "title": None,
            "topics": [str(topic.id)],
            "libraries": [str(library.id)],
            "modes": ["in_person", "online"],
        }
    ]
    assert "email" not in response.json[0]
    assert client.get(f"/api/v1/librarians?topic={other_topic.id}").json == []
    bad = client.get("/api/v1/librarians?topic=99999")
    assert bad.status_code == 422
    assert bad.json["fields"] == {"topic": "is not a known topic"}


def test_slots_sorted_with_offsets(client, topic, librarian, create_librarian) -> None:
    create_librarian(windows=[(1, time(9, 30), time(10, 15))])
    response = client.get(f"/api/v1/slots?topic={topic.id}&from=2027-01-05&to=2027-01-05")
    assert response.status_code == 200
    starts = [s["start"] for s in response.json]
    assert starts == sorted(starts)
    assert starts[:3] == [
        "2027-01-05T09:00:00+01:00",
        "2027-01-05T09:30:00+01:00",
        "2027-01-05T09:45:00+01:00",
    ]
    first = response.json[0]
    assert first == {
        "start": "2027-01-05T09:00:00+01:00",
        "end": "2027-01-05T09:45:00+01:00",
        "librarian": {"id": str(librarian.id), "name": librarian.name},
        "library": str(librarian.libraries[0].id) if librarian.libraries else first["library"],
        "modes": ["in_person", "online"],
    }


def test_slots_default_to_two_weeks_from_today(client, topic, librarian) -> None:
    days = {s["start"][:10] for s in client.get(f"/api/v1/slots?topic={topic.id}").json}
    assert min(days) == "2027-01-05"  # today (Monday 4th) is inside the notice
    assert max(days) == "2027-01-15"  # the last weekday before 18 January


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("from=2027-01-01&to=2027-03-05", {"to": "is more than 62 days after from"}),
        ("from=2027-01-10&to=2027-01-05", {"to": "is before from"}),
        ("from=5.1.2027", {"from": "is not a date like 2027-01-05"}),
        ("mode=carrier-pigeon", {"mode": "must be one of in_person, online, phone"}),
        ("topic=abc", {"topic": "is not a valid id"}),
        ("librarian=424242", {"librarian": "is not a known librarian"}),
    ],
)
def test_slots_bad_queries(client, topic, query, fields) -> None:
    response = client.get(f"/api/v1/slots?{query}")
    assert response.status_code == 422
    assert response.json["fields"] == fields
    assert response.json["error"]


def test_book_through_the_api(db, client, topic, librarian) -> None:
    response = client.post("/api/v1/appointments", json=body_for(librarian, topic))
    assert response.status_code == 201
    data = response.json
    assert data["status"] == "booked"
    assert (data["start"], data["end"]) == (
        "2027-01-05T09:00:00+01:00",
        "2027-01-05T09:45:00+01:00",
    )
    assert data["librarian"] == {"id": str(librarian.id), "name": librarian.name}
    token = data["manage_token"]
    assert data["ics_url"] == f"https://library.test/book/manage/{token}/appointment.ics"
    assert client.get(data["ics_url"].removeprefix("https://library.test")).status_code == 200
    shown = client.get(f"/api/v1/appointments/{token}")
    assert shown.status_code == 200
    assert shown.json["id"] == data["id"]
    assert count(db) == 1
    assert count(db, OutboundEmail) == 2  # the patron's confirmation and the librarian's note


def test_a_taken_slot_is_409(db, client, topic, librarian) -> None:
    assert client.post("/api/v1/appointments", json=body_for(librarian, topic)).status_code == 201
    again = client.post(
        "/api/v1/appointments", json=body_for(librarian, topic, email="x@uni.example")
    )
    assert again.status_code == 409
    assert again.json["fields"] == {"start": "is no longer free"}
    assert count(db) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"librarian": "424242"}, "librarian"),
        ({"topic": "424242"}, "topic"),
        ({"start": at(TUESDAY, 9, 10).isoformat()}, "start"),
        ({"start": (NOW - timedelta(hours=2)).isoformat()}, "start"),
        ({"start": at(TODAY, 15).isoformat()}, "start"),
        ({"start": "2027-01-05T09:00:00"}, "start"),
        ({"start": "tomorrow"}, "start"),
        ({"email": "not-an-address"}, "email"),
        ({"message": "x" * 2001}, "message"),
        ({"name": ""}, "name"),
        ({"name": 42}, "name"),
        ({"mode": "telepathy"}, "mode"),
        ({"mode": None}, "mode"),
        ({"answers": ["not", "an", "object"]}, "answers"),
    ],
)
def test_bad_bookings_name_the_field_and_store_nothing(
    db, client, topic, librarian, changes, field
) -> None:
    response = client.post("/api/v1/appointments", json=body_for(librarian, topic, **changes))
    assert response.status_code == 422, response.json
    assert field in response.json["fields"]
    assert response.json["error"]
    assert count(db) == 0
    assert count(db, OutboundEmail) == 0


def test_a_body_that_is_not_an_object(client) -> None:
    response = client.post("/api/v1/appointments", data="nonsense", content_type="application/json")
    assert response.status_code == 422
    assert response.json["fields"] == {"body": "must be a JSON object"}


def test_restricted_topic_books_pending_without_a_token(
    db, client, topic, librarian, create_topic_group
) -> None:
    topic.group = create_topic_group(allowed_email_domains="uni.example")
    response = client.post("/api/v1/appointments", json=body_for(librarian, topic))
    assert response.status_code == 202
    assert response.json == {"status": "pending", "hold_until": response.json["hold_until"]}
    # The test clock ticks on from NOW, so the hold ends 30 minutes after the request.
    expires = datetime.fromisoformat(response.json["hold_until"])
    assert NOW + timedelta(minutes=30) <= expires < NOW + timedelta(minutes=31)
    (pending,) = db.session.scalars(select(Appointment))
    assert pending.status == AppointmentStatus.PENDING


def test_cancel_and_reschedule_by_token(db, client, topic, librarian) -> None:
    token = client.post("/api/v1/appointments", json=body_for(librarian, topic)).json[
        "manage_token"
    ]
    other = body_for(librarian, topic, start=at(TUESDAY, 9, 45).isoformat(), email="x@uni.example")
    assert client.post("/api/v1/appointments", json=other).status_code == 201
    taken = client.post(
        f"/api/v1/appointments/{token}/reschedule", json={"start": at(TUESDAY, 9, 45).isoformat()}
    )
    assert taken.status_code == 409
    moved = client.post(
        f"/api/v1/appointments/{token}/reschedule", json={"start": "2027-01-05T10:30:00+01:00"}
    )
    assert moved.status_code == 200
    assert moved.json["start"] == "2027-01-05T10:30:00+01:00"
    bad = client.post(f"/api/v1/appointments/{token}/reschedule", json={})
    assert bad.status_code == 422
    assert bad.json["fields"] == {"start": "is required"}
    cancelled = client.post(f"/api/v1/appointments/{token}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled"
    statuses = set(db.session.scalars(select(Appointment.status)))
    assert statuses == {AppointmentStatus.CANCELLED, AppointmentStatus.BOOKED}


def test_unknown_token_is_404(client) -> None:
    assert client.get("/api/v1/appointments/nope").status_code == 404
    assert client.post("/api/v1/appointments/nope/cancel").status_code == 404
    missing = client.post("/api/v1/appointments/nope/reschedule", json={"start": NOW.isoformat()})
    assert missing.status_code == 404


@pytest.fixture
def app_config(app_config):
    # Only for the rate-limit test below, but harmless for the others: 60 per minute.
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_PUBLIC_WRITE"] = "60 per minute"
    return app_config


def test_public_writes_are_rate_limited_per_client(app, client, topic, librarian) -> None:
    app.config["RATELIMIT_PUBLIC_WRITE"] = "3 per minute"
    statuses = [
        client.post("/api/v1/appointments", json=body_for(librarian, topic, name="")).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
    # The pages share the same budget.
    assert client.post("/book/new", data={}).status_code == 429
