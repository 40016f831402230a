"""Roster set-up pages: section leaders only; bad input names the field, changes nothing."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import func, select

from scheduler.models import (
    ClosedDate,
    DemandRule,
    Library,
    Role,
    RosterPeriod,
    ServicePoint,
    Shift,
)

EN = {"Accept-Language": "en"}


@pytest.fixture
def library(create_library):
    return create_library(is_main=True)


@pytest.fixture
def leader(create_person, login, library):
    person = create_person(Role.SECTION_LEADER, libraries=[library])
    login(person)
    return person


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.FIRST_LINE])
def test_other_staff_get_403(client, create_person, login, library, role) -> None:
    login(create_person(role))
    for url in [
        f"/leader/setup/{library.id}/points",
        f"/leader/setup/{library.id}/hours",
        f"/leader/setup/{library.id}/pool",
        f"/leader/setup/{library.id}/demand",
        f"/leader/setup/{library.id}/preview",
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(f"/leader/setup/{library.id}/points", data={"name": "X"})
    assert response.status_code == 403


def test_anonymous_is_sent_to_sign_in(client, library) -> None:
    response = client.get(f"/leader/setup/{library.id}/points")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"] or "login" in response.headers["Location"]


def test_admin_may_set_up(client, create_person, login, library) -> None:
    login(create_person(Role.ADMIN))
    assert client.get("/leader/setup/").status_code == 302
    assert client.get(f"/leader/setup/{library.id}/points").status_code == 200


@pytest.mark.parametrize("tab", ["points", "hours", "pool", "demand", "preview"])
def test_every_set_up_tab_has_its_stylesheet(client, leader, library, tab) -> None:
    """The tabs are a list styled as tabs: without the set-up stylesheet they render as
    bullets (they did on hours, pool and demand)."""
    page = client.get(f"/leader/setup/{library.id}/{tab}", headers=EN).get_data(as_text=True)
    assert "css/roster_setup.css" in page


def test_leader_adds_and_edits_a_service_point(client, db, leader, library) -> None:
    response = client.post(
        f"/leader/setup/{library.id}/points",
        data={
            "name": "Information desk",
            "channel": "desk",
            "ground_floor": "y",
            "first_line": "y",
        },
    )
    assert response.status_code == 302
    point = db.session.scalar(select(ServicePoint).where(ServicePoint.library_id == library.id))
    assert point.rosterable
    response = client.post(
        f"/leader/setup/{library.id}/points/{point.id}",
        data={"name": "Desk", "channel": "chat", "ground_floor": "y", "first_line": "y"},
    )
    assert response.status_code == 302
    db.session.refresh(point)
    assert (point.name, point.channel.value) == ("Desk", "chat")
    page = client.get(f"/leader/setup/{library.id}/points", headers=EN).get_data(as_text=True)
    assert "Desk" in page


def test_point_used_by_shifts_is_deactivated_not_deleted(
    client, db, leader, library, create_service_point
) -> None:
    used = create_service_point(library=library, name="Used")
    unused = create_service_point(library=library, name="Unused")
    period = RosterPeriod(library=library, start_date=date(2027, 1, 4), weeks=1)
    db.session.add(period)
    db.session.flush()
    from datetime import UTC, datetime

    db.session.add(
        Shift(
            period=period,
            service_point_id=used.id,
            starts_at=datetime(2027, 1, 4, 8, tzinfo=UTC),
            ends_at=datetime(2027, 1, 4, 10, tzinfo=UTC),
        )
    )
    used_id, unused_id = used.id, unused.id
    assert client.post(f"/leader/setup/{library.id}/points/{used_id}/remove").status_code == 302
    assert client.post(f"/leader/setup/{library.id}/points/{unused_id}/remove").status_code == 302
    assert db.session.get(ServicePoint, used_id).active is False
    assert db.session.get(ServicePoint, unused_id) is None


def test_opening_hours_and_closed_dates(client, db, leader, create_library) -> None:
    library = create_library(hours=[])
    leader.grant(Role.SECTION_LEADER, library)
    url = f"/leader/setup/{library.id}/hours"
    ok = client.post(
        url,
        data={
            "action": "add_hours",
            "hours-weekday": "0",
            "hours-opens": "08:00",
            "hours-closes": "20:00",
        },
    )
    assert ok.status_code == 302
    overlap = client.post(
        url,
        data={
            "action": "add_hours",
            "hours-weekday": "0",
            "hours-opens": "19:00",
            "hours-closes": "21:00",
        },
        headers=EN,
    )
    assert overlap.status_code == 422
    assert "overlaps" in overlap.get_data(as_text=True)
    backwards = client.post(
        url,
        data={
            "action": "add_hours",
            "hours-weekday": "1",
            "hours-opens": "10:00",
            "hours-closes": "09:00",
        },
        headers=EN,
    )
    assert backwards.status_code == 422
    assert "must be after the opening time" in backwards.get_data(as_text=True)
    assert len(db.session.get(Library, library.id).opening_hours) == 1
    closed = client.post(
        url, data={"action": "add_closed", "closed-date": "2027-05-17", "closed-reason": "17 May"}
    )
    assert closed.status_code == 302
    row = db.session.scalar(select(ClosedDate))
    assert row.date == date(2027, 5, 17)
    again = client.post(url, data={"action": "add_closed", "closed-date": "2027-05-17"})
    assert again.status_code == 422
    gone = client.post(url, data={"action": "delete_closed", "id": str(row.id)})
    assert gone.status_code == 302
    assert _count(db, ClosedDate) == 0


def test_pool_member_below_four_hours_is_refused(
    client, db, leader, library, create_person
) -> None:
    ola = create_person(Role.LIBRARIAN, name="Ola", skills=["desk"], min_hours_per_week=0)
    response = client.post(
        f"/leader/setup/{library.id}/pool",
        data={
            "person_id": str(ola.id),
            "skills": ["desk"],
            "min_hours_per_week": "3",
            "max_hours_per_week": "10",
        },
        headers=EN,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "below the first-line minimum of 4 hours a week" in html
    db.session.refresh(ola)
    assert library not in ola.libraries
    assert Role.FIRST_LINE not in ola.roles_in(library.id)
    assert ola.min_hours_per_week == 0


def test_pool_member_is_added_and_edited(client, db, leader, library, create_person) -> None:
    ola = create_person(Role.LIBRARIAN, name="Ola", skills=["desk", "chat"])
    response = client.post(
        f"/leader/setup/{library.id}/pool",
        data={
            "person_id": str(ola.id),
            "skills": ["desk"],
            "min_hours_per_week": "6",
            "target_hours_per_week": "8",
            "max_hours_per_week": "12",
        },
    )
    assert response.status_code == 302
    db.session.refresh(ola)
    assert library in ola.libraries
    assert Role.FIRST_LINE in ola.roles_in(library.id)
    assert (ola.min_hours_per_week, ola.target_hours_per_week, ola.max_hours_per_week) == (
        6,
        8,
        12,
    )
    assert ola.skill_codes == ["desk"]
    bad = client.post(
        f"/leader/setup/{library.id}/pool/{ola.id}",
        data={"skills": ["desk"], "min_hours_per_week": "6", "max_hours_per_week": "5"},
        headers=EN,
    )
    assert bad.status_code == 422
    assert "must be at least the minimum" in bad.get_data(as_text=True)
    page = client.get(f"/leader/setup/{library.id}/pool", headers=EN).get_data(as_text=True)
    assert "Ola" in page
    assert client.post(f"/leader/setup/{library.id}/pool/{ola.id}/remove").status_code == 302
    db.session.refresh(ola)
    assert library not in ola.libraries


def _rule_data(point_id: int, **kw) -> dict:
    data = {
        "service_point_id": str(point_id),
        "weekdays": ["0", "1", "2", "3", "4"],
        "start_time": "08:00",
        "end_time": "16:00",
        "block_minutes": "120",
        "min_staff": "2",
        "max_staff": "2",
        "skills": ["desk"],
    }
    data.update(kw)
    return data


def test_demand_rule_and_preview(
    client, db, leader, library, create_service_point, create_person
) -> None:
    create_person(skills=["desk"])  # makes the skill exist
    desk = create_service_point(library=library, name="Information desk")
    response = client.post(f"/leader/setup/{library.id}/demand", data=_rule_data(desk.id))
    assert response.status_code == 302
    rule = db.session.scalar(select(DemandRule))
    assert (rule.weekdays, rule.min_staff, rule.skill_list) == ("01234", 2, ["desk"])
    preview = client.get(f"/leader/setup/{library.id}/preview?week=2027-01-06", headers=EN)
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "20 shifts, 80 hours of staff time needed." in html
    assert html.count('class="shift-block') == 20
    assert "08:00–10:00" in html
    clash = client.post(
        f"/leader/setup/{library.id}/demand",
        data=_rule_data(desk.id, start_time="10:00", end_time="12:00"),
        headers=EN,
    )
    assert clash.status_code == 422
    assert "another rule already starts a shift here" in clash.get_data(as_text=True)
    assert _count(db, DemandRule) == 1


@pytest.mark.parametrize(
    ("point_kw", "reason"),
    [
        ({"ground_floor": False}, "is not on the ground floor"),
        ({"first_line": False}, "is not a first-line service point"),
    ],
)
def test_demand_at_a_point_not_first_line_ground_floor_is_refused(
    client, db, leader, library, create_service_point, point_kw, reason
) -> None:
    upstairs = create_service_point(library=library, name="Reading room", **point_kw)
    response = client.post(
        f"/leader/setup/{library.id}/demand",
        data=_rule_data(upstairs.id, skills=[]),
        headers=EN,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert reason in html
    assert "Reading room" in html
    assert _count(db, DemandRule) == 0


def test_point_with_demand_cannot_leave_the_ground_floor(
    client, db, leader, library, create_service_point
) -> None:
    desk = create_service_point(library=library, name="Desk")
    db.session.add(
        DemandRule(service_point=desk, start_time=time(8), end_time=time(10), weekdays="0")
    )
    response = client.post(
        f"/leader/setup/{library.id}/points/{desk.id}",
        data={"name": "Desk", "channel": "desk", "first_line": "y"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "remove its demand rules first" in response.get_data(as_text=True)
    db.session.refresh(desk)
    assert desk.ground_floor is True


def test_rule_edit_and_delete(client, db, leader, library, create_service_point) -> None:
    desk = create_service_point(library=library, name="Desk")
    rule = DemandRule(service_point=desk, start_time=time(8), end_time=time(10), weekdays="0")
    db.session.add(rule)
    db.session.flush()
    rule_id = rule.id
    form = client.get(f"/leader/setup/{library.id}/demand/{rule_id}")
    assert form.status_code == 200
    response = client.post(
        f"/leader/setup/{library.id}/demand/{rule_id}",
        data=_rule_data(desk.id, skills=[], min_staff="1", max_staff="1", weekdays=["5", "6"]),
    )
    assert response.status_code == 302
    assert db.session.get(DemandRule, rule_id).weekdays == "56"
    assert client.post(f"/leader/setup/{library.id}/demand/{rule_id}/delete").status_code == 302
    assert db.session.get(DemandRule, rule_id) is None


def test_norwegian_pages_render(client, leader, library) -> None:
    html = client.get(
        f"/leader/setup/{library.id}/demand", headers={"Accept-Language": "nb"}
    ).get_data(as_text=True)
    assert "Bemanningsbehov" in html


def test_links_without_a_library_go_to_the_main_library(client, app, leader, library) -> None:
    with app.test_request_context():
        from flask import url_for

        assert url_for("roster_setup.pool") == f"/leader/setup/{library.id}/pool"
    response = client.get("/leader/setup/", headers=EN)
    assert response.headers["Location"].endswith(f"/leader/setup/{library.id}/points")
