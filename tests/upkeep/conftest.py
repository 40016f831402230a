"""Upkeep fixtures: an app whose schedule runs only the tasks a test names, and the
booking fixtures (librarians, booking requests) for the tasks' effects."""

from __future__ import annotations

import pytest

from scheduler.upkeep.tasks import TASKS
from tests.booking.appointments.conftest import (  # noqa: F401  (fixtures)
    create_librarian,
    librarian,
    library,
    request_for,
    site,
    topic,
)
from tests.calendar_sources.conftest import feed_server  # noqa: F401  (fixture)
from tests.test_queue import (  # noqa: F401  (fixtures: real workers on Redis)
    broker_app,
    queue_name,
    redis_url,
    start_worker,
)

ALL_OFF = {task.setting: "off" for task in TASKS}


@pytest.fixture
def schedule(app_config: dict):
    """``schedule(reminders="every 1h", ...)`` before ``app``: those tasks on, others off."""

    def _set(**tasks: str) -> None:
        app_config.update(ALL_OFF)
        for name, text in tasks.items():
            app_config[f"UPKEEP_{name.upper()}"] = text

    return _set
