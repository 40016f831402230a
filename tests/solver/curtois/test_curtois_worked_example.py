"""The benchmark README's worked example: an optimal Instance1 roster scores exactly 607."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.solver.curtois import evaluate as ev
from scheduler.solver.curtois.evaluate import evaluate
from scheduler.solver.curtois.instance import Instance
from scheduler.solver.curtois.reader import read_instance

# README section 4, copied as printed ("." = day off).
OPTIMAL_607 = """\
day  0 1 2 3 4 5 6 7 8 9 10 11 12 13
A    . D D D D . . D D D .  .  D  D
B    D D D D D . . D D . .  .  D  D
C    D D D . . D D . . D D  D  .  .
D    D D . . . D D D D D .  .  .  .
E    . D D . . . . D D . .  D  D  D
F    D D D D D . . D D . .  D  D  .
G    . . D D D . . D D . .  D  D  D
H    D D . . D D . . D D D  D  .  .
"""


def readme_roster() -> dict[str, list[str]]:
    lines = OPTIMAL_607.splitlines()[1:]
    return {cells[0]: ["" if c == "." else c for c in cells[1:]] for cells in map(str.split, lines)}


@pytest.fixture(scope="module")
def instance1(benchmark_dir: Path) -> Instance:
    return read_instance(benchmark_dir / "Instance1.txt")


def test_readme_roster_scores_607_with_its_breakdown(instance1: Instance) -> None:
    result = evaluate(instance1, readme_roster())
    assert result.violations == ()
    assert result.feasible
    assert result.score == result.penalty == 607
    assert result.cover == 600
    assert (result.cover_under, result.cover_over) == (600, 0)
    assert result.on_requests == 4
    assert result.off_requests == 3
    # "day 5: 3 of 5 -> 200; day 6: 2 of 5 -> 300; day 12: 5 of 6 -> 100"
    assert [(d.day, d.assigned, d.requirement, d.penalty) for d in result.cover_deviations] == [
        (5, 3, 5, 200),
        (6, 2, 5, 300),
        (12, 5, 6, 100),
    ]
    # "C day 3, C day 4, H day 12, H day 13, weight 1 each"
    assert [(r.employee, r.day, r.weight) for r in result.unmet_on_requests] == [
        ("C", 3, 1),
        ("C", 4, 1),
        ("H", 12, 1),
        ("H", 13, 1),
    ]
    # "F works day 8"
    assert [(r.employee, r.day, r.weight) for r in result.granted_off_requests] == [("F", 8, 3)]


def test_readme_roster_relies_on_the_border_exemption(instance1: Instance) -> None:
    """A and E rest one day on day 0 then work: legal only because border runs are exempt."""
    roster = readme_roster()
    assert roster["A"][:2] == ["", "D"]
    assert roster["E"][:2] == ["", "D"]
    assert instance1.employee_by_id["E"].min_consecutive_days_off == 2
    # The same one-day rest moved inside the horizon (E works days 0, 2 and 3) breaks rule 7.
    moved = dict(roster, E=["D", "", "D", "D", *roster["E"][4:]])
    (violation,) = evaluate(instance1, moved).violations
    assert (violation.rule, violation.employee, violation.days) == (
        ev.MIN_CONSECUTIVE_DAYS_OFF,
        "E",
        (1,),
    )


def test_small_checks_by_hand(instance1: Instance) -> None:
    """README section 4's penalty bullet points, applied to the optimal roster."""
    base = readme_roster()
    # B off on day 0: day 0 has 4 of 5 on D (+100) and B's on-request B,0,D,3 fails (+3).
    result = evaluate(instance1, dict(base, B=["", *base["B"][1:]]))
    assert result.feasible
    assert result.score == 607 + 100 + 3
    # E also works day 0: 6 of 5 on D (+1); E's first run becomes days 0-2.
    result = evaluate(instance1, dict(base, E=["D", *base["E"][1:]]))
    assert result.feasible
    assert result.score == 607 + 1


@pytest.mark.parametrize(
    ("employee", "pattern", "expected"),
    [
        # "Working days 0-5 breaks MaxConsecutive 5" (E: fixed day off 9).
        ("E", "DDDDDD....DD..", [ev.MAX_CONSECUTIVE_SHIFTS]),
        # "'. D .' on days 3-5 breaks MinConsecutive 2"
        ("E", "DD..D..DD..DDD", [ev.MIN_CONSECUTIVE_SHIFTS]),
        # "'D . D' on days 3-5 breaks MinConsecutiveDaysOff 2"
        ("E", "DDDD.DD...DD..", [ev.MIN_CONSECUTIVE_DAYS_OFF]),
        # "a one-day rest on day 0 ... and a one-day working run on day 13 are both allowed"
        ("F", ".DDDD..DDDD..D", []),
        # "Each employee can work at most one of the two weekends"
        ("F", "DDDD...DDD..DD", []),
        ("F", "DDDD..DDD...DD", [ev.MAX_WEEKENDS]),
    ],
)
def test_hard_rule_examples_from_the_readme(
    instance1: Instance, employee: str, pattern: str, expected: list[str]
) -> None:
    roster = dict(readme_roster())
    roster[employee] = ["" if c == "." else c for c in pattern]
    assert [v.rule for v in evaluate(instance1, roster).violations] == expected
