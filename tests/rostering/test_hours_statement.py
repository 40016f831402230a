"""The hours statement against a month computed by hand.

The roster week is the first whole week of a month two or more months ahead (its
Monday is at most the 7th, so the week lies inside the month). Published:

========  ===================================  ======
person    shifts                               hours
========  ===================================  ======
Bo        Tue 08–10, Tue 10–12, Thu 08–10      6
Cai       Wed 08–10, Wed 10–12                 4
========  ===================================  ======

Then: Bo gives Thursday 08–10 to Cai (approved), and Bo reports sick on Tuesday from
10:00 to 11:00 (an absence, no repair). So, for that week:

- Bo: planned 6 h (as published); worked = Tue 08–12 (4 h) − 1 h sick = **3 h**;
- Cai: planned 4 h; worked = 4 h + Thursday's 2 h = **6 h**.

Limits (both 4–8 h a week, no target) are prorated per ISO week by its days in the
month: a month of D days has min 4 × D / 7 h and max 8 × D / 7 h in total; the roster
week itself, whole, has min 4 h and max 8 h.
"""

from __future__ import annotations

import calendar
from datetime import date, time, timedelta

import pytest

from scheduler.errors import Forbidden
from scheduler.models import Absence, AbsenceKind, Assignment
from scheduler.rostering import approvals, swaps
from scheduler.rostering.hours_statement import csv_rows, hours_statement
from scheduler.rostering.publish import publish
from scheduler.timeutil import local_to_utc
from tests.rostering.review_data import make_roster
from tests.rostering.self_service_data import CTX, row


def first_monday_in_two_months() -> date:
    today = date.today()
    year, month = (
        (today.year, today.month + 2) if today.month <= 10 else (today.year + 1, today.month - 10)
    )
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def roster(db, create_library, create_person):
    monday = first_monday_in_two_months()
    r = make_roster(db, create_library, create_person, monday=monday)
    r.leader.libraries = [r.period.library]
    db.session.add(Assignment(shift_id=r.shifts["desk-thu-08"].id, person_id=r.bo.id))
    db.session.flush()
    publish(db.session, r.period, actor=r.leader)
    offer = swaps.offer(
        db.session, r.bo, row(db, r, "desk-thu-08", r.bo).id, to_person_id=r.cai.id, ctx=CTX
    )
    swaps.accept(db.session, r.cai, offer.id, ctx=CTX)
    approvals.approve(db.session, r.leader, offer.id, ctx=CTX)
    tuesday = monday + timedelta(days=1)
    db.session.add(
        Absence(
            person_id=r.bo.id,
            starts_at=local_to_utc(tuesday, time(10), "Europe/Oslo"),
            ends_at=local_to_utc(tuesday, time(11), "Europe/Oslo"),
            kind=AbsenceKind.SICK,
        )
    )
    db.session.commit()
    return r


def test_planned_and_worked_hours_match_the_hand_computed_month(db, roster) -> None:
    monday = roster.period.start_date
    days = calendar.monthrange(monday.year, monday.month)[1]
    lib = roster.period.library
    bo = hours_statement(db.session, roster.bo, roster.bo, lib, monday.year, monday.month)
    week = next(w for w in bo.weeks if w.first == monday)
    assert (week.last, week.days) == (monday + timedelta(days=6), 7)
    assert (week.planned, week.worked) == (6 * 60, 3 * 60)
    assert (week.min, week.target, week.max) == (4 * 60, None, 8 * 60)
    # Other weeks: nothing planned or worked; the month's limits add up to D days' worth.
    assert sum(w.planned for w in bo.weeks) == 6 * 60
    assert sum(w.worked for w in bo.weeks) == 3 * 60
    assert sum(w.days for w in bo.weeks) == days
    assert bo.total("min") == pytest.approx(4 * 60 * days / 7)
    assert bo.total("max") == pytest.approx(8 * 60 * days / 7)
    assert bo.total("target") is None
    assert [(s.minutes, s.absent) for s in bo.shifts] == [(120, 0), (120, 60)]

    cai = hours_statement(db.session, roster.leader, roster.cai, lib, monday.year, monday.month)
    assert (cai.total("planned"), cai.total("worked")) == (4 * 60, 6 * 60)

    rows = csv_rows(bo)
    total = rows[-1]
    assert total[3] == "total"
    assert total[7:10] == ["6.00", "3.00", f"{4 * days / 7:.2f}"]
    assert total[10] == ""  # no target


def test_only_the_person_and_their_leader_see_the_statement(db, roster) -> None:
    lib = roster.period.library
    with pytest.raises(Forbidden):
        hours_statement(db.session, roster.anna, roster.bo, lib, 2027, 1)
