"""A job handler for the queue tests, named to worker processes by JOB_HANDLERS.

It writes ``n`` audit rows in one transaction, pausing between them and reporting
progress, so a worker killed part-way leaves nothing behind (the transaction dies
with its connection) and a rerun writes the rows exactly once (the rows are never deleted: the audit
log is append-only).
"""

from __future__ import annotations

import time

from sqlalchemy import func, select

from scheduler.jobs import JobContext
from scheduler.models import AuditEntry

KIND = "test.queue.rows"


def write_rows(ctx: JobContext) -> dict:
    n = int(ctx.payload.get("n", 3))
    pause = float(ctx.payload.get("pause", 0.0))
    subject = f"job:{ctx.job_id}"
    session = ctx.session
    done = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.subject == subject)
    )
    if done:  # the audit log is append-only: a committed run is not written again
        return {"rows": int(done)}
    for i in range(n):
        session.add(AuditEntry(action="test.row", subject=subject, details={"i": i}))
        session.flush()
        ctx.report_progress((i + 1) / n, {"rows": i + 1})
        time.sleep(pause)
    session.commit()
    return {"rows": n}
