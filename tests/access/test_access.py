"""Roles belong to libraries: holds/require/library_ids answer per library."""

from __future__ import annotations

import pytest

from scheduler import access
from scheduler.errors import Forbidden
from scheduler.models import Role


def test_a_leader_holds_the_role_only_where_they_work(create_person, create_library) -> None:
    here, there = create_library(), create_library()
    leader = create_person(Role.SECTION_LEADER, libraries=[here])
    assert access.holds(leader, Role.SECTION_LEADER, here.id)
    assert not access.holds(leader, Role.SECTION_LEADER, there.id)
    assert not access.holds(leader, Role.LIBRARIAN, here.id)
    assert access.library_ids(leader, Role.SECTION_LEADER) == {here.id}
    assert access.library_ids(leader, Role.FIRST_LINE) == set()
    access.require(leader, Role.SECTION_LEADER, here.id)
    with pytest.raises(Forbidden) as refused:
        access.require(leader, Role.SECTION_LEADER, there.id)
    assert refused.value.status == 403
    assert str(refused.value) == "You do not have that role in this library."


def test_an_admin_holds_every_role_everywhere(create_person, create_library) -> None:
    lib = create_library()
    admin = create_person(Role.ADMIN)
    assert access.holds(admin, Role.SECTION_LEADER, lib.id)
    assert access.library_ids(admin, Role.LIBRARIAN) is None


def test_nobody_and_the_deactivated_hold_nothing(create_person, create_library) -> None:
    lib = create_library()
    gone = create_person(Role.SECTION_LEADER, libraries=[lib], active=False)
    assert not access.holds(gone, Role.SECTION_LEADER, lib.id)
    assert not access.holds(None, Role.SECTION_LEADER, lib.id)
    assert access.library_ids(None, Role.SECTION_LEADER) == set()
