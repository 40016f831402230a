"""The demo's desk: six term weeks with a busy lunchtime and a quiet summer, so the heat
map and the demand suggestions show something real."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import func, select

from scheduler import demo
from scheduler.desk.demand_suggestions import suggest_demand
from scheduler.desk.statistics import StatsFilter, library_statistics
from scheduler.models import Actor, Inquiry, Library, Person, RoutineRow
from scheduler.timeutil import monday_of

TODAY = date(2027, 3, 10)  # a Wednesday in term


def test_the_demo_desk(db) -> None:
    demo.seed_demo(db.session, today=TODAY, password="demo-password-1")
    db.session.commit()
    main = db.session.scalar(select(Library).where(Library.is_main.is_(True)))
    leader = db.session.scalar(select(Person).where(Person.email == "leader@demo.example"))
    assert db.session.scalar(select(func.count()).select_from(Actor)) >= 5
    assert db.session.scalar(select(func.count()).select_from(RoutineRow)) >= 5
    assert db.session.scalar(select(func.count()).select_from(Inquiry)) > 1000

    term = library_statistics(
        db.session,
        leader,
        StatsFilter(main.id, monday_of(TODAY) - timedelta(weeks=6), TODAY - timedelta(days=1)),
    )
    lunch = sum(term.heat[(d, 12)] for d in range(5))
    morning = sum(term.heat[(d, 9)] for d in range(5))
    assert lunch > 2 * morning
    summer = library_statistics(
        db.session, leader, StatsFilter(main.id, date(2026, 6, 29), date(2026, 8, 9))
    )
    assert 0 < summer.total < term.total / 2

    found = suggest_demand(db.session, leader, main, monday_of(TODAY))
    assert len(found.weeks) == 6
    noon = [r for r in found.rules if r.weekday == 1 and r.start <= time(12) < r.end]
    assert noon
    assert noon[0].people >= 2
