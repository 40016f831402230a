"""Roster review pages: section leaders only; edits, publish, repair and CSV through HTTP."""

from __future__ import annotations

import re

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


@pytest.mark.parametrize(
    ("view", "texts"),
    [
        ("", ["Who is where", "Information desk", "Anna", 'name="override_reason"', "sp-1"]),
        ("?view=coverage", ["Coverage: needed against assigned", 'class="heat cov-full"']),
        ("?view=hours", ["Hours per person per week"]),
        ("?view=quality", ["How good is this roster?", "Days at work"]),
        ("?view=pins", ["Pin the assignments to keep", 'name="pinned"', "Save pins"]),
    ],
)
def test_each_view_of_the_roster_is_its_own_page(client, login, roster, view, texts) -> None:
    login(roster.leader)
    response = client.get(url(roster, view), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Roster for Main library" in html
    assert "Draft: not published" in html
    for text in texts:
        assert text in html, text
    # One view at a time: the grid's pin boxes only in the pins view, codes nowhere.
    assert ('name="pinned"' in html) == (view == "?view=pins")
    assert "duty_days" not in html
    if view != "?view=coverage":
        assert "Coverage: needed against assigned" not in html


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
    assert "Hours in a day:" in html
    assert "at most 4 h a day" in html
    assert "This edit breaks: hours in a day. Give a reason to keep it anyway." in html
    # The rule's code is ours, not the leader's; the CSRF token is random and may hold it.
    assert "H7" not in re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    assert count(db, Assignment) == before


def test_the_rule_name_in_bokmal(client, login, roster) -> None:
    login(roster.leader)
    response = client.post(
        url(roster, "/assignments"),
        data={"shift": roster.shifts["remote-mon-13"].id, "person": roster.anna.id},
        headers={"Accept-Language": "nb"},
    )
    assert response.status_code == 422
    assert "Timer på en dag:" in response.get_data(as_text=True)


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
    from scheduler.signin import sessions
    from scheduler.signin.policy import SessionPolicy

    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    db.session.commit()
    try:
        client = csrf_app.test_client()
        token = sessions.start(db.session, roster.leader, SessionPolicy(), sessions.Device())
        db.session.commit()
        with client.session_transaction() as sess:
            sess["_user_id"] = token
            sess["_fresh"] = True
        assert client.get(url(roster, "")).status_code == 200  # signed in: CSRF refuses
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
    assert "Too few or too many people on a shift:" in html


def test_the_pages_pass_the_accessibility_checks(db, client, login, roster) -> None:
    """The same checks as the site-wide sweep (the demo has no roster period to crawl)."""
    from tests.web.test_accessibility import problems

    publish(db.session, roster.period, actor=roster.leader)
    login(roster.leader)
    pages = [
        url(roster),
        *(url(roster, f"?view={v}") for v in ("pins", "coverage", "hours", "quality")),
        url(roster, f"/shifts/{roster.shifts['remote-mon-13'].id}"),
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


def test_a_shift_page_ranks_who_could_take_a_place(db, client, login, roster) -> None:
    """Thursday's optional desk shift: Anna, Bo and Cai all have the desk skill; the
    page offers everyone, those who keep every rule first, and adds from there."""
    from bs4 import BeautifulSoup

    login(roster.leader)
    shift = roster.shifts["desk-thu-08"]
    page = client.get(url(roster, f"/shifts/{shift.id}"), headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    rows = html.select("table.candidates tbody tr")
    fits = [r.th.get_text(strip=True) for r in rows if "fits" in r["class"]]
    assert fits
    first_breaking = next((i for i, r in enumerate(rows) if "breaks" in r["class"]), len(rows))
    assert all("fits" in r["class"] for r in rows[:first_breaking])
    # Adding from the page saves and comes back to it.
    person_id = int(rows[0].find("input", attrs={"name": "person"})["value"])
    before = count(db, Assignment)
    response = client.post(
        url(roster, "/assignments"),
        data={"shift": shift.id, "person": person_id, "back": shift.id},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/shifts/{shift.id}")
    assert count(db, Assignment) == before + 1


def test_a_shift_page_shows_what_a_candidate_would_break(client, login, roster) -> None:
    from bs4 import BeautifulSoup

    login(roster.leader)
    shift = roster.shifts["remote-mon-13"]  # Anna would exceed 4 h that day
    page = client.get(url(roster, f"/shifts/{shift.id}"), headers={"Accept-Language": "en"})
    html = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    anna = next(r for r in html.select("table.candidates tbody tr") if "Anna" in r.th.text)
    assert "breaks" in anna["class"]
    assert "Hours in a day:" in anna.get_text()
    assert anna.find("input", attrs={"name": "override_reason"}).has_attr("required")
    other = client.get(url(roster, "/shifts/999999"), headers={"Accept-Language": "en"})
    assert other.status_code == 404
