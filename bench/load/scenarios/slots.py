"""Free-slot throughput: patrons search a topic's free times over four weeks, nothing else.

Measures the issue's target (at least 200 requests/s at p95 <= 150 ms) and the slots/s
that bench/load/pgbench_ceiling.py compares with the database's select-only ceiling.

    locust -f bench/load/scenarios/slots.py -u 100 -r 20 --host http://127.0.0.1:8000
"""

from __future__ import annotations

import random

from common import LoadUser, four_weeks, random_topic
from locust import between, task


class SlotSearcher(LoadUser):
    wait_time = between(0.1, 0.5)

    @task
    def free_slots(self) -> None:
        topic = random_topic()
        first, last = four_weeks(offset_days=random.randint(2, 20))
        self.client.get(
            f"/api/v1/slots?topic={topic['id']}&from={first}&to={last}",
            name="/api/v1/slots?topic [4 weeks]",
        )
