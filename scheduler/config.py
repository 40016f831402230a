"""Configuration defaults, and the checks that stop start-up on a bad setting.

Precedence (lowest first): these defaults, ``instance/config.py``, ``SCHEDULER_*``
environment variables, then the mapping passed to ``create_app``. Anything that is
per deployment (database URL, secret key, mail server) is left ``None`` here and either
derived from the instance folder or taken from the environment; no secret lives in code.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(Exception):
    """A setting is unusable; the message is one line naming the setting."""


# Every setting with its default. ``SCHEDULER_<NAME>`` in the environment overrides it.
DEFAULT_PUBLIC_URL = "http://localhost:8000"

DEFAULTS: dict[str, object] = {
    # Database: any SQLAlchemy URL; None means SQLite in the instance folder.
    "DATABASE_URL": None,
    # SQLite only: seconds a transaction waits for the write lock before giving up.
    "SQLITE_BUSY_TIMEOUT": 30,
    # SQLite only: FULL syncs the write-ahead log on every commit (a confirmed booking
    # survives a power cut); NORMAL is faster but may lose the last commits then.
    "SQLITE_SYNCHRONOUS": "FULL",
    # Session signing key; None means a random key kept in instance/secret_key.
    "SECRET_KEY": None,
    # Default IANA time zone for new libraries and for pages without a library.
    "TIMEZONE": "Europe/Oslo",
    # UI languages; the first is used when the browser asks for none of them.
    "LANGUAGES": ["nb", "en", "sv"],
    # Base URL used in e-mails and calendar feeds (links must work outside a request).
    # Unset: `scheduler serve` uses its own --host and --port, other commands
    # http://localhost:8000. Set it in production (https switches on secure cookies).
    "PUBLIC_URL": None,
    # How long patrons' names and e-mail addresses are kept after the appointment/session.
    "RETENTION_DAYS": 180,
    # Days the free text of logged desk inquiries (description, reflection) is kept unless
    # a leader marked it anonymised; the counts are kept.
    "DESK_TEXT_RETENTION_DAYS": 90,
    # Free slots per librarian and day kept in each process (checked against versions in
    # the database on every search, so several processes and hosts stay exact).
    "SLOT_CACHE": True,
    "SLOT_CACHE_ENTRIES": 50_000,
    # Book a librarian: minutes a booking waiting for e-mail verification holds its time.
    "BOOKING_HOLD_MINUTES": 30,
    # Bookings + drop-in registrations one e-mail address may make a day before each
    # further one waits for a confirmation link sent to that address.
    "DAILY_BOOKINGS_WITHOUT_CONFIRMATION": 3,
    # Largest request body in bytes (a bigger one gets 413 before anything is read).
    "MAX_CONTENT_LENGTH": 1_048_576,
    # Roster solver defaults for runs started from the web.
    "SOLVER_TIME_LIMIT": 60,
    "SOLVER_WORKERS": 2,
    # Solve in a child process this many nice steps below the worker, so that a roster
    # run never starves the web (0 = same priority); False = in the job's own thread.
    "SOLVER_ISOLATED": True,
    "SOLVER_NICE": 10,
    # Overrides of the roster rules (scheduler.rostering.problem.DEFAULT_RULES); None = none.
    "ROSTER_RULES": None,
    # Background work: None = a worker thread in this process; a redis:// URL = the queue.
    "BROKER_URL": None,
    # Redis key prefix (Huey queue name) the web processes and workers share.
    "BROKER_QUEUE": "scheduler-jobs",
    # Worker processes: seconds between sweeps for lost jobs and lost queue messages.
    "JOBS_SWEEP_SECONDS": 30,
    # Extra job kinds, {"kind": "module:function"}, for plug-ins and tests; the built-in
    # ones are in scheduler/job_handlers.py. Every worker of the app runs from this list.
    "JOB_HANDLERS": {},
    # Job worker thread: start it in the web process (off in tests, which run jobs inline).
    "JOBS_THREAD": True,
    # Seconds without a heartbeat after which a running job counts as lost.
    "JOBS_LOST_AFTER": 120,
    # Upkeep that runs by itself (no cron): a thread in each web process, or with a
    # broker a periodic task in ``scheduler worker``; a database lease per task makes
    # each due run happen once however many processes there are. False = none here.
    "UPKEEP_ENABLED": True,
    # Each task's schedule: "every 10m" / "every 1h" (an interval), "daily 03:00" (the
    # clock of TIMEZONE, summer time included) or "off".
    "UPKEEP_REMINDERS": "daily 17:00",
    "UPKEEP_PURGE": "daily 03:00",
    "UPKEEP_SWEEP": "every 1m",
    "UPKEEP_TOKENS": "every 15m",
    "UPKEEP_CALENDARS": "every 1m",
    # Seconds between the thread's looks at the schedule (a worker looks every minute).
    "UPKEEP_POLL_SECONDS": 30,
    # Seconds a process holds a task's lease; a holder that died is replaced after this.
    "UPKEEP_LEASE_SECONDS": 600,
    # Days run records and silent workers' heartbeats are kept.
    "UPKEEP_KEEP_DAYS": 30,
    # E-mail: with no MAIL_SERVER, messages are written to instance/outbox/ as .eml files.
    "MAIL_SERVER": None,
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "Library <no-reply@library.example>",
    # An e-mail the server did not take is tried again after MAIL_RETRY_SECONDS, doubling
    # (at most an hour), and given up on (shown to administrators) after this many tries.
    "MAIL_RETRY_SECONDS": 60,
    "MAIL_MAX_ATTEMPTS": 8,
    # Rate limits on public writes (Flask-Limiter storage; memory:// is per process).
    # With redis://, limits are shared by every process; while Redis is unreachable each
    # process counts in memory instead (so the limits loosen, never block anyone).
    "RATELIMIT_STORAGE_URI": "memory://",
    # Where the limiter counts, shared by every process: a redis:// URL. None = the
    # broker's Redis when BROKER_URL is set, else RATELIMIT_STORAGE_URI.
    "RATELIMIT_STORAGE_URL": None,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_PUBLIC_WRITE": "20 per minute;200 per hour",
    "RATELIMIT_SIGN_IN": "10 per minute",
    # Attempts at the second sign-in step (authenticator or recovery code) per client.
    "RATELIMIT_SECOND_FACTOR": "10 per minute",
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto (0 = none):
    # the client address (rate limits, the list of sessions) is taken from them.
    "PROXY_HOPS": 0,
    # Per client: the "forgot password" page and changing one's password.
    "RATELIMIT_PASSWORD": "5 per minute;30 per hour",
    # Per account (e-mail address): after SIGN_IN_SLOW_AFTER failed sign-ins each further
    # try waits twice as long as the last (1 s, 2 s, 4 s ...); after SIGN_IN_LOCK_AFTER
    # sign-in is locked for SIGN_IN_LOCK_MINUTES and the account's owner gets an e-mail.
    "SIGN_IN_SLOW_AFTER": 5,
    "SIGN_IN_LOCK_AFTER": 10,
    "SIGN_IN_LOCK_MINUTES": 15,
    # Calendar feeds: days of past events kept in them, days a cancelled item stays as
    # STATUS:CANCELLED, and how often clients are asked to fetch again (minutes).
    "FEEDS_PAST_DAYS": 90,
    "FEEDS_CANCELLED_DAYS": 30,
    "FEEDS_REFRESH_MINUTES": 60,
    # Rendered feeds kept in memory per process, by fingerprint (bytes; 0 = none).
    "FEEDS_CACHE_BYTES": 64 * 1024 * 1024,
    # Key that feed links are derived from (HMAC); None = SECRET_KEY. Set it on its own
    # if SECRET_KEY may be rotated: links keep working then, but could not be shown again.
    "FEEDS_TOKEN_KEY": None,
    # Operations: /metrics for this bearer token, or from these addresses (comma-separated
    # IPs or networks) when reached directly, not through a proxy. None/"" = no token.
    "METRICS_TOKEN": None,
    "METRICS_ALLOW": "127.0.0.1,::1",
    # Logs: "json" (one object per line, for production) or "text"; and the level.
    "LOG_FORMAT": "text",
    "LOG_LEVEL": "INFO",
    # Seconds a client is asked to wait (Retry-After) when the database is unreachable.
    "DB_RETRY_AFTER": 5,
    # Connected calendars (a librarian's own Outlook/Google/CalDAV calendar blocks slots).
    # Keys that seal calendar addresses and app passwords, and staff's authenticator keys
    # (Fernet, comma separated, the first seals); None = a key made on first use in
    # instance/calendar_keys. Losing it means every second factor must be reset.
    "CALENDARS_SECRET_KEYS": None,
    # Minutes between scheduled syncs of each source.
    "CALENDARS_SYNC_MINUTES": 10,
    # Hours a source may fail before the librarian is warned (page and e-mail).
    "CALENDARS_WARN_AFTER_HOURS": 2,
    # What slots do when a source has failed that long: "keep" its last good busy times,
    # or "stop" offering the librarian's slots until it works again.
    "CALENDARS_WHEN_FAILING": "keep",
    # Tentative events ("maybe", unanswered invitations) block slots like busy ones.
    "CALENDARS_TENTATIVE_BLOCKS": True,
    # Fetch limits: size (MB), seconds to connect, between packets, for the whole read,
    # and redirects followed.
    "CALENDARS_MAX_MB": 10,
    "CALENDARS_CONNECT_SECONDS": 5,
    "CALENDARS_READ_SECONDS": 15,
    "CALENDARS_TOTAL_SECONDS": 30,
    "CALENDARS_MAX_REDIRECTS": 5,
    # Busy times read per source at most (more is refused as a broken or hostile file).
    "CALENDARS_MAX_EVENTS": 10000,
    # Calendars one person may connect.
    "CALENDARS_MAX_PER_PERSON": 5,
    # Allow calendar servers on loopback and private networks (an intranet server; tests).
    # Off by default: a user-supplied address must not reach inside the network.
    "CALENDARS_ALLOW_PRIVATE": False,
    # Cookies: HttpOnly and SameSite always; Secure (and the __Host- prefix, and HSTS)
    # whenever PUBLIC_URL is https (see secure_cookies below).
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    # Staff sessions (kept on the server): minutes without a request before a session
    # ends, hours it lasts at most, and days "keep me signed in" lasts at most.
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_LIFETIME_HOURS": 12,
    "REMEMBER_DAYS": 30,
    # Roles that must sign in with a second factor (authenticator app); others may.
    # Comma-separated: admin, section_leader, librarian, first_line; "" = nobody.
    "REQUIRE_2FA_ROLES": "admin,section_leader",
    # CSRF tokens live as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
}


def secure_cookies(config: dict) -> None:
    """Over HTTPS, cookies are Secure and ``__Host-`` prefixed: the browser then refuses
    them over plain HTTP and from any other (sub)domain or path."""
    if not str(config.get("PUBLIC_URL") or "").lower().startswith("https://"):
        return
    config["SESSION_COOKIE_SECURE"] = True
    config["REMEMBER_COOKIE_SECURE"] = True
    config["SESSION_COOKIE_NAME"] = "__Host-session"
    config["REMEMBER_COOKIE_NAME"] = "__Host-remember_token"
    config["SESSION_COOKIE_DOMAIN"] = None
    config["SESSION_COOKIE_PATH"] = "/"
    config["REMEMBER_COOKIE_DOMAIN"] = None
    config["REMEMBER_COOKIE_PATH"] = "/"


def sign_in_settings(config: dict) -> None:
    """Check the session timeouts, the second-factor roles, proxies and SQLite sync."""
    from datetime import timedelta

    for name in ("SESSION_IDLE_MINUTES", "SESSION_LIFETIME_HOURS", "REMEMBER_DAYS"):
        try:
            value = float(config.get(name))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = -1
        if not 0 < value <= 366 * 24 * 60:
            raise ConfigError(f"SCHEDULER_{name}: {config.get(name)!r} must be a positive number")
        config[name] = value
    config["REMEMBER_COOKIE_DURATION"] = timedelta(days=config["REMEMBER_DAYS"])
    roles = config.get("REQUIRE_2FA_ROLES") or ""
    if isinstance(roles, str):
        roles = [r.strip() for r in roles.split(",") if r.strip()]
    known = {"admin", "section_leader", "librarian", "first_line"}
    unknown = [str(r) for r in roles if str(r) not in known]
    if unknown:
        raise ConfigError(
            f"SCHEDULER_REQUIRE_2FA_ROLES: {', '.join(unknown)} is not a role "
            f"(use {', '.join(sorted(known))})"
        )
    config["REQUIRE_2FA_ROLES"] = ",".join(str(r) for r in roles)
    try:
        hops = int(config.get("PROXY_HOPS") or 0)
    except (TypeError, ValueError):
        hops = -1
    if not 0 <= hops <= 10:
        raise ConfigError(
            f"SCHEDULER_PROXY_HOPS: {config.get('PROXY_HOPS')!r} must be a whole number 0-10"
        )
    config["PROXY_HOPS"] = hops
    sync = str(config.get("SQLITE_SYNCHRONOUS") or "").upper()
    if sync not in ("OFF", "NORMAL", "FULL", "EXTRA"):
        raise ConfigError(
            f"SCHEDULER_SQLITE_SYNCHRONOUS: {config.get('SQLITE_SYNCHRONOUS')!r} must be "
            "FULL, NORMAL, EXTRA or OFF"
        )
    config["SQLITE_SYNCHRONOUS"] = sync


def limiter_storage(config: dict) -> None:
    """The limiter counts in Redis, shared by every process, when one is configured."""
    url = config.get("RATELIMIT_STORAGE_URL")
    if not url and str(config.get("RATELIMIT_STORAGE_URI") or "memory://") == "memory://":
        url = config.get("BROKER_URL")
    if url:
        if not str(url).startswith(("redis://", "rediss://", "memory://")):
            raise ConfigError(f"SCHEDULER_RATELIMIT_STORAGE_URL: {url!r} is not a redis:// URL")
        config["RATELIMIT_STORAGE_URI"] = str(url)


def database_url(config: dict, instance_path: str) -> str:
    """The configured database URL, or SQLite in the instance folder; validated."""
    url = config.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "scheduler.sqlite3")
    try:
        parsed = make_url(str(url))
    except ArgumentError:
        raise ConfigError(
            f"SCHEDULER_DATABASE_URL: {str(url)!r} is not a database URL "
            "(expected e.g. postgresql+psycopg://user@host/db or sqlite:///path)"
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"SCHEDULER_DATABASE_URL: backend {parsed.get_backend_name()!r} is not supported "
            "(use sqlite or postgresql)"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; a bare postgresql:// would look for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def allowed_networks(raw: object) -> list:
    """``METRICS_ALLOW``: comma-separated addresses or networks; ConfigError if malformed."""
    import ipaddress

    if isinstance(raw, list | tuple):
        raw = ",".join(str(r) for r in raw)
    networks = []
    for item in str(raw or "").split(","):
        if not item.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ConfigError(
                f"SCHEDULER_METRICS_ALLOW: {item.strip()!r} is not an IP address or network"
            ) from None
    return networks


def check_upkeep(cfg: dict) -> None:
    """Every ``UPKEEP_*`` schedule must parse; the numbers must be positive."""
    from scheduler.upkeep.schedule import parse_schedule

    for name in ("REMINDERS", "PURGE", "SWEEP", "TOKENS", "CALENDARS"):
        try:
            parse_schedule(cfg.get(f"UPKEEP_{name}"), setting=f"SCHEDULER_UPKEEP_{name}")
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    for name in ("POLL_SECONDS", "LEASE_SECONDS", "KEEP_DAYS"):
        value = cfg.get(f"UPKEEP_{name}")
        try:
            ok = float(str(value)) > 0
        except ValueError:
            ok = False
        if not ok:
            raise ConfigError(f"SCHEDULER_UPKEEP_{name}: {value!r} must be a number above zero")


def check_timezone(name: object, setting: str = "SCHEDULER_TIMEZONE") -> str:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{setting}: {name!r} is not an IANA time zone") from None
    return str(name)


def ensure_instance_folder(path: str) -> None:
    """Create the instance folder and prove it is writable (SQLite, secret, outbox live there)."""
    try:
        os.makedirs(path, exist_ok=True)
        probe = Path(path) / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"SCHEDULER_INSTANCE: the instance folder {path!r} cannot be written "
            f"({exc.strerror or exc})"
        ) from None


def instance_secret_key(instance_path: str) -> str:
    """Read the instance's secret key, creating a random one on first start.

    The new key is written to a private temporary file and then hard-linked into place,
    so that several worker processes starting at once all end up reading the same key.
    """
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        tmp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"SCHEDULER_SECRET_KEY: {path} is empty; delete it to make a new one")
    return key
