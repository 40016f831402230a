"""Staff day: librarians and section leaders on their pages while a roster run solves.

The first leader signs in, creates a four-week roster period for the main library
(twelve weeks ahead, clear of anything published) and starts a roster run with a time
limit as long as the test (``LOAD_SOLVE_SECONDS``, default 120); then, like the
progress page, polls its state every second. Other users are librarians and leaders
browsing their pages. The runner samples the worker process that solves.

    locust -f bench/load/scenarios/staff_day.py -u 40 -r 10 --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import os
import random
import re
from datetime import date, timedelta

from common import _CSRF, EXTRA, LoadUser, plan
from locust import between, task
from locust.exception import StopUser

_people = itertools.count(0)
_leaders = itertools.count(0)
_RUN = re.compile(r"/staff/roster/runs/(\d+)")
_PERIOD = re.compile(r"/staff/roster/periods/(\d+)/runs")


class Librarian(LoadUser):
    weight = 4
    wait_time = between(1, 3)

    def on_start(self) -> None:
        emails = plan()["librarian_emails"]
        if not self.sign_in(emails[next(_people) % len(emails)]):
            raise StopUser()

    @task(4)
    def dashboard(self) -> None:
        self.client.get("/staff/", name="/staff/")

    @task(3)
    def appointments(self) -> None:
        self.client.get("/staff/booking/appointments", name="/staff/booking/appointments")

    @task(2)
    def availability(self) -> None:
        self.client.get("/staff/booking/availability", name="/staff/booking/availability")

    @task(1)
    def dropins(self) -> None:
        self.client.get("/staff/dropins/", name="/staff/dropins/")

    @task(1)
    def feeds_page(self) -> None:
        self.client.get("/staff/calendar-feeds", name="/staff/calendar-feeds")


class Leader(LoadUser):
    weight = 1
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.number = next(_leaders)
        self.run_url: str | None = None
        if not self.sign_in(plan()["sign_ins"]["section leader"]):
            raise StopUser()
        if self.number == 0:
            self.start_run()

    def start_run(self) -> None:
        """Create a period and press Generate, as a leader would."""
        page = self.client.get("/staff/roster/periods", name="/staff/roster/periods")
        token = _CSRF.search(page.text or "")
        start = date.today() + timedelta(weeks=12)
        start -= timedelta(days=start.weekday())
        form = {
            "library_id": str(plan()["main_library"]),
            "start": start.isoformat(),
            "weeks": "4",
            "csrf_token": token[1] if token else "",
        }
        made = self.client.post(
            "/staff/roster/periods",
            data=form,
            name="/staff/roster/periods [POST]",
            allow_redirects=False,
        )
        period = _PERIOD.search(made.headers.get("Location") or "")
        if not period:
            return
        runs_url = f"/staff/roster/periods/{period[1]}/runs"
        page = self.client.get(runs_url, name="/staff/roster/periods/:id/runs")
        token = _CSRF.search(page.text or "")
        limit = os.environ.get("LOAD_SOLVE_SECONDS", "120")
        started = self.client.post(
            runs_url,
            data={"time_limit": limit, "csrf_token": token[1] if token else ""},
            name="/staff/roster/periods/:id/runs [POST]",
            allow_redirects=False,
        )
        run = _RUN.search(started.headers.get("Location") or "")
        if run:
            self.run_url = f"/staff/roster/runs/{run[1]}"
            EXTRA["roster_run"] = int(run[1])

    @task(5)
    def progress(self) -> None:
        if self.run_url:
            self.client.get(f"{self.run_url}/state.json", name="/staff/roster/runs/:id/state.json")
        else:
            self.client.get("/staff/", name="/staff/")

    @task(2)
    def periods(self) -> None:
        self.client.get("/staff/roster/periods", name="/staff/roster/periods")

    @task(2)
    def setup(self) -> None:
        library = plan()["main_library"]
        page = random.choice(["pool", "demand", "hours"])
        self.client.get(f"/leader/setup/{library}/{page}", name=f"/leader/setup/:id/{page}")
