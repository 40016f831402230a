"""E-mail confirmation before a registration is final: when the drop-in series asks for
it, and for any address beyond the daily number of bookings and registrations. The place
is held meanwhile, and given up when the hold runs out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from scheduler.booking.dropins.registrations import confirm_registration
from scheduler.errors import Conflict, NotFound
from scheduler.models import (
    DropInSession,
    OutboundEmail,
    Registration,
    RegistrationStatus,
    Role,
    SessionSeries,
)
from scheduler.timeutil import utcnow
from tests.booking.dropins.conftest import calendars, outbox

R, W, C = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


def _confirm_token(mail: OutboundEmail) -> str:
    line = next(x for x in mail.body_text.splitlines() if "/dropins/confirm/" in x)
    return line.rsplit("/", 1)[1].strip()


@pytest.fixture
def confirming(db, create_dropin):
    """A session of a series that asks every registrant to confirm their address."""
    series = SessionSeries(title="Writing week", confirm_by_email=True)
    db.session.add(series)
    db.session.flush()
    return create_dropin(series_id=series.id, capacity=1, waitlist_enabled=True)


def test_off_by_default(db, create_dropin, sign_up):
    done = sign_up(create_dropin(), 1)
    assert not done.pending
    assert done.token is not None


def test_a_series_set_to_confirm_holds_the_place_until_the_link_is_followed(
    db, site, confirming, sign_up
):
    now = utcnow()
    done = sign_up(confirming, 1, now=now)
    assert done.pending
    assert done.token is None
    assert done.hold_until == now + timedelta(minutes=site.hold_minutes)
    (reg,) = done.registrations
    assert reg.status == R  # the place is held
    (mail,) = outbox(db, "student1@uni.example")
    assert mail.subject == f"Confirm your registration: {confirming.title}"
    assert "/dropins/manage/" not in mail.body_text
    assert calendars(mail) == []  # no invitation before the address is confirmed
    # Nobody else gets the held place.
    assert sign_up(confirming, 2, now=now).registrations[0].status == W

    confirmed = confirm_registration(
        db.session, _confirm_token(mail), site=site, now=now + timedelta(minutes=5)
    )
    assert confirmed.token is not None
    assert reg.hold_expires_at is None
    letter = outbox(db, "student1@uni.example")[-1]
    assert f"/dropins/manage/{confirmed.token}" in letter.body_text
    assert calendars(letter)
    # The link again: nothing new, no token (it went by e-mail).
    again = confirm_registration(db.session, _confirm_token(mail), site=site, now=now)
    assert again.token is None
    assert len(outbox(db, "student1@uni.example")) == 2


def test_an_unconfirmed_place_goes_to_the_waitlist_when_the_hold_ends(
    db, site, confirming, sign_up
):
    now = utcnow()
    first = sign_up(confirming, 1, now=now)
    second = sign_up(confirming, 2, now=now)
    assert second.registrations[0].status == W
    # The second confirms in time (and keeps their waitlist position); the first does not.
    token = _confirm_token(outbox(db, "student2@uni.example")[0])
    confirm_registration(db.session, token, site=site, now=now + timedelta(minutes=5))
    later = now + timedelta(minutes=site.hold_minutes + 1)
    sign_up(confirming, 3, now=later)  # any sign-up releases holds that ran out
    assert first.registrations[0].status == C
    assert second.registrations[0].status == R
    with pytest.raises(Conflict):
        confirm_registration(
            db.session, _confirm_token(outbox(db, "student1@uni.example")[0]), site=site, now=later
        )
    with pytest.raises(NotFound):
        confirm_registration(db.session, "not-a-token", site=site, now=later)


def test_beyond_the_daily_number_each_sign_up_waits(db, site, create_dropin, sign_up):
    strict = replace(site, daily_unconfirmed=2)
    now = utcnow()
    sessions = [create_dropin() for _ in range(4)]
    from scheduler.booking.dropins.registrations import register
    from tests.booking.dropins.conftest import person

    outcomes = [register(db.session, [s.id], person(1), site=strict, now=now) for s in sessions[:3]]
    assert [o.pending for o in outcomes] == [False, False, True]
    # Another address is not affected; the same one is again a day later.
    assert not register(db.session, [sessions[0].id], person(2), site=strict, now=now).pending
    tomorrow = now + timedelta(days=1, minutes=1)
    assert not register(db.session, [sessions[3].id], person(1), site=strict, now=tomorrow).pending


def test_the_api_answers_202_and_the_page_confirms(app, db, client, confirming):
    url = f"/api/v1/dropins/{confirming.id}/registrations"
    who = {"name": "Kari", "email": "kari@uni.example", "language": "en"}
    response = client.post(url, json=who)
    assert response.status_code == 202
    assert set(response.json) == {"status", "hold_until"}
    assert response.json["status"] == "pending"
    assert datetime.fromisoformat(response.json["hold_until"]) > utcnow()
    token = _confirm_token(outbox(db, "kari@uni.example")[0])
    page = client.get(f"/dropins/confirm/{token}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Confirm the registration" in page.get_data(as_text=True)
    assert outbox(db, "kari@uni.example")[-1].subject.startswith("Confirm")  # GET did nothing
    confirmed = client.post(f"/dropins/confirm/{token}")
    assert confirmed.status_code == 302
    assert "/dropins/manage/" in confirmed.headers["Location"]
    assert outbox(db, "kari@uni.example")[-1].subject == f"Registered: {confirming.title}"


def test_staff_set_it_on_a_single_session_and_the_public_page_holds_the_place(
    db, client, login, host, create_library
):
    library = create_library()
    host.grant(Role.LIBRARIAN, library)  # sessions are added in one's own libraries
    db.session.commit()
    login(host)
    form = {
        "title": "Thesis clinic",
        "library": str(library.id),
        "date": (date.today() + timedelta(days=7)).isoformat(),
        "start_time": "10:00",
        "end_time": "11:00",
        "repeat": "once",
        "hosts": [str(host.id)],
        "registration_required": "y",
        "capacity": "5",
        "confirm_by_email": "y",
    }
    assert client.post("/staff/dropins/new", data=form).status_code == 302
    (dropin,) = db.session.scalars(select(DropInSession))
    assert dropin.series is not None
    assert dropin.series.confirm_by_email
    client.post("/sign-out")
    with client.session_transaction() as browser:
        browser.clear()
    response = client.post(
        f"/dropins/{dropin.id}",
        data={"name": "Kari", "email": "kari@uni.example"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dropins/{dropin.id}")
    (reg,) = db.session.scalars(select(Registration))
    assert reg.hold_expires_at is not None
    assert outbox(db, "kari@uni.example")[0].subject == "Confirm your registration: Thesis clinic"
    # Turning it off again on the edit page lets the next registrant in at once.
    form["confirm_by_email"] = ""
    login(host)
    assert client.post(f"/staff/dropins/{dropin.id}/edit", data=form).status_code == 302
    db.session.refresh(dropin.series)
    assert not dropin.series.confirm_by_email


def test_the_sweep_gives_expired_places_away_without_waiting_for_a_sign_up(
    db, site, confirming, sign_up, time_machine
):
    from scheduler.booking.dropins.registrations import release_expired_registration_holds

    now = utcnow()
    first = sign_up(confirming, 1, now=now)
    assert release_expired_registration_holds(db.session, {}) == 0
    time_machine.move_to(now + timedelta(minutes=site.hold_minutes + 1))
    assert release_expired_registration_holds(db.session, {}) == 1
    assert first.registrations[0].status == C
