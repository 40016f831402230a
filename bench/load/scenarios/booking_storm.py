"""Booking storm: 500 patrons try to book the same 50 slots at the same moment.

Before the users start, 50 free slots two to three weeks ahead are picked through the
API (at most one per librarian and day, so that no two of them overlap). Each user is
given one of them (ten users per slot), waits until all users are spawned, sends one
booking, and stops. Exactly 50 bookings must succeed and the other 450 get a clean 409;
the runner checks the database afterwards against ``storm_slots`` in the status file.

    locust -f bench/load/scenarios/booking_storm.py -u 500 -r 500 --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import json
import urllib.request
from datetime import date, timedelta
from typing import Any

import gevent
from common import EXTRA, LoadUser, booking_body, plan
from gevent.event import Event
from locust import constant, events, task
from locust.exception import StopUser

SLOTS = 50
_all_spawned = Event()
_numbers = itertools.count(0)
_done = itertools.count(1)
TARGETS: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (slot, topic)


@events.test_start.add_listener
def _pick_slots(environment: Any, **_kw: Any) -> None:
    first = date.today() + timedelta(days=14)
    last = first + timedelta(days=6)
    seen: set[tuple[str, str]] = set()
    for topic in plan()["open_topics"]:
        url = f"{environment.host}/api/v1/slots?topic={topic['id']}&from={first}&to={last}"
        with urllib.request.urlopen(url, timeout=30) as answer:
            slots = json.load(answer)
        for slot in slots:
            key = (slot["librarian"]["id"], slot["start"][:10])
            if key in seen:
                continue
            seen.add(key)
            TARGETS.append((slot, topic))
            if len(TARGETS) == SLOTS:
                break
        if len(TARGETS) == SLOTS:
            break
    EXTRA["storm_slots"] = [[s["librarian"]["id"], s["start"]] for s, _t in TARGETS]
    if len(TARGETS) < SLOTS:
        raise SystemExit(f"error: only {len(TARGETS)} free slots found for the storm")


@events.spawning_complete.add_listener
def _release(user_count: int, **_kw: Any) -> None:
    _all_spawned.set()


class StormPatron(LoadUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.n = next(_numbers)
        _all_spawned.wait()

    @task
    def book_once(self) -> None:
        slot, topic = TARGETS[self.n % len(TARGETS)]
        with self.client.post(
            "/api/v1/appointments",
            json=booking_body(slot, topic, 100_000 + self.n),
            name="/api/v1/appointments [storm]",
            catch_response=True,
        ) as answer:
            if answer.status_code in (201, 409):
                answer.success()
            else:
                answer.failure(f"storm booking answered {answer.status_code}")
        if next(_done) == self.environment.runner.target_user_count:
            # Everyone has had their try: end the run now rather than at --run-time.
            gevent.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser()
