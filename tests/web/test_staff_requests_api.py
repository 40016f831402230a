"""/api/v1/staff/requests with personal API tokens: each request type end to end, bad
input, and races with real concurrent HTTP requests against a served app (on SQLite the
write transactions serialise; on PostgreSQL the period lock and conditional UPDATEs)."""

from __future__ import annotations

import json
import secrets
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scheduler.accounts import token_digest
from scheduler.calendars import tokens
from scheduler.models import (
    ApiToken,
    OpenShift,
    OpenShiftStatus,
    PublishedShift,
    PublishedShiftStatus,
    RequestStatus,
    Role,
    StaffRequest,
)
from scheduler.rostering import approvals, open_shifts, swaps, time_off
from scheduler.timeutil import day_bounds
from tests.rostering.self_service_data import (
    CTX,
    confirmed,
    mail_count,
    mails_since,
    published_roster_world,
    row,
)
from tests.web.test_self_service_pages import feed_events


@pytest.fixture
def roster(db, create_library, create_person):
    return published_roster_world(db, create_library, create_person)


@pytest.fixture
def api_token(db):
    def _issue(person) -> dict[str, str]:
        raw = secrets.token_urlsafe(24)
        db.session.add(ApiToken(person_id=person.id, name="test", token_hash=token_digest(raw)))
        db.session.flush()
        return {"Authorization": f"Bearer {raw}"}

    return _issue


def test_time_off_through_the_api_end_to_end(app, db, client, roster, api_token) -> None:
    bo, lea = api_token(roster.bo), api_token(roster.leader)
    _r, feed = tokens.issue_token(db.session, roster.bo, key=app.config["SECRET_KEY"])
    start, end = day_bounds(roster.period.start_date + timedelta(days=1), "Europe/Oslo")
    assert client.get("/api/v1/staff/requests").status_code == 401
    created = client.post(
        "/api/v1/staff/requests",
        json={
            "type": "time_off",
            "library": str(roster.period.library_id),
            "kind": "leave",
            "start": start.isoformat(),
            "end": end.isoformat(),
        },
        headers=bo,
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["type"], body["status"], body["kind"]) == ("time_off", "pending", "leave")
    inbox = client.get("/api/v1/staff/requests?scope=inbox", headers=lea).get_json()
    assert [r["id"] for r in inbox] == [body["id"]]
    assert client.get("/api/v1/staff/requests?scope=inbox", headers=bo).get_json() == []
    assert (
        client.post(f"/api/v1/staff/requests/{body['id']}/approve", headers=bo).status_code == 403
    )
    sent = mail_count(db)
    approved = client.post(f"/api/v1/staff/requests/{body['id']}/approve", json={}, headers=lea)
    assert approved.status_code == 200
    assert approved.get_json()["status"] == "approved"
    # Published roster, feed and e-mail.
    tue8 = roster.shifts["desk-tue-08"]
    assert (tue8.starts_at, roster.desk.id) not in confirmed(db, roster.bo)
    assert feed_events(client, feed)[(tue8.starts_at, "CANCELLED")] == 1
    assert [m.to_address for m in mails_since(db, sent)] == ["bo@uni.example"]


def test_a_swap_and_a_claim_through_the_api(app, db, client, roster, api_token) -> None:
    bo, cai, lea = api_token(roster.bo), api_token(roster.cai), api_token(roster.leader)
    _r, cai_feed = tokens.issue_token(db.session, roster.cai, key=app.config["SECRET_KEY"])
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    offered = client.post(
        "/api/v1/staff/requests", json={"type": "swap", "shift": str(bo_thu.id)}, headers=bo
    )
    assert offered.status_code == 201, offered.get_json()
    rid = offered.get_json()["id"]
    assert rid in [r["id"] for r in client.get("/api/v1/staff/requests", headers=cai).get_json()]
    again = client.post(
        "/api/v1/staff/requests", json={"type": "swap", "shift": str(bo_thu.id)}, headers=bo
    )
    assert again.status_code == 409
    assert "already has an open request" in again.get_json()["fields"]["shift"]
    assert client.post(f"/api/v1/staff/requests/{rid}/accept", headers=cai).status_code == 200
    assert client.post(f"/api/v1/staff/requests/{rid}/approve", headers=lea).status_code == 200
    thu = roster.shifts["desk-thu-08"]
    assert (thu.starts_at, roster.desk.id) in confirmed(db, roster.cai)

    # A shift short after time off, posted, claimed through the API.
    start, end = day_bounds(roster.period.start_date + timedelta(days=1), "Europe/Oslo")
    req = time_off.request_time_off(
        db.session, roster.bo, roster.period.library, kind="leave", starts_at=start, ends_at=end
    )
    approvals.approve(db.session, roster.leader, req.id, ctx=CTX)
    post = open_shifts.post(db.session, roster.leader, roster.shifts["desk-tue-08"].id)
    db.session.commit()
    listed = client.get("/api/v1/staff/open-shifts", headers=cai).get_json()
    assert [(o["id"], o["claimable"]) for o in listed] == [(str(post.id), True)]
    sent = mail_count(db)
    claimed = client.post(
        "/api/v1/staff/requests", json={"type": "claim", "open_shift": str(post.id)}, headers=cai
    )
    assert claimed.status_code == 201
    assert claimed.get_json()["status"] == "approved"
    tue8 = roster.shifts["desk-tue-08"]
    assert feed_events(client, cai_feed)[(tue8.starts_at, "CONFIRMED")] == 0
    assert [m.to_address for m in mails_since(db, sent)] == ["cai@uni.example"]


def test_bad_input_names_the_field_and_changes_nothing(db, client, roster, api_token) -> None:
    bo = api_token(roster.bo)
    cases = [
        ({"type": "holiday"}, "type"),
        ({"type": "swap"}, "shift"),
        ({"type": "time_off", "library": "x"}, "library"),
        (
            {
                "type": "time_off",
                "library": str(roster.period.library_id),
                "kind": "sick",
                "start": "2030-01-01T08:00:00+01:00",
                "end": "2030-01-01T16:00:00+01:00",
            },
            "kind",
        ),
    ]
    for body, field in cases:
        response = client.post("/api/v1/staff/requests", json=body, headers=bo)
        assert response.status_code == 422, body
        assert field in response.get_json()["fields"], response.get_json()
    anna_mon = row(db, roster, "desk-mon-08", roster.anna)
    illegal = client.post(
        "/api/v1/staff/requests",
        json={"type": "swap", "shift": str(anna_mon.id), "to_person": str(roster.bo.id)},
        headers=api_token(roster.anna),
    )
    assert illegal.status_code == 422
    assert "H6 weekly hours" in illegal.get_json()["fields"]["to_person"]
    assert db.session.scalar(select(func.count()).select_from(StaffRequest)) == 0


def _post(url: str, headers: dict[str, str], body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body or {}).encode()
    req = urllib.request.Request(
        url, data=data, headers={**headers, "Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _together(calls) -> list[tuple[int, dict]]:
    """Run the calls in threads released by one barrier; results in call order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call) -> None:
        barrier.wait(10)
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_concurrent_claims_exactly_one_wins(
    db, live_server, roster, api_token, create_person
) -> None:
    # Four colleagues free on Tuesday morning, all allowed to take the desk shift.
    lib = roster.period.library
    extra = [
        create_person(
            Role.FIRST_LINE,
            name=f"Extra {i}",
            skills=["desk"],
            libraries=[lib],
            min_hours_per_week=0,
            max_hours_per_week=8,
        )
        for i in range(2)
    ]
    start, end = day_bounds(roster.period.start_date + timedelta(days=1), "Europe/Oslo")
    req = time_off.request_time_off(
        db.session, roster.bo, lib, kind="leave", starts_at=start, ends_at=end
    )
    approvals.approve(db.session, roster.leader, req.id, ctx=CTX)
    post = open_shifts.post(db.session, roster.leader, roster.shifts["desk-tue-08"].id)
    claimants = [roster.anna, roster.cai, *extra]
    headers = [api_token(p) for p in claimants]
    post_id = post.id
    db.session.commit()
    url = f"{live_server}/api/v1/staff/requests"
    body = {"type": "claim", "open_shift": str(post_id)}
    results = _together([lambda h=h: _post(url, h, body) for h in headers])
    statuses = sorted(code for code, _body in results)
    assert statuses == [201, 409, 409, 409], results
    for code, answer in results:
        if code == 409:
            assert "already been taken" in answer["fields"]["open_shift"]
    db.session.rollback()
    tue8 = roster.shifts["desk-tue-08"]
    holders = list(
        db.session.scalars(
            select(PublishedShift.person_id).where(
                PublishedShift.starts_at == tue8.starts_at,
                PublishedShift.service_point_id == tue8.service_point_id,
                PublishedShift.status == PublishedShiftStatus.CONFIRMED,
            )
        )
    )
    assert len(holders) == 1
    post = db.session.get(OpenShift, post.id)
    assert (post.filled, post.status) == (1, OpenShiftStatus.FILLED)


def test_two_leaders_approving_conflicting_requests_at_once(
    db, live_server, roster, api_token, create_person
) -> None:
    second = create_person(
        Role.SECTION_LEADER, name="Sam Second", email="sam@uni.example",
        libraries=[roster.period.library],
    )  # fmt: skip
    bo_thu = row(db, roster, "desk-thu-08", roster.bo)
    anna_mon = row(db, roster, "desk-mon-08", roster.anna)
    # Both requests need Bo's Thursday: Anna trades for it, Bo gives it to Cai.
    trade = swaps.offer(db.session, roster.anna, anna_mon.id, trade_shift_id=bo_thu.id, ctx=CTX)
    give = swaps.offer(db.session, roster.bo, bo_thu.id, to_person_id=roster.cai.id, ctx=CTX)
    swaps.accept(db.session, roster.bo, trade.id, ctx=CTX)
    swaps.accept(db.session, roster.cai, give.id, ctx=CTX)
    lea, sam = api_token(roster.leader), api_token(second)
    trade_id, give_id = trade.id, give.id
    db.session.commit()
    base = f"{live_server}/api/v1/staff/requests"
    results = _together(
        [
            lambda: _post(f"{base}/{trade_id}/approve", lea),
            lambda: _post(f"{base}/{give_id}/approve", sam),
        ]
    )
    codes = sorted(code for code, _b in results)
    assert codes == [200, 409], results
    loser = next(b for code, b in results if code == 409)
    assert "has changed since the request was made" in loser["error"] + json.dumps(loser["fields"])
    db.session.rollback()
    statuses = {
        db.session.get(StaffRequest, trade_id).status,
        db.session.get(StaffRequest, give_id).status,
    }
    assert statuses == {RequestStatus.APPROVED, RequestStatus.PENDING}
    thu = roster.shifts["desk-thu-08"]
    holders = [
        p
        for p in (roster.anna, roster.bo, roster.cai)
        if (thu.starts_at, roster.desk.id) in confirmed(db, p)
    ]
    assert len(holders) == 1  # Thursday went to exactly one of them
