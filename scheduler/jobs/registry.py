"""Which function runs which kind of job: one list per app, read by every worker.

The thread worker of a web process and the ``scheduler worker`` processes look up
handlers here and nowhere else. The built-in kinds are :data:`scheduler.job_handlers.HANDLERS`;
the ``JOB_HANDLERS`` setting adds more (``{"kind": "module:function"}``, for plug-ins
and tests), resolved when the app is created so that a wrong name stops start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from flask import Flask

from scheduler.config import ConfigError
from scheduler.jobs.context import Handler

EXTENSION_KEY = "scheduler_job_handlers"


def init_app(app: Flask, handlers: Mapping[str, Handler]) -> None:
    """Give ``app`` its list: ``handlers`` plus those named by ``JOB_HANDLERS``."""
    found = dict(handlers)
    extra = app.config.get("JOB_HANDLERS") or {}
    if not isinstance(extra, Mapping):
        raise ConfigError(f"SCHEDULER_JOB_HANDLERS: {extra!r} is not a mapping of kind to path")
    for kind, path in extra.items():
        found[str(kind)] = _resolve(str(kind), str(path))
    app.extensions[EXTENSION_KEY] = found


def handlers(app: Flask) -> dict[str, Handler]:
    """The app's kinds and functions (a test may replace one, e.g. a scripted solver)."""
    return app.extensions[EXTENSION_KEY]


def handler_for(app: Flask, kind: str) -> Handler | None:
    return handlers(app).get(kind)


def _resolve(kind: str, path: str) -> Handler:
    module_name, _sep, name = path.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError, ValueError):
        raise ConfigError(
            f"SCHEDULER_JOB_HANDLERS: {kind}: {path!r} is not an importable module:function"
        ) from None
    if not callable(function):
        raise ConfigError(f"SCHEDULER_JOB_HANDLERS: {kind}: {path!r} is not a function")
    return function
