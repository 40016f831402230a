"""What every load scenario shares: the seed's plan, counts by status, signing in, booking.

The runner (``bench/load/run.py``) passes two paths in the environment:
``LOAD_PLAN`` (written by ``seed.py``) and ``LOAD_STATUS`` (where this module writes,
when Locust quits, how many answers of each status every request name got, plus any
facts a scenario records in ``EXTRA`` for the runner to check against the database).
Locust's own CSV has latencies but folds all failures together; the runner needs to
tell a clean 409 from a 5xx.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import FastHttpUser, events

ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
STATUS: Counter[tuple[str, int]] = Counter()
# Answers by second since the start and status (for the fault runs' timelines).
TIMELINE: Counter[tuple[int, int]] = Counter()
# E-mail addresses of booking attempts by outcome, when a scenario records them.
BOOKINGS: dict[str, list[str]] = {"created": [], "refused": []}
EXTRA: dict[str, Any] = {}
_started = time.monotonic()
_lock = threading.Lock()
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def plan() -> dict[str, Any]:
    """The seed's plan (cached): password, sign-ins, open topics, feed URLs."""
    if "_plan" not in EXTRA:
        path = os.environ.get("LOAD_PLAN") or str(Path(__file__).parents[1] / "out" / "plan.json")
        EXTRA["_plan"] = json.loads(Path(path).read_text())
    return EXTRA["_plan"]


@events.init.add_listener
def _only_loopback(environment: Any, **_kw: Any) -> None:
    """Refuse any target but this machine: these scenarios are never pointed elsewhere."""
    host = urlsplit(environment.host or "").hostname or ""
    if host not in {h.strip("[]") for h in ALLOWED_HOSTS}:
        raise SystemExit(f"error: --host: {environment.host!r} is not 127.0.0.1/localhost")


@events.request.add_listener
def _count(name: str, response: Any = None, exception: Any = None, **_kw: Any) -> None:
    status = getattr(response, "status_code", 0) or 0
    with _lock:
        STATUS[(name, int(status))] += 1
        TIMELINE[(int(time.monotonic() - _started), int(status))] += 1


@events.test_start.add_listener
def _start_clock(**_kw: Any) -> None:
    global _started
    _started = time.monotonic()


def record_booking(email: str, status: int) -> None:
    """Remember who got a 201 and who did not, for the check against the database."""
    with _lock:
        BOOKINGS["created" if status == 201 else "refused"].append(email)


@events.quitting.add_listener
def _write_status(**_kw: Any) -> None:
    target = os.environ.get("LOAD_STATUS")
    if not target:
        return
    counts: dict[str, dict[str, int]] = {}
    for (name, status), n in sorted(STATUS.items()):
        counts.setdefault(name, {})[str(status)] = n
    extra = {k: v for k, v in EXTRA.items() if not k.startswith("_")}
    timeline: dict[str, dict[str, int]] = {}
    for (second, status), n in sorted(TIMELINE.items()):
        timeline.setdefault(str(second), {})[str(status)] = n
    Path(target).write_text(
        json.dumps(
            {"status": counts, "extra": extra, "timeline": timeline, "bookings": BOOKINGS},
            indent=1,
        )
    )


class LoadUser(FastHttpUser):
    """A FastHttpUser (geventhttpclient: a fraction of the load generator's CPU)."""

    abstract = True
    # Connection errors are answers too: count them (status 0) instead of crashing.
    max_retries = 0

    def sign_in(self, email: str) -> bool:
        """Sign in through the form (CSRF token from the page); True on success."""
        page = self.client.get("/sign-in", name="/sign-in [GET]")
        match = _CSRF.search(page.text or "")
        if not match:
            return False
        with self.client.post(
            "/sign-in",
            data={"email": email, "password": plan()["password"], "csrf_token": match[1]},
            name="/sign-in [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            if answer.status_code in (302, 303):
                answer.success()
                return True
            answer.failure(f"sign-in answered {answer.status_code}")
            return False


def four_weeks(offset_days: int = 2) -> tuple[str, str]:
    """``from`` and ``to`` for a four-week slot search starting a little ahead."""
    first = date.today() + timedelta(days=offset_days)
    return first.isoformat(), (first + timedelta(days=27)).isoformat()


def booking_body(slot: dict[str, Any], topic: dict[str, Any], n: int) -> dict[str, Any]:
    """The JSON of POST /api/v1/appointments for ``slot``, answering the group's questions."""
    return {
        "librarian": slot["librarian"]["id"],
        "topic": str(topic["id"]),
        "start": slot["start"],
        "mode": slot["modes"][0],
        "library": slot["library"],
        "name": f"Load Patron {n}",
        "email": f"patron{n}@student.uni.example",
        "answers": dict.fromkeys(topic.get("questions", []), "Master thesis"),
    }


def random_topic(rng: random.Random | None = None) -> dict[str, Any]:
    return (rng or random).choice(plan()["open_topics"])
