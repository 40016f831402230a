"""The desk page without JavaScript, the API the queue sends to, and who may use them."""

from __future__ import annotations

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scheduler.models import Inquiry, PublishedShift
from scheduler.timeutil import utcnow
from tests.desk.conftest import new_uuid

EN = {"Accept-Language": "en"}


def _csrf(client) -> dict[str, str]:
    """The header the desk page's script sends (cookie sessions need it on the API)."""
    return {"X-CSRFToken": client.get("/desk/csrf").get_json()["csrf_token"]}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Inquiry))


def _form_values(html: str) -> dict[str, str]:
    """What a browser without script would send: hidden fields and checked choices."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id="desk-form")
    values = {}
    for tag in form.find_all("input"):
        if tag.get("type") in ("radio", "checkbox") and not tag.has_attr("checked"):
            continue
        values[tag["name"]] = tag.get("value", "")
    return values


def test_the_page_preselects_the_point_and_channel_of_the_current_shift(
    client, db, login, world
) -> None:
    now = utcnow()
    db.session.add(
        PublishedShift(
            person_id=world.staff.id,
            service_point_id=world.phone.id,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
    )
    login(world.staff)
    values = _form_values(client.get("/desk/").get_data(as_text=True))
    assert values["service_point"] == str(world.phone.id)
    assert values["channel"] == "phone"
    assert values["duration"] == "under_5"
    assert values["library"] == str(world.library.id)


def test_a_plain_form_post_logs_once_even_when_sent_twice(client, db, login, world) -> None:
    login(world.staff)
    values = _form_values(client.get("/desk/").get_data(as_text=True))
    values.update({"category": str(world.reference.id), "read_scale": "3"})
    values.update({"channel": "chat", "service_point": str(world.phone.id)})
    first = client.post("/desk/", data=values)
    assert first.status_code == 303
    # The next entry starts from the same point and channel.
    following = _form_values(client.get(first.headers["Location"]).get_data(as_text=True))
    assert (following["service_point"], following["channel"]) == (str(world.phone.id), "chat")
    assert "category" not in following
    again = client.post("/desk/", data=values, follow_redirects=True, headers=EN)
    assert "Already logged." in again.get_data(as_text=True)
    assert _count(db) == 1
    stored = db.session.scalar(select(Inquiry))
    assert (stored.category_id, stored.read_scale) == (world.reference.id, 3)


def test_a_refused_form_names_the_field_and_stores_nothing(client, db, login, world) -> None:
    login(world.staff)
    values = _form_values(client.get("/desk/").get_data(as_text=True))
    values["read_scale"] = "9"
    response = client.post("/desk/", data=values, headers=EN)
    assert response.status_code == 422
    assert "READ scale (optional): must be a whole number from 1 to 6" in response.get_data(
        as_text=True
    )
    assert _count(db) == 0


def test_the_api_answers_201_then_200_for_a_resend(client, db, login, world) -> None:
    login(world.staff)
    entry = {
        "client_uuid": new_uuid(),
        "library": str(world.library.id),
        "channel": "email",
        "duration": "15_30",
        "referred_to": str(world.tax.id),
        "description": "Asked about a tax card",
    }
    headers = _csrf(client)
    assert client.post("/api/v1/desk/inquiries", json=entry).status_code == 400  # no token
    first = client.post("/api/v1/desk/inquiries", json=entry, headers=headers)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["created"] is True
    again = client.post("/api/v1/desk/inquiries", json=entry, headers=headers)
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert _count(db) == 1


def test_the_api_names_bad_fields(client, db, login, world) -> None:
    login(world.staff)
    response = client.post(
        "/api/v1/desk/inquiries",
        json={"client_uuid": "x", "library": str(world.library.id)},
        headers=_csrf(client),
    )
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"client_uuid", "channel", "duration"}


def test_staff_of_another_library_cannot_log_here(client, db, login, world) -> None:
    login(world.outsider)
    entry = {
        "client_uuid": new_uuid(),
        "library": str(world.library.id),
        "channel": "desk",
        "duration": "under_5",
    }
    response = client.post("/api/v1/desk/inquiries", json=entry, headers=_csrf(client))
    assert response.status_code == 403
    # The page offers only the person's own library, and will not show another.
    assert client.get(f"/desk/?library={world.library.id}").status_code == 404
    assert _count(db) == 0


def test_signed_out_clients_are_told_to_sign_in(client, db, world) -> None:
    response = client.post("/api/v1/desk/inquiries", json={})
    assert response.status_code == 401


def test_a_wrong_tap_can_be_removed_by_its_author(client, db, login, world) -> None:
    login(world.staff)
    values = _form_values(client.get("/desk/").get_data(as_text=True))
    client.post("/desk/", data=values)
    inquiry = db.session.scalar(select(Inquiry))
    login(world.leader)
    assert client.post(f"/desk/entries/{inquiry.id}/remove").status_code == 404
    login(world.staff)
    assert client.post(f"/desk/entries/{inquiry.id}/remove").status_code == 303
    assert _count(db) == 0


def test_a_handover_booked_from_the_desk_is_offered_and_linked(
    client, db, login, world, create_person
) -> None:
    import secrets

    from scheduler.models import Appointment, Mode

    librarian = create_person(name="Liv Librarian")
    starts = utcnow() + timedelta(days=2)
    booked = Appointment(
        librarian=librarian,
        library_id=world.library.id,
        mode=Mode.IN_PERSON,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=45),
        manage_token_hash=secrets.token_hex(32),
        booked_by_id=world.staff.id,
    )
    db.session.add(booked)
    db.session.flush()
    login(world.staff)
    html = client.get(f"/desk/?appointment={booked.id}").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    select_ = soup.find("select", id="appointment")
    option = next(o for o in select_.find_all("option") if o.has_attr("selected"))
    assert option["value"] == str(booked.id)
    assert "Liv Librarian" in option.get_text()
    values = _form_values(html)
    values["appointment"] = str(booked.id)
    assert client.post("/desk/", data=values).status_code == 303
    stored = db.session.scalar(select(Inquiry))
    assert (stored.appointment_id, stored.handed_over) == (booked.id, True)
