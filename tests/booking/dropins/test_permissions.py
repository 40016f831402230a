"""Who may run a drop-in session: its hosts, its creator and its library's leaders.

Before roles belonged to libraries, any librarian could edit or cancel any session in any
library and so e-mail its registrants; the use cases now refuse, and change nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest

from scheduler.booking.dropins.recurrence import Recurrence, Repeat
from scheduler.booking.dropins.sessions import (
    SessionDetails,
    cancel_series,
    cancel_session,
    create_sessions,
    details_of,
    update_session,
)
from scheduler.errors import Forbidden
from scheduler.models import Role, SessionStatus
from tests.booking.dropins.conftest import outbox

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ONCE = Recurrence(Repeat.ONCE, date(2027, 3, 8))


@pytest.fixture
def here(create_library):
    return create_library(name="Here")


@pytest.fixture
def host(create_person, here):
    return create_person(Role.LIBRARIAN, libraries=[here], name="Hanne Host")


@pytest.fixture
def details(here, host):
    return SessionDetails(
        title="Zotero drop-in",
        library_id=here.id,
        start_time=time(10),
        end_time=time(11),
        host_ids=(host.id,),
        registration_required=True,
        capacity=10,
    )


@pytest.fixture
def weekly(db, host, details):
    """A weekly series of three, made by the host."""
    start = date(2027, 3, 8)
    created = create_sessions(
        db.session, host, details, Recurrence(Repeat.WEEKLY, start, weeks=3), now=NOW
    )
    return created.sessions


def test_a_librarian_of_another_library_may_not_change_or_cancel(
    db, weekly, details, create_person, create_library, sign_up, site
) -> None:
    stranger = create_person(Role.LIBRARIAN, libraries=[create_library()])
    same_library = create_person(Role.LIBRARIAN, libraries=[weekly[0].library])
    sign_up(weekly[0], 1, now=NOW)
    mails = len(outbox(db))
    for actor in (stranger, same_library):  # neither hosts nor made it
        with pytest.raises(Forbidden):
            update_session(
                db.session,
                actor,
                weekly[0].id,
                details,
                on_date=weekly[0].starts_at.date(),
                site=site,
                now=NOW,
            )
        with pytest.raises(Forbidden):
            cancel_session(db.session, actor, weekly[0].id, message=None, site=site, now=NOW)
        with pytest.raises(Forbidden):
            cancel_series(db.session, actor, weekly[0].series_id, message=None, site=site, now=NOW)
    assert all(s.status == SessionStatus.ANNOUNCED for s in weekly)
    assert len(outbox(db)) == mails, "nobody was e-mailed"


def test_the_librarys_leader_and_an_admin_may(db, weekly, create_person, site) -> None:
    leader = create_person(Role.SECTION_LEADER, libraries=[weekly[0].library])
    cancel_session(db.session, leader, weekly[0].id, message=None, site=site, now=NOW)
    admin = create_person(Role.ADMIN)
    cancel_session(db.session, admin, weekly[1].id, message=None, site=site, now=NOW)
    assert [s.status for s in weekly[:2]] == [SessionStatus.CANCELLED] * 2


def test_a_leader_of_another_library_may_not(
    db, weekly, create_person, create_library, site
) -> None:
    leader = create_person(Role.SECTION_LEADER, libraries=[create_library()])
    with pytest.raises(Forbidden):
        cancel_session(db.session, leader, weekly[0].id, message=None, site=site, now=NOW)


def test_a_host_from_another_library_may_change_the_session_they_host(
    db, weekly, details, create_person, create_library, site
) -> None:
    guest = create_person(Role.LIBRARIAN, libraries=[create_library()], name="Guest Host")
    weekly[0].hosts.append(guest)
    db.session.flush()
    changed = details_of(weekly[0])
    update_session(
        db.session,
        guest,
        weekly[0].id,
        replace(changed, title="Zotero and EndNote"),
        on_date=weekly[0].starts_at.date(),
        site=site,
        now=NOW,
    )
    assert weekly[0].title == "Zotero and EndNote"


def test_sessions_are_added_only_where_the_person_is_a_librarian_or_leader(
    db, details, create_person, create_library, here
) -> None:
    stranger = create_person(Role.LIBRARIAN, libraries=[create_library()])
    with pytest.raises(Forbidden) as refused:
        create_sessions(db.session, stranger, details, ONCE, now=NOW)
    assert refused.value.fields == {"library": "not one of your libraries"}
    desk = create_person(Role.FIRST_LINE, libraries=[here])
    with pytest.raises(Forbidden):
        create_sessions(db.session, desk, details, ONCE, now=NOW)


def test_a_session_cannot_be_moved_into_a_library_the_person_does_not_serve(
    db, weekly, details, host, create_library, site
) -> None:
    elsewhere = create_library(name="Elsewhere")
    with pytest.raises(Forbidden):
        update_session(
            db.session,
            host,
            weekly[0].id,
            replace(details, library_id=elsewhere.id),
            on_date=weekly[0].starts_at.date(),
            site=site,
            now=NOW,
        )
    assert weekly[0].library_id == details.library_id
