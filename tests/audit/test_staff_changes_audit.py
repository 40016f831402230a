"""Feed links, drop-ins, roster set-up and exports of personal data are recorded, with
the right actor and subject, and never a patron's name or address."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from scheduler.booking import patron_data
from scheduler.booking.dropins.registrations import Registrant, register
from scheduler.booking.dropins.sessions import cancel_session
from scheduler.models import AuditEntry, DropInSession, Role
from scheduler.site import Site
from scheduler.timeutil import local_to_utc, utcnow

SITE = Site(public_url="https://library.test", secret_key="k" * 32, language="en")
PATRON = Registrant(name="Åse Ødegård", email="ase.odegard@student.example", locale="en")


def _dropin(db, library, host) -> DropInSession:
    day = date.today() + timedelta(days=7)
    starts = local_to_utc(day, time(12), library.timezone)
    dropin = DropInSession(
        library=library,
        title="Zotero",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        registration_required=True,
        capacity=5,
        hosts=[host],
    )
    db.session.add(dropin)
    db.session.flush()
    return dropin


def _everything_logged(db) -> str:
    db.session.expire_all()
    return repr(
        [(e.action, e.subject, e.reason, e.details) for e in db.session.scalars(select(AuditEntry))]
    )


def test_feed_link_creation_and_revocation(client, create_person, login, entries) -> None:
    kari = create_person(Role.FIRST_LINE)
    login(kari)
    for action in ("issue", "issue", "turn_off"):
        assert client.post("/staff/calendar-feeds", data={"action": action}).status_code == 302
    first, second = entries("feed_link.issued")
    assert (first.actor_id, first.subject) == (kari.id, f"person:{kari.id}")
    assert (first.details["replaced"], second.details["replaced"]) == (False, True)
    (revoked,) = entries("feed_link.revoked")
    assert (revoked.actor_id, revoked.details["revoked"]) == (kari.id, 1)


def test_drop_in_staff_actions_and_export(
    client, db, create_library, create_person, login, entries
) -> None:
    library = create_library()
    host = create_person(Role.LIBRARIAN, libraries=[library])
    dropin = _dropin(db, library, host)
    reg = register(db.session, [dropin.id], PATRON, site=SITE, now=utcnow()).for_session(dropin.id)
    login(host)
    export = client.get(f"/staff/dropins/{dropin.id}/registrants.csv")
    assert export.status_code == 200
    (exported,) = entries("export.registrants")
    assert (exported.actor_id, exported.subject, exported.details["rows"]) == (
        host.id,
        f"dropin_session:{dropin.id}",
        1,
    )
    url = f"/staff/dropins/{dropin.id}/registrations/{reg.id}/cancel"
    assert client.post(url).status_code == 302
    (removed,) = entries("registration.cancelled")
    assert (removed.actor_id, removed.subject, removed.library_id) == (
        host.id,
        f"registration:{reg.id}",
        library.id,
    )
    cancel_session(
        db.session, host, dropin.id, message="Ill, sorry Åse Ødegård", site=SITE, now=utcnow()
    )
    (cancelled,) = entries("dropin.cancelled")
    assert (cancelled.actor_id, cancelled.subject) == (host.id, f"dropin_session:{dropin.id}")
    logged = _everything_logged(db)
    assert "Ødegård" not in logged
    assert "ase.odegard" not in logged


def test_drop_in_edit_by_staff(client, db, create_library, create_person, login, entries) -> None:
    library = create_library()
    host = create_person(Role.LIBRARIAN, libraries=[library])
    login(host)
    first = date.today() + timedelta(days=7)
    form = {
        "title": "Zotero drop-in",
        "library": str(library.id),
        "location": "Learning centre",
        "date": first.isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "repeat": "weekly",
        "weeks": "2",
        "hosts": [str(host.id)],
        "registration_required": "y",
        "capacity": "12",
        "waitlist_enabled": "y",
        "deadline_hours": "2",
        "question": "Which tool do you use?",
    }
    assert client.post("/staff/dropins/new", data=form).status_code == 302
    dropin = db.session.scalar(select(DropInSession).order_by(DropInSession.starts_at))
    edited = client.post(f"/staff/dropins/{dropin.id}/edit", data=form | {"start_time": "09:00"})
    assert edited.status_code == 302
    (entry,) = entries("dropin.edited")
    assert (entry.actor_id, entry.subject) == (host.id, f"dropin_session:{dropin.id}")


def test_patron_export_and_erase_are_recorded_without_the_patron(
    db, create_library, create_person, entries
) -> None:
    library = create_library()
    dropin = _dropin(db, library, create_person(Role.LIBRARIAN))
    register(db.session, [dropin.id], PATRON, site=SITE, now=utcnow())
    data = patron_data.export(db.session, PATRON.email, site=SITE)
    assert data["registrations"]
    patron_data.erase(db.session, PATRON.email, site=SITE)
    (exported,) = entries("patron_data.exported")
    (erased,) = entries("patron_data.erased")
    assert exported.actor_id is None
    assert exported.ip is None
    assert exported.details == {"appointments": 0, "registrations": 1}
    assert erased.details["registrations"] == 1
    logged = _everything_logged(db)
    assert "Ødegård" not in logged
    assert "ase.odegard" not in logged


def test_roster_setup_changes(client, db, create_library, create_person, login, entries) -> None:
    library = create_library()
    leader = create_person(Role.SECTION_LEADER, libraries=[library])
    login(leader)
    response = client.post(
        f"/leader/setup/{library.id}/points",
        data={"name": "Desk", "channel": "desk", "ground_floor": "y", "first_line": "y"},
    )
    assert response.status_code == 302
    (saved,) = entries("roster_setup.changed")
    assert saved.actor_id == leader.id
    assert saved.subject.startswith("service_point:")
    assert (saved.details, saved.library_id) == ({"op": "point.saved"}, library.id)


def test_roster_and_hours_exports(client, db, world, create_person, login, entries) -> None:
    leader = create_person(Role.SECTION_LEADER, libraries=[world.library])
    login(leader)
    response = client.get(f"/staff/roster/periods/{world.period.id}/roster.csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    (roster,) = entries("export.roster")
    assert (roster.actor_id, roster.subject, roster.library_id) == (
        leader.id,
        f"roster_period:{world.period.id}",
        world.library.id,
    )
    member = world.people[0]
    login(member)
    month = world.period.start_date.strftime("%Y-%m")
    assert client.get(f"/staff/hours.csv?month={month}").status_code == 200
    (hours,) = entries("export.hours")
    assert (hours.actor_id, hours.subject) == (member.id, f"person:{member.id}")


def test_feed_links_revoked_from_the_command_line(client, db, runner, create_person, entries):
    from scheduler.calendars.tokens import issue_token

    kari = create_person(Role.FIRST_LINE, email="kari@uni.example")
    issue_token(db.session, kari, key="k" * 32)
    client.get("/")  # commit the arranged rows
    result = runner.invoke(args=["feeds", "revoke", "--email", "kari@uni.example"])
    assert result.exit_code == 0, result.output
    (revoked,) = entries("feed_link.revoked")
    assert (revoked.actor_id, revoked.subject) == (None, f"person:{kari.id}")
    assert revoked.details == {"revoked": 1, "via": "command line"}
