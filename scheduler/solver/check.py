"""Check a roster against every hard rule and recompute its objective, independent of CP-SAT.

The web app calls :func:`check` after every manual edit, and the tests compare the engine's
reported objective with it, so it follows ROSTER-FORMAT.md literally (and agrees with
``../shared/tools/check_roster.py``) rather than sharing code with the model. Durations are
real elapsed time (DST-aware); days and weeks are local calendar days and ISO weeks.

:class:`Timeline` holds the per-problem facts (elapsed times, days, weeks, who can take
what); it is cached per Problem object so repeated checks of one roster stay fast.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.solver.problem import DEFAULT_WEIGHTS, Assignment, Problem, Shift, Staff

UNSOCIAL_HOUR = 17  # a shift starting at or after 17:00 local, or on a weekend, is unsocial


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule, said in words a section leader can act on."""

    rule: str  # "H1".."H9"; "H0" for an assignment naming an unknown shift/person or a repeat
    message: str
    shift: str | None = None
    staff: str | None = None


@dataclass
class CheckReport:
    violations: list[Violation] = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)  # weighted contribution per term
    counts: dict[str, int] = field(default_factory=dict)  # unweighted count per term
    objective: int = 0
    ok: bool = True  # no hard rule broken


def day_label(d: date) -> str:
    """'Tue 12 Jan' — short, unambiguous within a roster period."""
    return f"{d:%a} {d.day} {d:%b}"


def hours_text(minutes: float) -> str:
    return f"{round(minutes / 60, 2):g} h"


def week_label(problem: Problem, week: int) -> str:
    monday = problem.start + timedelta(days=7 * week)
    return f"week {week + 1} ({day_label(monday)} – {day_label(monday + timedelta(days=6))})"


def shift_label(shift: Shift, point_name: str) -> str:
    """'Tue 12 Jan 18:00–20:00 at Information desk'."""
    s, e = shift.start, shift.end
    end = f"{e:%H:%M}" if e.date() == s.date() else f"{day_label(e.date())} {e:%H:%M}"
    return f"{day_label(s.date())} {s:%H:%M}–{end} at {point_name}"


class Timeline:
    """Per-problem facts in elapsed seconds, shared by the checker and the explainer."""

    def __init__(self, problem: Problem) -> None:
        tz = ZoneInfo(problem.timezone)
        self.problem = problem
        self.points = {p.id: p for p in problem.service_points}
        self.shifts = {s.id: s for s in problem.shifts}
        self.staff = {p.id: p for p in problem.staff}
        self.weights = {**DEFAULT_WEIGHTS, **(problem.rules.weights or {})}

        def secs(t: datetime) -> int:
            return int(t.replace(tzinfo=tz).timestamp())

        self.start: dict[str, int] = {}
        self.end: dict[str, int] = {}
        self.minutes: dict[str, int] = {}
        self.day: dict[str, date] = {}
        self.week: dict[str, int] = {}
        self.unsocial: dict[str, bool] = {}
        self.label: dict[str, str] = {}
        for s in problem.shifts:
            a, b = secs(s.start), secs(s.end)
            self.start[s.id], self.end[s.id] = a, b
            self.minutes[s.id] = (b - a) // 60
            self.day[s.id] = s.start.date()
            self.week[s.id] = (s.start.date() - problem.start).days // 7
            self.unsocial[s.id] = s.start.hour >= UNSOCIAL_HOUR or s.start.weekday() >= 5
            point = self.points.get(s.service_point)
            self.label[s.id] = shift_label(s, point.name if point else s.service_point)
        self.unavailable = {
            p.id: [(secs(u.start), secs(u.end), u.reason) for u in p.unavailable]
            for p in problem.staff
        }
        self.preferences = {
            p.id: [(secs(q.start), secs(q.end), q.weight) for q in p.preferences]
            for p in problem.staff
        }
        self.by_week: dict[int, list[str]] = defaultdict(list)
        for s in problem.shifts:
            self.by_week[self.week[s.id]].append(s.id)
        self.skills = {s.id: frozenset(s.skills) for s in problem.shifts}
        self._eligible: dict[str, frozenset[str]] = {}
        self._eligible_minutes: dict[tuple[str, int], int] = {}

    def overlaps(self, a: str, b: str) -> bool:
        return self.start[a] < self.end[b] and self.start[b] < self.end[a]

    def missing_skills(self, person: Staff, shift: Shift) -> list[str]:
        have = set(person.skills)
        return sorted(k for k in shift.skills if k not in have)

    def unavailable_reason(self, person_id: str, shift_id: str) -> str | None:
        """The reason of the first absence overlapping the shift ('' if none given), or None."""
        a, b = self.start[shift_id], self.end[shift_id]
        for u0, u1, reason in self.unavailable[person_id]:
            if u0 < b and a < u1:
                return reason
        return None

    def eligible(self, person_id: str) -> frozenset[str]:
        """Shifts the person could take: first line, skilled, available (built once)."""
        got = self._eligible.get(person_id)
        if got is None:
            p = self.staff[person_id]
            have = frozenset(p.skills)
            got = frozenset(
                s.id
                for s in self.problem.shifts
                if p.first_line
                and self.skills[s.id] <= have
                and self.unavailable_reason(person_id, s.id) is None
            )
            self._eligible[person_id] = got
        return got

    def can_take(self, person_id: str, shift_id: str) -> bool:
        """First line, skilled and available: the H6 notion of a shift one could take."""
        return shift_id in self.eligible(person_id)

    def eligible_minutes(self, person_id: str, week: int) -> int:
        """E of H6: length of the union of the week's shifts the person could take."""
        key = (person_id, week)
        if key not in self._eligible_minutes:
            mine = self.eligible(person_id)
            ivs = [(self.start[s], self.end[s]) for s in self.by_week.get(week, ()) if s in mine]
            self._eligible_minutes[key] = union_seconds(ivs) // 60
        return self._eligible_minutes[key]

    def owed_minutes(self, person: Staff, week: int) -> float:
        """H6 lower bound: min(min_hours_per_week, E), in minutes."""
        return min(person.min_hours_per_week * 60, self.eligible_minutes(person.id, week))

    def duty_blocks(self, shift_ids: Iterable[str]) -> list[tuple[int, int, str]]:
        """Runs of shifts each starting less than min_break after the run so far ends."""
        gap = self.problem.rules.min_break_minutes * 60
        blocks: list[list] = []
        for s in sorted(shift_ids, key=lambda x: self.start[x]):
            if blocks and self.start[s] - blocks[-1][1] < gap:
                blocks[-1][1] = max(blocks[-1][1], self.end[s])
            else:
                blocks.append([self.start[s], self.end[s], s])
        return [(a, b, s) for a, b, s in blocks]


def union_seconds(intervals: list[tuple[int, int]]) -> int:
    total, cur_s, cur_e = 0, None, None
    for a, b in sorted(intervals):
        if cur_e is None or a > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = a, b
        else:
            cur_e = max(cur_e, b)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


_TIMELINES: OrderedDict[int, Timeline] = OrderedDict()
_TIMELINES_KEPT = 8


def timeline_for(problem: Problem) -> Timeline:
    """The Timeline of this Problem object, built once (Problems are immutable)."""
    tl = _TIMELINES.get(id(problem))
    if tl is not None and tl.problem is problem:
        _TIMELINES.move_to_end(id(problem))
        return tl
    tl = Timeline(problem)
    _TIMELINES[id(problem)] = tl
    while len(_TIMELINES) > _TIMELINES_KEPT:
        _TIMELINES.popitem(last=False)
    return tl


def check(problem: Problem, assignments: Iterable[Assignment]) -> CheckReport:
    """Every broken hard rule H1–H9 and the objective of ``assignments``, term by term."""
    tl = timeline_for(problem)
    rules = problem.rules
    report = CheckReport()
    out = report.violations

    def name(pid: str) -> str:
        return tl.staff[pid].name or pid

    held: dict[str, list[str]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    count: dict[str, int] = defaultdict(int)
    for a in assignments:
        if a.shift not in tl.shifts or a.staff not in tl.staff:
            what = "shift" if a.shift not in tl.shifts else "staff member"
            out.append(
                Violation("H0", f"The assignment of {a.staff!r} to {a.shift!r} names an unknown "
                          f"{what}.", a.shift, a.staff)
            )  # fmt: skip
            continue
        if (a.shift, a.staff) in seen:
            out.append(
                Violation("H0", f"{name(a.staff)} is assigned twice to {tl.label[a.shift]}.",
                          a.shift, a.staff)
            )  # fmt: skip
            continue
        seen.add((a.shift, a.staff))
        held[a.staff].append(a.shift)
        count[a.shift] += 1

    # H5 on the problem side (an input error the reader normally refuses).
    for s in problem.shifts:
        p = tl.points.get(s.service_point)
        if p is None or not (p.ground_floor and p.first_line):
            out.append(
                Violation("H5", f"{tl.label[s.id]} is not at a ground-floor first-line service "
                          "point.", s.id, None)
            )  # fmt: skip

    # H1 headcount
    shortfall: dict[str, int] = {}
    for s in problem.shifts:
        n = count[s.id]
        if n > s.max_staff:
            out.append(
                Violation("H1", f"{tl.label[s.id]} has {n} people; at most {s.max_staff} may "
                          "work it.", s.id, None)
            )  # fmt: skip
        if n < s.min_staff:
            shortfall[s.id] = s.min_staff - n
            if not rules.allow_understaffing:
                out.append(
                    Violation("H1", f"{tl.label[s.id]} has {n} of the {s.min_staff} people it "
                              "needs.", s.id, None)
                )  # fmt: skip

    max_consec = rules.max_consecutive_hours
    worked: dict[tuple[str, int], int] = defaultdict(int)
    for pid, sids in held.items():
        person = tl.staff[pid]
        who = name(pid)
        for sid in sids:
            worked[(pid, tl.week[sid])] += tl.minutes[sid]
        # H2 one place at a time: every overlapping pair.
        ordered = sorted(sids, key=lambda x: tl.start[x])
        for i, x in enumerate(ordered):
            for y in ordered[i + 1 :]:
                if tl.start[y] >= tl.end[x]:
                    break
                out.append(
                    Violation("H2", f"{who} holds two shifts at once: {tl.label[x]} and "
                              f"{tl.label[y]}.", y, pid)
                )  # fmt: skip
        for sid in sids:
            if not person.first_line:
                out.append(
                    Violation("H5", f"{who} is not first-line staff but holds {tl.label[sid]}.",
                              sid, pid)
                )  # fmt: skip
            reason = tl.unavailable_reason(pid, sid)
            if reason is not None:
                why = f" ({reason})" if reason else ""
                out.append(
                    Violation("H3", f"{who} is unavailable{why} during {tl.label[sid]}.", sid, pid)
                )
            missing = tl.missing_skills(person, tl.shifts[sid])
            if missing:
                out.append(
                    Violation("H4", f"{who} lacks {', '.join(missing)} needed for "
                              f"{tl.label[sid]}.", sid, pid)
                )  # fmt: skip
        # H7 daily hours
        per_day: dict[date, int] = defaultdict(int)
        for sid in sids:
            per_day[tl.day[sid]] += tl.minutes[sid]
        for d, m in sorted(per_day.items()):
            if m > person.max_hours_per_day * 60:
                out.append(
                    Violation("H7", f"{who} works {hours_text(m)} on {day_label(d)}; at most "
                              f"{person.max_hours_per_day:g} h a day.", None, pid)
                )  # fmt: skip
        # H8 breaks
        if max_consec is not None:
            for b0, b1, first in tl.duty_blocks(sids):
                if b1 - b0 > max_consec * 3600:
                    out.append(
                        Violation("H8", f"{who} works {hours_text((b1 - b0) // 60)} without a "
                                  f"{rules.min_break_minutes}-minute break from "
                                  f"{tl.label[first]} on; at most {max_consec:g} h in a row.",
                                  first, pid)
                    )  # fmt: skip

    # H6 weekly hours, for every first-line staff member
    for person in problem.staff:
        if not person.first_line:
            continue
        for w in range(problem.weeks):
            m = worked[(person.id, w)]
            hi = person.max_hours_per_week
            if hi is not None and m > hi * 60:
                out.append(
                    Violation("H6", f"{person.name} works {hours_text(m)} in "
                              f"{week_label(problem, w)}; at most {hi:g} h.", None, person.id)
                )  # fmt: skip
            if m < person.min_hours_per_week * 60:  # cheap test before computing E
                need = tl.owed_minutes(person, w)
                if m < need:
                    out.append(
                        Violation("H6", f"{person.name} works {hours_text(m)} in "
                                  f"{week_label(problem, w)} but must work "
                                  f"{hours_text(need)}.", None, person.id)
                    )  # fmt: skip

    # H9 pins
    for a in problem.pinned:
        if (a.shift, a.staff) not in seen:
            who = tl.staff[a.staff].name if a.staff in tl.staff else a.staff
            where = tl.label.get(a.shift, a.shift)
            out.append(
                Violation("H9", f"{who} is pinned to {where} but not assigned to it.",
                          a.shift, a.staff)
            )  # fmt: skip

    # Objective, term by term
    counts = dict.fromkeys(DEFAULT_WEIGHTS, 0)
    if rules.allow_understaffing:
        counts["understaffing"] = sum(n * tl.minutes[sid] for sid, n in shortfall.items())
    for person in problem.staff:
        if person.target_hours_per_week is not None:
            t = round(person.target_hours_per_week * 60)
            counts["target"] += sum(abs(worked[(person.id, w)] - t) for w in range(problem.weeks))
    for pid, sids in held.items():
        prefs = tl.preferences[pid]
        if prefs:
            for sid in sids:
                a, b = tl.start[sid], tl.end[sid]
                for q0, q1, wgt in prefs:
                    lo, hi = max(a, q0), min(b, q1)
                    if hi > lo:
                        counts["preference"] += (hi - lo) // 60 * wgt
        days: dict[date, list[str]] = defaultdict(list)
        for sid in sids:
            days[tl.day[sid]].append(sid)
        counts["duty_days"] += len(days)
        for day_sids in days.values():
            counts["split_duty"] += len(tl.duty_blocks(day_sids)) - 1
    unsocial = [
        sum(1 for s in held.get(p.id, ()) if tl.unsocial[s]) for p in problem.staff if p.first_line
    ]
    if unsocial:
        counts["unsocial_spread"] = max(unsocial) - min(unsocial)
    counts["change"] = sum(1 for a in problem.previous if (a.shift, a.staff) not in seen)

    report.counts = counts
    report.terms = {k: tl.weights.get(k, 0) * v for k, v in counts.items()}
    report.objective = sum(report.terms.values())
    report.ok = not out
    return report
