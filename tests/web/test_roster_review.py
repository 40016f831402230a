"""Roster review pages: section leaders only; edits, publish, repair and CSV through HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.models import (
    Assignment,
    AuditEntry,
    OutboundEmail,
    PublishedShift,
    Role,
    RosterRun,
    RunKind,
)
from scheduler.rostering.publish import publish
from tests.factories import acting_admin
from tests.rostering.review_data import make_roster, next_monday


@pytest.fixture
def roster(db, create_library, create_person):
    return make_roster(db, create_library, create_person)


def url(roster, tail: str = "") -> str:
    return f"/staff/roster/periods/{roster.period.id}{tail}"


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_review_page_shows_grid_coverage_hours_objective(client, login, roster) -> None:
    login(roster.leader)
    response = client.get(url(roster), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "Roster for Main library",
        "Who is where",
        "Information desk",
        "Anna",
        "Coverage: needed against assigned",
        'class="heat cov-full"',
        "Hours per person per week",
        "Objective by term",
        "duty_days",
        "Draft: not published",
        'name="override_reason"',
    ):
        assert text in html, text
    assert "sp-0" in html
    assert "sp-1" in html


def test_the_endpoint_name_and_path(app, roster) -> None:
    with app.test_request_context():
        from flask import url_for

        assert url_for("roster_review.review", period_id=7) == "/staff/roster/periods/7"


@pytest.mark.parametrize("role", [Role.LIBRARIAN, Role.FIRST_LINE])
@pytest.mark.parametrize(
    ("method", "tail"),
    [
        ("get", ""),
        ("get", "/roster.csv"),
        ("get", "/publish"),
        ("post", "/publish"),
        ("get", "/repair"),
        ("post", "/assignments"),
        ("post", "/assignments/remove"),
        ("post", "/pins"),
    ],
)
def test_only_section_leaders(client, login, roster, create_person, role, method, tail) -> None:
    login(create_person(role))
    response = getattr(client, method)(url(roster, tail))
    assert response.status_code == 403


def test_signed_out_goes_to_sign_in(client, roster) -> None:
    response = client.get(url(roster))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_a_refused_edit_names_the_rule_and_changes_nothing(db, client, login, roster) -> None:
    login(roster.leader)
    before = count(db, Assignment)
    response = client.post(
        url(roster, "/assignments"),
        data={"shift": roster.shifts["remote-mon-13"].id, "person": roster.anna.id},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "H7 daily hours" in html
    assert "at most 4 h a day" in html
    assert "This edit breaks: H7. Give a reason to keep it anyway." in html
    assert count(db, Assignment) == before


def test_the_rule_name_in_bokmal(client, login, roster) -> None:
    login(roster.leader)
    response = client.post(
        url(roster, "/assignments"),
        data={"shift": roster.shifts["remote-mon-13"].id, "person": roster.anna.id},
        headers={"Accept-Language": "nb"},
    )
    assert response.status_code == 422
    assert "H7 timer per dag" in response.get_data(as_text=True)


def test_an_override_with_a_reason_is_kept_and_logged(db, client, login, roster) -> None:
    login(roster.leader)
    response = client.post(
        url(roster, "/assignments"),
        data={
            "shift": roster.shifts["remote-mon-13"].id,
            "person": roster.anna.id,
            "override_reason": "Anna wants the hours",
        },
    )
    assert response.status_code == 303
    a = roster.assignment(db, "remote-mon-13", roster.anna)
    assert a.override_reason == "Anna wants the hours"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roster.override"))
    assert entry.reason == "Anna wants the hours"
    assert entry.actor_id == roster.leader.id


def test_move_and_remove(db, client, login, roster) -> None:
    login(roster.leader)
    a = roster.assignment(db, "desk-wed-10", roster.cai)
    response = client.post(
        url(roster, "/assignments/move"),
        data={"assignment": a.id, "to_shift": roster.shifts["desk-thu-08"].id, "to_person": ""},
    )
    assert response.status_code == 303
    assert roster.assignment(db, "desk-thu-08", roster.cai) is not None
    b = roster.assignment(db, "desk-mon-08", roster.anna)
    response = client.post(url(roster, "/assignments/remove"), data={"assignment": b.id})
    assert response.status_code == 422  # H1 and H6: nothing removed
    assert db.session.get(Assignment, b.id) is not None


def test_editing_while_the_solver_runs_is_refused(db, client, login, roster) -> None:
    from tests.rostering.review_data import running_job

    running_job(db, roster.period)
    login(roster.leader)
    before = count(db, Assignment)
    response = client.post(
        url(roster, "/assignments"),
        data={"shift": roster.shifts["desk-thu-08"].id, "person": roster.bo.id},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert "The solver is working on this roster" in response.get_data(as_text=True)
    assert count(db, Assignment) == before


def test_pins_and_resolve_start_a_run(db, client, login, roster) -> None:
    login(roster.leader)
    a = roster.assignment(db, "desk-mon-08", roster.anna)
    response = client.post(url(roster, "/pins"), data={"pinned": [str(a.id)], "action": "resolve"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Assignment, a.id).pinned
    run = db.session.scalar(select(RosterRun))
    assert run.kind == RunKind.RESOLVE
    assert response.headers["Location"].endswith(f"/staff/roster/runs/{run.id}")


def test_publish_preview_then_publish(db, client, login, roster) -> None:
    login(roster.leader)
    preview = client.get(url(roster, "/publish"), headers={"Accept-Language": "en"})
    assert preview.status_code == 200
    assert "New shifts: 6" in preview.get_data(as_text=True)
    response = client.post(url(roster, "/publish"))
    assert response.status_code == 303
    assert count(db, PublishedShift) == 6
    assert count(db, OutboundEmail) == 3
    page = client.get(url(roster), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Published, version 1" in page


def test_publishing_an_empty_roster_is_refused(db, client, login, roster) -> None:
    from sqlalchemy import delete

    db.session.execute(delete(Assignment))
    login(roster.leader)
    response = client.post(url(roster, "/publish"), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "the roster is empty" in response.get_data(as_text=True)
    assert count(db, PublishedShift) == 0


def test_repair_form(db, client, login, roster) -> None:
    publish(db.session, roster.period, actor=roster.leader)
    login(roster.leader)
    page = client.get(url(roster, "/repair"), headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Who is away" in page.get_data(as_text=True)
    bad = client.post(url(roster, "/repair"), data={"person": roster.cai.id})
    assert bad.status_code == 422
    assert count(db, RosterRun) == 0
    response = client.post(
        url(roster, "/repair"),
        data={"person": roster.cai.id, "days": ["2027-01-06", "2027-01-07"], "note": "flu"},
    )
    assert response.status_code == 303
    run = db.session.scalar(select(RosterRun))
    assert run.kind == RunKind.REPAIR
    review = client.get(url(roster), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Changes not yet published" in review
    assert "The solver is working on this roster" in review


def test_csv_download(client, login, roster) -> None:
    login(roster.leader)
    response = client.get(url(roster, "/roster.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("date,weekday,start,end,service_point,person")
    assert "2027-01-04,Mon,08:00,10:00,Information desk,Anna,no,solver,1," in lines


def test_the_page_has_a_print_stylesheet(client, login, roster) -> None:
    login(roster.leader)
    html = client.get(url(roster)).get_data(as_text=True)
    assert "css/roster_review.css" in html
    with client.get("/static/css/roster_review.css") as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css


def test_my_shifts_shows_only_my_own(db, client, login, create_library, create_person) -> None:
    roster = make_roster(db, create_library, create_person, monday=next_monday())
    publish(db.session, roster.period, actor=roster.leader)
    login(roster.bo)
    response = client.get("/staff/my-shifts", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    mine = db.session.scalars(
        select(PublishedShift).where(PublishedShift.person_id == roster.bo.id)
    ).all()
    others = db.session.scalars(
        select(PublishedShift).where(PublishedShift.person_id != roster.bo.id)
    ).all()
    assert len(mine) == 2
    for row in mine:
        assert f'id="shift-{row.id}"' in html
    for row in others:
        assert f'id="shift-{row.id}"' not in html
    assert "/staff/calendar-feeds" in html  # the link to the feed settings


def test_a_csrf_token_is_required(app_config, roster, db) -> None:
    from scheduler import create_app
    from scheduler.extensions import db as database

    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    db.session.commit()
    try:
        client = csrf_app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = roster.leader.get_id()
            sess["_fresh"] = True
        response = client.post(
            url(roster, "/assignments"),
            data={"shift": roster.shifts["desk-thu-08"].id, "person": roster.bo.id},
        )
        assert response.status_code == 400
        assert count(db, Assignment) == 6
    finally:
        with csrf_app.app_context():
            database.session.remove()
            database.engine.dispose()


def test_a_shift_link_lands_on_my_shifts(client, login, roster) -> None:
    login(roster.bo)
    response = client.get("/staff/my-shifts/12")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/my-shifts#shift-12")


def test_my_shifts_needs_sign_in(client) -> None:
    response = client.get("/staff/my-shifts")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_publish_preview_warns_of_broken_rules(db, client, login, roster) -> None:
    from scheduler.rostering import edits

    a = roster.assignment(db, "desk-mon-08", roster.anna)
    edits.remove_assignment(
        db.session, roster.period, a.id, actor=acting_admin(), override_reason="test"
    )
    login(roster.leader)
    html = client.get(url(roster, "/publish"), headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert "This roster breaks hard rules" in html
    assert "H1 headcount" in html


def test_the_pages_pass_the_accessibility_checks(db, client, login, roster) -> None:
    """The same checks as the site-wide sweep (the demo has no roster period to crawl)."""
    from tests.web.test_accessibility import problems

    publish(db.session, roster.period, actor=roster.leader)
    login(roster.leader)
    pages = [
        url(roster),
        url(roster, f"/people/{roster.anna.id}"),
        url(roster, "/publish"),
        url(roster, "/repair"),
        "/staff/my-shifts",
    ]
    for path in pages:
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 200, path
        assert problems(response.get_data(as_text=True)) == [], path
    refused = client.post(
        url(roster, "/assignments"),
        data={"shift": roster.shifts["remote-mon-13"].id, "person": roster.anna.id},
    )
    assert refused.status_code == 422
    assert problems(refused.get_data(as_text=True)) == []


def test_concurrent_edits_cannot_both_pass_the_check(app, db, live_server, roster) -> None:
    """Three leaders fill the same one-person shift at once: one wins, two are refused."""
    import threading

    from tests.feeds.helpers import post_form, session_cookie

    cookie = session_cookie(app, roster.leader)
    shift_id = roster.shifts["desk-thu-08"].id
    target = f"{live_server}{url(roster, '/assignments')}"
    people = [roster.anna.id, roster.bo.id, roster.cai.id]
    db.session.commit()
    barrier = threading.Barrier(3)
    statuses: list[int] = []
    lock = threading.Lock()

    def send(person_id: int) -> None:
        barrier.wait()
        status = post_form(target, {"shift": str(shift_id), "person": str(person_id)}, cookie)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(statuses) == [303, 422, 422]
    db.session.commit()
    held = db.session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.shift_id == shift_id)
    )
    assert held == 1
