"""How fast calendar feeds answer: a person with a year of shifts, the public feed with
2,000 sessions. Every request goes through the whole app (routing, token lookup, the
queries, building the iCalendar bytes, the ETag), through Flask's test client.

    python bench/feeds_bench.py                       # SQLite in a temporary folder
    python bench/feeds_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/test

Three cases per feed:

- cold: the first request after a restart (the in-memory caches of serialised events
  and VTIMEZONEs emptied first), so every event is serialised;
- warm: a later full 200 response; the events come from memory, the queries still run;
- 304: a calendar app asking with If-None-Match, nothing changed.

Prints one Markdown table of medians (and the machine), for bench/results/feeds.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from scheduler import accounts, create_app
from scheduler.calendars import ical, timezones, tokens
from scheduler.extensions import db
from scheduler.models import (
    Appointment,
    Base,
    Channel,
    DropInSession,
    Library,
    Mode,
    Person,
    PublishedShift,
    Role,
    ServicePoint,
    Topic,
)
from scheduler.timeutil import local_to_utc

TZ = "Europe/Oslo"
BLOCKS = [clock(8), clock(10), clock(12), clock(14), clock(16)]  # two-hour desk blocks


def seed(session, today: date, staff: int, sessions: int) -> dict[str, object]:
    """A main library with a desk staffed by two people per block, six days a week, for
    a year; one person on a block every weekday; 2,000 sessions across five libraries."""
    libraries = [
        Library(slug=f"lib-{i}", name=f"Library {i}", timezone=TZ, position=i) for i in range(5)
    ]
    session.add_all(libraries)
    desk = ServicePoint(
        library=libraries[0], name="Information desk", channel=Channel.DESK, location="Hall"
    )
    session.add(desk)
    topics = [Topic(slug=f"topic-{i}", name=f"Topic {i}") for i in range(12)]
    session.add_all(topics)
    people = []
    for i in range(staff):
        person = Person(email=f"staff{i}@bench.example", name=f"Staff{i} Person{i}", locale="en")
        person.set_roles([Role.FIRST_LINE, Role.LIBRARIAN])
        people.append(person)
    session.add_all(people)
    session.flush()
    me = people[0]
    start = today - timedelta(weeks=4)
    shifts = []
    mine = 0
    for day_index in range(364):
        day = start + timedelta(days=day_index)
        if day.weekday() == 6:
            continue
        for block_index, block in enumerate(BLOCKS):
            begins = local_to_utc(day, block, TZ)
            pair = [people[1 + (day_index * 5 + block_index * 2 + k) % (staff - 1)] for k in (0, 1)]
            if day.weekday() < 5 and block_index == day_index % len(BLOCKS):
                pair[1] = me  # one block every weekday: about 250 shifts in the year
                mine += 1
            for person in pair:
                shifts.append(
                    PublishedShift(
                        person_id=person.id,
                        service_point_id=desk.id,
                        starts_at=begins,
                        ends_at=begins + timedelta(hours=2),
                    )
                )
    session.add_all(shifts)
    for week in range(52):
        for weekday in (1, 3):
            begins = local_to_utc(start + timedelta(weeks=week, days=weekday), clock(13), TZ)
            session.add(
                Appointment(
                    librarian_id=me.id,
                    library_id=libraries[0].id,
                    topic_id=topics[week % len(topics)].id,
                    mode=Mode.IN_PERSON,
                    starts_at=begins,
                    ends_at=begins + timedelta(minutes=45),
                    patron_name="Bench Patron",
                    patron_email="patron@bench.example",
                    manage_token_hash=accounts.token_digest(secrets.token_urlsafe(16)),
                )
            )
    for i in range(sessions):
        begins = local_to_utc(start + timedelta(days=i * 330 // sessions), clock(9 + i % 8), TZ)
        session.add(
            DropInSession(
                title=f"Drop-in session {i}",
                description="Bring your questions; no registration needed.",
                topic_id=topics[i % len(topics)].id,
                library_id=libraries[i % len(libraries)].id,
                location="Group room 1",
                starts_at=begins,
                ends_at=begins + timedelta(minutes=60),
            )
        )
    session.flush()
    return {"person": me, "my_shifts": mine, "all_shifts": len(shifts)}


def measure(client, url: str, repeat: int) -> dict[str, object]:
    """Medians of wall-clock and CPU time (ms) per case. The CPU time of this process is
    the steadier figure on a machine that others share; wall time is what clients wait."""

    def once(**headers) -> tuple[float, float, object]:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert response.status_code in (200, 304), response.status_code
        return wall * 1000, cpu * 1000, response

    def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)

    cold = []
    for _ in range(max(5, repeat // 4)):
        # A restart: nothing serialised in memory yet.
        ical._feed_event_bytes.cache_clear()
        timezones._vtimezone_bytes.cache_clear()
        cold.append(once()[:2])
    once()
    warm, conditional = [], []
    for _ in range(repeat):
        wall, cpu, response = once()
        warm.append((wall, cpu))
        conditional.append(once(**{"If-None-Match": response.headers["ETag"]})[:2])
    body = client.get(url).data
    return {
        "cold": medians(cold),
        "warm": medians(warm),
        "304": medians(conditional),
        "events": body.count(b"BEGIN:VEVENT"),
        "kb": len(body) / 1024,
    }


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({model or platform.processor() or 'unknown CPU'}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.system()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--repeat", type=int, default=30, help="requests per case")
    parser.add_argument("--staff", type=int, default=30)
    parser.add_argument("--sessions", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
        schema = None
        if url.startswith("postgresql"):
            schema = f"bench_{secrets.token_hex(3)}"
            admin = create_engine(url)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url += ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        app = create_app(
            {
                "DATABASE_URL": url,
                "INSTANCE": f"{tmp}/instance",
                "SECRET_KEY": secrets.token_hex(16),
                "JOBS_THREAD": False,
                "RATELIMIT_ENABLED": False,
                "PUBLIC_URL": "https://library.example",
            }
        )
        try:
            run(app, args)
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            if schema:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


def run(app, args) -> None:
    today = datetime.now(UTC).date()
    with app.app_context():
        seeded = seed(db.session, today, args.staff, args.sessions)
        _row, token = tokens.issue_token(db.session, seeded["person"], key=app.config["SECRET_KEY"])
        db.session.commit()
        backend = db.engine.dialect.name
    client = app.test_client()
    cases = [
        (
            f"a year of shifts ({seeded['my_shifts']}, each with a colleague)",
            f"/feeds/{token}/shifts.ics",
        ),
        ("the same person: shifts and 104 appointments", f"/feeds/{token}/all.ics"),
        (f"public feed, {args.sessions} sessions", "/feeds/public/dropins.ics"),
        ("public feed, one of five libraries", "/feeds/public/dropins.ics?library=lib-1"),
    ]
    print(f"Machine: {machine()}; database: {backend}; load average {os.getloadavg()[0]:.1f}")
    print(
        f"Data: {seeded['all_shifts']} published shifts at one desk, "
        f"{args.staff} staff, {args.sessions} sessions; {args.repeat} requests per case"
    )
    print("Medians in ms, wall clock (CPU time of the process)\n")
    print("| feed | events | size | cold | warm | 304 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, url in cases:
        r = measure(client, url, args.repeat)
        cells = " | ".join(f"{r[k][0]:.0f} ({r[k][1]:.0f})" for k in ("cold", "warm", "304"))
        print(f"| {label} | {r['events']} | {r['kb']:.0f} KB | {cells} |")


if __name__ == "__main__":
    main()
