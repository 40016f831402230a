"""The section leader's start page: their libraries' periods, state and open places."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup

from scheduler.models import Assignment, PeriodStatus, Role
from scheduler.rostering.overview import leader_overview
from tests.rostering.helpers import MONDAY

EN = {"Accept-Language": "en"}


def test_overview_counts_open_places_and_staffed_shifts(db, world, create_person) -> None:
    leader = create_person(Role.SECTION_LEADER, libraries=[world.library])
    (entry,) = leader_overview(db.session, leader, MONDAY)
    (summary,) = entry.periods
    assert (summary.shifts, summary.staffed, summary.open_places) == (3, 0, 3)
    assert summary.state == "empty"
    # One desk shift staffed; a second shift needing two gets one of them.
    desk, desk2, _back = world.shifts
    desk2.min_staff = desk2.max_staff = 2
    db.session.add_all(
        [
            Assignment(shift=desk, person=world.people[0]),
            Assignment(shift=desk2, person=world.people[1]),
        ]
    )
    db.session.flush()
    (entry,) = leader_overview(db.session, leader, MONDAY)
    (summary,) = entry.periods
    # desk staffed; desk2 misses one of two; back office misses one.
    assert (summary.shifts, summary.staffed, summary.open_places) == (3, 1, 2)
    assert summary.state == "roster"
    world.period.status = PeriodStatus.PUBLISHED
    db.session.flush()
    assert leader_overview(db.session, leader, MONDAY)[0].periods[0].state == "published"


def test_overview_leaves_out_other_libraries_and_past_periods(
    db, world, create_person, create_library
) -> None:
    other = create_library(name="Elsewhere")
    leader = create_person(Role.SECTION_LEADER, libraries=[other])
    (entry,) = leader_overview(db.session, leader, MONDAY)
    assert entry.library.id == other.id
    assert entry.periods == []
    mine = create_person(Role.SECTION_LEADER, libraries=[world.library])
    after = date(2027, 1, 11)  # the one-week period is over
    assert leader_overview(db.session, mine, after)[0].periods == []
    librarian = create_person(Role.LIBRARIAN, libraries=[world.library])
    assert leader_overview(db.session, librarian, MONDAY) == []


def test_leader_start_page_shows_the_periods(client, db, world, create_person, login) -> None:
    leader = create_person(Role.SECTION_LEADER, libraries=[world.library])
    login(leader)
    page = BeautifulSoup(client.get("/staff/", headers=EN).get_data(as_text=True), "html.parser")
    section = page.find("section", attrs={"aria-labelledby": "rosters-heading"})
    assert section is not None
    assert world.library.name in section.get_text()
    row = section.find("tbody").find("tr")
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[1:] == ["No roster yet", "0 / 3", "3"]
    assert row.find("a")["href"] == f"/staff/roster/periods/{world.period.id}"


def test_librarian_start_page_has_no_roster_section(client, create_person, login) -> None:
    login(create_person(Role.LIBRARIAN))
    page = client.get("/staff/", headers=EN).get_data(as_text=True)
    assert "rosters-heading" not in page
