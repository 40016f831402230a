"""The numbers against a hand-counted fortnight (with the change to summer time in it)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup

from scheduler.desk.statistics import (
    AUTUMN,
    SPRING,
    SUMMER,
    StatsFilter,
    library_statistics,
    statistics_csv,
    term_of,
)
from scheduler.errors import Forbidden
from scheduler.models import InquiryChannel

WEEK_12 = date(2027, 3, 22)  # Monday; summer time starts on Sunday 28 March
LAST_DAY = date(2027, 4, 4)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def fortnight(db, world, add_inquiry):
    """Five inquiries in the period, three just outside it or in another library."""
    add_inquiry(world, utc(2027, 3, 22, 11, 10), category=world.reference, referred_to=world.tax)
    add_inquiry(world, utc(2027, 3, 22, 11, 50), category=world.printing)  # Mon 12:50
    add_inquiry(  # Tue 09:05, on the phone, handed over to guidance
        world,
        utc(2027, 3, 23, 8, 5),
        service_point_id=world.phone.id,
        channel=InquiryChannel.PHONE,
        handed_over=True,
    )
    # Mon 29 March 12:30 in Oslo is 10:30 UTC now that summer time has begun.
    add_inquiry(world, utc(2027, 3, 29, 10, 30), category=world.reference, referred_to=world.bank)
    add_inquiry(  # Sun 4 April 23:30 local, by chat
        world, utc(2027, 4, 4, 21, 30), service_point_id=None, channel=InquiryChannel.CHAT
    )
    add_inquiry(world, utc(2027, 3, 21, 22, 59))  # Sunday 21 March 23:59 local: before
    add_inquiry(world, utc(2027, 4, 4, 22, 10))  # Monday 5 April 00:10 local: after
    add_inquiry(world, utc(2027, 3, 24, 10, 0), library_id=world.other_library.id)
    db.session.flush()


def _stats(db, world, **kw):
    return library_statistics(
        db.session, world.leader, StatsFilter(world.library.id, WEEK_12, LAST_DAY, **kw)
    )


def test_the_counts_of_the_fortnight(db, world, fortnight) -> None:
    stats = _stats(db, world)
    assert stats.total == 5
    assert dict(stats.heat) == {(0, 12): 3, (1, 9): 1, (6, 23): 1}
    assert stats.weeks == {(2027, 12): 3, (2027, 13): 2}
    assert dict(stats.terms) == {(2027, SPRING): 5}
    assert dict(stats.channels) == {"desk": 3, "phone": 1, "chat": 1}
    assert dict(stats.categories) == {"Reference": 2, "Printing": 1, "": 2}
    assert dict(stats.referrals) == {"Tax office": 1, "Bank e-ID support": 1}
    assert stats.handed_over == 1
    assert stats.handed_over_share == pytest.approx(0.2)


def test_terms_of_the_academic_year() -> None:
    assert term_of(date(2027, 6, 30)) == (2027, SPRING)
    assert term_of(date(2027, 7, 1)) == (2027, SUMMER)
    assert term_of(date(2027, 8, 1)) == (2027, AUTUMN)
    assert sorted([(2026, AUTUMN), (2027, SPRING), (2026, SUMMER)]) == [
        (2026, SUMMER),
        (2026, AUTUMN),
        (2027, SPRING),
    ]


def test_filters_by_service_point_and_channel(db, world, fortnight) -> None:
    assert _stats(db, world, service_point_id=world.desk.id).total == 3
    phone = _stats(db, world, channel=InquiryChannel.PHONE)
    assert phone.total == 1
    assert dict(phone.heat) == {(1, 9): 1}


def test_a_quiet_week_still_has_its_row(db, world, add_inquiry) -> None:
    add_inquiry(world, utc(2027, 3, 22, 11, 10))
    stats = _stats(db, world)
    assert stats.weeks == {(2027, 12): 1, (2027, 13): 0}


def test_only_the_librarys_leaders_see_its_numbers(db, world, fortnight) -> None:
    filters = StatsFilter(world.library.id, WEEK_12, LAST_DAY)
    for person in (world.staff, world.other_leader):
        with pytest.raises(Forbidden):
            library_statistics(db.session, person, filters)
        with pytest.raises(Forbidden):
            statistics_csv(db.session, person, filters)


def test_the_csv_has_one_line_per_inquiry_in_local_time(db, world, fortnight) -> None:
    text = statistics_csv(
        db.session, world.leader, StatsFilter(world.library.id, WEEK_12, LAST_DAY)
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["date", "time", "weekday"]
    assert len(rows) == 6
    assert rows[4] == [
        "2027-03-29",
        "12:30",
        "1",
        "Information desk",
        "desk",
        "Reference",
        "under_5",
        "",
        "Bank e-ID support",
        "no",
    ]


def test_the_page_shows_the_heat_map_and_its_table(client, login, world, fortnight) -> None:
    login(world.leader)
    response = client.get(
        f"/leader/desk/statistics?library={world.library.id}&from=2027-03-22&to=2027-04-04",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.find("svg", class_="heatmap").find("desc") is not None
    table = soup.find("table", id="heat-table")
    monday = [td.get_text() for td in table.find("tbody").find_all("tr")[0].find_all("td")]
    hours = [th.get_text() for th in table.find("thead").find_all("th")][1:]
    assert monday[hours.index("12")] == "3"
    assert "handed over to booked guidance: 1 (20 %)" in soup.get_text()
    assert "Spring 2027" in soup.get_text()
    csv_response = client.get(
        f"/leader/desk/statistics.csv?library={world.library.id}&from=2027-03-22&to=2027-04-04"
    )
    assert csv_response.mimetype == "text/csv"
    assert csv_response.get_data(as_text=True).count("\n") == 6


def test_bad_filters_are_named_and_others_are_refused(client, login, world) -> None:
    login(world.leader)
    response = client.get(
        f"/leader/desk/statistics?library={world.library.id}&from=2027-13-01&channel=fax",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "from: is not a date like 2027-01-05" in text
    assert "channel: must be one of desk, phone, email, chat" in text
    login(world.staff)
    assert client.get("/leader/desk/statistics").status_code == 403
    login(world.other_leader)
    assert client.get(f"/leader/desk/statistics?library={world.library.id}").status_code == 404
