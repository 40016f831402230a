"""gunicorn settings: ``gunicorn -c python:scheduler.gunicorn_conf scheduler.wsgi:app``.

Flags on the command line (``--workers``, ``--threads``, ``--bind``) still win. What
this file adds is what several worker processes need to report metrics together:
a ``PROMETHEUS_MULTIPROC_DIR`` shared by the workers (a fresh temporary folder unless
one is given; emptied at start), and forgetting a worker's live gauges when it exits.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

worker_class = "gthread"
threads = 4
# A worker stuck longer than this on one request is restarted (the solver never runs here).
timeout = 60
graceful_timeout = 20
# The proxy in front terminates TLS and keeps connections open to us.
keepalive = 5
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="scheduler-metrics-")


def on_starting(server) -> None:
    """Values from an earlier run of the same folder would be summed in: remove them."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
