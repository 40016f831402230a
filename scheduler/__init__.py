"""Library booking and staffing scheduler: the application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from scheduler.config import (
    DEFAULT_PUBLIC_URL,
    DEFAULTS,
    ConfigError,
    allowed_networks,
    check_timezone,
    check_upkeep,
    database_url,
    ensure_instance_folder,
    instance_secret_key,
    limiter_storage,
    secure_cookies,
    sign_in_settings,
)
from scheduler.i18n import LANGUAGES as WRITTEN_LANGUAGES

__all__ = ["ConfigError", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a configured app.

    Settings are layered: defaults, ``instance/config.py``, ``SCHEDULER_*`` environment
    variables, then ``config``. A bad setting raises :class:`ConfigError` with one line
    naming it, before anything is served.
    """
    config = dict(config or {})
    instance_path = config.pop("INSTANCE", None) or os.environ.get("SCHEDULER_INSTANCE")
    if instance_path:
        instance_path = os.path.abspath(instance_path)
    else:
        instance_path = os.path.join(os.getcwd(), "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
    )

    app.config.update(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="SCHEDULER")
    app.config.update(config)
    _finish_config(app)

    from scheduler import logs, metrics
    from scheduler.cli import register_commands
    from scheduler.database import init_database
    from scheduler.extensions import babel, csrf, db, limiter, login_manager, migrate
    from scheduler.job_handlers import HANDLERS, SWEEPS
    from scheduler.jobs import dispatch, registry, sweeps
    from scheduler.web import init_web
    from scheduler.web.i18n import init_i18n

    init_database(app, db)
    _init_slot_cache(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    init_i18n(app, babel)
    logs.init_app(app)
    init_web(app)
    metrics.init_app(app)
    # Background jobs: one list of handlers for every worker of this app; committed job
    # ids go to the worker thread and, with a broker, to the queue as well.
    registry.init_app(app, HANDLERS)
    sweeps.init_app(app, SWEEPS)
    dispatch.init_app(app)
    if app.config.get("BROKER_URL"):
        from scheduler.jobs import queue

        queue.init_app(app)
    register_commands(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address and scheme as the trusted proxies saw them (rate limits,
        # sessions); headers beyond PROXY_HOPS are the client's own and ignored.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app


def _init_slot_cache(app: Flask) -> None:
    """Versions are always kept (every process may cache); this process caches if asked."""
    from scheduler.booking.appointments import slot_cache
    from scheduler.extensions import db

    slot_cache.install(db.session)
    if app.config.get("SLOT_CACHE"):
        with app.app_context():
            slot_cache.enable(db.engine, int(app.config.get("SLOT_CACHE_ENTRIES") or 50_000))


def _finish_config(app: Flask) -> None:
    """Derive what was left unset and check what was set; raise ConfigError if unusable."""
    cfg = app.config
    ensure_instance_folder(app.instance_path)
    cfg["SQLALCHEMY_DATABASE_URI"] = database_url(cfg, app.instance_path)
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = instance_secret_key(app.instance_path)
    cfg["TIMEZONE"] = check_timezone(cfg.get("TIMEZONE"))
    check_upkeep(cfg)
    if not cfg.get("PUBLIC_URL"):
        # Remembered so that `scheduler serve` can put its own address here instead.
        cfg["PUBLIC_URL"] = DEFAULT_PUBLIC_URL
        cfg["PUBLIC_URL_DERIVED"] = True
    languages = cfg.get("LANGUAGES")
    if isinstance(languages, str):
        languages = [code.strip() for code in languages.split(",") if code.strip()]
    if not languages or any(code not in WRITTEN_LANGUAGES for code in languages):
        choices = ", ".join(WRITTEN_LANGUAGES)
        raise ConfigError(f"SCHEDULER_LANGUAGES: {languages!r} must list some of {choices}")
    cfg["LANGUAGES"] = list(languages)
    cfg["RATELIMIT_ENABLED"] = cfg.get("RATELIMIT_ENABLED", True)
    cfg["METRICS_ALLOW_NETWORKS"] = allowed_networks(cfg.get("METRICS_ALLOW"))
    if str(cfg.get("LOG_FORMAT")) not in ("json", "text"):
        raise ConfigError(f"SCHEDULER_LOG_FORMAT: {cfg.get('LOG_FORMAT')!r} must be json or text")
    if cfg.get("BROKER_URL") and not str(cfg["BROKER_URL"]).startswith(("redis://", "rediss://")):
        raise ConfigError(f"SCHEDULER_BROKER_URL: {cfg['BROKER_URL']!r} is not a redis:// URL")
    secure_cookies(cfg)
    sign_in_settings(cfg)
    limiter_storage(cfg)
    if str(cfg.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
        # A Redis that does not answer must not hold requests up: give up fast, fall back.
        cfg.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )
    from scheduler.calendars.sources.settings import read_settings

    try:
        read_settings(cfg)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
