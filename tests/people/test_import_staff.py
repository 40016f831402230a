"""Importing staff from CSV: a dry run per row, then apply; idempotent on e-mail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.errors import Forbidden, InputError
from scheduler.models import Person, Role
from scheduler.people.import_staff import Outcome, apply_import, plan_import

HEADER = "name,email,libraries,roles,first_line,min_hours,target_hours,max_hours,skills,topics\n"


@pytest.fixture
def admin(create_person):
    return create_person(Role.ADMIN)


@pytest.fixture
def place(db, create_library, create_topic):
    """Two libraries, a skill and a topic the file can name."""
    from tests.factories import _skill

    main = create_library(slug="main", name="Main Library")
    law = create_library(slug="law", name="Law Library")
    _skill(db, "desk")
    create_topic(slug="eu-law", name="EU law")
    return main, law


def _people(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_a_clean_file_is_planned_then_applied_and_applying_again_changes_nothing(
    db, admin, place
) -> None:
    main, law = place
    text = HEADER + (
        "Kari Nordmann,kari@uni.example,main;law,section_leader,yes,4,6,8,desk,\n"
        "Ola Hansen,OLA@uni.example,Law Library,librarian,no,,,,,eu-law\n"
    )
    before = _people(db)
    plan = plan_import(db.session, admin, text)
    assert plan.ok
    assert [(r.line, r.email, r.outcome) for r in plan.rows] == [
        (2, "kari@uni.example", Outcome.CREATE),
        (3, "ola@uni.example", Outcome.CREATE),
    ]
    assert _people(db) == before, "the check changes nothing"

    result = apply_import(db.session, admin, text)
    assert [p.email for p in result.created] == ["kari@uni.example", "ola@uni.example"]
    kari, ola = result.created
    assert kari.roles_in(main.id) == {Role.SECTION_LEADER, Role.FIRST_LINE}
    assert kari.roles_in(law.id) == {Role.SECTION_LEADER, Role.FIRST_LINE}
    assert (kari.min_hours_per_week, kari.target_hours_per_week, kari.max_hours_per_week) == (
        4,
        6,
        8,
    )
    assert kari.skill_codes == ["desk"]
    assert ola.roles_in(law.id) == {Role.LIBRARIAN}
    assert [t.slug for t in ola.topics] == ["eu-law"]

    again = plan_import(db.session, admin, text)
    assert [r.outcome for r in again.rows] == [Outcome.UNCHANGED, Outcome.UNCHANGED]
    second = apply_import(db.session, admin, text)
    assert (second.created, second.updated, second.unchanged) == ([], [], 2)
    assert _people(db) == before + 2


def test_a_changed_row_updates_the_person_found_by_e_mail(db, admin, place, create_person) -> None:
    main, law = place
    known = create_person(Role.LIBRARIAN, libraries=[main], email="per@uni.example", name="Per")
    text = HEADER + "Per Persen,per@uni.example,law,librarian,no,,,,,\n"
    assert plan_import(db.session, admin, text).rows[0].outcome == Outcome.UPDATE
    result = apply_import(db.session, admin, text)
    assert result.updated == [known]
    assert known.name == "Per Persen"
    assert known.roles_in(main.id) == set()  # a row states the roles in full
    assert known.roles_in(law.id) == {Role.LIBRARIAN}


def test_each_row_gets_its_own_errors_and_apply_refuses(db, admin, place) -> None:
    text = HEADER + (
        "Good Row,good@uni.example,main,librarian,no,,,,,\n"
        "Nowhere,nowhere@uni.example,atlantis,librarian,no,,,,,\n"
        "No Skill,noskill@uni.example,main,,yes,4,,,juggling,\n"
        "Twice,good@uni.example,main,librarian,no,,,,,\n"
        "Hours,hours@uni.example,main,,yes,10,,6,,\n"
        "Bad Role,role@uni.example,main,boss,no,,,,,\n"
        ",not-an-address,main,,no,,,,,\n"
    )
    plan = plan_import(db.session, admin, text)
    assert not plan.ok
    errors = {r.line: r.errors for r in plan.rows}
    assert errors[2] == {}
    assert errors[3] == {"libraries": "unknown library: atlantis"}
    assert errors[4] == {"skills": "unknown skill: juggling"}
    assert errors[5] == {"email": "appears twice in the file (also on line 2)"}
    assert errors[6] == {"max_hours": "must be at least the minimum"}
    assert errors[7] == {"roles": "unknown role: boss"}
    assert set(errors[8]) == {"name", "email"}
    before = _people(db)
    with pytest.raises(InputError) as refused:
        apply_import(db.session, admin, text)
    assert "3, 4, 5, 6, 7, 8" in refused.value.fields["file"]
    assert _people(db) == before, "nothing is imported while a row has an error"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no column name, email, libraries"),
        ("just some text\nwithout columns\n", "no column"),
        (HEADER, "no rows"),
    ],
)
def test_a_malformed_file_says_why(db, admin, text, reason) -> None:
    plan = plan_import(db.session, admin, text)
    assert not plan.ok
    assert reason in plan.file_errors[0]


def test_only_administrators_import(db, create_person, place) -> None:
    leader = create_person(Role.SECTION_LEADER, libraries=[place[0]])
    text = HEADER + "X,x@uni.example,main,librarian,no,,,,,\n"
    with pytest.raises(Forbidden):
        plan_import(db.session, leader, text)
    with pytest.raises(Forbidden):
        apply_import(db.session, leader, text)
