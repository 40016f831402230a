"""Prometheus metrics: request latency, database pool, job queue, solver runs, e-mails.

Two kinds, because a site runs several processes on several hosts:

- **Per process** (request counts and latency per endpoint, connections checked out of
  the pool, 503s for an unreachable database): kept by prometheus-client in each
  process. Under gunicorn, ``scheduler/gunicorn_conf.py`` sets
  ``PROMETHEUS_MULTIPROC_DIR`` so that the workers write them to shared files and any
  worker's ``/metrics`` sums them for the host.
- **Read from the database at scrape time** (queued and running jobs and the age of
  the oldest, solver runs and their durations, e-mails waiting or failed): the truth is
  the rows, whichever worker process or host did the work, so every host reports the
  same numbers and nothing is lost when a worker restarts.

docs/operations.md says what each metric means and when to worry.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from flask import Flask
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from scheduler.timeutil import utcnow

log = logging.getLogger(__name__)

ENDPOINT_KEY = "scheduler.endpoint"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)
SOLVER_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)

REQUEST_SECONDS = Histogram(
    "scheduler_http_request_duration_seconds",
    "Time from receiving a request to the response being ready (commit included).",
    ["endpoint", "method"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS = Counter(
    "scheduler_http_requests_total",
    "Requests answered, by endpoint, method and status code.",
    ["endpoint", "method", "status"],
)
DB_UNAVAILABLE = Counter(
    "scheduler_db_unavailable_total",
    "Requests answered 503 because the database could not be reached.",
)
POOL_CHECKED_OUT = Gauge(
    "scheduler_db_pool_checked_out",
    "Database connections in use by requests and jobs right now (all live processes).",
    multiprocess_mode="livesum",
)
POOL_CAPACITY = Gauge(
    "scheduler_db_pool_capacity",
    "Connections the processes may open at most (pool size + overflow, all processes).",
    multiprocess_mode="livesum",
)


# Requests ----------------------------------------------------------------------------


class _Timed:
    """WSGI middleware: time the whole request, error pages and the commit included."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: dict[str, str] = {}

        def remember(status: str, headers: list, *args: Any) -> Callable:
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, *args)

        try:
            return self.wsgi_app(environ, remember)
        finally:
            endpoint = environ.get(ENDPOINT_KEY) or "unmatched"
            method = environ.get("REQUEST_METHOD", "GET")
            REQUEST_SECONDS.labels(endpoint, method).observe(time.perf_counter() - started)
            REQUESTS.labels(endpoint, method, seen.get("status", "500")).inc()


def _note_endpoint() -> None:
    from flask import request

    # The endpoint name, not the path: a bounded set of labels (no tokens, no ids).
    request.environ[ENDPOINT_KEY] = request.endpoint or "unmatched"


# Database pool -----------------------------------------------------------------------


def watch_pool(engine: Engine) -> None:
    """Count checked-out connections; the capacity is what this process may open."""
    pool = engine.pool
    size = getattr(pool, "size", lambda: 0)()
    overflow = getattr(pool, "_max_overflow", 0)
    POOL_CAPACITY.set(max(size + max(overflow, 0), 0))

    @event.listens_for(engine, "checkout")
    def _out(*_args: Any) -> None:
        POOL_CHECKED_OUT.inc()

    @event.listens_for(engine, "checkin")
    def _in(*_args: Any) -> None:
        POOL_CHECKED_OUT.dec()


# Facts from the database -------------------------------------------------------------


def _age(now: datetime, oldest: datetime | None) -> float:
    if oldest is None:
        return 0.0
    if oldest.tzinfo is None:  # SQLite hands back naive UTC in some aggregates
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - oldest).total_seconds())


class DatabaseCollector(Collector):
    """Job queue, solver runs and e-mails, read from the rows at scrape time."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        from scheduler.extensions import db
        from scheduler.models.jobs import Job, JobState
        from scheduler.models.mail import EmailState, OutboundEmail
        from scheduler.models.roster import RosterRun
        from scheduler.models.upkeep import RunOutcome, UpkeepRun, UpkeepTask

        now = utcnow()
        jobs = GaugeMetricFamily(
            "scheduler_jobs", "Jobs waiting or running.", labels=["kind", "state"]
        )
        ages = GaugeMetricFamily(
            "scheduler_jobs_oldest_age_seconds",
            "Age of the oldest job in this state (queued: waiting for a worker).",
            labels=["kind", "state"],
        )
        failed = GaugeMetricFamily(
            "scheduler_jobs_failed", "Jobs that failed for good (kept rows).", labels=["kind"]
        )
        emails = GaugeMetricFamily(
            "scheduler_emails", "E-mails waiting to be sent or given up on.", labels=["state"]
        )
        email_age = GaugeMetricFamily(
            "scheduler_emails_oldest_pending_age_seconds",
            "How long the oldest e-mail not yet sent has waited.",
        )
        runs = GaugeMetricFamily(
            "scheduler_solver_runs", "Roster solver runs by job state.", labels=["state"]
        )
        overdue = GaugeMetricFamily(
            "scheduler_upkeep_overdue_seconds",
            "How long an upkeep task has been due without a process running it (0: on time).",
            labels=["task"],
        )
        upkeep_failed = GaugeMetricFamily(
            "scheduler_upkeep_last_run_failed",
            "1 when the latest run of an upkeep task failed.",
            labels=["task"],
        )
        up = GaugeMetricFamily(
            "scheduler_database_up", "1 when the metrics could be read from the database."
        )
        durations: list[float] = []
        try:
            with self.app.app_context(), db.engine.connect() as conn:
                active = (JobState.QUEUED, JobState.RUNNING)
                for kind, state, count, oldest in conn.execute(
                    select(Job.kind, Job.state, func.count(), func.min(Job.created_at))
                    .where(Job.state.in_(active))
                    .group_by(Job.kind, Job.state)
                ):
                    jobs.add_metric([kind, str(state)], count)
                    ages.add_metric([kind, str(state)], _age(now, oldest))
                for kind, count in conn.execute(
                    select(Job.kind, func.count())
                    .where(Job.state == JobState.FAILED)
                    .group_by(Job.kind)
                ):
                    failed.add_metric([kind], count)
                oldest_pending = None
                for state, count, oldest in conn.execute(
                    select(OutboundEmail.state, func.count(), func.min(OutboundEmail.created_at))
                    .where(OutboundEmail.state != EmailState.SENT)
                    .group_by(OutboundEmail.state)
                ):
                    emails.add_metric([str(state)], count)
                    if state == EmailState.PENDING:
                        oldest_pending = oldest
                email_age.add_metric([], _age(now, oldest_pending))
                by_state: dict[str, int] = {}
                for state, started, finished in conn.execute(
                    select(Job.state, Job.started_at, Job.finished_at).join(
                        RosterRun, RosterRun.job_id == Job.id
                    )
                ):
                    by_state[str(state)] = by_state.get(str(state), 0) + 1
                    if started is not None and finished is not None:
                        durations.append(_age(finished, started))
                for state, count in by_state.items():
                    runs.add_metric([state], count)
                for name, due in conn.execute(select(UpkeepTask.name, UpkeepTask.next_run_at)):
                    late = 0.0 if due is None else max(0.0, _age(now, due))
                    overdue.add_metric([name], late)
                    last = conn.execute(
                        select(UpkeepRun.outcome)
                        .where(UpkeepRun.task == name, UpkeepRun.finished_at.is_not(None))
                        .order_by(UpkeepRun.started_at.desc())
                        .limit(1)
                    ).scalar()
                    upkeep_failed.add_metric([name], 1 if last == RunOutcome.FAILED else 0)
            up.add_metric([], 1)
        except Exception:  # the database is down: say so, and still serve the rest
            log.warning("metrics: could not read the database", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        yield from (jobs, ages, failed, emails, email_age, runs, overdue, upkeep_failed, up)
        yield _histogram(
            "scheduler_solver_run_duration_seconds",
            "Wall time of finished roster solver runs (from the job's start to its end).",
            durations,
            SOLVER_BUCKETS,
        )


def _histogram(
    name: str, documentation: str, values: list[float], buckets: tuple
) -> HistogramMetricFamily:
    counts, total = [], sum(values)
    for bound in buckets:
        counts.append((str(float(bound)), sum(1 for v in values if v <= bound)))
    counts.append(("+Inf", len(values)))
    return HistogramMetricFamily(name, documentation, buckets=counts, sum_value=total)


class BrokerCollector(Collector):
    """Messages waiting in the Redis queue (when one is configured)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        from scheduler.jobs import queue

        found = queue.get_queue(self.app)
        if found is None:
            return
        pending = GaugeMetricFamily(
            "scheduler_broker_pending", "Job messages waiting in the Redis queue."
        )
        up = GaugeMetricFamily("scheduler_broker_up", "1 when the Redis queue answered.")
        try:
            pending.add_metric([], found.pending())
            up.add_metric([], 1)
            yield pending
        except Exception:
            up.add_metric([], 0)
        yield up


# Scraping ----------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render(app: Flask) -> tuple[bytes, str]:
    """The exposition text for this host: process metrics plus database facts."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUEST_SECONDS, REQUESTS, DB_UNAVAILABLE):
            registry.register(collector)
        registry.register(_PoolCollector())
    registry.register(DatabaseCollector(app))
    registry.register(BrokerCollector(app))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _PoolCollector(Collector):
    """The two pool gauges from the default registry (single-process mode)."""

    def collect(self) -> Iterator[Metric]:
        for metric in REGISTRY.collect():
            if metric.name in ("scheduler_db_pool_checked_out", "scheduler_db_pool_capacity"):
                yield metric


def init_app(app: Flask) -> None:
    """Time every request and watch the pool (the /metrics view is in web/operations)."""
    app.before_request(_note_endpoint)
    app.wsgi_app = _Timed(app.wsgi_app)  # type: ignore[method-assign]
    from scheduler.extensions import db

    with app.app_context():
        watch_pool(db.engine)
