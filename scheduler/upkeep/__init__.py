"""Upkeep that runs by itself: reminders, the retention purge, the job sweeper, token
clean-up and calendar sync, on a schedule and without cron.

- ``schedule``: "every 10m" / "daily 03:00" and the next-run arithmetic (plain values);
- ``lease``: a row per task; one process at a time runs it, each due run once;
- ``tasks``: what each task does and the setting that holds its schedule;
- ``runner``: run the due tasks under their leases and record each run;
- ``heartbeat``: each worker process says it is alive;
- ``thread``: thread mode, a daemon thread in each web process;
- ``periodic``: distributed mode, a Huey periodic task in ``scheduler worker``.

docs/operations.md describes the schedule, the lease and the /admin/system page.
"""
