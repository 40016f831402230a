"""Request ids on responses and in log lines; the JSON log format."""

from __future__ import annotations

import json
import logging

import pytest

from scheduler import ConfigError, create_app, logs
from scheduler.jobs import enqueue, registry
from scheduler.jobs.runner import run_pending


def test_a_request_gets_an_id_and_sends_it_back(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert len(first) == 32
    assert first != second


def test_a_well_formed_id_from_the_proxy_is_kept_and_a_bad_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-7f3a9c21"})
    assert kept.headers["X-Request-ID"] == "edge-7f3a9c21"
    bad = client.get("/healthz", headers={"X-Request-ID": "evil id with spaces <script>"})
    assert bad.headers["X-Request-ID"] != "evil id with spaces <script>"
    assert len(bad.headers["X-Request-ID"]) == 32


def test_access_line_names_the_endpoint_not_the_secret_path(client, caplog):
    caplog.set_level(logging.INFO, logger="scheduler.request")
    client.get("/feeds/not-a-real-token-but-secret-looking/all.ics")
    lines = [r for r in caplog.records if r.name == "scheduler.request"]
    assert lines, "no access line"
    assert all("secret-looking" not in r.getMessage() for r in lines)
    assert lines[-1].endpoint == "feeds.person_feed"
    assert lines[-1].status == 404


def test_json_lines_carry_request_and_job_ids(capsys):
    logs.configure("json")
    try:
        with logs.job_context(42, "req-1234abcd"):
            logging.getLogger("scheduler.test").warning("sent %s", "it")
        logging.getLogger("scheduler.test").warning("outside")
    finally:
        root = logging.getLogger()
        for handler in list(root.handlers):
            if handler.get_name() == "scheduler-log":
                root.removeHandler(handler)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["message"] == "sent it"
    assert lines[0]["request_id"] == "req-1234abcd"
    assert lines[0]["job_id"] == 42
    assert lines[0]["level"] == "WARNING"
    assert lines[0]["logger"] == "scheduler.test"
    assert lines[1]["request_id"] == "-"


def test_an_unknown_log_format_stops_start_up(app_config):
    app_config["LOG_FORMAT"] = "xml"
    with pytest.raises(ConfigError, match="SCHEDULER_LOG_FORMAT"):
        create_app(app_config)


def test_a_job_carries_the_id_of_the_request_that_queued_it(app, db):
    seen: dict = {}

    def handler(ctx) -> dict:
        seen.update(request=logs.REQUEST_ID.get(), job=logs.JOB_ID.get())
        return {}

    registry.handlers(app)["test_request_id"] = handler
    token = logs.REQUEST_ID.set("req-abcdef12")
    try:
        job = enqueue(db.session, "test_request_id")
        db.session.commit()
    finally:
        logs.REQUEST_ID.reset(token)
        job_id = job.id
    run_pending(app)
    assert seen == {"request": "req-abcdef12", "job": job_id}
    assert logs.REQUEST_ID.get() is None  # nothing leaks out of the job
