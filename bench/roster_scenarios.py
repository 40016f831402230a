"""Generate library roster scenarios of growing size in ROSTER-FORMAT.md JSON.

    python bench/roster_scenarios.py                 # writes bench/out/scenarios/G*.json
    python bench/roster_scenarios.py --out DIR --only G4-3lib-4w-50 --seed 2

Shaped like ../shared/roster-examples (see its README): desks open Mon-Thu 08-20, Fri 08-18,
Sat 10-16, Sun 12-16 in 2-hour blocks, two people on the main desk in weekday daytime
(08-16), one elsewhere; a back office for phone, e-mail and chat on weekdays 09-16 (one per
three libraries); first-line staff with a home library (some cover two), 4 h/week minimum,
6 h/day, individual weekly maxima and targets; students away for lectures, booked
appointments, a few on leave; some dislike evenings, some like weekends; a few second-line
librarians who must never be rostered.

Feasible by construction: a greedy planner builds one roster that keeps every hard rule
while the scenario is generated; a seat it cannot fill lowers that shift's ``min_staff``,
and anyone it leaves under the weekly minimum gets a lower minimum. Deterministic per seed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

START = date(2027, 1, 4)  # a Monday
OPEN = {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 18), 5: (10, 16), 6: (12, 16)}
REMOTE_BLOCKS = ((9, 11), (11, 13), (13, 16))
MAX_DAY_H = 6
MAX_IN_ROW_H = 4
BREAK_MIN = 15


@dataclass(frozen=True)
class Scenario:
    name: str
    libraries: int
    weeks: int
    staff: int  # first-line staff; second-line librarians come on top


SCENARIOS = (
    Scenario("G1-1lib-1w-20", 1, 1, 20),
    Scenario("G2-1lib-4w-30", 1, 4, 30),
    Scenario("G3-2lib-2w-40", 2, 2, 40),
    Scenario("G4-3lib-4w-50", 3, 4, 50),
    Scenario("G5-5lib-4w-80", 5, 4, 80),
    Scenario("G6-10lib-8w-140", 10, 8, 140),
)


def _t(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


@dataclass
class _Person:
    id: str
    skills: set[str]
    max_week: int
    student: bool
    away: list[tuple[datetime, datetime]] = field(default_factory=list)
    held: list[tuple[datetime, datetime]] = field(default_factory=list)

    def free(self, a: datetime, b: datetime) -> bool:
        return all(b <= u0 or u1 <= a for u0, u1 in self.away + self.held)

    def hours(self, pred) -> float:
        return sum((b - a).total_seconds() / 3600 for a, b in self.held if pred(a))

    def block_ok(self, a: datetime, b: datetime) -> bool:
        """H8: the duty block this shift would join stays within MAX_IN_ROW_H."""
        ivs = sorted([*self.held, (a, b)])
        gap = timedelta(minutes=BREAK_MIN)
        start, end = ivs[0]
        for s, e in ivs[1:]:
            if s - end < gap:
                end = max(end, e)
            else:
                if end - start > timedelta(hours=MAX_IN_ROW_H):
                    return False
                start, end = s, e
        return end - start <= timedelta(hours=MAX_IN_ROW_H)


def generate(sc: Scenario, seed: int = 1) -> tuple[dict, dict]:
    """One scenario as a ROSTER-FORMAT problem dict, and the plan that proves it feasible
    (a solution dict without objective)."""
    rng = random.Random(f"{sc.name}/{seed}")
    libs = [f"lib{i + 1}" for i in range(sc.libraries)]
    n_remote = (sc.libraries + 2) // 3
    points = [
        {
            "id": f"desk-{lib}",
            "name": f"Information desk, {lib}",
            "ground_floor": True,
            "first_line": True,
        }
        for lib in libs
    ] + [
        {
            "id": f"remote{r + 1}" if n_remote > 1 else "remote",
            "name": "Phone, e-mail and chat (back office)" + (f" {r + 1}" if n_remote > 1 else ""),
            "ground_floor": True,
            "first_line": True,
        }
        for r in range(n_remote)
    ]

    # Shifts, in time order.
    shifts = []
    for day in range(7 * sc.weeks):
        d = START + timedelta(days=day)
        wd = d.weekday()
        opens, closes = OPEN[wd]
        for i, lib in enumerate(libs):
            for h in range(opens, closes, 2):
                main_daytime = i == 0 and wd < 5 and h < 16
                lo = 2 if main_daytime else 1
                hi = lo + (1 if rng.random() < 0.2 else 0)
                shifts.append(
                    {
                        "id": f"{lib}-{d:%m%d}-{h:02d}",
                        "service_point": f"desk-{lib}",
                        "start": datetime(d.year, d.month, d.day, h),
                        "end": datetime(d.year, d.month, d.day, min(h + 2, closes)),
                        "min_staff": lo,
                        "max_staff": hi,
                        "skills": ["desk", f"site:{lib}"],
                    }
                )
        if wd < 5:
            for r in range(n_remote):
                pid = points[sc.libraries + r]["id"]
                for h0, h1 in REMOTE_BLOCKS:
                    shifts.append(
                        {
                            "id": f"{pid}-{d:%m%d}-{h0:02d}",
                            "service_point": pid,
                            "start": datetime(d.year, d.month, d.day, h0),
                            "end": datetime(d.year, d.month, d.day, h1),
                            "min_staff": 1,
                            "max_staff": 1,
                            "skills": ["chat", f"region:{r + 1}"],
                        }
                    )
    shifts.sort(key=lambda s: (s["start"], s["id"]))

    # First-line staff: home library (the main one gets more), chat, a second site.
    weights = [2.0 if i == 0 else 1.3 for i in range(sc.libraries)]
    people: list[_Person] = []
    for k in range(sc.staff):
        home = (
            k % sc.libraries if k < sc.libraries else rng.choices(range(sc.libraries), weights)[0]
        )
        skills = {"desk", f"site:{libs[home]}"}
        if rng.random() < 0.55:
            skills |= {"chat", f"region:{home // 3 + 1}"}
        if sc.libraries > 1 and rng.random() < 0.12:
            skills.add(f"site:{libs[(home + 1) % sc.libraries]}")
        people.append(
            _Person(
                f"s{k + 1:03d}",
                skills,
                rng.choice([8, 10, 12, 14, 16]),
                student=rng.random() < 0.35,
            )
        )

    # Absences before planning, so the plan respects them: leave, lectures, appointments.
    for p in people:
        if rng.random() < 0.12:
            first = rng.randrange(7 * sc.weeks)
            for day in range(first, min(first + rng.randint(1, 7), 7 * sc.weeks)):
                d = START + timedelta(days=day)
                p.away.append(
                    (datetime(d.year, d.month, d.day), datetime(d.year, d.month, d.day, 23, 59))
                )
        for w in range(sc.weeks):
            if p.student:
                for wd in rng.sample(range(5), 2):
                    d = START + timedelta(days=7 * w + wd)
                    p.away.append(
                        (datetime(d.year, d.month, d.day, 8), datetime(d.year, d.month, d.day, 12))
                    )
            for _ in range(rng.randint(0, 3)):
                d = START + timedelta(days=7 * w + rng.randrange(5))
                a = datetime(d.year, d.month, d.day, rng.randint(9, 15))
                p.away.append((a, a + timedelta(minutes=45)))

    # The plan: fill each seat with the least-loaded person who keeps every rule.
    lowered = 0
    planned: list[tuple[str, str]] = []
    for s in shifts:
        a, b = s["start"], s["end"]
        week = (a.date() - START).days // 7
        filled = 0
        for _ in range(s["min_staff"]):

            def fits(p: _Person, a=a, b=b, week=week, s=s) -> bool:
                hours = (b - a).total_seconds() / 3600
                return (
                    set(s["skills"]) <= p.skills
                    and p.free(a, b)
                    and p.hours(lambda t: t.date() == a.date()) + hours <= MAX_DAY_H
                    and p.hours(lambda t: (t.date() - START).days // 7 == week) + hours
                    <= p.max_week
                    and p.block_ok(a, b)
                )

            options = [p for p in people if fits(p)]
            if not options:
                break
            load = {
                p.id: p.hours(lambda t, week=week: (t.date() - START).days // 7 == week)
                for p in options
            }
            best = min(options, key=lambda p: (load[p.id] >= 4, load[p.id], rng.random()))
            best.held.append((a, b))
            planned.append((s["id"], best.id))
            filled += 1
        if filled < s["min_staff"]:
            lowered += s["min_staff"] - filled
            s["min_staff"] = filled
            s["max_staff"] = max(s["max_staff"], filled, 1)

    staff = []
    for p in people:
        weekly = [
            p.hours(lambda t, w=w: (t.date() - START).days // 7 == w) for w in range(sc.weeks)
        ]
        # Planned hours meet the minimum, so min(minimum, E) is met too; a few owe less.
        minimum = min(4, int(min(weekly)))
        target = rng.choice([4, 6, 8, 10])
        prefs = []
        if rng.random() < 0.3:  # dislikes evenings
            for day in range(7 * sc.weeks):
                d = START + timedelta(days=day)
                if d.weekday() < 5:
                    prefs.append(
                        {
                            "start": _t(datetime(d.year, d.month, d.day, 17)),
                            "end": _t(datetime(d.year, d.month, d.day, 20)),
                            "weight": 2,
                        }
                    )
        elif rng.random() < 0.2:  # likes weekends
            for day in range(7 * sc.weeks):
                d = START + timedelta(days=day)
                if d.weekday() >= 5:
                    prefs.append(
                        {
                            "start": _t(datetime(d.year, d.month, d.day)),
                            "end": _t(datetime(d.year, d.month, d.day, 23, 59)),
                            "weight": -1,
                        }
                    )
        unavailable = []
        for u0, u1 in p.away:
            length = u1 - u0
            reason = (
                "leave"
                if length > timedelta(hours=12)
                else ("lecture" if length == timedelta(hours=4) else "appointment")
            )
            unavailable.append({"start": _t(u0), "end": _t(u1), "reason": reason})
        staff.append(
            {
                "id": p.id,
                "name": f"{rng.choice(FIRST)} {rng.choice('ABDEFGHJKLMNOPRSTV')}.",
                "first_line": True,
                "skills": sorted(p.skills),
                "min_hours_per_week": minimum,
                "max_hours_per_week": p.max_week,
                "max_hours_per_day": MAX_DAY_H,
                "target_hours_per_week": min(target, p.max_week),
                "unavailable": unavailable,
                "preferences": prefs,
            }
        )
    every_skill = sorted({k for s in shifts for k in s["skills"]})
    for k in range(max(2, sc.staff // 6)):
        staff.append(
            {
                "id": f"l{k + 1:03d}",
                "name": f"Librarian {k + 1}",
                "first_line": False,
                "skills": every_skill,
            }
        )

    problem = {
        "version": 1,
        "timezone": "Europe/Oslo",
        "period": {"start": START.isoformat(), "weeks": sc.weeks},
        "service_points": points,
        "shifts": [{**s, "start": _t(s["start"]), "end": _t(s["end"])} for s in shifts],
        "staff": staff,
        "rules": {
            "min_hours_per_week": 4,
            "max_hours_per_day": 8,
            "max_consecutive_hours": MAX_IN_ROW_H,
            "min_break_minutes": BREAK_MIN,
            "allow_understaffing": False,
        },
    }
    plan = {
        "status": "FEASIBLE",
        "assignments": [{"shift": sid, "staff": pid} for sid, pid in planned],
        "lowered_seats": lowered,
    }
    return problem, plan


FIRST = (
    "Kari",
    "Ola",
    "Ingrid",
    "Lars",
    "Silje",
    "Jonas",
    "Nora",
    "Emil",
    "Sara",
    "Magnus",
    "Ida",
    "Henrik",
    "Marte",
    "Sindre",
    "Thea",
    "Anders",
    "Hanne",
    "Eirik",
    "Live",
    "Tobias",
    "Maja",
    "Sander",
    "Julie",
    "Even",
    "Vilde",
    "Kristian",
    "Ane",
    "Petter",
    "Tiril",
)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent / "out" / "scenarios"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", action="append", help="scenario name (repeatable)")
    ap.add_argument("--plan", action="store_true", help="also write the greedy plan")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for sc in SCENARIOS:
        if args.only and sc.name not in args.only:
            continue
        data, plan = generate(sc, args.seed)
        path = args.out / f"{sc.name}.json"
        path.write_text(json.dumps(data, indent=1))
        if args.plan:
            (args.out / f"{sc.name}.plan.json").write_text(json.dumps(plan, indent=1))
        print(
            f"{path}: {len(data['shifts'])} shifts, {len(data['staff'])} staff, "
            f"{plan['lowered_seats']} seats lowered"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
