"""The shared activity calendar: which days a month, week or list view covers, and which
sessions a filter keeps. Pages draw it; this module only decides what is in it."""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler.booking.dropins.queries import SessionListing
from scheduler.inputs import Fields, date_window, parse_date, parse_id
from scheduler.reasons import _

VIEWS = ("month", "week", "list")
KINDS = ("all", "signup", "dropin")  # every session; with sign-up; come as you are
LIST_DAYS = 28
MAX_QUERY = 100


@dataclass(frozen=True)
class CalendarFilter:
    view: str
    anchor: date
    library_id: int | None = None
    topic_id: int | None = None
    kind: str = "all"
    q: str = ""

    def keeps(self, item: SessionListing) -> bool:
        s = item.dropin
        if self.kind == "signup" and not s.registration_required:
            return False
        if self.kind == "dropin" and s.registration_required:
            return False
        if self.q:
            haystack = " ".join(
                part or ""
                for part in (
                    s.title,
                    s.description,
                    s.topic.name if s.topic else "",
                    s.library.name if s.library else "",
                    s.location,
                )
            ).casefold()
            return all(word in haystack for word in self.q.casefold().split())
        return True


@dataclass(frozen=True)
class CalendarRange:
    """The days one page shows, and where the previous and next pages start."""

    start: date
    end: date  # inclusive
    previous: date
    next: date
    weeks: list[list[date]]  # Monday-first rows (month and week views)


def read_filter(values: Mapping[str, Any], today: date) -> tuple[CalendarFilter, Fields]:
    """The calendar's query string: ``view``, ``date``, ``library``, ``topic``, ``kind``,
    ``q``; ``fields.errors`` names each bad one (the page then shows today's month)."""
    fields = Fields(values)
    view = str(values.get("view") or "month")
    if view not in VIEWS:
        fields.errors["view"] = _("must be one of %(choices)s", choices=", ".join(VIEWS))
        view = "month"
    kind = str(values.get("kind") or "all")
    if kind not in KINDS:
        fields.errors["kind"] = _("must be one of %(choices)s", choices=", ".join(KINDS))
        kind = "all"
    q = str(values.get("q") or "").strip()
    if len(q) > MAX_QUERY:
        fields.errors["q"] = _("must be at most %(count)s characters", count=MAX_QUERY)
        q = ""
    anchor = fields.read("date", parse_date) or today
    return (
        CalendarFilter(
            view=view,
            anchor=anchor,
            library_id=fields.read("library", parse_id, required=False),
            topic_id=fields.read("topic", parse_id, required=False),
            kind=kind,
            q=q,
        ),
        fields,
    )


def calendar_range(view: str, anchor: date) -> CalendarRange:
    if view == "month":
        first = anchor.replace(day=1)
        last = first.replace(day=_calendar.monthrange(first.year, first.month)[1])
        previous = (first - timedelta(days=1)).replace(day=1)
        following = last + timedelta(days=1)
        grid_start = first - timedelta(days=first.weekday())
        grid_end = last + timedelta(days=6 - last.weekday())
        return CalendarRange(first, last, previous, following, _rows(grid_start, grid_end))
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        sunday = monday + timedelta(days=6)
        return CalendarRange(
            monday, sunday, monday - timedelta(days=7), monday + timedelta(days=7),
            _rows(monday, sunday),
        )  # fmt: skip
    end = anchor + timedelta(days=LIST_DAYS - 1)
    return CalendarRange(
        anchor, end, anchor - timedelta(days=LIST_DAYS), end + timedelta(days=1), []
    )


def clamp(day: date) -> date:
    """Navigation never leaves the dates the inputs accept."""
    first, last = date_window()
    return min(max(day, first), last)


def by_day(items: Iterable[SessionListing], local_date: Any) -> dict[date, list[SessionListing]]:
    days: dict[date, list[SessionListing]] = {}
    for item in items:
        days.setdefault(local_date(item.dropin), []).append(item)
    return days


def _rows(start: date, end: date) -> list[list[date]]:
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return [days[i : i + 7] for i in range(0, len(days), 7)]
