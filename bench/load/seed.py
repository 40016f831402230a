"""Enlarge the demo to a busy term on PostgreSQL, for the load tests (bulk inserts: ~1 min).

    python bench/load/seed.py                       # builds the database scheduler_load_seed
    python bench/load/seed.py --database scheduler_load_seed --server postgresql+psycopg://postgres@127.0.0.1:5432

The database is dropped and created again, migrated, given the demo (5 libraries,
40 librarians, ~30 first-line staff), and then enlarged to a busy term:

- every librarian bookable four weekdays, 09:00-15:00 in the home library, no daily cap;
- 20,000 appointments: the 16 weeks before today about 85 % booked, the 8 weeks ahead
  about half (so that patrons still find free times), on each librarian's slot grid;
- 2,000 drop-in sessions across the five libraries (24 weeks), each with one or two hosts;
- a year of published desk and back-office shifts (26 weeks back, 26 ahead) for the
  first-line team, two people per two-hour block at the desk, one in the back office;
- 100 staff with a calendar-feed token each (the demo's 72 plus 28 non-bookable
  consultants): 300 personal feed URLs (shifts, appointments, all).

It writes ``plan.json`` beside the results (``--plan``): the demo password, who signs
in as what, open topics, the feed URLs. The runner copies this database (``CREATE
DATABASE ... TEMPLATE``) before every scenario, so each one starts from the same state.
The password is random per seed and only ever written to the plan file on this machine.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scheduler import create_app
from scheduler.accounts import token_digest
from scheduler.calendars.tokens import derive_token
from scheduler.demo import seed_demo
from scheduler.extensions import db
from scheduler.models import (
    Appointment,
    AvailabilityRule,
    BookingSettings,
    Channel,
    DropInSession,
    FeedToken,
    GroupQuestion,
    Library,
    Person,
    PersonLibraryRole,
    PublishedShift,
    Role,
    ServicePoint,
    Topic,
    TopicGroup,
)
from scheduler.models.dropin import session_hosts
from scheduler.models.people import person_libraries

DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
DEFAULT_DATABASE = "scheduler_load_seed"
HERE = Path(__file__).resolve().parent
DEFAULT_PLAN = HERE / "out" / "plan.json"

APPOINTMENTS = 20_000
SESSIONS = 2_000
FEED_PEOPLE = 100
PAST_WEEKS, FUTURE_WEEKS = 16, 8
PAST_SHARE, FUTURE_SHARE = 0.85, 0.50


def recreate_database(server: str, name: str) -> str:
    """Drop and create ``name`` on the server; returns its SQLAlchemy URL."""
    url = make_url(server).set(database="postgres")
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def day_slots(day: date, start: time, end: time, step: timedelta, length: timedelta, tz: ZoneInfo):
    """Local grid starts in a window, as UTC (start, end) pairs."""
    at = datetime.combine(day, start, tz)
    close = datetime.combine(day, end, tz)
    while at + length <= close:
        yield at.astimezone(UTC), (at + length).astimezone(UTC)
        at += step


def enlarge(today: date, rng: random.Random, key: str) -> dict:
    """Bulk-insert the busy term into the demo; returns what the plan file needs."""
    session = db.session
    now = datetime.now(UTC)
    tz = ZoneInfo("Europe/Oslo")
    monday = today - timedelta(days=today.weekday())

    librarians = session.execute(
        select(Person.id, person_libraries.c.library_id)
        .join(person_libraries, person_libraries.c.person_id == Person.id)
        .where(Person.bookable.is_(True))
        .order_by(Person.id)
    ).all()
    home: dict[int, int] = {}
    for pid, lib in librarians:
        home.setdefault(pid, lib)
    lib_ids = list(session.scalars(select(Library.id).order_by(Library.position)))
    topic_ids = list(session.scalars(select(Topic.id).order_by(Topic.id)))

    # Availability: four weekdays 09-15 at home; slot 45 min (some 30/60), no daily cap.
    session.execute(delete(AvailabilityRule).where(AvailabilityRule.person_id.in_(list(home))))
    rules, grid = [], {}
    for pid, lib in home.items():
        minutes = rng.choice([30, 45, 45, 45, 60])
        buffer = rng.choice([0, 0, 15])
        session.execute(
            update(BookingSettings)
            .where(BookingSettings.person_id == pid)
            .values(slot_minutes=minutes, buffer_minutes=buffer, max_per_day=None)
        )
        days = sorted(rng.sample(range(5), k=4))
        for weekday in days:
            rules.append(
                {
                    "person_id": pid,
                    "library_id": lib,
                    "weekday": weekday,
                    "start_time": time(9),
                    "end_time": time(15),
                    "modes": "in_person,online",
                }
            )
        grid[pid] = (days, timedelta(minutes=minutes), timedelta(minutes=minutes + buffer))
    session.execute(insert(AvailabilityRule), rules)

    # Appointments on each grid, skipping what the demo already booked.
    taken = {
        (pid, start)
        for pid, start in session.execute(select(Appointment.librarian_id, Appointment.starts_at))
    }
    demo_busy = session.execute(
        select(Appointment.librarian_id, Appointment.starts_at, Appointment.blocked_until)
    ).all()
    candidates = []
    for week in range(-PAST_WEEKS, FUTURE_WEEKS):
        share = PAST_SHARE if week < 0 else FUTURE_SHARE
        for pid, (days, length, step) in grid.items():
            for weekday in days:
                day = monday + timedelta(days=7 * week + weekday)
                for start, end in day_slots(day, time(9), time(15), step, length, tz):
                    if week >= 0 and start < now + timedelta(days=2):
                        continue  # inside the notice period: leave it alone
                    if rng.random() < share:
                        candidates.append((pid, start, end, step - length))
    rng.shuffle(candidates)
    rows = []
    for pid, start, end, buffer in candidates:
        if len(rows) >= APPOINTMENTS:
            break
        if (pid, start) in taken or any(
            p == pid and s < end + buffer and start < b for p, s, b in demo_busy
        ):
            continue
        past = start < now
        cancelled = rng.random() < 0.05
        rows.append(
            {
                "librarian_id": pid,
                "library_id": home[pid],
                "topic_id": rng.choice(topic_ids),
                "mode": rng.choice(["in_person", "online"]),
                "starts_at": start,
                "ends_at": end,
                "blocked_until": end + buffer,
                "status": "cancelled" if cancelled else "booked",
                "cancelled_at": start - timedelta(days=1) if cancelled else None,
                "patron_name": f"Student {len(rows):05d}",
                "patron_email": f"student{len(rows):05d}@student.uni.example",
                "locale": rng.choice(["nb", "en"]),
                "manage_token_hash": token_digest(secrets.token_urlsafe(24)),
                "token_salt": secrets.token_hex(16),
                "created_at": min(now, start - timedelta(days=rng.randint(1, 20))),
                "updated_at": now if not past else start,
            }
        )
    session.execute(insert(Appointment), rows)

    # Drop-in sessions over the term, hosted by the librarians of that library.
    by_library: dict[int, list[int]] = {}
    for pid, lib in home.items():
        by_library.setdefault(lib, []).append(pid)
    creator = session.scalar(select(Person.id).order_by(Person.id))
    sessions = []
    for n in range(SESSIONS):
        lib = lib_ids[n % len(lib_ids)]
        day = monday + timedelta(days=rng.randint(-7 * PAST_WEEKS, 7 * FUTURE_WEEKS - 1))
        if day.weekday() >= 5:
            day -= timedelta(days=2)
        start = datetime.combine(day, time(rng.choice([15, 16, 17, 18])), tz).astimezone(UTC)
        capacity = rng.choice([None, 12, 20, 30])
        sessions.append(
            {
                "title": f"Drop-in {n:04d}",
                "topic_id": rng.choice(topic_ids),
                "library_id": lib,
                "location": "Group room 2",
                "starts_at": start,
                "ends_at": start + timedelta(minutes=rng.choice([45, 60, 90])),
                "capacity": capacity,
                "registration_required": capacity is not None,
                "description": "Bring your questions.",
                "status": "announced",
                "created_by_id": creator,
            }
        )
    session.execute(insert(DropInSession), sessions)
    new_sessions = session.execute(
        select(DropInSession.id, DropInSession.library_id).where(
            DropInSession.title.like("Drop-in %")
        )
    ).all()
    hosts = []
    for sid, lib in new_sessions:
        pool = by_library.get(lib) or list(home)
        for pid in rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2]))):
            hosts.append({"session_id": sid, "person_id": pid})
    session.execute(insert(session_hosts), hosts)

    # A year of published shifts for the first-line team, at the main library.
    first_line = list(
        session.scalars(
            select(PersonLibraryRole.person_id)
            .where(PersonLibraryRole.role == Role.FIRST_LINE)
            .distinct()
            .order_by(PersonLibraryRole.person_id)
        )
    )
    main = lib_ids[0]
    points = {
        channel: pid
        for pid, channel in session.execute(
            select(ServicePoint.id, ServicePoint.channel).where(ServicePoint.library_id == main)
        )
    }
    desk = points.get(Channel.DESK) or next(iter(points.values()))
    back = next((p for c, p in points.items() if c != Channel.DESK), desk)
    shifts = []
    for d in range(-26 * 7, 26 * 7):
        day = monday + timedelta(days=d)
        if day.weekday() == 6:
            continue
        for block in range(5):
            start = datetime.combine(day, time(8 + 2 * block), tz).astimezone(UTC)
            staff = rng.sample(first_line, k=3)
            for point, person in ((desk, staff[0]), (desk, staff[1]), (back, staff[2])):
                shifts.append(
                    {
                        "person_id": person,
                        "service_point_id": point,
                        "starts_at": start,
                        "ends_at": start + timedelta(hours=2),
                        "status": "confirmed",
                        "updated_at": now,
                    }
                )
    session.execute(insert(PublishedShift), shifts)

    # Feed tokens for 100 staff (28 more consultants first).
    staff = list(
        session.scalars(
            select(Person.id)
            .where(Person.id.in_(select(PersonLibraryRole.person_id)))
            .order_by(Person.id)
        )
    )
    extra = [
        {
            "email": f"consultant{i:02d}@demo.example",
            "name": f"Consultant {i:02d}",
            "bookable": False,
            "active": True,
            "session_nonce": secrets.token_hex(16),
            "created_at": now,
            "updated_at": now,
        }
        for i in range(max(0, FEED_PEOPLE - len(staff)))
    ]
    if extra:
        session.execute(insert(Person), extra)
        ids = session.scalars(
            select(Person.id).where(Person.email.like("consultant%@demo.example"))
        ).all()
        session.execute(
            insert(PersonLibraryRole),
            [{"person_id": pid, "library_id": lib_ids[0], "role": Role.LIBRARIAN} for pid in ids],
        )
        staff += list(ids)
    feeds, tokens = [], []
    for pid in staff[:FEED_PEOPLE]:
        nonce = secrets.token_hex(32)
        token = derive_token(key, nonce)
        tokens.append({"person_id": pid, "token_hash": token_digest(token), "nonce": nonce})
        feeds += [f"/feeds/{token}/{kind}.ics" for kind in ("shifts", "appointments", "all")]
    session.execute(insert(FeedToken), tokens)

    questions: dict[int, list[str]] = {}
    for group_id, question_id in session.execute(select(GroupQuestion.group_id, GroupQuestion.id)):
        questions.setdefault(group_id, []).append(str(question_id))
    open_topics = session.execute(
        select(Topic.id, Topic.slug, Topic.group_id)
        .outerjoin(TopicGroup, TopicGroup.id == Topic.group_id)
        .where(
            or_(TopicGroup.allowed_email_domains.is_(None), TopicGroup.allowed_email_domains == "")
        )
        .order_by(Topic.id)
    ).all()
    return {
        "appointments": len(rows),
        "sessions": len(sessions),
        "shifts": len(shifts),
        "feeds": feeds,
        "libraries": lib_ids,
        "open_topics": [
            {"id": tid, "slug": slug, "questions": questions.get(group_id, [])}
            for tid, slug, group_id in open_topics
        ],
        "librarians": sorted(home),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL")
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--plan", type=Path, default=DEFAULT_PLAN)
    parser.add_argument("--instance", type=Path, default=HERE / "out" / "instance")
    args = parser.parse_args()

    started = clock.perf_counter()
    url = recreate_database(args.server, args.database)
    args.instance.mkdir(parents=True, exist_ok=True)
    app = create_app({"DATABASE_URL": url, "INSTANCE": str(args.instance), "JOBS_THREAD": False})
    password = secrets.token_urlsafe(12)
    today = date.today()
    with app.app_context():
        from scheduler.cli import upgrade_database

        upgrade_database()
        sign_ins = seed_demo(db.session, today=today, password=password)
        db.session.flush()
        key = app.config.get("FEEDS_TOKEN_KEY") or app.config["SECRET_KEY"]
        facts = enlarge(today, random.Random(20270301), key)
        emails = dict(
            db.session.execute(
                select(Person.id, Person.email).where(Person.bookable.is_(True))
            ).all()
        )
        leaders = db.session.scalars(
            select(Person.email)
            .join(PersonLibraryRole, PersonLibraryRole.person_id == Person.id)
            .where(PersonLibraryRole.role == Role.SECTION_LEADER)
            .distinct()
        ).all()
        main_library = facts["libraries"][0]
        db.session.commit()
        db.engine.dispose()
    plan = {
        "database": args.database,
        "seeded_on": today.isoformat(),
        "password": password,
        "sign_ins": {s.role: s.email for s in sign_ins},
        "leaders": list(leaders),
        "librarian_emails": [emails[pid] for pid in facts["librarians"]],
        "main_library": main_library,
        **{k: v for k, v in facts.items() if k != "librarians"},
    }
    args.plan.parent.mkdir(parents=True, exist_ok=True)
    args.plan.write_text(json.dumps(plan, indent=1))
    args.plan.chmod(0o600)
    print(
        f"{args.database}: {facts['appointments']} appointments, {facts['sessions']} drop-in "
        f"sessions, {facts['shifts']} published shifts, {len(facts['feeds'])} feed URLs "
        f"in {clock.perf_counter() - started:.0f} s; plan in {args.plan}"
    )


if __name__ == "__main__":
    main()
