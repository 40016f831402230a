"""Feed polling: calendar apps poll 300 personal feeds and the public activity calendar.

Each simulated calendar keeps the ETag it was given and asks again with
``If-None-Match`` (a 304 when nothing changed, which is the common case). Some public
polls come without an ETag (a new subscriber): they measure the full 2,000-session feed.
Personal calendars take the 300 feed URLs of the plan in turn.

Each of the 400 calendars polls every 5-15 s: about 40 requests a second, what 12,000
subscriptions polling every five minutes send (Google polls a subscription every few
hours, Apple and Outlook every 5 minutes to an hour), so the latencies are the server's
own. ``feed_ceiling.py`` polls every 0.5-2 s to find how many polls the server holds.

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


NEW_SUBSCRIBERS = 0.05  # of public polls, without an ETag


class PersonalFeed(LoadUser):
    abstract = True
    weight = 3

    def on_start(self) -> None:
        feeds = plan()["feeds"]
        self.url = feeds[next(_feeds) % len(feeds)]
        self.etag: str | None = None

    @task
    def poll(self) -> None:
        self.etag = _poll(self, self.url, "/feeds/:token/:kind.ics", self.etag)


class PublicFeed(LoadUser):
    abstract = True
    weight = 1

    def on_start(self) -> None:
        self.etag: str | None = None

    @task
    def poll(self) -> None:
        fresh = random.random() < NEW_SUBSCRIBERS
        etag = _poll(self, PUBLIC, PUBLIC, None if fresh else self.etag)
        if not fresh:
            self.etag = etag


class PersonalCalendar(PersonalFeed):
    wait_time = between(5, 15)


class PublicCalendar(PublicFeed):
    wait_time = between(5, 15)
