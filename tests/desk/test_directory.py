"""The desk's guide: searched from the desk in a keystroke, kept up to date by leaders."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scheduler.desk.directory import ActorInput, save_actor, search_directory
from scheduler.desk.routines import RoutineInput, save_routine
from scheduler.errors import Forbidden, InputError
from scheduler.models import Actor, RoutineRow


def _names(found) -> tuple[list[str], list[str]]:
    return [a.name for a in found.actors], [r.question_type for r in found.routines]


def test_every_word_must_match_in_any_case(db, world) -> None:
    assert _names(search_directory(db.session, world.staff, world.library.id, "BANKID")) == (
        ["Bank e-ID support"],
        [],
    )
    assert _names(search_directory(db.session, world.staff, world.library.id, "tax english")) == (
        ["Tax office"],
        [],
    )
    # The routine row is found by its wording and by the actor it refers to.
    assert _names(search_directory(db.session, world.staff, world.library.id, "fill")) == (
        [],
        ["Help filling in the tax return"],
    )
    assert _names(search_directory(db.session, world.staff, world.library.id, "tax office"))[1] == [
        "Help filling in the tax return"
    ]


def test_an_empty_query_lists_the_whole_guide_and_wildcards_are_plain(db, world) -> None:
    actors, routines = _names(search_directory(db.session, world.staff, world.library.id, ""))
    assert actors == ["Bank e-ID support", "Tax office"]
    assert len(routines) == 1
    assert _names(search_directory(db.session, world.staff, world.library.id, "%")) == ([], [])


def test_staff_search_only_their_own_librarys_guide(db, world) -> None:
    with pytest.raises(Forbidden):
        search_directory(db.session, world.outsider, world.library.id, "tax")


def test_leaders_keep_the_directory_and_staff_may_not(db, world) -> None:
    data = ActorInput(name="Citizens' service centre", url="https://nav.example", languages="nb")
    with pytest.raises(Forbidden):
        save_actor(db.session, world.staff, world.library, data)
    with pytest.raises(Forbidden):
        save_actor(db.session, world.other_leader, world.library, data)
    row = save_actor(db.session, world.leader, world.library, data)
    assert row.id is not None
    with pytest.raises(InputError) as exc:
        save_actor(db.session, world.leader, world.library, ActorInput(name="tax OFFICE"))
    assert exc.value.fields == {"name": "is already in the directory"}
    with pytest.raises(InputError) as exc:
        save_actor(db.session, world.leader, world.library, ActorInput(name="X", url="ftp://x"))
    assert set(exc.value.fields) == {"url"}


def test_a_routine_refers_only_to_an_actor_of_the_same_library(db, world, create_library) -> None:
    elsewhere = Actor(library=world.other_library, name="Law clinic")
    db.session.add(elsewhere)
    db.session.flush()
    with pytest.raises(InputError) as exc:
        save_routine(
            db.session,
            world.leader,
            world.library,
            RoutineInput("Legal advice", "We do not give legal advice.", elsewhere.id),
        )
    assert exc.value.fields == {"actor": "does not belong to this library"}


def test_the_desk_page_carries_the_guide_for_the_keystroke_filter(client, login, world) -> None:
    login(world.staff)
    html = client.get("/desk/").get_data(as_text=True)
    assert 'data-text="tax office tax returns, id numbers, tax cards norwegian, english"' in html
    assert 'id="guide-q"' in html


def test_the_guide_page_searches_without_script(client, login, world) -> None:
    login(world.staff)
    response = client.get(
        f"/desk/{world.library.id}/guide?q=bank", headers={"Accept-Language": "en"}
    )
    html = response.get_data(as_text=True)
    assert "1 match for “bank”." in html
    assert "Bank e-ID support" in html
    assert "Tax office" not in html
    login(world.outsider)
    assert client.get(f"/desk/{world.library.id}/guide").status_code == 404


def test_a_leader_adds_an_actor_and_a_routine_on_the_pages(client, db, login, world) -> None:
    login(world.leader)
    response = client.post(
        f"/desk/{world.library.id}/actors",
        data={"name": "Social services", "helps_with": "Benefits", "url": "https://x.example"},
    )
    assert response.status_code == 302
    actor = db.session.scalar(select(Actor).where(Actor.name == "Social services"))
    response = client.post(
        f"/desk/{world.library.id}/routines",
        data={"question_type": "Benefits", "solution": "We refer.", "actor_id": str(actor.id)},
    )
    assert response.status_code == 302
    linked = db.session.scalar(
        select(RoutineRow.actor_id).where(RoutineRow.question_type == "Benefits")
    )
    assert linked == actor.id
    bad = client.post(
        f"/desk/{world.library.id}/actors", data={"name": "Y", "url": "javascript:alert(1)"}
    )
    assert bad.status_code == 422
    login(world.staff)
    assert client.get(f"/desk/{world.library.id}/actors").status_code == 403
    login(world.other_leader)
    assert client.get(f"/desk/{world.library.id}/actors").status_code == 404


def test_a_leader_keeps_the_librarys_categories(client, db, login, world) -> None:
    from scheduler.models import InquiryCategory

    login(world.leader)
    added = client.post(f"/desk/{world.library.id}/categories", data={"name": "Wi-Fi"})
    assert added.status_code == 302
    again = client.post(f"/desk/{world.library.id}/categories", data={"name": "wi-fi"})
    assert again.status_code == 422
    removed = client.post(f"/desk/{world.library.id}/categories/{world.printing.id}/remove")
    assert removed.status_code == 302
    names = db.session.scalars(
        select(InquiryCategory.name).where(InquiryCategory.active.is_(True))
    ).all()
    assert sorted(names) == ["Reference", "Wi-Fi"]
    # The desk page offers only the categories in use.
    login(world.staff)
    html = client.get("/desk/").get_data(as_text=True)
    assert "<span>Wi-Fi</span>" in html
    assert "<span>Printing</span>" not in html
