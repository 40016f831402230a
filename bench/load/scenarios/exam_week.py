"""Exam week: patrons browse topics, list free slots, book, reschedule and cancel.

About 90 % reads and 10 % writes (by task weight). A booking that loses its slot to
another patron gets a 409, which is a correct answer here, not an error.

    locust -f bench/load/scenarios/exam_week.py --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import random
from typing import Any

from common import LoadUser, booking_body, four_weeks, random_topic, record_booking
from locust import between, task

_numbers = itertools.count(1)
EXPECTED_WRITE = (200, 201, 409, 422)  # 422: the slot moved away between list and write


class Patron(LoadUser):
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.slots: list[dict[str, Any]] = []
        self.topic = random_topic()
        self.mine: list[tuple[str, dict[str, Any]]] = []  # (manage token, its slot)

    # Reads -----------------------------------------------------------------------------

    @task(10)
    def front_and_topics(self) -> None:
        self.client.get("/", name="/")
        self.client.get("/book/", name="/book/")
        self.client.get("/api/v1/topics", name="/api/v1/topics")

    @task(15)
    def topic_page(self) -> None:
        self.topic = random_topic()
        self.client.get(f"/book/topic/{self.topic['slug']}", name="/book/topic/:slug")

    @task(45)
    def free_slots(self) -> None:
        self.topic = random_topic()
        first, last = four_weeks(offset_days=random.randint(2, 20))
        with self.client.get(
            f"/api/v1/slots?topic={self.topic['id']}&from={first}&to={last}",
            name="/api/v1/slots?topic [4 weeks]",
            catch_response=True,
        ) as answer:
            if answer.status_code == 200:
                self.slots = answer.json()
            else:
                answer.failure(f"slots answered {answer.status_code}")

    # Writes ----------------------------------------------------------------------------

    @task(6)
    def book(self) -> None:
        if not self.slots:
            return
        slot = random.choice(self.slots)
        body = booking_body(slot, self.topic, next(_numbers))
        with self.client.post(
            "/api/v1/appointments",
            json=body,
            name="/api/v1/appointments [POST]",
            catch_response=True,
        ) as answer:
            record_booking(body["email"], answer.status_code)
            if answer.status_code == 201:
                token = answer.json().get("manage_token")
                if token:
                    self.mine.append((token, slot))
                answer.success()
            elif answer.status_code in EXPECTED_WRITE:
                answer.success()
            else:
                answer.failure(f"book answered {answer.status_code}")
        self.slots = [s for s in self.slots if s is not slot]

    @task(2)
    def reschedule(self) -> None:
        if not self.mine or not self.slots:
            return
        token, slot = self.mine[-1]
        same = [s for s in self.slots if s["librarian"]["id"] == slot["librarian"]["id"]]
        if not same:
            return
        target = random.choice(same)
        with self.client.post(
            f"/api/v1/appointments/{token}/reschedule",
            json={"start": target["start"]},
            name="/api/v1/appointments/:token/reschedule",
            catch_response=True,
        ) as answer:
            if answer.status_code == 200:
                self.mine[-1] = (token, target)
            if answer.status_code in EXPECTED_WRITE:
                answer.success()
            else:
                answer.failure(f"reschedule answered {answer.status_code}")

    @task(2)
    def cancel(self) -> None:
        if not self.mine:
            return
        token, _slot = self.mine.pop(0)
        with self.client.post(
            f"/api/v1/appointments/{token}/cancel",
            json={},
            name="/api/v1/appointments/:token/cancel",
            catch_response=True,
        ) as answer:
            if answer.status_code in EXPECTED_WRITE:
                answer.success()
            else:
                answer.failure(f"cancel answered {answer.status_code}")
