"""Reader for the Curtois-Qu benchmark text format.

The format is described in ``../shared/benchmarks/curtois/README.md`` (section 2). The
reader accepts CRLF, LF and lone-CR line endings, ``#`` comments, blank lines and leading or
trailing spaces, and parses ``-0`` as 0. Everything else that does not fit the format raises
:class:`CurtoisFormatError` with the line number and the reason, because a silently
misread instance would make every benchmark number built on it meaningless.

Choices where the README leaves room (all documented in the error messages):

* Sections may appear in any order, but each exactly once, and all seven are required.
* A ``SECTION_SHIFTS`` line may omit the trailing comma of an empty third field.
* Every ``SECTION_STAFF`` line must list every shift type in ``MaxShifts`` (all 24 files do).
* An employee may have several ``SECTION_DAYS_OFF`` lines; their days are merged.
* A duplicate (employee, day, shift) request in one request section, and a duplicate
  (day, shift) cover row, are errors: the objective would count them twice.
* A (day, shift) pair without a cover row has no cover term (the objective sums over rows).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from scheduler.solver.curtois.instance import (
    DAYS_PER_WEEK,
    CoverRequirement,
    Employee,
    Instance,
    ShiftRequest,
    ShiftType,
)

HORIZON = "SECTION_HORIZON"
SHIFTS = "SECTION_SHIFTS"
STAFF = "SECTION_STAFF"
DAYS_OFF = "SECTION_DAYS_OFF"
ON_REQUESTS = "SECTION_SHIFT_ON_REQUESTS"
OFF_REQUESTS = "SECTION_SHIFT_OFF_REQUESTS"
COVER = "SECTION_COVER"
SECTIONS = (HORIZON, SHIFTS, STAFF, DAYS_OFF, ON_REQUESTS, OFF_REQUESTS, COVER)

STAFF_FIELDS = (
    "ID",
    "MaxShifts",
    "MaxTotalMinutes",
    "MinTotalMinutes",
    "MaxConsecutiveShifts",
    "MinConsecutiveShifts",
    "MinConsecutiveDaysOff",
    "MaxWeekends",
)

_INTEGER = re.compile(r"-?[0-9]+")
# Ids are used as keys in "T=n|U=m" lists and comma-separated lines, so those characters and
# whitespace cannot be part of one.
_ID = re.compile(r"[^\s,|=#]+")


class CurtoisFormatError(ValueError):
    """An instance text that does not follow the format; names the line and the reason."""

    def __init__(self, reason: str, *, line: int | None = None, source: str = "") -> None:
        self.reason = reason
        self.line = line
        self.source = source
        where = source
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        super().__init__(f"{where}: {reason}" if where else reason)


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    fields: tuple[str, ...]


def read_instance(
    path_or_text: str | os.PathLike[str] | bytes, *, name: str | None = None
) -> Instance:
    """Read an instance from a file path, or from the instance text itself.

    A ``str`` is taken as instance text when it contains a line break (no instance fits on
    one line) and as a path otherwise. ``name`` defaults to the file stem (``Instance1``).
    """
    if isinstance(path_or_text, bytes):
        return parse_instance(_decode(path_or_text, name or "instance"), name=name or "instance")
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "\r" in path_or_text):
        return parse_instance(path_or_text, name=name or "instance")
    path = Path(path_or_text)
    return parse_instance(
        _decode(path.read_bytes(), path.name), name=name or path.stem, source=path.name
    )


def parse_instance(text: str, *, name: str = "instance", source: str | None = None) -> Instance:
    """Parse instance text; ``source`` (default ``name``) prefixes error messages."""
    return _Parser(text, source if source is not None else name).parse(name)


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CurtoisFormatError(
            f"not a text file (byte {exc.start} is not valid UTF-8)", source=source
        ) from None


class _Parser:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    def error(self, reason: str, line: int | None) -> CurtoisFormatError:
        return CurtoisFormatError(reason, line=line, source=self.source)

    # -- splitting into sections ------------------------------------------------------------

    def split_sections(self) -> tuple[dict[str, int], dict[str, list[_Line]]]:
        headers: dict[str, int] = {}
        bodies: dict[str, list[_Line]] = {}
        current: str | None = None
        for number, raw in enumerate(self.lines, start=1):
            text = raw.strip()
            if number == 1:
                text = text.lstrip("\ufeff")
            if not text or text.startswith("#"):
                continue
            if text.startswith("SECTION_"):
                if text not in SECTIONS:
                    raise self.error(
                        f"unknown section {text!r} (expected one of {', '.join(SECTIONS)})",
                        number,
                    )
                if text in headers:
                    raise self.error(
                        f"{text} appears twice (first on line {headers[text]})", number
                    )
                headers[text] = number
                bodies[text] = []
                current = text
                continue
            if current is None:
                raise self.error("data line before the first SECTION_ header", number)
            bodies[current].append(_Line(number, tuple(f.strip() for f in text.split(","))))
        missing = [s for s in SECTIONS if s not in headers]
        if missing:
            # Point at the last line (a final line break does not start another line).
            last = len(self.lines) - (1 if len(self.lines) > 1 and not self.lines[-1] else 0)
            raise self.error(f"missing section(s): {', '.join(missing)}", last)
        return headers, bodies

    # -- field helpers ----------------------------------------------------------------------

    def expect_fields(self, line: _Line, section: str, count: int, what: str) -> None:
        if len(line.fields) != count:
            raise self.error(
                f"{section}: expected {count} comma-separated fields ({what}), "
                f"got {len(line.fields)}",
                line.number,
            )

    def integer(self, token: str, line: int, what: str, *, minimum: int = 0) -> int:
        if not _INTEGER.fullmatch(token):
            shown = repr(token) if token else "an empty field"
            raise self.error(f"{what}: expected an integer, got {shown}", line)
        value = int(token)  # "-0" is 0, as in Instance15's cover section
        if value < minimum:
            raise self.error(f"{what}: must be at least {minimum}, got {value}", line)
        return value

    def identifier(self, token: str, line: int, what: str) -> str:
        if not _ID.fullmatch(token):
            shown = repr(token) if token else "an empty field"
            raise self.error(
                f"{what}: expected an id without spaces, ',', '|', '=' or '#', got {shown}",
                line,
            )
        return token

    def day(self, token: str, line: int, what: str, horizon: int) -> int:
        value = self.integer(token, line, what)
        if value >= horizon:
            raise self.error(
                f"{what}: day {value} is outside the horizon (days 0..{horizon - 1})", line
            )
        return value

    def known(self, token: str, line: int, section: str, kind: str, known: set[str]) -> str:
        if token not in known:
            shown = repr(token) if token else "an empty field"
            raise self.error(f"{section}: unknown {kind} {shown}", line)
        return token

    # -- sections ---------------------------------------------------------------------------

    def parse(self, name: str) -> Instance:
        headers, bodies = self.split_sections()
        horizon = self.parse_horizon(headers[HORIZON], bodies[HORIZON])
        shifts = self.parse_shifts(headers[SHIFTS], bodies[SHIFTS])
        shift_ids = {s.id for s in shifts}
        staff = self.parse_staff(headers[STAFF], bodies[STAFF], shifts)
        employee_ids = {e.id for e in staff}
        days_off = self.parse_days_off(bodies[DAYS_OFF], employee_ids, horizon)
        staff = tuple(replace(e, days_off=tuple(days_off.get(e.id, ()))) for e in staff)
        on_requests = self.parse_requests(
            ON_REQUESTS, bodies[ON_REQUESTS], employee_ids, shift_ids, horizon
        )
        off_requests = self.parse_requests(
            OFF_REQUESTS, bodies[OFF_REQUESTS], employee_ids, shift_ids, horizon
        )
        cover = self.parse_cover(bodies[COVER], shift_ids, horizon)
        return Instance(
            name=name,
            horizon=horizon,
            shifts=shifts,
            staff=staff,
            on_requests=on_requests,
            off_requests=off_requests,
            cover=cover,
        )

    def parse_horizon(self, header: int, body: list[_Line]) -> int:
        if not body:
            raise self.error(f"{HORIZON} has no value", header)
        if len(body) > 1:
            raise self.error(f"{HORIZON} must hold one line, found a second one", body[1].number)
        line = body[0]
        self.expect_fields(line, HORIZON, 1, "the horizon length in days")
        horizon = self.integer(line.fields[0], line.number, "horizon", minimum=1)
        if horizon % DAYS_PER_WEEK:
            raise self.error(
                f"horizon {horizon} is not a multiple of {DAYS_PER_WEEK} (weeks start on Monday)",
                line.number,
            )
        return horizon

    def parse_shifts(self, header: int, body: list[_Line]) -> tuple[ShiftType, ...]:
        if not body:
            raise self.error(f"{SHIFTS} lists no shift type", header)
        rows: list[tuple[_Line, str, int, list[str]]] = []
        seen: dict[str, int] = {}
        for line in body:
            if len(line.fields) not in (2, 3):
                raise self.error(
                    f"{SHIFTS}: expected 3 comma-separated fields (ShiftID, length in minutes, "
                    f"shifts that cannot follow), got {len(line.fields)}",
                    line.number,
                )
            sid = self.identifier(line.fields[0], line.number, "ShiftID")
            if sid in seen:
                raise self.error(
                    f"shift type {sid!r} defined twice (first on line {seen[sid]})", line.number
                )
            seen[sid] = line.number
            minutes = self.integer(line.fields[1], line.number, f"length of shift {sid}", minimum=1)
            third = line.fields[2] if len(line.fields) == 3 else ""
            successors: list[str] = []
            if third:
                for token in third.split("|"):
                    succ = self.identifier(
                        token.strip(), line.number, f"shifts that cannot follow {sid}"
                    )
                    if succ not in successors:
                        successors.append(succ)
            rows.append((line, sid, minutes, successors))
        for line, sid, _, successors in rows:
            for succ in successors:
                if succ not in seen:
                    raise self.error(
                        f"shift {sid}: unknown shift type {succ!r} "
                        "in the shifts that cannot follow it",
                        line.number,
                    )
        return tuple(ShiftType(sid, minutes, tuple(succ)) for _, sid, minutes, succ in rows)

    def parse_staff(
        self, header: int, body: list[_Line], shifts: tuple[ShiftType, ...]
    ) -> tuple[Employee, ...]:
        if not body:
            raise self.error(f"{STAFF} lists no employee", header)
        shift_ids = [s.id for s in shifts]
        rows: list[Employee] = []
        seen: dict[str, int] = {}
        for line in body:
            self.expect_fields(line, STAFF, len(STAFF_FIELDS), ", ".join(STAFF_FIELDS))
            eid = self.identifier(line.fields[0], line.number, "employee ID")
            if eid in seen:
                raise self.error(
                    f"employee {eid!r} listed twice (first on line {seen[eid]})", line.number
                )
            seen[eid] = line.number
            max_shifts = self.parse_max_shifts(line, eid, shift_ids)
            values = [
                self.integer(token, line.number, f"{field} of employee {eid}")
                for token, field in zip(line.fields[2:], STAFF_FIELDS[2:], strict=True)
            ]
            rows.append(
                Employee(
                    id=eid,
                    max_shifts=max_shifts,
                    max_total_minutes=values[0],
                    min_total_minutes=values[1],
                    max_consecutive_shifts=values[2],
                    min_consecutive_shifts=values[3],
                    min_consecutive_days_off=values[4],
                    max_weekends=values[5],
                )
            )
        return tuple(rows)

    def parse_max_shifts(self, line: _Line, eid: str, shift_ids: list[str]) -> dict[str, int]:
        result: dict[str, int] = {}
        for item in line.fields[1].split("|"):
            sid, eq, value = item.partition("=")
            sid = sid.strip()
            if not eq:
                raise self.error(
                    f"MaxShifts of employee {eid}: expected ShiftID=max, got {item!r}", line.number
                )
            if sid not in shift_ids:
                raise self.error(
                    f"MaxShifts of employee {eid}: unknown shift type {sid!r}", line.number
                )
            if sid in result:
                raise self.error(
                    f"MaxShifts of employee {eid}: shift type {sid!r} listed twice", line.number
                )
            result[sid] = self.integer(
                value.strip(), line.number, f"MaxShifts {sid} of employee {eid}"
            )
        missing = [s for s in shift_ids if s not in result]
        if missing:
            raise self.error(
                f"MaxShifts of employee {eid} does not list shift type(s) {', '.join(missing)}",
                line.number,
            )
        return {s: result[s] for s in shift_ids}

    def parse_days_off(
        self, body: list[_Line], employees: set[str], horizon: int
    ) -> dict[str, set[int]]:
        result: dict[str, set[int]] = {}
        for line in body:
            if len(line.fields) < 2:
                raise self.error(
                    f"{DAYS_OFF}: expected an employee ID and at least one day index", line.number
                )
            eid = self.known(line.fields[0], line.number, DAYS_OFF, "employee", employees)
            days = result.setdefault(eid, set())
            for token in line.fields[1:]:
                days.add(self.day(token, line.number, f"day off of employee {eid}", horizon))
        return result

    def parse_requests(
        self,
        section: str,
        body: list[_Line],
        employees: set[str],
        shift_ids: set[str],
        horizon: int,
    ) -> tuple[ShiftRequest, ...]:
        requests: list[ShiftRequest] = []
        seen: dict[tuple[str, int, str], int] = {}
        for line in body:
            self.expect_fields(line, section, 4, "EmployeeID, Day, ShiftID, Weight")
            eid = self.known(line.fields[0], line.number, section, "employee", employees)
            day = self.day(line.fields[1], line.number, f"{section} day", horizon)
            sid = self.known(line.fields[2], line.number, section, "shift type", shift_ids)
            weight = self.integer(line.fields[3], line.number, f"{section} weight")
            key = (eid, day, sid)
            if key in seen:
                raise self.error(
                    f"{section}: duplicate request ({eid}, day {day}, {sid}) "
                    f"(first on line {seen[key]})",
                    line.number,
                )
            seen[key] = line.number
            requests.append(ShiftRequest(eid, day, sid, weight))
        return tuple(requests)

    def parse_cover(
        self, body: list[_Line], shift_ids: set[str], horizon: int
    ) -> tuple[CoverRequirement, ...]:
        rows: list[CoverRequirement] = []
        seen: dict[tuple[int, str], int] = {}
        for line in body:
            self.expect_fields(
                line, COVER, 5, "Day, ShiftID, Requirement, Weight for under, Weight for over"
            )
            day = self.day(line.fields[0], line.number, f"{COVER} day", horizon)
            sid = self.known(line.fields[1], line.number, COVER, "shift type", shift_ids)
            requirement = self.integer(line.fields[2], line.number, f"{COVER} requirement")
            under = self.integer(line.fields[3], line.number, f"{COVER} weight for under")
            over = self.integer(line.fields[4], line.number, f"{COVER} weight for over")
            if (day, sid) in seen:
                raise self.error(
                    f"{COVER}: second row for day {day}, shift {sid} "
                    f"(first on line {seen[day, sid]})",
                    line.number,
                )
            seen[day, sid] = line.number
            rows.append(CoverRequirement(day, sid, requirement, under, over))
        return tuple(rows)
