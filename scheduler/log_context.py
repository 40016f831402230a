"""The request id and job id of the work in progress, for log lines (no Flask here:
``jobs.enqueue`` reads the request id, and a job's lines carry it on)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("scheduler_request_id", default=None)
JOB_ID: ContextVar[int | None] = ContextVar("scheduler_job_id", default=None)


class ContextFilter(logging.Filter):
    """Put the current request id and job id on every record, "-" when there is none."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get() or "-"
        job = JOB_ID.get()
        record.job_id = job if job is not None else "-"
        return True


@contextmanager
def job_context(job_id: int, request_id: str | None) -> Iterator[None]:
    """While a job runs, its lines carry its id and the id of the request behind it."""
    job_token = JOB_ID.set(job_id)
    request_token = REQUEST_ID.set(request_id)
    try:
        yield
    finally:
        REQUEST_ID.reset(request_token)
        JOB_ID.reset(job_token)
