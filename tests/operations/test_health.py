"""/healthz says the process lives; /readyz says whether it can serve (database, queue)."""

from __future__ import annotations

import secrets

import pytest

NOWHERE_PG = "postgresql+psycopg://postgres@127.0.0.1:9/none?connect_timeout=1"


def test_healthz_and_readyz_answer_when_all_is_up(client):
    assert client.get("/healthz").get_json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["database"] == "ok"
    assert ready.get_json()["checks"]["broker"].startswith("not configured")


@pytest.fixture
def app_without_database(tmp_path, make_app):
    return make_app(
        {
            "TESTING": True,
            "DATABASE_URL": NOWHERE_PG,
            "INSTANCE": str(tmp_path / "instance"),
            "SECRET_KEY": secrets.token_hex(16),
            "JOBS_THREAD": False,
            "BROKER_URL": "redis://127.0.0.1:9/0",
        }
    )


def test_without_the_queue_a_host_is_degraded_but_ready(app_config, make_app):
    """Pages and bookings work without Redis (jobs wait in the database): a load
    balancer must keep sending traffic."""
    app_config["BROKER_URL"] = "redis://127.0.0.1:9/0"
    ready = make_app(app_config).test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "degraded"
    assert ready.get_json()["checks"]["broker"].startswith("unreachable")


def test_alive_but_not_ready_without_database_or_queue(app_without_database):
    """A database outage must not make an orchestrator kill healthy web processes
    (liveness), but the load balancer must stop sending traffic (readiness)."""
    client = app_without_database.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.headers["Retry-After"] == "5"
    checks = ready.get_json()["checks"]
    assert checks["database"].startswith("unreachable")
    assert checks["broker"].startswith("unreachable")
