"""Review data: the grid, coverage, hours against contract, objective by term, CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, time

import pytest

from scheduler.rostering import edits
from scheduler.rostering.exports import COLUMNS, roster_csv
from scheduler.rostering.review import build_review, person_roster
from scheduler.rostering.roster_check import draft_pairs, roster_checker
from scheduler.solver.problem import TERMS
from tests.factories import acting_admin
from tests.rostering.review_data import make_roster


@pytest.fixture
def roster(db, create_library, create_person):
    return make_roster(db, create_library, create_person)


def test_grid_has_days_slots_points_and_names(db, roster) -> None:
    review = build_review(db.session, roster.period)
    assert [p.name for p in review.points] == ["Information desk", "Phone and chat"]
    assert [p.colour for p in review.points] == [0, 1]
    (week,) = review.weeks
    assert week.days[0] == date(2027, 1, 4)
    assert len(week.days) == 7
    assert week.slots == [
        (time(8), time(10)),
        (time(10), time(12)),
        (time(12), time(13)),
        (time(13), time(15)),
    ]
    monday_morning = week.cell(date(2027, 1, 4), 0)
    assert [(s.point_name, [p.name for p in s.people]) for s in monday_morning] == [
        ("Information desk", ["Anna"]),
        ("Phone and chat", []),
    ]
    assert review.assignment_count == 6


def test_coverage_needed_against_assigned(db, roster) -> None:
    a = roster.assignment(db, "desk-mon-08", roster.anna)
    edits.remove_assignment(
        db.session, roster.period, a.id, actor=acting_admin(), override_reason="testing coverage"
    )
    review = build_review(db.session, roster.period)
    by_id = {s.id: s for s in review.shifts}
    short = by_id[roster.shifts["desk-mon-08"].id]
    assert (short.min_staff, short.assigned, short.missing, short.coverage) == (1, 0, 1, "short")
    assert by_id[roster.shifts["desk-mon-10"].id].coverage == "full"
    assert by_id[roster.shifts["desk-thu-08"].id].coverage == "open"
    assert [s.id for s in review.short_shifts] == [short.id]


def test_hours_per_person_per_week(db, roster) -> None:
    review = build_review(db.session, roster.period)
    hours = {h.name: h for h in review.people}
    assert set(hours) == {"Anna", "Bo", "Cai"}  # the pool; the librarian is not in it
    (week,) = hours["Anna"].weeks
    assert (week.hours, week.min_hours, week.max_hours, week.status) == (4.0, 4.0, 8.0, "ok")
    assert week.percent(8.0) == pytest.approx(90.9, abs=0.1)


def test_objective_by_term_agrees_with_the_checker(db, roster) -> None:
    review = build_review(db.session, roster.period)
    objective = review.objective
    assert objective.ok
    assert [t.name for t in objective.terms] == list(TERMS)
    terms = {t.name: t for t in objective.terms}
    assert (terms["duty_days"].count, terms["duty_days"].weight) == (3, 30)
    assert terms["duty_days"].value == 90
    assert objective.total == 90
    report = roster_checker(db.session, roster.period).check(draft_pairs(db.session, roster.period))
    assert report.objective == objective.total


def test_violations_show_after_an_override(db, roster) -> None:
    edits.add_assignment(
        db.session,
        roster.period,
        shift_id=roster.shifts["remote-mon-13"].id,
        person_id=roster.anna.id,
        actor=acting_admin(),
        override_reason="extra chat",
    )
    objective = build_review(db.session, roster.period).objective
    assert [v.rule for v in objective.violations] == ["H7"]


def test_person_view(db, roster) -> None:
    mine = person_roster(db.session, roster.period, roster.bo)
    assert [(d, [s.start for s in shifts]) for d, shifts in mine.by_day()] == [
        (date(2027, 1, 5), [time(8), time(10)])
    ]
    assert mine.hours.total_hours == 4.0
    assert mine.absences == []
    assert len(person_roster(db.session, roster.period, roster.cai).absences) == 1


def test_csv_lists_every_shift_and_person(db, roster) -> None:
    roster.bo.name = "=HYPERLINK(evil)"
    text = roster_csv(db.session, roster.period)
    assert text.endswith("\r\n")
    table = list(csv.reader(io.StringIO(text)))
    assert tuple(table[0]) == COLUMNS
    assert table[1] == [
        "2027-01-04",
        "Mon",
        "08:00",
        "10:00",
        "Information desk",
        "Anna",
        "no",
        "solver",
        "1",
        "",
    ]
    assert ["2027-01-07", "Thu", "08:00", "10:00", "Information desk", "", "", "", "0-1", ""] in (
        table
    )
    assert any(row[5] == "'=HYPERLINK(evil)" for row in table)
    assert len(table) == 1 + 11  # header, one row per holder or per empty shift
