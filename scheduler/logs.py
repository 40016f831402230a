"""Structured logs: one JSON object per line, each carrying the request id (or job id).

A request takes its id from a well-formed ``X-Request-ID`` header (so a reverse proxy's
id runs through) or makes a new one, and sends it back in the response. A job
remembers the id of the request that queued it, so the lines a worker writes for an
e-mail or a roster run can be found with the request that caused them.

``LOG_FORMAT = "json"`` (production) or ``"text"`` (a terminal); ``LOG_LEVEL``.
Paths are not logged: feed and manage URLs carry secret tokens. The endpoint name
stands for the page instead.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, request
from pythonjsonlogger.json import JsonFormatter

from scheduler.log_context import JOB_ID, REQUEST_ID, ContextFilter, job_context

__all__ = ["JOB_ID", "REQUEST_ID", "ContextFilter", "configure", "init_app", "job_context"]

HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_HANDLER_NAME = "scheduler-log"

request_log = logging.getLogger("scheduler.request")


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(value: str | None) -> str:
    """The caller's id when it looks like one (no spaces, no control characters)."""
    if value and _WELL_FORMED.fullmatch(value):
        return value
    return new_request_id()


def configure(fmt: str, level: str = "INFO") -> None:
    """Install one handler on the root logger (again: replaces the previous one)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(ContextFilter())
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}{request_id}{job_id}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root.addHandler(handler)
    root.setLevel(level.upper())


def init_app(app: Flask) -> None:
    """Request ids on every request and response; one access line per request."""
    # Only the production switch takes over the root logger: with "text" the commands
    # keep logging as they always have (a terminal, pytest's capture).
    if app.config.get("LOG_FORMAT") == "json" and not app.testing:
        configure("json", str(app.config.get("LOG_LEVEL") or "INFO"))

    @app.before_request
    def _request_id() -> None:
        rid = incoming_request_id(request.headers.get(HEADER))
        g.request_id = rid
        g._request_id_token = REQUEST_ID.set(rid)
        g._request_started = time.perf_counter()

    @app.after_request
    def _answer(response: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            response.headers[HEADER] = rid
            started = g.get("_request_started")
            request_log.info(
                "%s %s %s",
                request.method,
                request.endpoint or "unmatched",
                response.status_code,
                extra={
                    "method": request.method,
                    "endpoint": request.endpoint or "unmatched",
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                },
            )
        return response

    @app.teardown_request
    def _forget(_exc: BaseException | None) -> None:
        token = g.pop("_request_id_token", None)
        if token is not None:
            # ValueError: set in another context (a test client's); nothing leaks then.
            with contextlib.suppress(ValueError):
                REQUEST_ID.reset(token)
