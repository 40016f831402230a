"""Feed polling: calendar apps poll 300 personal feeds and the public activity calendar.

Each simulated calendar keeps the ETag it was given and asks again with
``If-None-Match`` (a 304 when nothing changed, which is the common case). Some public
polls come without an ETag (a new subscriber): they measure the full 2,000-session feed.
Personal calendars take the 300 feed URLs of the plan in turn.

    locust -f bench/load/scenarios/feed_polling.py -u 400 -r 50 --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import random

from common import LoadUser, plan
from locust import between, task

_feeds = itertools.count(0)
PUBLIC = "/feeds/public/dropins.ics"


def _poll(user: LoadUser, url: str, name: str, etag: str | None) -> str | None:
    headers = {"If-None-Match": etag} if etag else {}
    label = f"{name} [If-None-Match]" if etag else f"{name} [full]"
    with user.client.get(url, headers=headers, name=label, catch_response=True) as answer:
        if answer.status_code in (200, 304):
            answer.success()
            return answer.headers.get("ETag") or etag
        answer.failure(f"feed answered {answer.status_code}")
        return etag


class PersonalCalendar(LoadUser):
    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        feeds = plan()["feeds"]
        self.url = feeds[next(_feeds) % len(feeds)]
        self.etag: str | None = None

    @task
    def poll(self) -> None:
        self.etag = _poll(self, self.url, "/feeds/:token/:kind.ics", self.etag)


class PublicCalendar(LoadUser):
    weight = 1
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.etag: str | None = None

    @task
    def poll(self) -> None:
        fresh = random.random() < 0.2
        etag = _poll(self, PUBLIC, PUBLIC, None if fresh else self.etag)
        if not fresh:
            self.etag = etag
