"""What stored busy times mean for slots (tentative, failing too long), the warning
e-mail, and the settings, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from scheduler import ConfigError, create_app
from scheduler.calendars.sources.busy_query import BusyPolicy, connected_busy, failing_sources
from scheduler.calendars.sources.failure_notice import notify_long_failures
from scheduler.calendars.sources.secretbox import SecretBox
from scheduler.calendars.sources.settings import read_settings
from scheduler.config import DEFAULTS
from scheduler.models import BusyInterval, BusyKind, CalendarSource, OutboundEmail, Role, SourceKind

NOW = datetime(2027, 3, 15, 7, 0, tzinfo=UTC)
BOX = SecretBox([Fernet.generate_key().decode()])


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


@pytest.fixture
def make_source(db):
    def _make(person, *, label="Outlook", failing_since=None, busy=()) -> CalendarSource:
        source = CalendarSource(
            person_id=person.id,
            kind=SourceKind.ICS,
            label=label,
            url_sealed=BOX.seal("https://outlook.office365.com/owa/calendar/x/cal.ics"),
            url_hint="https://outlook.office365.com/…",
            failing_since=failing_since,
            last_success_at=NOW - timedelta(days=1),
            error_code="timeout" if failing_since else None,
            error_params={"host": "outlook.office365.com", "seconds": 15}
            if failing_since
            else None,
        )
        db.session.add(source)
        db.session.flush()
        for start, end, kind in busy:
            db.session.add(
                BusyInterval(
                    source_id=source.id,
                    person_id=person.id,
                    starts_at=start,
                    ends_at=end,
                    kind=kind,
                )
            )
        db.session.flush()
        return source

    return _make


def test_busy_times_in_range_and_tentative_by_setting(db, create_person, make_source) -> None:
    kari, ola = create_person(Role.LIBRARIAN), create_person(Role.LIBRARIAN)
    make_source(
        kari,
        busy=[
            (at(1), at(2), BusyKind.BUSY),
            (at(3), at(4), BusyKind.TENTATIVE),
            (at(30), at(31), BusyKind.BUSY),  # outside the range asked
        ],
    )
    make_source(ola, busy=[(at(-2), at(1.5), BusyKind.BUSY)])  # overlaps the start
    found = connected_busy(
        db.session, [kari.id, ola.id], at(0), at(24), now=NOW, policy=BusyPolicy()
    )
    assert found.busy == {kari.id: [(at(1), at(2)), (at(3), at(4))], ola.id: [(at(-2), at(1.5))]}
    assert found.withheld == set()
    strict = connected_busy(
        db.session, [kari.id], at(0), at(24), now=NOW, policy=BusyPolicy(tentative_blocks=False)
    )
    assert strict.busy == {kari.id: [(at(1), at(2))]}


def test_failing_too_long_withholds_slots_only_when_the_policy_says_stop(
    db, create_person, make_source
) -> None:
    kari, ola = create_person(Role.LIBRARIAN), create_person(Role.LIBRARIAN)
    make_source(kari, failing_since=NOW - timedelta(hours=3), busy=[(at(1), at(2), BusyKind.BUSY)])
    make_source(ola, failing_since=NOW - timedelta(hours=1))
    keep = connected_busy(
        db.session, [kari.id, ola.id], at(0), at(24), now=NOW, policy=BusyPolicy()
    )
    assert keep.withheld == set()
    assert keep.busy == {kari.id: [(at(1), at(2))]}  # the last good data still counts
    stop = connected_busy(
        db.session,
        [kari.id, ola.id],
        at(0),
        at(24),
        now=NOW,
        policy=BusyPolicy(stop_when_failing=True, failing_after=timedelta(hours=2)),
    )
    assert stop.withheld == {kari.id}
    assert [
        s.person_id for s in failing_sources(db.session, kari.id, now=NOW, after=timedelta(hours=2))
    ] == [kari.id]
    assert failing_sources(db.session, ola.id, now=NOW, after=timedelta(hours=2)) == []


def test_one_warning_e_mail_per_failure_in_the_owners_language(
    db, create_person, make_source
) -> None:
    kari = create_person(Role.LIBRARIAN, email="kari@uni.example")
    ola = create_person(Role.LIBRARIAN, email="ola@uni.example", locale="en")
    recent = create_person(Role.LIBRARIAN, email="recent@uni.example")
    first = make_source(kari, label="Outlook", failing_since=NOW - timedelta(hours=3))
    make_source(ola, label="Google", failing_since=NOW - timedelta(hours=2, minutes=1))
    make_source(recent, failing_since=NOW - timedelta(minutes=30))

    def warn() -> list[int]:
        told = notify_long_failures(
            db.session,
            now=NOW,
            warn_after=timedelta(hours=2),
            page_url="https://library.test/staff/booking/availability",
            stop_when_failing=False,
            default_tz="Europe/Oslo",
        )
        db.session.commit()
        return told

    assert len(warn()) == 2
    mails = {m.to_address: m for m in db.session.scalars(select(OutboundEmail))}
    assert set(mails) == {"kari@uni.example", "ola@uni.example"}
    nb = mails["kari@uni.example"]
    assert nb.subject == "Den tilkoblede kalenderen din «Outlook» kan ikke leses"
    assert "outlook.office365.com svarte ikke innen 15 sekunder" in nb.body_text
    assert "14.03.2027 08:00" in nb.body_text  # the last good read, in Oslo time
    en = mails["ola@uni.example"]
    assert en.subject == "Your connected calendar “Google” cannot be read"
    assert "https://library.test/staff/booking/availability" in en.body_text
    assert warn() == []  # told once
    # Recovery clears the mark; a new failure is reported again.
    db.session.expire_all()
    source = db.session.get(CalendarSource, first.id)
    source.failure_notified_at = None
    source.failing_since = NOW - timedelta(hours=5)
    assert warn() == [first.id]


def test_settings_have_safe_defaults_and_bad_ones_stop_start_up(tmp_path) -> None:
    settings = read_settings(DEFAULTS | {"PUBLIC_URL": "https://library.test"})
    assert settings.options.limits.allow_private is False
    assert settings.options.own_uid_host == "library.test"
    assert settings.sync_every == timedelta(minutes=10)
    assert settings.warn_after == timedelta(hours=2)
    assert settings.stop_when_failing is False
    assert settings.tentative_blocks is True
    for name, value, message in [
        ("CALENDARS_WHEN_FAILING", "panic", "must be 'keep' or 'stop'"),
        ("CALENDARS_MAX_MB", "lots", "is not a number"),
        ("CALENDARS_SYNC_MINUTES", 0, "must be at least 1"),
        ("CALENDARS_ALLOW_PRIVATE", "maybe", "must be true or false"),
        ("CALENDARS_SECRET_KEYS", "short", "not a Fernet key"),
    ]:
        with pytest.raises(ConfigError, match=f"^SCHEDULER_{name}: .*{message}"):
            create_app({"INSTANCE": str(tmp_path / "i"), name: value})
