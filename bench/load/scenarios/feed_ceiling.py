"""Feed ceiling: the feed-polling mix with every calendar polling every 0.5-2 s.

About 320 requests a second offered, more than two cores answer: the run measures how
many polls per second the server holds, and the latencies are mostly the queue's.

    locust -f bench/load/scenarios/feed_ceiling.py -u 400 -r 40 --host http://127.0.0.1:8000
"""

from __future__ import annotations

from feed_polling import PersonalFeed, PublicFeed
from locust import between


class PersonalCalendar(PersonalFeed):
    wait_time = between(0.5, 2)


class PublicCalendar(PublicFeed):
    wait_time = between(0.5, 2)
