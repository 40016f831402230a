"""The activity calendar: month, week and list views across branches, filters, search,
subscribe links, and everything without JavaScript."""

from __future__ import annotations

from datetime import date, time

import pytest
from bs4 import BeautifulSoup

from scheduler.booking.dropins.calendar import calendar_range
from scheduler.models import SessionStatus

EN = {"Accept-Language": "en"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_month_grid_runs_monday_to_sunday_around_the_month() -> None:
    span = calendar_range("month", date(2027, 3, 17))
    assert (span.start, span.end) == (date(2027, 3, 1), date(2027, 3, 31))
    assert span.weeks[0][0] == date(2027, 3, 1)  # a Monday
    assert span.weeks[-1][-1] == date(2027, 4, 4)
    assert all(len(week) == 7 for week in span.weeks)
    assert (span.previous, span.next) == (date(2027, 2, 1), date(2027, 4, 1))


def test_week_and_list_ranges() -> None:
    week = calendar_range("week", date(2027, 3, 17))  # a Wednesday
    assert (week.start, week.end) == (date(2027, 3, 15), date(2027, 3, 21))
    assert (week.previous, week.next) == (date(2027, 3, 8), date(2027, 3, 22))
    listing = calendar_range("list", date(2027, 3, 17))
    assert (listing.start, listing.end, listing.next) == (
        date(2027, 3, 17),
        date(2027, 4, 13),
        date(2027, 4, 14),
    )


@pytest.fixture
def events(db, create_dropin, create_library):
    main = create_library(name="Main library", slug="main")
    health = create_library(name="Health library", slug="health")
    return {
        # 23:30 in Oslo on the last Sunday of March, as DST starts: still March 28 locally.
        "late": create_dropin(
            library=main, day=date(2027, 3, 28), start=time(23, 30), title="Night writing"
        ),
        "clinic": create_dropin(
            library=health,
            day=date(2027, 3, 10),
            title="Search clinic",
            description="Systematic searches in PubMed",
            registration_required=False,
        ),
        "cancelled": create_dropin(
            library=main, day=date(2027, 3, 10), title="Zotero", status=SessionStatus.CANCELLED
        ),
        "april": create_dropin(library=main, day=date(2027, 4, 2), title="Thesis café"),
    }


def _cells(page: BeautifulSoup) -> dict[str, list[str]]:
    """Each month cell's day (from its hidden full date) and event titles."""
    out = {}
    for td in page.select("table.cal-month td"):
        titles = [t.get_text(strip=True) for t in td.select(".cal-title")]
        out[td.select_one(".visually-hidden").get_text(strip=True)] = titles
    return out


def test_month_view_puts_each_session_on_its_local_day(client, events) -> None:
    page = soup(client.get("/calendar?view=month&date=2027-03-01", headers=EN))
    assert page.find("caption").get_text(strip=True) == "March 2027"
    cells = _cells(page)
    assert cells["Sunday, 28 March 2027"] == ["Night writing"]
    assert sorted(cells["Wednesday, 10 March 2027"]) == ["Search clinic", "Zotero"]
    # The grid's trailing days belong to April and show April's sessions too.
    assert cells["Friday, 2 April 2027"] == ["Thesis café"]
    cancelled = page.find("span", string="Zotero").find_parent("a")
    assert "is-cancelled" in cancelled["class"]
    assert cancelled["href"] == f"/dropins/{events['cancelled'].id}"
    # The headers are the weekdays, as column headers with their full names.
    assert [th.abbr["title"] for th in page.select("thead th")][:2] == ["Monday", "Tuesday"]


def test_filters_and_search(client, events) -> None:
    base = "/calendar?view=month&date=2027-03-01"
    health = events["clinic"].library
    page = soup(client.get(f"{base}&library={health.id}", headers=EN))
    assert [t.get_text() for t in page.select(".cal-title")] == ["Search clinic"]
    page = soup(client.get(f"{base}&kind=dropin", headers=EN))
    assert [t.get_text() for t in page.select(".cal-title")] == ["Search clinic"]
    page = soup(client.get(f"{base}&kind=signup", headers=EN))
    assert "Search clinic" not in [t.get_text() for t in page.select(".cal-title")]
    page = soup(client.get(f"{base}&q=pubmed", headers=EN))  # the description counts
    assert [t.get_text() for t in page.select(".cal-title")] == ["Search clinic"]
    # The subscribe link follows the library filter (feeds name libraries by slug).
    sub = page = soup(client.get(f"{base}&library={health.id}", headers=EN))
    assert sub.find("input", id="feed-calendar")["value"] == (
        "https://library.test/feeds/public/dropins.ics?library=health"
    )
    assert sub.find("a", href=lambda h: h and h.startswith("webcal://")) is not None


def test_week_and_list_views(client, events) -> None:
    week = soup(client.get("/calendar?view=week&date=2027-03-10", headers=EN))
    days = {s.h3.get_text(strip=True): s for s in week.select(".cal-week section")}
    assert len(days) == 7
    assert next(iter(days)) == "Monday, 8 March 2027"
    assert "Search clinic" in days["Wednesday, 10 March 2027"].get_text()
    assert "Nothing on this day." in days["Tuesday, 9 March 2027"].get_text()
    listing = soup(client.get("/calendar?view=list&date=2027-03-20", headers=EN))
    assert [h.get_text(strip=True) for h in listing.select(".dropin-day h3")] == [
        "Sunday, 28 March 2027",
        "Friday, 2 April 2027",
    ]
    # Previous and next keep the view and the filters.
    nxt = listing.find("a", rel="next")["href"]
    assert "view=list" in nxt
    assert "date=2027-04-17" in nxt


def test_the_calendar_needs_no_javascript(client, events) -> None:
    html = client.get("/calendar?date=2027-03-01", headers=EN).get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    # Every view, step and filter is a link or a GET form.
    assert {a.get_text() for a in page.select(".cal-views a")} == {"Month", "Week", "List"}
    assert page.find("form", attrs={"role": "search"})["method"] == "get"
    assert "<script>" not in html  # only the external copy-button helper


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("view=year", "View"),
        ("date=2027-02-30", "Date"),
        ("library=%C2%B2", "Library"),
        ("kind=party", "Kind"),
        ("q=" + "x" * 101, "Search"),
    ],
)
def test_bad_filters_name_the_field(client, query, field) -> None:
    response = client.get(f"/calendar?{query}", headers=EN)
    assert response.status_code == 422
    summary = soup(response).find("div", class_="error-summary")
    assert field in summary.get_text()


def test_the_calendar_in_norwegian(client, events) -> None:
    page = soup(client.get("/calendar?date=2027-03-01", headers={"Accept-Language": "nb"}))
    assert page.find("caption").get_text(strip=True) == "Mars 2027"
    assert page.find("h1").get_text() == "Aktivitetskalender"
