"""WSGI entry point for other servers, e.g. ``gunicorn -w 4 'scheduler.wsgi:app'``.

Each worker process runs its own job thread and upkeep thread unless a queue is
configured; claiming a job and taking an upkeep task's lease are atomic in the
database, so several processes never run the same job or the same due task.
"""

from scheduler import create_app
from scheduler.jobs.thread import start_worker_thread
from scheduler.upkeep.thread import start_upkeep_thread

app = create_app()
if not app.config.get("BROKER_URL") and app.config.get("JOBS_THREAD"):
    start_worker_thread(app)
if not app.config.get("BROKER_URL") and app.config.get("UPKEEP_ENABLED"):
    start_upkeep_thread(app)
