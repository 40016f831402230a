"""Fault tests: the app reaches PostgreSQL (and Redis) through a TCP proxy the test cuts.

Only on PostgreSQL, marked slow. The real servers keep running for everyone else; the
proxy gives the app the same symptoms a restart gives: open connections break, new
ones are refused, and then the server is back on the same address.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import time

import pytest
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from scheduler import create_app
from scheduler.extensions import db as _db
from scheduler.models import AvailabilityRule, BookingSettings, Role
from tests.conftest import _truncate_all, forget_dispatch
from tests.faults.proxy import TcpProxy


@pytest.fixture
def database_url(pg_database_url: str) -> str:
    """PostgreSQL only (the restart of a database server is what is simulated)."""
    _truncate_all(pg_database_url)
    return pg_database_url


@pytest.fixture
def pg_proxy(database_url: str) -> Iterator[TcpProxy]:
    url = make_url(database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    yield proxy
    proxy.close()


def through(proxy: TcpProxy, url: str) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)


@pytest.fixture
def app(app_config: dict, pg_proxy: TcpProxy) -> Iterator:
    """The app, connected to PostgreSQL through the proxy."""
    app_config["DATABASE_URL"] = through(pg_proxy, app_config["DATABASE_URL"])
    app = create_app(app_config)
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    forget_dispatch(app)


@pytest.fixture
def served(app) -> Iterator[str]:
    """The app behind a real threaded HTTP server (truly concurrent requests)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def bookable(db, create_library, create_topic, create_person):
    """Three librarians bookable every day 08:00-20:00 (30-minute slots) on one topic;
    returns the topic's id."""
    library = create_library()
    topic = create_topic(slug="outage-topic")
    people = []
    for n in range(3):
        person = create_person(Role.LIBRARIAN, bookable=True, topics=[topic], name=f"Lib {n}")
        db.session.add(BookingSettings(person_id=person.id, slot_minutes=30, min_notice_minutes=60))
        for weekday in range(7):
            db.session.add(
                AvailabilityRule(
                    person_id=person.id,
                    library_id=library.id,
                    weekday=weekday,
                    start_time=time(8),
                    end_time=time(20),
                    modes="in_person",
                )
            )
        people.append(person)
    topic_id = topic.id
    db.session.commit()
    # Hold no connection: the proxy will cut it, and the test's session must not mind.
    db.session.close()
    return topic_id
