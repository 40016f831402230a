"""Benchmark "book a librarian": slot search and booking throughput, demo and large scale.

    python bench/booking_bench.py                      # SQLite, both scales
    python bench/booking_bench.py --postgres           # also PostgreSQL (a private schema)
    python bench/booking_bench.py --scale large --runs 50

Scales:
  demo   the demo data set (5 libraries, ~40 librarians, a few appointments)
  large  200 librarians in 5 libraries, 30 topics (3 per librarian, ~20 per topic),
         weekday windows, 20,000 existing appointments over the next 8 weeks, plus
         absences, desk shifts and exceptions

Measured (medians over --runs, after one warm-up):
  slots/topic 4w    find_slots for one topic over 28 days (the page's and API's query)
  slots/person 4w   find_slots for one librarian over 28 days
  GET /slots        the same topic search through the JSON API (HTTP layer, JSON)
  book (service)    book + commit, one request at a time, different librarians
  book (API)        POST /api/v1/appointments through the app (test client)

Target: slot search for one topic over 4 weeks under 50 ms at the large scale.
Not a test: nothing asserts; it prints a table to paste into bench/results/booking.md.
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
import time as clock
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler import create_app
from scheduler.booking.appointments import book as svc
from scheduler.booking.appointments.slots import SlotQuery, find_slots, load_calendars
from scheduler.extensions import db
from scheduler.models import (
    Absence,
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    Base,
    BookingSettings,
    Channel,
    ExceptionKind,
    GroupQuestion,
    Library,
    Person,
    PersonRole,
    PublishedShift,
    Role,
    ServicePoint,
    Topic,
)
from scheduler.models.people import person_libraries, person_topics
from scheduler.site import Site
from scheduler.timeutil import local_to_utc

TZ = "Europe/Oslo"
PG_URL = os.environ.get(
    "SCHEDULER_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


CPU: dict[int, list[float]] = {}  # id(wall samples) -> this process's CPU time per run


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds per run; the CPU seconds of this process go to ``CPU``.

    The machine is shared, so wall time includes waiting for other processes; CPU time
    does not (but it leaves out the PostgreSQL server's work).
    """
    fn()  # warm-up: caches, first query plans
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = clock.perf_counter(), clock.process_time()
        fn()
        wall.append(clock.perf_counter() - start)
        cpu.append(clock.process_time() - start_cpu)
    CPU[id(wall)] = cpu
    return wall


# Data -------------------------------------------------------------------------------


def seed_large(today: date, now: datetime) -> None:
    """200 librarians and 20,000 appointments, inserted in bulk (minutes, not hours)."""
    rng = random.Random(20270104)
    session = db.session
    libraries = [
        Library(slug=f"lib{i}", name=f"Library {i}", timezone=TZ, position=i) for i in range(5)
    ]
    session.add_all(libraries)
    topics = [Topic(slug=f"topic-{i}", name=f"Topic {i:02d}") for i in range(30)]
    session.add_all(topics)
    session.flush()
    desk = ServicePoint(library_id=libraries[0].id, name="Desk", channel=Channel.DESK)
    session.add(desk)
    session.flush()
    people = [
        {
            "email": f"librarian{i}@bench.example",
            "name": f"Librarian {i:03d}",
            "bookable": True,
            "active": True,
            "session_nonce": secrets.token_hex(16),
            "min_hours_per_week": 4.0,
            "created_at": now,
            "updated_at": now,
        }
        for i in range(200)
    ]
    session.execute(insert(Person), people)
    ids = list(session.scalars(select(Person.id).order_by(Person.id)))
    session.execute(insert(PersonRole), [{"person_id": pid, "role": Role.LIBRARIAN} for pid in ids])
    topic_rows, library_rows, settings, rules = [], [], [], []
    for n, pid in enumerate(ids):
        for topic in rng.sample(topics, k=3):
            topic_rows.append({"person_id": pid, "topic_id": topic.id})
        home = libraries[n % 5]
        library_rows.append({"person_id": pid, "library_id": home.id})
        settings.append(
            {
                "person_id": pid,
                "slot_minutes": rng.choice([30, 45, 45, 60]),
                "buffer_minutes": rng.choice([0, 0, 15]),
                "min_notice_minutes": 24 * 60,
                "horizon_days": 56,
                "max_per_day": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        start = rng.choice([8, 9, 10, 12])
        for weekday in range(5):
            rules.append(
                {
                    "person_id": pid,
                    "library_id": home.id,
                    "weekday": weekday,
                    "start_time": time(start),
                    "end_time": time(start + 4),
                    "modes": rng.choice(["in_person", "in_person,online", "online"]),
                    "created_at": now,
                    "updated_at": now,
                }
            )
    session.execute(insert(person_topics), topic_rows)
    session.execute(insert(person_libraries), library_rows)
    session.execute(insert(BookingSettings), settings)
    session.execute(insert(AvailabilityRule), rules)
    # Absences, desk shifts and exceptions: things the slot search must work around.
    extras_abs, extras_shift, extras_exc = [], [], []
    for pid in rng.sample(ids, k=40):
        day = today + timedelta(days=rng.randint(1, 50))
        extras_abs.append(
            {
                "person_id": pid,
                "starts_at": local_to_utc(day, time(0), TZ),
                "ends_at": local_to_utc(day + timedelta(days=3), time(0), TZ),
                "kind": "leave",
                "created_at": now,
                "updated_at": now,
            }
        )
    for pid in rng.sample(ids, k=60):
        for week in range(8):
            day = today + timedelta(days=7 * week + rng.randint(0, 4))
            starts = local_to_utc(day, time(10), TZ)
            extras_shift.append(
                {
                    "person_id": pid,
                    "service_point_id": desk.id,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=2),
                    "status": "confirmed",
                    "sequence": 0,
                    "updated_at": now,
                }
            )
    for pid in rng.sample(ids, k=50):
        extras_exc.append(
            {
                "person_id": pid,
                "date": today + timedelta(days=rng.randint(1, 50)),
                "kind": ExceptionKind.BLOCKED,
                "modes": "in_person",
                "created_at": now,
                "updated_at": now,
            }
        )
    session.execute(insert(Absence), extras_abs)
    session.execute(insert(PublishedShift), extras_shift)
    session.execute(insert(AvailabilityException), extras_exc)
    session.commit()

    # 20,000 appointments, 100 per librarian, in their free slots over 8 weeks.
    calendars = load_calendars(
        session, ids, today, today + timedelta(days=55), now=now, default_tz=TZ
    )
    slots_by_person: dict[int, list] = {}
    for slot in calendars.slots(today, today + timedelta(days=55), now):
        slots_by_person.setdefault(slot.librarian_id, []).append(slot)
    rows = []
    buffers = {s["person_id"]: s["buffer_minutes"] for s in settings}
    topics_of: dict[int, list[int]] = {}
    for row in topic_rows:
        topics_of.setdefault(row["person_id"], []).append(row["topic_id"])
    for pid in ids:
        mine = slots_by_person.get(pid, [])
        for slot in rng.sample(mine, k=min(100, len(mine))):
            rows.append(
                {
                    "librarian_id": pid,
                    "library_id": slot.library_id,
                    "topic_id": topics_of[pid][0],
                    "mode": slot.modes[0],
                    "starts_at": slot.start,
                    "ends_at": slot.end,
                    "blocked_until": slot.end + timedelta(minutes=buffers[pid]),
                    "status": "booked",
                    "patron_name": "Bench Patron",
                    "patron_email": "patron@bench.example",
                    "manage_token_hash": secrets.token_hex(32),
                    "token_salt": secrets.token_hex(16),
                    "sequence": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    for i in range(0, len(rows), 2000):
        session.execute(insert(Appointment), rows[i : i + 2000])
    session.commit()


def seed_demo(today: date) -> None:
    from scheduler import demo

    demo.seed_demo(db.session, today=today, password="bench-password-1")
    db.session.commit()


# Measurements ------------------------------------------------------------------------


def busiest_topic() -> int:
    """The topic most librarians cover (among those whose form has no extra questions)."""
    with_questions = select(Topic.id).join(GroupQuestion, GroupQuestion.group_id == Topic.group_id)
    return db.session.execute(
        select(person_topics.c.topic_id, func.count())
        .where(person_topics.c.topic_id.not_in(with_questions))
        .group_by(person_topics.c.topic_id)
        .order_by(func.count().desc(), person_topics.c.topic_id)
        .limit(1)
    ).first()[0]


def measure(app, label: str, runs: int, now: datetime, today: date) -> list[tuple]:
    rows = []
    with app.app_context():
        topic_id = busiest_topic()
        n_people = db.session.scalar(
            select(func.count())
            .select_from(person_topics)
            .where(person_topics.c.topic_id == topic_id)
        )
        n_appts = db.session.scalar(select(func.count()).select_from(Appointment))
        query = SlotQuery(today, today + timedelta(days=27), topic_id=topic_id)
        found = find_slots(db.session, query, now=now, default_tz=TZ)
        samples = timed(lambda: find_slots(db.session, query, now=now, default_tz=TZ), runs)
        db.session.rollback()
        rows.append(
            (label, f"slots/topic 4w ({n_people} people, {len(found)} slots)", samples, n_appts)
        )
        person = found[0].librarian_id
        pquery = SlotQuery(today, today + timedelta(days=27), librarian_id=person)
        samples = timed(lambda: find_slots(db.session, pquery, now=now, default_tz=TZ), runs)
        db.session.rollback()
        rows.append((label, "slots/person 4w", samples, n_appts))

    client = app.test_client()
    url = f"/api/v1/slots?topic={topic_id}&from={today}&to={today + timedelta(days=27)}"
    samples = timed(lambda: client.get(url), max(5, runs // 2))
    rows.append((label, "GET /slots topic 4w", samples, n_appts))

    # Booking: one at a time, each its own transaction (commit included); the free
    # slots to book are chosen up front so that every attempt succeeds.
    with app.app_context():
        slots = find_slots(db.session, query, now=now, default_tz=TZ)
        db.session.rollback()
    rng = random.Random(1)
    picks = rng.sample(slots, k=min(len(slots), 2 * runs))
    site = Site(public_url="https://bench.example", secret_key="bench", now=now)
    booked = []
    with app.app_context():
        for slot in picks[:runs]:
            request = svc.BookingRequest(
                librarian_id=slot.librarian_id,
                topic_id=topic_id,
                start=slot.start,
                mode=slot.modes[0],
                name="Bench Student",
                email="student@bench.example",
                library_id=slot.library_id,
                locale="en",
            )
            start = clock.perf_counter()
            svc.book(db.session, request, site=site)
            db.session.commit()
            booked.append(clock.perf_counter() - start)
    rows.append((label, "book (service + commit)", booked, n_appts))
    api = []
    for slot in picks[runs:]:
        body = {
            "librarian": str(slot.librarian_id),
            "topic": str(topic_id),
            "start": slot.start.isoformat(),
            "mode": slot.modes[0].value,
            "name": "Bench Student",
            "email": "student@bench.example",
            "library": str(slot.library_id),
        }
        start = clock.perf_counter()
        response = client.post("/api/v1/appointments", json=body)
        api.append(clock.perf_counter() - start)
        assert response.status_code == 201, response.json
    if api:
        rows.append((label, "POST /appointments", api, n_appts))
    return rows


def make_app(url: str, instance: str):
    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE": instance,
            "SECRET_KEY": "bench",
            "JOBS_THREAD": False,
            "RATELIMIT_ENABLED": False,
            "TESTING": True,
        }
    )


def pg_schema_url() -> tuple[str, Callable[[], None]]:
    base = make_url(PG_URL)
    admin = create_engine(base)
    schema = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    with admin.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gist"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema},public"})

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def run(backend: str, scale: str, runs: int) -> list[tuple]:
    today = date(2027, 1, 4)
    now = local_to_utc(today, time(7), TZ)
    with tempfile.TemporaryDirectory() as tmp:
        drop = None
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            url, drop = pg_schema_url()
        try:
            engine = create_engine(url)
            Base.metadata.create_all(engine)
            engine.dispose()
            app = make_app(url, f"{tmp}/instance")

            with time_machine.travel(now, tick=True):
                with app.app_context():
                    if scale == "large":
                        seed_large(today, now)
                    else:
                        seed_demo(today)
                    # Table statistics, as autovacuum (PostgreSQL) would have them after a
                    # bulk load; SQLite's planner uses them too.
                    db.session.execute(text("ANALYZE"))
                    db.session.commit()
                results = measure(app, f"{backend}/{scale}", runs, now, today)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            return results
        finally:
            if drop:
                drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=["demo", "large", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args()
    scales = ["demo", "large"] if args.scale == "both" else [args.scale]
    backends = ["sqlite", "postgresql"] if args.postgres else ["sqlite"]
    results = []
    for backend in backends:
        for scale in scales:
            started = clock.perf_counter()
            results += run(backend, scale, args.runs)
            elapsed = clock.perf_counter() - started
            print(f"# {backend}/{scale} done in {elapsed:.0f} s", file=sys.stderr)
    cores = os.cpu_count()
    print(
        f"Machine: {platform.processor() or platform.machine()}, {cores} cores, "
        f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
    )
    print()
    load = os.getloadavg()
    print(f"Load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    print()
    print(
        "| database/scale | measurement | appointments | median ms | p95 ms | CPU ms "
        "| per second | median vs 50 ms |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, what, samples, n_appts in results:
        med = median_ms(samples)
        cpu = CPU.get(id(samples))
        cpu_ms = f"{median_ms(cpu):.1f}" if cpu else ""
        ratio = f"{med / 50:.2f}" if "slots/topic" in what else ""
        print(
            f"| {label} | {what} | {n_appts} | {med:.1f} | {p95_ms(samples):.1f} | {cpu_ms} "
            f"| {1000 / med:.0f} | {ratio} |"
        )


if __name__ == "__main__":
    main()
