"""Syncing a saved source on SQLite and PostgreSQL: busy times replaced as a whole, the
last good data kept on every kind of failure, secrets encrypted, nothing but times
stored, and the source's data gone with it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, inspect, select, text

from scheduler.calendars.sources.manage import (
    SourceInput,
    add_source,
    change_source,
    remove_source,
)
from scheduler.calendars.sources.problems import SourceProblem
from scheduler.calendars.sources.secretbox import SecretBox
from scheduler.calendars.sources.sync import (
    SyncOptions,
    load_plan,
    read_source,
    record_outcome,
)
from scheduler.errors import Forbidden, InputError
from scheduler.models import BusyInterval, BusyKind, CalendarSource, Role
from tests.calendar_sources import feeds
from tests.calendar_sources.conftest import Route

NOW = datetime(2027, 3, 15, 7, 0, tzinfo=UTC)  # Monday 15 March 2027, 08:00 in Oslo


@pytest.fixture
def box() -> SecretBox:
    return SecretBox([Fernet.generate_key().decode()])


@pytest.fixture
def options(loopback_limits) -> SyncOptions:
    return SyncOptions(limits=loopback_limits, own_uid_host="library.test")


@pytest.fixture
def kari(create_person, create_library):
    library = create_library()
    return create_person(
        Role.LIBRARIAN, email="kari@uni.example", bookable=True, libraries=[library]
    )


def sync(db, source_id: int, box, options, now=NOW):
    """What the sync job does: plan, commit, read (no database), record, commit."""
    plan = load_plan(db.session, source_id, box=box, now=now, default_tz="Europe/Oslo")
    db.session.commit()
    outcome = read_source(plan, options, now=now)
    record_outcome(db.session, outcome, now=now)
    db.session.commit()
    return outcome


def busy_rows(db, source_id: int) -> list[tuple]:
    return [
        (row.starts_at, row.ends_at, row.kind)
        for row in db.session.scalars(
            select(BusyInterval)
            .where(BusyInterval.source_id == source_id)
            .order_by(BusyInterval.starts_at, BusyInterval.kind)
        )
    ]


def connect(db, person, box, url: str, **kw) -> CalendarSource:
    data = SourceInput(kind=kw.pop("kind", "ics"), label=kw.pop("label", "Google"), url=url, **kw)
    source = add_source(db.session, person, person, data, box=box)
    db.session.commit()
    return source


def test_a_sync_stores_only_times_and_kinds(db, feed_server, kari, box, options) -> None:
    feed_server.routes["/secret/basic.ics"] = Route(body=feeds.google_feed())
    source = connect(db, kari, box, feed_server.url("/secret/basic.ics"))
    outcome = sync(db, source.id, box, options)
    assert outcome.ok, outcome.problem
    rows = busy_rows(db, source.id)
    # Read up to the booking horizon (56 days): the endless Wednesday lecture goes on
    # to 5 May, so 5 more than the 11 busy times up to 31 March.
    assert len(rows) == 16
    assert rows[-1][0] == datetime(2027, 5, 5, 7, 0, tzinfo=UTC)
    assert rows[0] == (
        datetime(2027, 3, 22, 7, 0, tzinfo=UTC),
        datetime(2027, 3, 22, 7, 30, tzinfo=UTC),
        BusyKind.BUSY,
    )
    # kari@uni.example's unanswered invitation is tentative (her e-mail is the owner's).
    assert sum(1 for r in rows if r[2] == BusyKind.TENTATIVE) == 1
    db.session.expire_all()
    stored = db.session.get(CalendarSource, source.id)
    assert stored.last_success_at == NOW
    assert stored.error_code is None
    assert stored.event_count == 16
    assert stored.url_hint == f"http://127.0.0.1:{feed_server.port}/…asic.ics"
    # Privacy: no titles, people or places anywhere; the address itself is encrypted.
    columns = {c["name"] for c in inspect(db.engine).get_columns("calendar_busy")}
    assert columns == {"id", "source_id", "person_id", "starts_at", "ends_at", "kind"}
    for table in ("calendar_sources", "calendar_busy"):
        dump = repr(db.session.execute(text(f"SELECT * FROM {table}")).all())
        for secret in ("Lecture", "Dentist", "ola@uni.example", "Budget", "/secret/basic"):
            assert secret not in dump, (table, secret)


def test_conditional_requests_and_a_304_keep_the_data(db, feed_server, kari, box, options):
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed(), etag='"abc"')
    source = connect(db, kari, box, feed_server.url("/cal.ics"))
    sync(db, source.id, box, options)
    before = busy_rows(db, source.id)
    later = NOW + timedelta(minutes=10)
    outcome = sync(db, source.id, box, options, now=later)
    assert outcome.not_modified
    assert feed_server.seen[-1].headers["If-None-Match"] == '"abc"'
    assert busy_rows(db, source.id) == before
    db.session.expire_all()
    assert db.session.get(CalendarSource, source.id).last_success_at == later
    # Two days on, the window has moved: everything is read again.
    sync(db, source.id, box, options, now=NOW + timedelta(days=2))
    assert "If-None-Match" not in feed_server.seen[-1].headers


@pytest.mark.parametrize(
    ("route", "code"),
    [
        (Route(status=404, body=b"Not found"), "not_found"),
        (Route(status=500, body=b"oops"), "http"),
        (Route(status=403, body=b"no"), "login"),
        (Route(body=b"<!DOCTYPE html><title>Sign in</title>"), "not_calendar"),
        (
            Route(body=b"<html>Outlook</html>", headers={"Content-Type": "text/html"}),
            "not_calendar",
        ),
        (Route(body=b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:xx\r\n"), "malformed"),
        (Route(stream_bytes=50 * 1024 * 1024), "too_large"),
        (Route(body=feeds.every_second()), "repeats_too_often"),
        (Route(body=feeds.google_feed(), delay=2.5), "timeout"),
    ],
)
def test_every_failure_keeps_the_last_good_data(
    db, feed_server, kari, box, options, route, code
) -> None:
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed())
    source = connect(db, kari, box, feed_server.url("/cal.ics"))
    sync(db, source.id, box, options)
    good = busy_rows(db, source.id)
    assert good

    feed_server.routes["/cal.ics"] = route
    failed_at = NOW + timedelta(minutes=10)
    outcome = sync(db, source.id, box, options, now=failed_at)
    assert outcome.problem is not None
    assert outcome.problem.code == code
    assert busy_rows(db, source.id) == good
    db.session.expire_all()
    stored = db.session.get(CalendarSource, source.id)
    assert stored.error_code == code
    assert stored.failing_since == failed_at
    assert stored.last_success_at == NOW

    # A second failure does not move the start of the failure; a success clears it.
    sync(db, source.id, box, options, now=failed_at + timedelta(minutes=10))
    db.session.expire_all()
    assert db.session.get(CalendarSource, source.id).failing_since == failed_at
    feed_server.routes["/cal.ics"] = Route(body=feeds.nextcloud_feed())
    sync(db, source.id, box, options, now=failed_at + timedelta(minutes=20))
    db.session.expire_all()
    stored = db.session.get(CalendarSource, source.id)
    assert (stored.error_code, stored.failing_since) == (None, None)
    assert busy_rows(db, source.id) != good


def test_an_older_read_never_overwrites_a_newer_one(db, feed_server, kari, box, options):
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed())
    source = connect(db, kari, box, feed_server.url("/cal.ics"))
    plan = load_plan(db.session, source.id, box=box, now=NOW, default_tz="Europe/Oslo")
    db.session.commit()
    old = read_source(plan, options, now=NOW)
    feed_server.routes["/cal.ics"] = Route(body=feeds.nextcloud_feed())
    new = read_source(plan, options, now=NOW + timedelta(minutes=1))
    record_outcome(db.session, new, now=NOW + timedelta(minutes=1))
    record_outcome(db.session, old, now=NOW + timedelta(minutes=2))
    db.session.commit()
    starts = [r[0] for r in busy_rows(db, source.id)]
    assert starts[0] == datetime(2027, 3, 22, 15, 0, tzinfo=UTC)  # Nextcloud's first event


def test_removing_a_source_deletes_its_data(db, feed_server, kari, box, options) -> None:
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed())
    source = connect(db, kari, box, feed_server.url("/cal.ics"))
    sync(db, source.id, box, options)
    assert busy_rows(db, source.id)
    remove_source(db.session, kari, db.session.get(CalendarSource, source.id))
    db.session.commit()
    assert db.session.scalar(select(func.count(BusyInterval.id))) == 0
    assert db.session.scalar(select(func.count(CalendarSource.id))) == 0


def test_a_removed_source_ignores_a_late_result(db, feed_server, kari, box, options) -> None:
    feed_server.routes["/cal.ics"] = Route(body=feeds.google_feed())
    source = connect(db, kari, box, feed_server.url("/cal.ics"))
    plan = load_plan(db.session, source.id, box=box, now=NOW, default_tz="Europe/Oslo")
    db.session.commit()
    outcome = read_source(plan, options, now=NOW)
    remove_source(db.session, kari, db.session.get(CalendarSource, source.id))
    assert record_outcome(db.session, outcome, now=NOW) is None
    db.session.commit()
    assert db.session.scalar(select(func.count(BusyInterval.id))) == 0


def test_replacing_the_address_reads_everything_again(db, feed_server, kari, box, options):
    feed_server.routes["/old.ics"] = Route(body=feeds.google_feed(), etag='"1"')
    feed_server.routes["/new.ics"] = Route(body=feeds.nextcloud_feed(), etag='"1"')
    source = connect(db, kari, box, feed_server.url("/old.ics"))
    sync(db, source.id, box, options)
    change_source(
        db.session,
        kari,
        db.session.get(CalendarSource, source.id),
        SourceInput(kind="ics", label="Nextcloud", url=feed_server.url("/new.ics")),
        box=box,
    )
    db.session.commit()
    sync(db, source.id, box, options, now=NOW + timedelta(minutes=5))
    assert feed_server.seen[-1].path == "/new.ics"
    assert "If-None-Match" not in feed_server.seen[-1].headers
    db.session.expire_all()
    assert db.session.get(CalendarSource, source.id).label == "Nextcloud"


def test_secrets_are_sealed_and_a_lost_key_is_a_clear_problem(db, kari, box) -> None:
    source = connect(
        db,
        kari,
        box,
        "https://cloud.example.org/remote.php/dav/calendars/kari/personal/",
        kind="caldav",
        username="kari",
        password="app-password-1",
    )
    row = db.session.execute(
        text("SELECT url_sealed, username_sealed, password_sealed FROM calendar_sources")
    ).one()
    assert "cloud.example.org" not in row[0]
    assert "app-password-1" not in row[2]
    assert box.open(row[2]) == "app-password-1"
    other = SecretBox([Fernet.generate_key().decode()])
    with pytest.raises(SourceProblem) as caught:
        load_plan(db.session, source.id, box=other, now=NOW, default_tz="Europe/Oslo")
    assert caught.value.code == "secret_lost"


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (SourceInput("ics", "Outlook", "ftp://example.org/x.ics"), {"url"}),
        (SourceInput("ics", "", "https://example.org/x.ics"), {"label"}),
        (SourceInput("ics", "x" * 101, "not a url"), {"label", "url"}),
        (
            SourceInput("caldav", "Nextcloud", "https://cloud.example.org/dav/"),
            {"username", "password"},
        ),
        (SourceInput("exchange", "Work", "https://example.org/x.ics"), {"kind"}),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(db, kari, box, data, fields) -> None:
    with pytest.raises(InputError) as caught:
        add_source(db.session, kari, kari, data, box=box)
    assert set(caught.value.fields) == fields
    assert db.session.scalar(select(func.count(CalendarSource.id))) == 0


def test_only_the_person_or_an_administrator_may_connect(db, kari, box, create_person) -> None:
    data = SourceInput("ics", "Outlook", "https://outlook.office365.com/owa/calendar/x/cal.ics")
    colleague = create_person(Role.LIBRARIAN)
    with pytest.raises(Forbidden):
        add_source(db.session, colleague, kari, data, box=box)
    leader = create_person(Role.SECTION_LEADER)
    with pytest.raises(Forbidden):
        add_source(db.session, leader, kari, data, box=box)
    admin = create_person(Role.ADMIN)
    assert add_source(db.session, admin, kari, data, box=box).person_id == kari.id


def test_a_person_connects_at_most_a_few_calendars(db, kari, box) -> None:
    data = SourceInput("ics", "Outlook", "https://outlook.office365.com/owa/calendar/x/cal.ics")
    for _ in range(3):
        add_source(db.session, kari, kari, data, box=box, max_sources=3)
    with pytest.raises(InputError) as caught:
        add_source(db.session, kari, kari, replace(data, label="Fourth"), box=box, max_sources=3)
    assert "at most 3" in caught.value.message


def test_an_address_is_tried_before_it_is_saved(db, feed_server, kari, box, options) -> None:
    """The page's flow: read the new address with nothing saved; on a problem show it and
    save nothing; on success save the source and keep what was read."""
    from scheduler.calendars.sources.busy_query import next_busy
    from scheduler.calendars.sources.sync import plan_for_new
    from scheduler.models import SourceKind

    db.session.commit()  # the person exists already, as on the page

    def tried(path: str):
        plan = plan_for_new(
            db.session,
            kari.id,
            kind=SourceKind.ICS,
            url=feed_server.url(path),
            username=None,
            password=None,
            now=NOW,
            default_tz="Europe/Oslo",
        )
        db.session.rollback()  # no transaction is held while the server answers
        return read_source(plan, options, now=NOW)

    missing = tried("/missing.ics")
    assert missing.problem is not None
    assert missing.problem.code == "not_found"
    assert db.session.scalar(select(func.count(CalendarSource.id))) == 0

    feed_server.routes["/cal.ics"] = Route(body=feeds.outlook_feed())
    found = tried("/cal.ics")
    assert found.ok
    source = connect(db, kari, box, feed_server.url("/cal.ics"), label="Outlook")
    record_outcome(
        db.session, replace(found, plan=replace(found.plan, source_id=source.id)), now=NOW
    )
    db.session.commit()
    first = next_busy(db.session, source.id, NOW)
    assert (first.starts_at, first.ends_at) == (
        datetime(2027, 3, 16, 11, 0, tzinfo=UTC),
        datetime(2027, 3, 16, 12, 30, tzinfo=UTC),
    )
    assert next_busy(db.session, source.id, datetime(2027, 3, 16, 12, 0, tzinfo=UTC)) == first
