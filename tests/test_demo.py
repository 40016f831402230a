"""The demo: realistic content, sign-in for every demo role, and the commands around it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from scheduler import demo
from scheduler.models import (
    AvailabilityRule,
    DemandRule,
    DropInSession,
    GroupQuestion,
    Library,
    Person,
    PersonLibraryRole,
    PersonRole,
    Role,
    ServicePoint,
    Topic,
    TopicGroup,
)
from tests.factories import complete_enrolment

TODAY = date(2027, 1, 4)


@pytest.fixture
def seeded(db):
    sign_ins = demo.seed_demo(db.session, today=date.today(), password="demo-password-1")
    db.session.commit()
    return sign_ins


def _count(db, stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def test_five_libraries_with_the_main_one_open_every_day(db, seeded) -> None:
    libraries = db.session.scalars(select(Library)).all()
    assert len(libraries) == 5
    main = [lib for lib in libraries if lib.is_main]
    assert len(main) == 1
    assert {h.weekday for h in main[0].opening_hours} == set(range(7))
    points = [p for p in main[0].service_points if p.rosterable]
    assert {p.channel.value for p in points} == {"desk", "back_office"}
    assert all(p.ground_floor and p.first_line for p in points)
    # The upstairs desk exists but is not first line, so rosters can never use it.
    assert any(not p.rosterable for p in main[0].service_points)
    assert db.session.scalar(select(func.count()).select_from(DemandRule)) >= 5


def test_first_line_team_and_librarians(db, seeded) -> None:
    first_line = db.session.scalars(
        select(Person).where(Person.library_roles.any(PersonLibraryRole.role == Role.FIRST_LINE))
    ).all()
    assert 28 <= len(first_line) <= 40
    assert all(p.min_hours_per_week >= 4 for p in first_line)
    assert all(p.skill_codes for p in first_line)
    librarians = db.session.scalars(
        select(Person).where(Person.library_roles.any(PersonLibraryRole.role == Role.LIBRARIAN))
    ).all()
    assert 35 <= len(librarians) <= 45
    assert all(p.topics for p in librarians)
    with_windows = _count(db, select(AvailabilityRule.person_id).distinct())
    assert with_windows == len(librarians)


def test_roles_are_held_in_libraries(db, seeded) -> None:
    """The demo leader leads the main library only; the admin is the only global role."""
    leader = db.session.scalar(select(Person).where(Person.email == "leader@demo.example"))
    main = db.session.scalar(select(Library).where(Library.slug == "main"))
    law = db.session.scalar(select(Library).where(Library.slug == "law"))
    assert leader.roles_in(main.id) == {Role.SECTION_LEADER, Role.FIRST_LINE}
    assert leader.roles_in(law.id) == set()
    assert {r.role for r in db.session.scalars(select(PersonRole))} == {Role.ADMIN}


def test_weeks_of_drop_in_sessions_ahead(db, seeded) -> None:
    sessions = db.session.scalars(select(DropInSession)).all()
    assert len(sessions) >= 12
    weeks = {s.starts_at.isocalendar()[1] for s in sessions}
    assert len(weeks) >= 3
    assert any(s.registration_required and s.capacity for s in sessions)
    assert any(s.question for s in sessions)
    assert any(s.online for s in sessions)
    assert all(s.hosts for s in sessions)


def test_seeding_is_deterministic(app_config, tmp_path) -> None:
    from scheduler import create_app
    from scheduler.extensions import db as _db

    names = []
    for run in range(2):
        cfg = dict(
            app_config,
            INSTANCE=str(tmp_path / f"i{run}"),
            DATABASE_URL=f"sqlite:///{tmp_path / f'd{run}.sqlite3'}",
        )
        app = create_app(cfg)
        with app.app_context():
            _db.create_all()
            demo.seed_demo(_db.session, today=TODAY, password="x" * 12)
            names.append(sorted(_db.session.scalars(select(Person.email))))
            _db.session.remove()
            _db.engine.dispose()
    assert names[0] == names[1]


def test_every_demo_role_can_sign_in_and_reaches_its_page(client, seeded) -> None:
    assert {s.role for s in seeded} == {"admin", "section leader", "librarian", "first-line staff"}
    for s in seeded:
        response = client.post("/sign-in", data={"email": s.email, "password": s.password})
        assert response.status_code == 302, s.role
        if s.role in ("admin", "section leader"):  # their roles require a second factor
            assert response.headers["Location"] == "/sign-in/enrol", s.role
            complete_enrolment(client, response)
            response = client.get("/sign-in")  # signed in: on to the staff page
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        client.post("/sign-out")


def test_front_page_lists_libraries_topics_and_sessions(client, seeded, db) -> None:
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    for lib in db.session.scalars(select(Library)):
        assert lib.name in html
    assert "Systematic searching" in html
    assert "Zotero drop-in" in html or "Systematic searching clinic" in html


def test_demo_command_seeds_once_and_prints_sign_ins(runner, db) -> None:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "leader@demo.example" in result.output
    assert "password:" in result.output
    again = runner.invoke(args=["demo"])
    assert "already has data" in again.output
    assert db.session.scalar(select(func.count()).select_from(Library)) == 5
    assert db.session.scalar(select(func.count()).select_from(ServicePoint)) >= 3


def test_two_time_off_requests_wait_for_the_section_leader(client, db, seeded, login) -> None:
    from scheduler.models import Person
    from scheduler.rostering.approvals import pending_count

    leader = db.session.scalar(select(Person).where(Person.email.startswith("leader@")))
    assert pending_count(db.session, leader) == 2

    login(leader)
    page = client.get("/staff/approvals", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "First-aid course" in page.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_demo_content_is_written_in_every_language(db, seeded, lang) -> None:
    """Every demo library, topic, group, question and drop-in has its own texts."""
    for model in (Library, TopicGroup, Topic, GroupQuestion, DropInSession):
        for obj in db.session.scalars(select(model)):
            for field in model.TRANSLATABLE:
                if getattr(obj, field):
                    assert (obj.translations or {}).get(lang, {}).get(field), (model, field)


def test_the_front_page_in_swedish_names_libraries_and_topics_in_swedish(client, seeded) -> None:
    html = client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "Juridiska biblioteket" in html
    assert "Law Library" not in html
    assert "Omvårdnad" in html or "Systematisk sökning" in html
