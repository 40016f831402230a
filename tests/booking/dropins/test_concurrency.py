"""Capacity and duplicates hold under truly concurrent requests (a threaded HTTP server).

Runs on SQLite (one writer at a time) and PostgreSQL (row lock on the session), where
many requests reach the count-then-insert step at the same moment.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from scheduler.models import Registration, RegistrationStatus


def _post(url: str, payload: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(payload or {}).encode()
    req = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _all_at_once(calls: list) -> list[tuple[int, dict]]:
    """Run every call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _rows(db, session_id: int) -> list[Registration]:
    # End the test's own read transaction: on SQLite (WAL) it still sees its old snapshot.
    db.session.rollback()
    return list(
        db.session.scalars(select(Registration).where(Registration.session_id == session_id))
    )


def test_100_simultaneous_sign_ups_for_10_places(live_server, db, create_dropin) -> None:
    dropin = create_dropin(capacity=10)
    db.session.commit()
    url = f"{live_server}/api/v1/dropins/{dropin.id}/registrations"
    calls = [
        (lambda n=n: _post(url, {"name": f"Student {n}", "email": f"s{n}@uni.example"}))
        for n in range(100)
    ]
    results = _all_at_once(calls)
    assert [status for status, _ in results] == [201] * 100, results
    statuses = [body["status"] for _, body in results]
    assert statuses.count("registered") == 10
    assert statuses.count("waitlisted") == 90
    positions = sorted(body["position"] for _, body in results if body["status"] == "waitlisted")
    assert positions == list(range(1, 91))
    rows = _rows(db, dropin.id)
    assert sum(r.status == RegistrationStatus.REGISTERED for r in rows) == 10
    assert sorted(r.position for r in rows if r.status == RegistrationStatus.WAITLISTED) == list(
        range(1, 91)
    )


def test_the_same_address_at_once_gets_exactly_one_place(live_server, db, create_dropin) -> None:
    dropin = create_dropin(capacity=10)
    db.session.commit()
    url = f"{live_server}/api/v1/dropins/{dropin.id}/registrations"
    who = {"name": "Kari", "email": "kari@uni.example"}
    results = _all_at_once([lambda: _post(url, who) for _ in range(20)])
    codes = sorted(status for status, _ in results)
    assert codes == [201] + [409] * 19
    refused = [body for status, body in results if status == 409]
    assert all(
        body["fields"] == {"email": "is already signed up for this session"} for body in refused
    )
    assert len(_rows(db, dropin.id)) == 1


def test_cancellations_and_sign_ups_racing_keep_places_and_positions(
    live_server, db, create_dropin
) -> None:
    dropin = create_dropin(capacity=5)
    db.session.commit()
    url = f"{live_server}/api/v1/dropins/{dropin.id}/registrations"
    tokens = []
    for n in range(10):  # 5 places taken, 5 waiting
        status, body = _post(url, {"name": f"Early {n}", "email": f"early{n}@uni.example"})
        assert status == 201
        tokens.append(body["manage_token"])
    cancels = [
        (lambda t=t: _post(f"{live_server}/api/v1/registrations/{t}/cancel")) for t in tokens[:5]
    ]
    joins = [
        (lambda n=n: _post(url, {"name": f"Late {n}", "email": f"late{n}@uni.example"}))
        for n in range(20)
    ]
    results = _all_at_once(cancels + joins)
    assert {status for status, _ in results[:5]} == {200}
    assert {status for status, _ in results[5:]} == {201}
    rows = _rows(db, dropin.id)
    registered = [r for r in rows if r.status == RegistrationStatus.REGISTERED]
    waiting = sorted(r.position for r in rows if r.status == RegistrationStatus.WAITLISTED)
    assert len(registered) == 5
    assert waiting == list(range(1, 21))
    # The places freed went to the people who had waited longest.
    assert {r.email for r in registered} == {f"early{n}@uni.example" for n in range(5, 10)}
