"""A job handler for the queue tests, named to worker processes by JOB_HANDLERS.

It writes ``n`` audit rows in one transaction, pausing between them and reporting
progress, so a worker killed part-way leaves nothing behind (the transaction dies
with its connection) and a rerun writes the rows exactly once.
"""

from __future__ import annotations

import time

from sqlalchemy import delete

from scheduler.jobs import JobContext
from scheduler.models import AuditEntry

KIND = "test.queue.rows"


def write_rows(ctx: JobContext) -> dict:
    n = int(ctx.payload.get("n", 3))
    pause = float(ctx.payload.get("pause", 0.0))
    subject = f"job:{ctx.job_id}"
    session = ctx.session
    session.execute(delete(AuditEntry).where(AuditEntry.subject == subject))
    for i in range(n):
        session.add(AuditEntry(action="test.row", subject=subject, details={"i": i}))
        session.flush()
        ctx.report_progress((i + 1) / n, {"rows": i + 1})
        time.sleep(pause)
    session.commit()
    return {"rows": n}
