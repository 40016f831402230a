"""Apps with their own settings, disposed of after the test (no connection left open)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from scheduler import create_app
from scheduler.extensions import db


@pytest.fixture
def make_app() -> Iterator[Callable]:
    made = []

    def _make(config: dict):
        app = create_app(config)
        made.append(app)
        return app

    yield _make
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
