"""Redis stopped: the web keeps serving and booking, no job is lost, and the rate limiter
falls back to counting in each process's memory (docs/operations.md).

The app reaches Redis (queue and limiter storage) through a TCP proxy the test cuts;
the checks read Redis directly.
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import date, timedelta

import pytest
import redis as redis_client
from sqlalchemy import select
from sqlalchemy.engine import make_url

from scheduler.extensions import db as _db
from scheduler.jobs import queue
from scheduler.models import Job, JobState
from tests.conftest import IN_CI
from tests.faults.proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_proxy():
    try:
        redis_client.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if IN_CI:
            pytest.fail(message + " (CI=true: the Redis fault tests must run)")
        pytest.skip(message)
    url = make_url(REDIS_URL.replace("redis://", "postgresql://", 1))  # only host and port
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 6379).start()
    yield proxy
    proxy.close()


@pytest.fixture
def app_config(app_config, redis_proxy):
    tag = f"faults-{os.getpid()}-{secrets.token_hex(3)}"
    via_proxy = f"redis://127.0.0.1:{redis_proxy.port}/0"
    app_config.update(
        BROKER_URL=via_proxy,
        BROKER_QUEUE=tag,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=via_proxy,
        RATELIMIT_KEY_PREFIX=tag,
        RATELIMIT_PUBLIC_WRITE="4 per minute",
    )
    return app_config


def slots(client, topic_id: int) -> list[dict]:
    first = date.today() + timedelta(days=3)
    answer = client.get(f"/api/v1/slots?topic={topic_id}&from={first}&to={first + timedelta(6)}")
    assert answer.status_code == 200
    return answer.get_json()


def book(client, topic_id: int, slot: dict, n: int):
    return client.post(
        "/api/v1/appointments",
        json={
            "librarian": slot["librarian"]["id"],
            "topic": str(topic_id),
            "start": slot["start"],
            "mode": "in_person",
            "name": f"Patron {n}",
            "email": f"redis-down-{n}@uni.example",
        },
    )


def test_redis_down_keeps_booking_and_loses_no_job(app, client, bookable, redis_proxy):
    direct = redis_client.Redis.from_url(REDIS_URL)
    found = queue.get_queue(app)
    assert found is not None
    free = slots(client, bookable)

    booked = book(client, bookable, free[0], 0)
    assert booked.status_code == 201
    assert found.pending() == 2  # confirmation and the librarian's notice, sent at once

    redis_proxy.cut()
    started = time.monotonic()
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/topics").status_code == 200
    answers = [book(client, bookable, free[n], n).status_code for n in range(1, 6)]
    took = time.monotonic() - started
    # The limiter counts in this process's memory now, from zero: 4 more, then 429.
    assert answers == [201, 201, 201, 201, 429]
    assert took < 15, f"requests waited for Redis ({took:.1f} s)"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "degraded"

    with app.app_context():
        queued = set(_db.session.scalars(select(Job.id).where(Job.state == JobState.QUEUED)))
        _db.session.rollback()
    assert len(queued) == 2 + 4 * 2  # every e-mail of every booking has its row
    # Nothing of the four bookings made while Redis was down reached the queue.
    assert len(direct.lrange(found.huey.storage.queue_key, 0, -1)) == 2

    redis_proxy.restore()
    direct.delete(found.huey.storage.queue_key)  # say a worker took the first two
    sweeper = queue.Sweeper(found, every=60)
    sweeper.sweep_once()  # what every `scheduler worker` does every JOBS_SWEEP_SECONDS
    sent = {task.args[0] for task in found.huey.pending()}
    assert sent == queued
    found.huey.storage.flush_all()
