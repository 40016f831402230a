"""For load balancers and monitoring: /healthz, /readyz and /metrics.

- ``/healthz``: the process answers (liveness; touches nothing else, so a database
  outage does not make an orchestrator restart healthy web processes).
- ``/readyz``: the database answers (readiness: a load balancer sends no traffic to a
  host that answers 503 here). The Redis queue is checked and reported too, but a
  queue that is down makes the host "degraded", not unready: pages and bookings work
  without it (jobs wait in the database), and taking every host out of the load
  balancer because of Redis would turn a partial outage into a whole one.
- ``/metrics``: Prometheus text, for a bearer token (``METRICS_TOKEN``) or from an
  address in ``METRICS_ALLOW`` (loopback by default) that did not come through a proxy.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import text

from scheduler import metrics
from scheduler.extensions import db

bp = Blueprint("operations", __name__)

PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify({"status": "alive"})


@bp.get("/readyz")
def readyz() -> Any:
    checks: dict[str, str] = {}
    ready, degraded = True, False
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        db.session.rollback()
        checks["database"] = f"unreachable: {type(exc).__name__}"
        ready = False
    from scheduler.jobs import queue

    found = queue.get_queue(current_app)
    if found is None:
        checks["broker"] = "not configured (jobs run in the web process)"
    else:
        try:
            found.ping()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"unreachable: {type(exc).__name__}"
            degraded = True
    status = "not ready" if not ready else ("degraded" if degraded else "ready")
    response = jsonify({"status": status, "checks": checks})
    if not ready:
        response.status_code = 503
        response.headers["Retry-After"] = "5"
    return response


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def metrics_allowed() -> bool:
    """A valid token, or an allowed address reached directly (not through a proxy: behind
    one, every request would come from the proxy's own address)."""
    token = current_app.config.get("METRICS_TOKEN")
    given = _bearer()
    if token and given and hmac.compare_digest(given.encode(), str(token).encode()):
        return True
    if any(h in request.headers for h in PROXY_HEADERS):
        return False
    try:
        remote = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(remote in net for net in current_app.config["METRICS_ALLOW_NETWORKS"])


@bp.get("/metrics")
def metrics_view() -> Response:
    if not metrics_allowed():
        return Response(
            "metrics: give the token (Authorization: Bearer ...) or scrape from an allowed "
            "address\n",
            status=403,
            mimetype="text/plain",
        )
    body, content_type = metrics.render(current_app._get_current_object())  # type: ignore[attr-defined]
    return Response(body, content_type=content_type)
