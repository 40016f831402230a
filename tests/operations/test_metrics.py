"""/metrics: who may read it, and that its numbers follow what happened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from scheduler import ConfigError, create_app
from scheduler.models import Job, JobState, OutboundEmail
from scheduler.models.mail import EmailState
from scheduler.timeutil import utcnow


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client, **kw) -> dict:
    answer = client.get("/metrics", **kw)
    assert answer.status_code == 200, answer.data
    assert answer.mimetype == "text/plain"
    return samples(answer.get_data(as_text=True))


def test_requests_are_counted_and_timed_per_endpoint(client):
    before = scrape(client)
    name, labels = "scheduler_http_requests_total", {"method": "GET", "status": "200"}
    start = value(before, name, endpoint="api.topics", **labels)
    client.get("/api/v1/topics")
    client.get("/api/v1/topics")
    client.get("/no/such/page")
    after = scrape(client)
    assert value(after, name, endpoint="api.topics", **labels) == start + 2
    assert value(after, name, endpoint="unmatched", method="GET", status="404") >= 1
    count = "scheduler_http_request_duration_seconds_count"
    assert value(after, count, endpoint="api.topics", method="GET") >= start + 2


def test_queue_and_email_facts_come_from_the_database(client, db):
    now = utcnow()
    db.session.add_all(
        [
            Job(kind="send_email", state=JobState.QUEUED, created_at=now - timedelta(minutes=5)),
            Job(kind="send_email", state=JobState.QUEUED, created_at=now),
            Job(kind="roster_run", state=JobState.FAILED, created_at=now),
            OutboundEmail(
                to_address="a@x.example",
                subject="s",
                body_text="b",
                state=EmailState.FAILED,
                created_at=now,
            ),
            OutboundEmail(
                to_address="b@x.example",
                subject="s",
                body_text="b",
                state=EmailState.PENDING,
                created_at=now - timedelta(minutes=2),
            ),
        ]
    )
    found = scrape(client)
    assert value(found, "scheduler_jobs", kind="send_email", state="queued") == 2
    age = value(found, "scheduler_jobs_oldest_age_seconds", kind="send_email", state="queued")
    assert 299 <= age < 400
    assert value(found, "scheduler_jobs_failed", kind="roster_run") == 1
    assert value(found, "scheduler_emails", state="failed") == 1
    assert value(found, "scheduler_emails", state="pending") == 1
    assert value(found, "scheduler_emails_oldest_pending_age_seconds") >= 119
    assert value(found, "scheduler_database_up") == 1


def test_pool_capacity_is_reported(client):
    assert value(scrape(client), "scheduler_db_pool_capacity") > 0


def test_a_request_through_a_proxy_needs_the_token(client):
    """Behind a reverse proxy every request comes from the proxy's address: the
    loopback allow-list must not let the whole internet in."""
    answer = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert answer.status_code == 403


def test_other_addresses_are_refused(client):
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert answer.status_code == 403


@pytest.fixture
def token_app(app_config, make_app):
    app_config.update(METRICS_TOKEN="s3cret-scrape-token", METRICS_ALLOW="")
    return make_app(app_config)


def test_token_only(token_app):
    client = token_app.test_client()
    assert client.get("/metrics").status_code == 403
    wrong = {"Authorization": "Bearer nope"}
    assert client.get("/metrics", headers=wrong).status_code == 403
    right = {"Authorization": "Bearer s3cret-scrape-token", "X-Forwarded-For": "203.0.113.9"}
    assert client.get("/metrics", headers=right).status_code == 200


def test_allow_list_of_networks(app_config, make_app):
    app_config.update(METRICS_ALLOW="10.0.0.0/8, 127.0.0.1")
    client = make_app(app_config).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.3.4"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "11.2.3.4"}).status_code == 403


def test_a_bad_allow_list_stops_start_up(app_config):
    app_config.update(METRICS_ALLOW="127.0.0.1, intranet")
    with pytest.raises(ConfigError, match="SCHEDULER_METRICS_ALLOW: 'intranet'"):
        create_app(app_config)
