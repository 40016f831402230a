"""The offline queue's replay racing itself: real concurrent requests, one stored row."""

from __future__ import annotations

import threading

import httpx
import pytest
from sqlalchemy import func, select

from scheduler import accounts
from scheduler.models import ApiToken, Inquiry
from tests.desk.conftest import new_uuid


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_same_entry_sent_at_once_from_four_connections_is_stored_once(
    app, db, live_server, world
) -> None:
    token, digest = accounts.new_token()
    db.session.add(ApiToken(person_id=world.staff.id, name="desk tablet", token_hash=digest))
    db.session.commit()
    entry = {
        "client_uuid": new_uuid(),
        "library": str(world.library.id),
        "service_point": str(world.desk.id),
        "channel": "desk",
        "duration": "under_5",
        "category": str(world.printing.id),
    }
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    ids: set[str] = set()
    lock = threading.Lock()

    def send() -> None:
        barrier.wait()
        response = httpx.post(
            f"{live_server}/api/v1/desk/inquiries",
            json=entry,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        with lock:
            statuses.append(response.status_code)
            ids.add(response.json()["id"])

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [200, 200, 200, 201]
    assert len(ids) == 1
    db.session.commit()
    stored = db.session.scalar(
        select(func.count()).select_from(Inquiry).where(Inquiry.client_uuid == entry["client_uuid"])
    )
    assert stored == 1
