"""Background work: job rows in the database, run by a worker thread or worker processes.

The row is the truth. ``enqueue`` adds a row inside the caller's transaction; only
after that transaction commits is the job handed to a worker (so a rolled-back request
never sends its e-mail). A worker claims a job with a conditional UPDATE, keeps a
heartbeat while it runs, and records the outcome. Job functions must be safe to run
twice: a worker that dies after doing the work but before recording it leaves the job
to the sweeper, which re-queues it (if attempts remain) or marks it failed.

By default a worker thread runs inside each web process and polls the table, which
also works with several processes (the claim is atomic). With ``BROKER_URL`` set, the
job id is also sent to a real queue whose worker processes run the same functions.

The modules, from the use cases' side to the workers':

- ``enqueue``: add a job (no Flask: use cases call it);
- ``context``: what a job function is given, :class:`JobContext` (no Flask either);
- ``registry``: which function runs which kind of job, one list per app that every
  worker reads (the list itself is :mod:`scheduler.job_handlers`);
- ``dispatch``: after a commit, hand the new job ids to whoever listens;
- ``runner``: claim and run one job; ``sweeper``: fail or re-queue lost jobs;
- ``thread``: the worker thread of a web process; ``queue``: Huey on Redis and
  ``scheduler worker``.
"""

from scheduler.jobs.context import Handler, JobCancelled, JobContext
from scheduler.jobs.enqueue import enqueue

__all__ = ["Handler", "JobCancelled", "JobContext", "enqueue"]
