"""Benchmark connected calendars: syncing a year of recurring meetings, and free slots for
a topic whose twelve librarians each have such a calendar connected.

    python bench/connected_calendars_bench.py              # SQLite
    python bench/connected_calendars_bench.py --postgres   # also PostgreSQL (private schema)

Set-up: one library, one topic, twelve librarians with weekday windows 09:00-16:00
(45-minute slots, a 15-minute break, horizon 365 days). Each librarian's calendar is an
.ics file served by a local HTTP server: twelve weekly meetings (some every other week),
a daily stand-up, a monthly seminar, exceptions (EXDATE) and moved instances
(RECURRENCE-ID), all without end, in Europe/Oslo, read for a year.

Measured (median and p95 over --runs after one warm-up, and this process's CPU time):
  sync one calendar     fetch + expand a year + replace the busy times + commit
  slots/topic 4w        find_slots for the topic over 28 days, without and with the
                        synced busy times (the page's and the API's query)

Target (issue 17): free slots for a topic over 4 weeks at p95 <= 150 ms under load; the
single-request median here should stay well inside it. Not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler import create_app
from scheduler.booking.appointments.slots import SlotQuery, find_slots
from scheduler.calendars.sources.fetch import FetchLimits
from scheduler.calendars.sources.manage import SourceInput, add_source
from scheduler.calendars.sources.secretbox import box_from_config
from scheduler.calendars.sources.sync import SyncOptions, load_plan, read_source, record_outcome
from scheduler.extensions import db
from scheduler.models import (
    AvailabilityRule,
    Base,
    BookingSettings,
    BusyInterval,
    Library,
    Person,
    PersonRole,
    Role,
    Topic,
)
from scheduler.models.people import person_libraries, person_topics

TZ = "Europe/Oslo"
PG_URL = os.environ.get(
    "SCHEDULER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # Monday 4 January 2027, 08:00 in Oslo
LIBRARIANS = 12


def year_of_meetings(rng: random.Random) -> bytes:
    """A calendar like a busy librarian's: recurring meetings for a year, with exceptions."""
    events: list[str] = []
    first = date(2026, 12, 1)

    def event(uid: str, start: datetime, minutes: int, extra: str = "") -> None:
        end = start + timedelta(minutes=minutes)
        events.append(
            "BEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T000000Z\r\n"
            f"DTSTART;TZID=Europe/Oslo:{start:%Y%m%dT%H%M%S}\r\n"
            f"DTEND;TZID=Europe/Oslo:{end:%Y%m%dT%H%M%S}\r\n"
            f"{extra}SUMMARY:Meeting {uid}\r\nEND:VEVENT\r\n"
        )

    for n in range(12):
        day = first + timedelta(days=rng.randrange(5))
        start = datetime.combine(day, time(rng.randrange(9, 16), rng.choice((0, 15, 30))))
        interval = 2 if n % 4 == 0 else 1
        skip = start + timedelta(weeks=interval * rng.randrange(4, 30))
        extra = (
            f"RRULE:FREQ=WEEKLY;INTERVAL={interval}\r\n"
            f"EXDATE;TZID=Europe/Oslo:{skip:%Y%m%dT%H%M%S}\r\n"
        )
        event(f"weekly-{n}", start, rng.choice((30, 45, 60, 90)), extra)
        moved = start + timedelta(weeks=interval * rng.randrange(4, 40))
        event(
            f"weekly-{n}",
            moved + timedelta(hours=1),
            60,
            f"RECURRENCE-ID;TZID=Europe/Oslo:{moved:%Y%m%dT%H%M%S}\r\n",
        )
    event(
        "standup",
        datetime.combine(first, time(8, 30)),
        15,
        "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR\r\n",
    )
    event("seminar", datetime.combine(first, time(13)), 120, "RRULE:FREQ=MONTHLY;BYDAY=1TH\r\n")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nX-WR-TIMEZONE:Europe/Oslo\r\n"
        + "".join(events)
        + "END:VCALENDAR\r\n"
    ).encode()


class Feeds:
    """A loopback HTTP server serving one .ics per librarian."""

    def __init__(self, bodies: dict[str, bytes]) -> None:
        bodies_ = bodies

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: object) -> None:
                pass

            def do_GET(self) -> None:
                body = bodies_.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def build(session, rng: random.Random) -> tuple[int, list[Person]]:
    library = Library(slug="main", name="Main Library", timezone=TZ)
    topic = Topic(slug="zotero", name="Zotero")
    session.add_all([library, topic])
    session.flush()
    people = []
    for n in range(LIBRARIANS):
        person = Person(email=f"lib{n}@uni.example", name=f"Librarian {n}", bookable=True)
        session.add(person)
        session.flush()
        session.add(PersonRole(person_id=person.id, role=Role.LIBRARIAN))
        session.execute(
            person_libraries.insert().values(person_id=person.id, library_id=library.id)
        )
        session.execute(person_topics.insert().values(person_id=person.id, topic_id=topic.id))
        session.add(
            BookingSettings(
                person_id=person.id, slot_minutes=45, buffer_minutes=15, horizon_days=365
            )
        )
        for weekday in range(5):
            session.add(
                AvailabilityRule(
                    person_id=person.id,
                    library_id=library.id,
                    weekday=weekday,
                    start_time=time(9),
                    end_time=time(16),
                    modes="in_person,online",
                )
            )
        people.append(person)
    session.flush()
    return topic.id, people


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000


def measure(url: str, runs: int, label: str) -> list[tuple[str, str, list[float], list[float]]]:
    rng = random.Random(7)
    instance = tempfile.mkdtemp(prefix="bench-cal-")
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE": instance,
            "JOBS_THREAD": False,
            "PUBLIC_URL": "https://library.test",
            "CALENDARS_ALLOW_PRIVATE": True,
        }
    )
    rows: list[tuple[str, str, list[float], list[float]]] = []
    with app.app_context():
        Base.metadata.create_all(db.engine)
        session = db.session
        topic_id, people = build(session, rng)
        session.commit()
        query = SlotQuery(first_day=date(2027, 1, 5), last_day=date(2027, 2, 1), topic_id=topic_id)

        def slots() -> tuple[int, float, float]:
            started, cpu = clock.perf_counter(), clock.process_time()
            found = find_slots(session, query, now=NOW, default_tz=TZ)
            session.rollback()
            return len(found), clock.perf_counter() - started, clock.process_time() - cpu

        slots()
        before = [slots() for _ in range(runs)]
        bodies = {f"/cal-{p.id}.ics": year_of_meetings(rng) for p in people}
        feeds = Feeds(bodies)
        box = box_from_config(app.config, instance)
        options = SyncOptions(
            limits=FetchLimits(allow_private=True), own_uid_host="library.test", max_events=20000
        )
        sources = []
        for person in people:
            data = SourceInput("ics", "Outlook", feeds.url(f"/cal-{person.id}.ics"))
            sources.append(add_source(session, person, person, data, box=box).id)
        session.commit()
        sync_times = []
        for source_id in sources:
            started = clock.perf_counter()
            plan = load_plan(session, source_id, box=box, now=NOW, default_tz=TZ)
            session.commit()
            outcome = read_source(plan, options, now=NOW)
            assert outcome.ok, outcome.problem
            record_outcome(session, outcome, now=NOW)
            session.commit()
            sync_times.append(clock.perf_counter() - started)
        feeds.close()
        stored = session.scalar(select(func.count(BusyInterval.id)))
        slots()
        after = [slots() for _ in range(runs)]
        per = stored // LIBRARIANS
        rows.append((label, f"sync one calendar (a year, ~{per} busy times)", sync_times, []))
        rows.append(
            (
                label,
                f"slots/topic 4w, no calendars ({before[0][0]} slots)",
                [t for _, t, _ in before],
                [c for _, _, c in before],
            )
        )
        rows.append(
            (
                label,
                f"slots/topic 4w, 12 calendars ({after[0][0]} slots, {stored} busy rows)",
                [t for _, t, _ in after],
                [c for _, _, c in after],
            )
        )
        session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    results = measure(f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3", args.runs, "SQLite")
    if args.postgres:
        base = make_url(PG_URL)
        schema = f"bench_{secrets.token_hex(3)}"
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = base.update_query_dict({"options": f"-csearch_path={schema},public"})
            results += measure(url.render_as_string(hide_password=False), args.runs, "PostgreSQL")
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print(
        f"# connected calendars: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    print()
    print("| database | measurement | median ms | p95 ms | CPU ms | vs 150 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for database, what, times, cpu in results:
        cpu_ms = f"{median_ms(cpu):.1f}" if cpu else ""
        ratio = f"{p95_ms(times) / 150:.2f}" if "slots" in what else ""
        print(
            f"| {database} | {what} | {median_ms(times):.1f} | {p95_ms(times):.1f} "
            f"| {cpu_ms} | {ratio} |"
        )
    print()
    for i in range(0, len(results), 3):
        database = results[i][0]
        without, with_ = median_ms(results[i + 1][3]), median_ms(results[i + 2][3])
        print(f"CPU ratio slots with/without calendars ({database}): {with_ / without:.2f}")


if __name__ == "__main__":
    main()
