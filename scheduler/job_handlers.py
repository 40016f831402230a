"""Every kind of background job and the function that runs it.

This is the one list: :func:`scheduler.create_app` gives it to the app
(:mod:`scheduler.jobs.registry`), and both the worker thread of a web process and the
``scheduler worker`` processes run jobs from it. The roster job gets the engine here,
passed in rather than imported by the job, so ``rostering`` depends on the solver's
public API only and a test can hand it a scripted one.
"""

from __future__ import annotations

from functools import partial

from scheduler import solver
from scheduler.accounts.upkeep import forget_spent_account_rows
from scheduler.booking.dropins.registrations import release_expired_registration_holds
from scheduler.calendars.sources.sync_job import JOB_KIND as SYNC_CALENDAR
from scheduler.calendars.sources.sync_job import run_sync_job
from scheduler.jobs import Handler
from scheduler.mail.delivery import send_email
from scheduler.mail.outbox import SEND_EMAIL, retry_due_emails
from scheduler.rostering.runs import JOB_KIND as SOLVE_ROSTER
from scheduler.rostering.runs import run_roster_job
from scheduler.signin.sessions import sweep_expired as sweep_expired_sessions

HANDLERS: dict[str, Handler] = {
    SEND_EMAIL: send_email,
    SOLVE_ROSTER: partial(run_roster_job, solver=solver),
    SYNC_CALENDAR: run_sync_job,
}

# What every worker does on each sweep besides lost jobs (scheduler.jobs.sweeps).
SWEEPS = [
    retry_due_emails,
    forget_spent_account_rows,
    sweep_expired_sessions,
    release_expired_registration_holds,
]
