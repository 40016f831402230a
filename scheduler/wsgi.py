"""WSGI entry point for other servers, e.g. ``gunicorn -w 4 'scheduler.wsgi:app'``.

Each worker process runs its own job thread unless a queue is configured; claiming a
job is atomic in the database, so several processes never run the same job.
"""

from scheduler import create_app, jobs

app = create_app()
if not app.config.get("BROKER_URL") and app.config.get("JOBS_THREAD"):
    jobs.start_worker_thread(app)
