"""A small roster to review, edit, publish and repair: one week, two service points.

Week of Monday 4 January 2027 (or a given Monday) at a library in Oslo. The draft is
valid (no hard rule broken): Anna holds the desk on Monday morning, Bo on Tuesday,
Cai on Wednesday, four hours each. Optional shifts (min 0) give room for edits that
break exactly one rule:

======================  ========  =====  ======  ==========
shift                   point     staff  skills  holder
======================  ========  =====  ======  ==========
Mon 08-10, 10-12        desk      1      desk    Anna
Tue 08-10, 10-12        desk      1      desk    Bo
Wed 08-10               desk      1      desk    Cai
Wed 10-12               desk      0-1    desk    Cai
Thu 08-10               desk      0-1    desk    -
Mon 08-10, 10-12, 13-15 remote    0-1    chat    -
Tue 12-13               remote    0-1    -       -
======================  ========  =====  ======  ==========

Anna works at most 4 h a day; Cai is away on Monday (an absence).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from scheduler.models import (
    Absence,
    Assignment,
    Channel,
    Person,
    Role,
    RosterPeriod,
    ServicePoint,
    Shift,
)
from scheduler.timeutil import day_bounds, local_to_utc

MONDAY = date(2027, 1, 4)
TZ = "Europe/Oslo"


def at(day: int, clock: str, monday: date = MONDAY) -> datetime:
    """UTC instant of ``clock`` on day ``day`` (0 = Monday) of the test week."""
    h, m = (int(x) for x in clock.split(":"))
    return local_to_utc(monday + timedelta(days=day), time(h, m), TZ)


def next_monday() -> date:
    """A week still to come, for what only shows upcoming shifts (feeds, my shifts)."""
    today = date.today()
    return today + timedelta(days=7 - today.weekday())


@dataclass
class Roster:
    period: RosterPeriod
    desk: ServicePoint
    remote: ServicePoint
    leader: Person
    anna: Person
    bo: Person
    cai: Person
    librarian: Person
    shifts: dict[str, Shift] = field(default_factory=dict)

    def assignment(self, db, key: str, person: Person) -> Assignment:
        from sqlalchemy import select

        return db.session.scalar(
            select(Assignment).where(
                Assignment.shift_id == self.shifts[key].id, Assignment.person_id == person.id
            )
        )


SHIFTS = (
    # (key, point, day, start, end, min, max, skills, holder)
    ("desk-mon-08", "desk", 0, "08:00", "10:00", 1, 1, "desk", "anna"),
    ("desk-mon-10", "desk", 0, "10:00", "12:00", 1, 1, "desk", "anna"),
    ("desk-tue-08", "desk", 1, "08:00", "10:00", 1, 1, "desk", "bo"),
    ("desk-tue-10", "desk", 1, "10:00", "12:00", 1, 1, "desk", "bo"),
    ("desk-wed-08", "desk", 2, "08:00", "10:00", 1, 1, "desk", "cai"),
    ("desk-wed-10", "desk", 2, "10:00", "12:00", 0, 1, "desk", "cai"),
    ("desk-thu-08", "desk", 3, "08:00", "10:00", 0, 1, "desk", None),
    ("remote-mon-08", "remote", 0, "08:00", "10:00", 0, 1, "chat", None),
    ("remote-mon-10", "remote", 0, "10:00", "12:00", 0, 1, "chat", None),
    ("remote-mon-13", "remote", 0, "13:00", "15:00", 0, 1, "chat", None),
    ("remote-tue-12", "remote", 1, "12:00", "13:00", 0, 1, "", None),
)


def make_roster(
    db, create_library, create_person, *, assign: bool = True, monday: date = MONDAY
) -> Roster:
    lib = create_library(name="Main library", timezone=TZ)
    desk = ServicePoint(library=lib, name="Information desk", channel=Channel.DESK, position=0)
    remote = ServicePoint(library=lib, name="Phone and chat", channel=Channel.CHAT, position=1)
    db.session.add_all([desk, remote])
    leader = create_person(
        Role.SECTION_LEADER, name="Lea Leader", email="lea@uni.example", libraries=[lib]
    )

    def staff(name: str, skills: list[str], **kw) -> Person:
        return create_person(
            Role.FIRST_LINE,
            name=name,
            email=f"{name.lower()}@uni.example",
            skills=skills,
            libraries=[lib],
            min_hours_per_week=4,
            max_hours_per_week=8,
            **kw,
        )

    anna = staff("Anna", ["desk", "chat"], max_hours_per_day=4)
    bo = staff("Bo", ["desk"])
    cai = staff("Cai", ["desk", "chat"])
    librarian = create_person(
        Role.LIBRARIAN, name="Dee Librarian", email="dee@uni.example", libraries=[lib]
    )
    period = RosterPeriod(library=lib, start_date=monday, weeks=1, created_by_id=leader.id)
    db.session.add(period)
    db.session.flush()
    points = {"desk": desk, "remote": remote}
    people = {"anna": anna, "bo": bo, "cai": cai}
    roster = Roster(period, desk, remote, leader, anna, bo, cai, librarian)
    for key, point, day, start, end, lo, hi, skills, holder in SHIFTS:
        shift = Shift(
            period=period,
            service_point=points[point],
            starts_at=at(day, start, monday),
            ends_at=at(day, end, monday),
            min_staff=lo,
            max_staff=hi,
            skills=skills,
        )
        db.session.add(shift)
        db.session.flush()
        roster.shifts[key] = shift
        if assign and holder:
            db.session.add(Assignment(shift_id=shift.id, person_id=people[holder].id))
    away = day_bounds(monday, TZ)
    db.session.add(Absence(person_id=cai.id, starts_at=away[0], ends_at=away[1]))
    db.session.flush()
    return roster


def running_job(db, period: RosterPeriod):
    """A solver job that is running on ``period`` (as runs.start_run would leave it)."""
    from scheduler.models import Job, JobState
    from scheduler.rostering.runs import JOB_KIND, dedupe_key

    job = Job(kind=JOB_KIND, state=JobState.RUNNING, dedupe_key=dedupe_key(period.id))
    db.session.add(job)
    db.session.flush()
    return job
