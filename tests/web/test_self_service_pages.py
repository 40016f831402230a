"""Self-service pages end to end through HTTP: offer → accept → approve → "my shifts",
the calendar feed and e-mails change; refusals name the rule and change nothing; the
inbox count in the navigation; the hours statement as a page and as CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from scheduler.calendars import tokens
from scheduler.models import RequestStatus, StaffRequest
from tests.rostering.self_service_data import (
    confirmed,
    mail_count,
    mails_since,
    published_roster_world,
    row,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def roster(db, create_library, create_person):
    return published_roster_world(db, create_library, create_person)


def feed_events(client, token: str) -> dict:
    """The person's shift feed: {(DTSTART, STATUS): SEQUENCE}."""
    response = client.get(f"/feeds/{token}/shifts.ics")
    assert response.status_code == 200
    cal = Calendar.from_ical(response.data)
    return {
        (ev.decoded("DTSTART"), str(ev.get("STATUS"))): int(ev.get("SEQUENCE", 0))
        for ev in cal.walk("VEVENT")
    }


def test_offer_accept_approve_changes_my_shifts_feeds_and_tells_both(
    app, db, client, login, roster
) -> None:
    key = app.config["SECRET_KEY"]
    _r, bo_token = tokens.issue_token(db.session, roster.bo, key=key)
    _r, cai_token = tokens.issue_token(db.session, roster.cai, key=key)
    thu = roster.shifts["desk-thu-08"]
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)

    login(roster.bo)
    page = client.get("/staff/my-shifts", headers=EN).get_data(as_text=True)
    assert f"/staff/shift-requests?shift={bo_thu.id}#offer" in page
    response = client.post(
        "/staff/shift-requests/offer",
        data={"shift": bo_thu.id, "mode": "person", "to_person": roster.cai.id},
        headers=EN,
    )
    assert response.status_code == 303
    req = db.session.scalar(select(StaffRequest))
    assert req.status == RequestStatus.OFFERED

    login(roster.cai)
    page = client.get("/staff/shift-requests", headers=EN).get_data(as_text=True)
    assert "Shifts offered to you" in page
    assert f"/staff/shift-requests/{req.id}/accept" in page
    assert client.post(f"/staff/shift-requests/{req.id}/accept").status_code == 303

    login(roster.leader)
    page = client.get("/staff/approvals", headers=EN).get_data(as_text=True)
    assert 'Approvals <span class="badge">1' in page  # the count in the navigation
    assert f"/staff/approvals/{req.id}/approve" in page
    sent = mail_count(db)
    assert client.post(f"/staff/approvals/{req.id}/approve").status_code == 303
    assert db.session.get(StaffRequest, req.id).status == RequestStatus.APPROVED
    page = client.get("/staff/approvals", headers=EN).get_data(as_text=True)
    assert 'class="badge"' not in page

    # Both colleagues' "my shifts" and feeds show it.
    assert (thu.starts_at, roster.desk.id) in confirmed(db, roster.cai)
    assert (thu.starts_at, roster.desk.id) not in confirmed(db, roster.bo)
    login(roster.cai)
    page = client.get("/staff/my-shifts", headers=EN).get_data(as_text=True)
    assert f'id="shift-{row(db, roster, "desk-thu-08", roster.cai).id}"' in page
    login(roster.bo)
    page = client.get("/staff/my-shifts", headers=EN).get_data(as_text=True)
    assert f'id="shift-{bo_thu.id}"' not in page
    assert feed_events(client, cai_token)[(thu.starts_at, "CONFIRMED")] == 0
    assert feed_events(client, bo_token)[(thu.starts_at, "CANCELLED")] == 1
    assert sorted(m.to_address for m in mails_since(db, sent)) == [
        "bo@uni.example",
        "cai@uni.example",
    ]


def test_an_illegal_offer_names_the_rule_and_changes_nothing(db, client, login, roster) -> None:
    login(roster.anna)
    anna_mon = row(db, roster, "desk-mon-08", roster.anna)
    response = client.post(
        "/staff/shift-requests/offer",
        data={"shift": anna_mon.id, "mode": "person", "to_person": roster.bo.id},
        headers=EN,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was changed" in html
    assert "Hours in a week:" in html
    assert db.session.scalar(select(StaffRequest.id)) is None


def test_time_off_from_the_page_and_declined_from_the_inbox(db, client, login, roster) -> None:
    login(roster.bo)
    tuesday = roster.period.start_date + timedelta(days=1)
    response = client.post(
        "/staff/shift-requests/time-off",
        data={
            "library": roster.period.library_id,
            "kind": "leave",
            "first_day": tuesday.isoformat(),
        },
    )
    assert response.status_code == 303
    bad = client.post(
        "/staff/shift-requests/time-off",
        data={"library": roster.period.library_id, "kind": "leave", "first_day": "tuesday"},
        headers=EN,
    )
    assert bad.status_code == 422
    assert "first_day: is not a date like 2027-01-05" in bad.get_data(as_text=True)
    req = db.session.scalar(select(StaffRequest))
    login(roster.leader)
    page = client.get("/staff/approvals", headers=EN).get_data(as_text=True)
    assert "Published shifts this empties" in page
    assert "Anna" in page  # a ranked replacement
    missing = client.post(f"/staff/approvals/{req.id}/decline", data={"reason": ""}, headers=EN)
    assert missing.status_code == 422
    assert "reason: say why" in missing.get_data(as_text=True)
    assert (
        client.post(f"/staff/approvals/{req.id}/decline", data={"reason": "Busy week"}).status_code
        == 303
    )
    assert db.session.get(StaffRequest, req.id).status == RequestStatus.DECLINED


def test_the_pages_are_for_their_roles(client, login, roster) -> None:
    login(roster.bo)
    assert client.get("/staff/approvals").status_code == 403
    login(roster.librarian)
    assert client.get("/staff/shift-requests").status_code == 403


def test_the_hours_statement_page_and_csv(client, login, roster) -> None:
    login(roster.bo)
    month = roster.period.start_date.strftime("%Y-%m")
    page = client.get(f"/staff/hours?month={month}", headers=EN)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Hours statement" in page.get_data(as_text=True)
    csv = client.get(f"/staff/hours.csv?month={month}")
    assert csv.status_code == 200
    assert csv.headers["Cache-Control"] == "no-store"
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("person,email,library,iso_week")
    assert lines[-1].split(",")[3] == "total"
    bad = client.get("/staff/hours?month=2027-13", headers=EN)
    assert bad.status_code == 422
    # Someone else's hours: only for their section leader.
    login(roster.anna)
    assert client.get(f"/staff/hours?month={month}&person={roster.bo.id}").status_code == 403
    assert (
        client.get(
            f"/staff/hours.csv?month={month}&person=all&library={roster.period.library_id}"
        ).status_code
        == 403
    )
    login(roster.leader)
    assert (
        client.get(
            f"/staff/hours?month={month}&person={roster.bo.id}&library={roster.period.library_id}"
        ).status_code
        == 200
    )
    # The payroll export: everyone in the pool, one header, a week block and a total each.
    everyone = client.get(
        f"/staff/hours.csv?month={month}&person=all&library={roster.period.library_id}"
    )
    assert everyone.status_code == 200
    assert everyone.headers["Cache-Control"] == "no-store"
    rows = everyone.get_data(as_text=True).splitlines()
    totals = [r.split(",")[0] for r in rows if r.split(",")[3] == "total"]
    assert totals == ["Anna", "Bo", "Cai"]


def test_the_pages_speak_bokmal(db, client, login, roster) -> None:
    nb = {"Accept-Language": "nb"}
    login(roster.bo)
    assert "Bytter og fri" in client.get("/staff/shift-requests", headers=nb).get_data(True)
    assert "Timeoversikt" in client.get("/staff/hours", headers=nb).get_data(True)
    login(roster.leader)
    assert "Godkjenninger" in client.get("/staff/approvals", headers=nb).get_data(True)


def test_a_short_shift_is_posted_from_the_inbox_and_claimed_from_the_staff_page(
    db, client, login, roster
) -> None:
    from scheduler.models import OpenShift, RequestKind
    from scheduler.rostering import approvals, time_off
    from scheduler.timeutil import day_bounds
    from tests.rostering.self_service_data import CTX

    start, end = day_bounds(roster.period.start_date + timedelta(days=1), "Europe/Oslo")
    req = time_off.request_time_off(
        db.session, roster.bo, roster.period.library, kind="leave", starts_at=start, ends_at=end
    )
    approvals.approve(db.session, roster.leader, req.id, ctx=CTX)
    tue8 = roster.shifts["desk-tue-08"]
    login(roster.leader)
    page = client.get("/staff/approvals", headers=EN).get_data(as_text=True)
    assert "Short of people" in page
    assert f'name="shift" value="{tue8.id}"' in page
    posted = client.post("/staff/approvals/open-shifts", data={"shift": tue8.id, "note": "Cover"})
    assert posted.status_code == 303
    post = db.session.scalar(select(OpenShift))
    login(roster.cai)
    page = client.get("/staff/shift-requests", headers=EN).get_data(as_text=True)
    assert f"/staff/shift-requests/open-shifts/{post.id}/claim" in page
    assert client.post(f"/staff/shift-requests/open-shifts/{post.id}/claim").status_code == 303
    assert (tue8.starts_at, roster.desk.id) in confirmed(db, roster.cai)
    claim = db.session.scalar(select(StaffRequest).where(StaffRequest.kind == RequestKind.CLAIM))
    assert claim.taker_id == roster.cai.id
    # The second claim is refused on the page, and nothing changes.
    login(roster.anna)
    late = client.post(f"/staff/shift-requests/open-shifts/{post.id}/claim", headers=EN)
    assert late.status_code == 409
    assert "already been taken" in late.get_data(as_text=True)
