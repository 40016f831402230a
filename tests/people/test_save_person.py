"""The people admin's use case: administrators only, roles per library, hours in order."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.errors import Forbidden, InputError
from scheduler.models import Person, Role
from scheduler.people.save_person import PersonInput, save_person


def test_only_administrators_manage_people(db, create_person, create_library) -> None:
    lib = create_library()
    before = db.session.scalar(select(func.count()).select_from(Person))
    leader = create_person(Role.SECTION_LEADER, libraries=[lib])
    data = PersonInput(
        name="New Leader",
        email="new@uni.example",
        library_roles={lib.id: frozenset({Role.SECTION_LEADER})},
    )
    with pytest.raises(Forbidden):
        save_person(db.session, leader, None, data)  # a leader cannot make leaders
    with pytest.raises(Forbidden):
        save_person(db.session, None, None, data)
    assert db.session.scalar(select(func.count()).select_from(Person)) == before + 1


def test_roles_are_given_per_library(db, create_person, create_library) -> None:
    admin = create_person(Role.ADMIN)
    a, b = create_library(), create_library()
    person = save_person(
        db.session,
        admin,
        None,
        PersonInput(
            name="Kari",
            email="KARI@uni.example",
            library_roles={
                a.id: frozenset({Role.SECTION_LEADER}),
                b.id: frozenset({Role.FIRST_LINE}),
            },
            min_hours_per_week=4,
        ),
    )
    assert person.email == "kari@uni.example"
    assert person.roles_in(a.id) == {Role.SECTION_LEADER}
    assert person.roles_in(b.id) == {Role.FIRST_LINE}
    assert set(person.libraries) == {a, b}
    assert not person.is_admin


@pytest.mark.parametrize(
    ("low", "target", "high", "field"),
    [
        (8, None, 6, "max_hours_per_week"),
        (4, 10, 8, "target_hours_per_week"),
        (4, 2, None, "target_hours_per_week"),
        (-1, None, None, "min_hours_per_week"),
        (4, None, 80, "max_hours_per_week"),
    ],
)
def test_hours_must_be_in_order(db, create_person, low, target, high, field) -> None:
    admin = create_person(Role.ADMIN)
    with pytest.raises(InputError) as refused:
        save_person(
            db.session,
            admin,
            None,
            PersonInput(
                name="X",
                email="x@uni.example",
                min_hours_per_week=low,
                target_hours_per_week=target,
                max_hours_per_week=high,
            ),
        )
    assert field in refused.value.fields
    assert db.session.scalar(select(Person).where(Person.email == "x@uni.example")) is None


def test_the_admin_role_is_not_given_in_a_library(db, create_person, create_library) -> None:
    admin = create_person(Role.ADMIN)
    lib = create_library()
    with pytest.raises(InputError) as refused:
        save_person(
            db.session,
            admin,
            None,
            PersonInput(
                name="X", email="x@uni.example", library_roles={lib.id: frozenset({Role.ADMIN})}
            ),
        )
    assert "library_roles" in refused.value.fields
