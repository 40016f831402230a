"""Booking throughput: patrons book free slots as fast as the server takes them.

Each user lists a topic's free times for one week (spread over the eight weeks that are
open) and books one of them; 409 (someone was faster) counts as an answer, not an error.
The 201s per second are the bookings/s that bench/load/pgbench_ceiling.py compares with
the database's simple-update ceiling.

    locust -f bench/load/scenarios/bookings.py -u 50 -r 10 --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

from common import LoadUser, booking_body, random_topic
from locust import constant, task

_numbers = itertools.count(1)


class Booker(LoadUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.slots: list = []
        self.topic = random_topic()

    @task
    def book(self) -> None:
        if not self.slots:
            self.topic = random_topic()
            first = date.today() + timedelta(days=random.randint(2, 50))
            last = first + timedelta(days=6)
            answer = self.client.get(
                f"/api/v1/slots?topic={self.topic['id']}&from={first}&to={last}",
                name="/api/v1/slots?topic [1 week]",
            )
            self.slots = answer.json() if answer.status_code == 200 else []
            random.shuffle(self.slots)
            return
        slot = self.slots.pop()
        with self.client.post(
            "/api/v1/appointments",
            json=booking_body(slot, self.topic, 200_000 + next(_numbers)),
            name="/api/v1/appointments [POST]",
            catch_response=True,
        ) as answer:
            if answer.status_code in (201, 409, 422):
                answer.success()
            else:
                answer.failure(f"book answered {answer.status_code}")
