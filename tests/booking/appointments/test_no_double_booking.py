"""No double booking, ever: real concurrent requests, and the database's own constraint.

The concurrency tests send many simultaneous requests for one slot to a real threaded
HTTP server and count what the database holds afterwards. They run on SQLite (where
writers queue behind BEGIN IMMEDIATE) and on PostgreSQL (where the exclusion constraint
turns the losers away).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from scheduler import create_app
from scheduler.booking.appointments import book as svc
from scheduler.extensions import db as _db
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    AvailabilityException,
    ExceptionKind,
    Mode,
)
from tests.booking.appointments.helpers import TUESDAY, at
from tests.test_migrations import empty_database  # noqa: F401  (fixture)

REQUESTS = 50


@pytest.fixture(autouse=True)
def _clock(frozen):
    return frozen


def post_all(url: str, bodies: list[dict]) -> Counter:
    """POST every body at once (released together by a barrier); count the statuses."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []
    lock = threading.Lock()

    def send(body: dict) -> None:
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return Counter(statuses)


def body(librarian, topic, start: datetime, n: int) -> dict:
    return {
        "librarian": str(librarian.id),
        "topic": str(topic.id),
        "start": start.isoformat(),
        "mode": "in_person",
        "name": f"Student {n}",
        "email": f"student{n}@uni.example",
    }


def active(db) -> list[Appointment]:
    db.session.commit()
    return list(db.session.scalars(select(Appointment).where(Appointment.status != "cancelled")))


def test_fifty_simultaneous_requests_for_one_slot_make_one_booking(
    db, live_server, topic, librarian
) -> None:
    db.session.commit()
    bodies = [body(librarian, topic, at(TUESDAY, 9), n) for n in range(REQUESTS)]
    statuses = post_all(f"{live_server}/api/v1/appointments", bodies)
    assert statuses == Counter({201: 1, 409: REQUESTS - 1})
    (booked,) = active(db)
    assert booked.starts_at == at(TUESDAY, 9)


def test_slots_that_meet_only_through_the_buffer_make_one_booking(
    db, live_server, topic, library, create_librarian
) -> None:
    # 30-minute slots with a 30-minute buffer. The weekly window offers 09:00 (busy until
    # 10:00 with its buffer); an extra window that day offers 09:45. Both are free until
    # one is booked, and they cannot both be: 09:00 + 30 min + buffer reaches 10:00.
    librarian = create_librarian(
        slot_minutes=30, buffer_minutes=30, windows=[(1, time(9), time(9, 30))]
    )
    db.session.add(
        AvailabilityException(
            person_id=librarian.id,
            date=TUESDAY,
            kind=ExceptionKind.EXTRA,
            library_id=library.id,
            start_time=time(9, 45),
            end_time=time(10, 15),
        )
    )
    db.session.commit()
    starts = [at(TUESDAY, 9), at(TUESDAY, 9, 45)]
    bodies = [body(librarian, topic, starts[n % 2], n) for n in range(REQUESTS)]
    statuses = post_all(f"{live_server}/api/v1/appointments", bodies)
    assert statuses == Counter({201: 1, 409: REQUESTS - 1})
    (booked,) = active(db)
    assert booked.blocked_until - booked.starts_at == timedelta(hours=1)


def test_the_daily_maximum_holds_under_concurrent_requests(
    db, live_server, topic, create_librarian
) -> None:
    librarian = create_librarian(slot_minutes=30, max_per_day=1)
    db.session.commit()
    starts = [at(TUESDAY, 9) + timedelta(minutes=30 * i) for i in range(6)]
    bodies = [body(librarian, topic, starts[n % 6], n) for n in range(REQUESTS)]
    statuses = post_all(f"{live_server}/api/v1/appointments", bodies)
    assert statuses[201] == 1
    assert len(active(db)) == 1


# The constraint itself (PostgreSQL) ----------------------------------------------------


@pytest.mark.postgres
def test_without_the_row_lock_the_constraint_alone_lets_one_through(
    db, database_url, live_server, topic, librarian, monkeypatch
) -> None:
    """Take away the per-librarian lock and the Python check still passes many requests at
    once; PostgreSQL's exclusion constraint is what turns all but one away."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no constraint; its writers are serialised instead")
    monkeypatch.setattr(svc, "_lock_librarian", lambda session, librarian_id: None)
    db.session.commit()
    bodies = [body(librarian, topic, at(TUESDAY, 9), n) for n in range(REQUESTS)]
    statuses = post_all(f"{live_server}/api/v1/appointments", bodies)
    assert statuses == Counter({201: 1, 409: REQUESTS - 1})
    assert len(active(db)) == 1


def _row(librarian_id: int, start: datetime, minutes: int, buffer: int = 0, **kw) -> dict:
    values = {
        "librarian_id": librarian_id,
        "mode": Mode.IN_PERSON,
        "starts_at": start,
        "ends_at": start + timedelta(minutes=minutes),
        "blocked_until": start + timedelta(minutes=minutes + buffer),
        "status": AppointmentStatus.BOOKED,
        "manage_token_hash": f"{start.isoformat()}-{librarian_id}-{kw.get('status', 'b')}",
        "sequence": 0,
        "created_at": datetime.now(UTC),
        "updated_at": datetime.now(UTC),
    }
    values.update(kw)
    return values


def _insert(db, **row) -> None:
    with db.session.begin_nested():
        db.session.execute(insert(Appointment).values(**row))


@pytest.mark.postgres
def test_postgresql_refuses_overlapping_appointments_by_itself(
    db, database_url, librarian, create_librarian
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    nine = at(TUESDAY, 9)
    _insert(db, **_row(librarian.id, nine, 45, buffer=15))
    # Overlapping time, or inside the buffer, is refused by the database.
    for start in (nine, nine + timedelta(minutes=30), nine + timedelta(minutes=50)):
        with pytest.raises(IntegrityError, match="ex_appointments_no_overlap"):
            _insert(db, **_row(librarian.id, start, 45, manage_token_hash=f"x{start}"))
    # Right after the buffer, for another librarian, or when cancelled: allowed.
    _insert(db, **_row(librarian.id, nine + timedelta(hours=1), 45))
    _insert(db, **_row(create_librarian().id, nine, 45))
    _insert(db, **_row(librarian.id, nine, 45, status=AppointmentStatus.CANCELLED))
    # A pending hold counts too (it is released in the booking transaction when expired).
    with pytest.raises(IntegrityError):
        _insert(db, **_row(librarian.id, nine, 45, status=AppointmentStatus.PENDING))
    # Reviving a cancelled appointment that overlaps is refused as well.
    cancelled_id = db.session.scalar(
        select(Appointment.id).where(Appointment.status == AppointmentStatus.CANCELLED)
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE appointments SET status = 'booked' WHERE id = :id"), {"id": cancelled_id}
        )
    count = db.session.scalar(
        select(func.count()).select_from(Appointment).where(Appointment.status != "cancelled")
    )
    assert count == 3


@pytest.mark.postgres
def test_the_migration_creates_the_constraint(empty_database, tmp_path) -> None:  # noqa: F811
    if not empty_database.startswith("postgresql"):
        pytest.skip("the exclusion constraint exists on PostgreSQL only")
    app = create_app({"DATABASE_URL": empty_database, "INSTANCE": str(tmp_path / "i")})
    with app.app_context():
        upgrade()
        names = _db.session.scalars(
            text(
                "SELECT conname FROM pg_constraint WHERE contype = 'x' "
                "AND conrelid = 'appointments'::regclass"
            )
        ).all()
        assert names == ["ex_appointments_no_overlap"]
        assert "blocked_until" in {
            c["name"] for c in inspect(_db.engine).get_columns("appointments")
        }
        _db.session.remove()
        _db.engine.dispose()


def test_a_request_for_a_booked_slot_is_refused_without_waiting_for_the_librarians_lock(
    db, app, live_server, topic, librarian, request
) -> None:
    """The storm's losers: while another booking for the same librarian holds the lock
    (PostgreSQL), a request for a time already booked answers 409 at once instead of
    queueing behind it."""
    if "postgresql" not in str(app.config["DATABASE_URL"]):
        pytest.skip("SQLite serialises every writer: the lock is PostgreSQL's")
    db.session.commit()
    first = post_all(
        f"{live_server}/api/v1/appointments", [body(librarian, topic, at(TUESDAY, 9), 0)]
    )
    assert first == Counter({201: 1})
    engine = _db.engine
    with engine.connect() as other:
        other.execute(
            text("SELECT id FROM people WHERE id = :id FOR NO KEY UPDATE"), {"id": librarian.id}
        )
        started = datetime.now(UTC)
        statuses = post_all(
            f"{live_server}/api/v1/appointments", [body(librarian, topic, at(TUESDAY, 9), 1)]
        )
        waited = datetime.now(UTC) - started
        other.rollback()
    assert statuses == Counter({409: 1})
    assert waited < timedelta(seconds=5)
    assert len(active(db)) == 1
