# Per-deployment settings. Copy to instance/config.py and edit; every line is optional.
# Environment variables SCHEDULER_<NAME> override this file (e.g. SCHEDULER_DATABASE_URL).

# Database: any SQLAlchemy URL. Default: SQLite in this folder (instance/scheduler.sqlite3).
# DATABASE_URL = "postgresql+psycopg://scheduler@db.example/scheduler"

# Session signing key. Default: a random key created in instance/secret_key on first start.
# Set it explicitly when several hosts serve the same site.
# SECRET_KEY = "..."

# Default time zone for new libraries and pages without a library (IANA name).
# TIMEZONE = "Europe/Oslo"

# User-interface languages; the first is used when the browser asks for none of them.
# LANGUAGES = ["nb", "en"]

# Base URL used in e-mails and calendar feeds.
# PUBLIC_URL = "https://bibliotek.uni.example"

# Days to keep patrons' names and e-mail addresses after their appointment or session.
# RETENTION_DAYS = 180

# Book a librarian: minutes a booking that waits for e-mail verification holds its time.
# BOOKING_HOLD_MINUTES = 30

# Book a librarian: minutes a booking waiting for e-mail confirmation holds its time.
# BOOKING_HOLD_MINUTES = 30

# Calendar feeds: days of past events kept, days a cancelled item stays as CANCELLED,
# how often clients should fetch again (minutes), and the key feed links are derived
# from (None = SECRET_KEY; set it separately if SECRET_KEY may be rotated).
# FEEDS_PAST_DAYS = 90
# FEEDS_CANCELLED_DAYS = 30
# FEEDS_REFRESH_MINUTES = 60
# FEEDS_TOKEN_KEY = "..."

# Connected calendars (docs/booking.md): a librarian's own calendar blocks free slots.
# Keys sealing calendar addresses and app passwords (Fernet; the first seals, all open).
# Unset = a key made on first use in instance/calendar_keys. Make one with
#   python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'
# CALENDARS_SECRET_KEYS = "new-key,old-key"
# Minutes between syncs; hours of failure before the librarian is warned; then "keep"
# the last good busy times or "stop" offering the librarian's slots.
# CALENDARS_SYNC_MINUTES = 10
# CALENDARS_WARN_AFTER_HOURS = 2
# CALENDARS_WHEN_FAILING = "keep"
# CALENDARS_TENTATIVE_BLOCKS = True
# Limits per read: size in MB, seconds to connect / between packets / in all, redirects,
# busy times; calendars per person.
# CALENDARS_MAX_MB = 10
# CALENDARS_CONNECT_SECONDS = 5
# CALENDARS_READ_SECONDS = 15
# CALENDARS_TOTAL_SECONDS = 30
# CALENDARS_MAX_REDIRECTS = 5
# CALENDARS_MAX_EVENTS = 10000
# CALENDARS_MAX_PER_PERSON = 5
# Allow calendar servers on loopback and private networks (an intranet CalDAV server).
# CALENDARS_ALLOW_PRIVATE = False

# Roster solver runs started from the web: seconds and CPU workers.
# SOLVER_TIME_LIMIT = 60
# SOLVER_WORKERS = 2
# Roster rules that differ from the defaults (duty blocks of at most 4 hours, breaks of
# 15 minutes, 8 hours a day, 4 hours a week); "weights" are merged over the defaults.
# ROSTER_RULES = {"max_consecutive_hours": 4, "min_break_minutes": 15, "weights": {"target": 2}}

# Background jobs: unset = a worker thread in each web process; a Redis URL = a real queue
# with separate worker processes (see README, "Distributed mode").
# BROKER_URL = "redis://127.0.0.1:6379/0"
# Queue name (Redis key prefix) shared by the web processes and `scheduler worker`.
# BROKER_QUEUE = "scheduler-jobs"
# Workers: seconds between sweeps for lost jobs (dead workers) and lost queue messages.
# JOBS_SWEEP_SECONDS = 30
# Extra modules that register job handlers, imported by `scheduler worker`.
# JOB_MODULES = ""

# E-mail: unset MAIL_SERVER = messages are written to instance/outbox/ as .eml files.
# MAIL_SERVER = "smtp.uni.example"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "scheduler"
# MAIL_PASSWORD = "..."
# MAIL_FROM = "Library <no-reply@uni.example>"

# Rate limits (Flask-Limiter). memory:// is per process; use Redis with several processes.
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/1"
# RATELIMIT_PUBLIC_WRITE = "20 per minute;200 per hour"
# RATELIMIT_SIGN_IN = "10 per minute"

# Cookies are HttpOnly and SameSite=Lax; mark them Secure when served over HTTPS.
# SESSION_COOKIE_SECURE = True
# REMEMBER_COOKIE_SECURE = True
